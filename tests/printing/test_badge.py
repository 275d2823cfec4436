"""Badge layout: names as written, fitted to the width, a scannable QR code."""

from __future__ import annotations

from datetime import date

import pytest
import zxingcpp

from eventdesk.printing.badge import (
    MIN_QR_MODULE,
    BadgeData,
    BadgeLayout,
    event_dates_label,
    fit_name,
    printable_dots,
    qr_image,
    render_badge,
)
from eventdesk.printing.fonts import FontError, default_font_path, font_path, load_font, missing_glyphs

CODE = "0123456789ABCDEFGHJKMNPQRS"


@pytest.fixture(scope="module")
def layout() -> BadgeLayout:
    return BadgeLayout(width=576, dpi=203, font=default_font_path())


def badge(name: str, **fields) -> BadgeData:
    return BadgeData(
        name=name,
        code=CODE,
        organisation=fields.get("organisation", "AgriFood Lithuania"),
        role=fields.get("role", ""),
        category=fields.get("category", "speaker"),
        event_name="European Cluster Conference 2024",
        event_dates="7–8 May 2024",
    )


def test_paper_widths_at_203_dpi():
    assert printable_dots(80) == 576
    assert printable_dots(58) == 384


def test_badge_is_a_one_bit_image_at_the_printer_width(layout):
    rendered = render_badge(badge("Lukas Nögel"), layout)
    assert rendered.image.mode == "1"
    assert rendered.image.width == 576
    assert 300 < rendered.image.height < 960  # one raster strip


@pytest.mark.parametrize("name", ["Kristina Šermukšnytė-Alešiūnienė", "Kíncső Izsak", "Lukas Nögel"])
def test_the_font_holds_every_letter_of_the_seed_names(layout, name):
    rendered = render_badge(badge(name), layout)
    assert rendered.missing == []
    assert rendered.readable
    assert "".join(rendered.name_lines).replace(" ", "") == name.replace(" ", "")


def test_missing_glyphs_names_the_letters_the_font_lacks():
    assert missing_glyphs("Nögel 中文 א", default_font_path()) == ["א", "中", "文"]
    assert missing_glyphs("Šermukšnytė-Alešiūnienė Kíncső Łódź Ærø", default_font_path()) == []


def test_short_name_stays_on_one_line_at_the_largest_size(layout):
    size, lines = fit_name("Lukas Nögel", layout)
    assert (size, lines) == (layout.name_max_px, ["Lukas Nögel"])


def test_long_name_goes_to_two_lines_before_it_shrinks(layout):
    name = "Kristina Šermukšnytė-Alešiūnienė"
    size, lines = fit_name(name, layout)
    assert len(lines) == 2
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    one_line_size = int(
        layout.name_max_px
        * (layout.width - 2 * layout.margin)
        / load_font(layout.font, layout.name_max_px, 700).getlength(name)
    )
    assert size > one_line_size  # two lines kept it larger than one line could


def test_a_name_too_long_for_two_lines_shrinks_and_is_flagged(layout):
    rendered = render_badge(
        badge("Maximiliane-Alexandra von Hohenzollern-Sigmaringen-Württemberg-Hechingen de la Tour d'Auvergne"), layout
    )
    assert not rendered.readable
    assert rendered.name_px < layout.name_readable_px


def test_qr_code_decodes_to_the_badge_code_with_six_dot_modules_and_quiet_zone(layout):
    rendered = render_badge(badge("Kíncső Izsak"), layout)
    results = zxingcpp.read_barcodes(rendered.image.convert("L"))
    assert [r.text for r in results] == [CODE]
    qr = results[0]
    module = (qr.position.top_right.x - qr.position.top_left.x + 1) / 21  # version 1/2: >= 21 modules
    assert module >= MIN_QR_MODULE
    # 4 quiet modules: nothing printed within 4 modules left of the symbol.
    left = qr.position.top_left.x
    strip = rendered.image.crop((left - 4 * MIN_QR_MODULE, qr.position.top_left.y, left - 1, qr.position.bottom_left.y))
    assert strip.getextrema() == (255, 255) or strip.getextrema() == (1, 1)


def test_qr_image_scales_modules_exactly():
    image = qr_image(CODE, 7)
    assert image.width % 7 == 0
    modules = image.width // 7
    assert modules in (29, 33)  # version 1 or 2 plus 2 x 4 quiet modules


def test_category_band_is_inverted(layout):
    rendered = render_badge(badge("Lukas Nögel", category="press"), layout)
    image = rendered.image
    # Some full-width row is black from edge to edge (the band), with white letters inside it.
    full_rows = [y for y in range(image.height) if image.getpixel((0, y)) == 0 and image.getpixel((575, y)) == 0]
    assert len(full_rows) > 30
    band = image.crop((0, full_rows[0], 576, full_rows[-1]))
    assert 0 < band.histogram()[255] < band.width * band.height // 2  # white letters in black


def test_event_dates_label():
    assert event_dates_label(date(2024, 5, 7), date(2024, 5, 8)) == "7–8 May 2024"
    assert event_dates_label(date(2024, 5, 6), date(2024, 5, 6)) == "6 May 2024"
    assert event_dates_label(date(2024, 4, 30), date(2024, 5, 2)) == "30 April – 2 May 2024"


def test_configured_font_must_exist(tmp_path):
    with pytest.raises(FontError, match="does not exist"):
        font_path(str(tmp_path / "nope.ttf"))
    assert font_path(None) == default_font_path()


def test_pronouns_print_under_the_name(layout):
    with_pronouns = render_badge(BadgeData(name="Bobby Tables", code=CODE, pronouns="they/them"), layout).image
    without = render_badge(BadgeData(name="Bobby Tables", code=CODE), layout).image
    assert with_pronouns.height > without.height
    # The rows below the name: the pronoun line's ink is as wide as the text drawn at its size.
    from eventdesk.printing.badge import SEMIBOLD, fit_line

    _, font = fit_line("they/them", layout, layout.px(28), layout.px(20), SEMIBOLD)
    width = layout.width
    first_new_row = next(
        y
        for y in range(without.height)
        if with_pronouns.crop((0, y, width, y + 1)).tobytes() != without.crop((0, y, width, y + 1)).tobytes()
    )
    assert first_new_row > layout.name_max_px // 2  # the name above is unchanged
    band = with_pronouns.crop((0, first_new_row, width, first_new_row + layout.px(26)))
    left, _, right, _ = band.point(lambda v: 255 - v).getbbox()
    ink = font.getbbox("they/them")
    assert abs((right - left) - (ink[2] - ink[0])) <= 6  # 1-bit thresholding trims the edges


def test_arabic_names_print_shaped_from_the_arabic_font(layout):
    from eventdesk.printing.fonts import font_for, unprintable

    name = "محمد العلي"
    rendered = render_badge(BadgeData(name=name, code=CODE), layout)
    assert rendered.missing == [] and unprintable(name, layout.font) == []
    path = font_for(name, layout.font)
    assert "Arabic" in path.name
    # Shaped (joined letters, right to left) is not what a plain left-to-right glyph run draws.
    from PIL import ImageFont

    from eventdesk.printing.fonts import visual

    shaped = load_font(path, 60).getmask(visual("محمد"))
    plain = ImageFont.truetype(str(path), 60, layout_engine=ImageFont.Layout.BASIC).getmask("محمد")
    assert (shaped.size, bytes(shaped)) != (plain.size, bytes(plain))


def test_install_hints_name_the_package_of_each_script():
    from eventdesk.printing.fonts import install_hints

    assert install_hints(["ท", "王", "ب"]) == [
        "Thai: pip install fontpkg-noto-sans-thai",
        "CJK: apt-get install fonts-noto-cjk (Debian/Ubuntu; see the README for other systems)",
        "Arabic: pip install fontpkg-noto-sans-arabic",
    ]
