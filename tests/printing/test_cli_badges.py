"""`eventdesk badge preview|print`, `eventdesk printer test`, `eventdesk badges check`."""

from __future__ import annotations

import time

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image

from eventdesk.cli import main
from eventdesk.printing.escpos_reader import read_escpos


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_badge_preview_writes_the_png_of_a_person_found_by_name(printing_context, add_people, tmp_path):
    [kincso] = add_people(printing_context, [("Kíncső", "Izsak")])
    target = tmp_path / "kincso.png"
    result = run("badge", "preview", "kincso izsak", "--png", str(target), "--db", printing_context.settings.db)
    assert result.exit_code == 0, result.output
    assert "Kíncső Izsak" in result.output
    from eventdesk.services.printing import person_by_id

    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(target).convert("L"))]
    assert decoded == [person_by_id(printing_context, kincso).badge_code]


def test_badge_print_on_a_tcp_printer_and_the_reprint_guard(printing_context, add_people, tcp_printer):
    [lukas] = add_people(printing_context, [("Lukas", "Nögel")])
    db = printing_context.settings.db
    result = run("badge", "print", str(lukas), "--printer", tcp_printer.url, "--db", db)
    assert result.exit_code == 0, result.output
    assert tcp_printer.wait_for_jobs(1)
    assert read_escpos(tcp_printer.jobs[0]).images
    again = run("badge", "print", str(lukas), "--printer", tcp_printer.url, "--db", db)
    assert again.exit_code == 1
    assert "already printed once" in again.output and "--reprint" in again.output
    forced = run("badge", "print", str(lukas), "--printer", tcp_printer.url, "--db", db, "--reprint")
    assert forced.exit_code == 0 and "(reprint)" in forced.output


def test_unreachable_printer_exits_non_zero_within_seconds_naming_it(
    printing_context, add_people, refused_url, make_printer
):
    [lukas] = add_people(printing_context, [("Lukas", "Nögel")])
    started = time.monotonic()
    result = run("badge", "print", str(lukas), "--printer", refused_url, "--db", printing_context.settings.db)
    assert result.exit_code == 1
    assert f"Printer {refused_url} refused the connection" in result.output
    result = run("printer", "test", refused_url)
    assert result.exit_code == 1 and refused_url in result.output
    mute = make_printer("mute")
    result = run("printer", "test", mute.url)  # default timeout 3 s
    assert result.exit_code == 1 and f"Printer {mute.url} did not answer in 3 s" in result.output
    assert time.monotonic() - started < 10


def test_printer_test_prints_a_test_badge(tcp_printer):
    result = run("printer", "test", tcp_printer.url)
    assert result.exit_code == 0, result.output
    assert tcp_printer.wait_for_jobs(1)
    image = read_escpos(tcp_printer.jobs[0]).merged_image()
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == ["EVENTDESK-PRINTER-TEST"]


def test_attendee_that_matches_several_people_is_refused(printing_context, add_people, tmp_path):
    add_people(printing_context, [("Lukas", "Nögel"), ("Lukas", "Meier")])
    result = run("badge", "preview", "lukas", "--png", str(tmp_path / "x.png"), "--db", printing_context.settings.db)
    assert result.exit_code == 1
    assert "'lukas' matches 2 people" in result.output


def test_badges_check_lists_problem_names_and_exits_1(printing_context, add_people):
    # Ethiopic: neither Noto Sans nor any per-script font eventdesk knows holds it.
    add_people(printing_context, [("Kristina", "Šermukšnytė-Alešiūnienė"), ("አበበ", "ቢቂላ")])
    result = run("badges", "check", "--db", printing_context.settings.db)
    assert result.exit_code == 1
    assert "አበበ ቢቂላ: no glyph for" in result.output
    assert "Šermukšnytė" not in result.output
    assert "configure a font that has them in [badge] font" in result.output
    assert "Checked 2 badges: 1 problem." in result.output


def test_badges_check_passes_for_an_arabic_name(printing_context, add_people):
    add_people(printing_context, [("محمد", "العلي")])
    result = run("badges", "check", "--db", printing_context.settings.db)
    assert result.exit_code == 0 and "no problems" in result.output, result.output


def test_badges_check_passes_for_a_chinese_name_with_the_readme_cjk_step(printing_context, add_people):
    from eventdesk.printing.fonts import SCRIPT_FONTS, script_font

    if script_font(next(s for s in SCRIPT_FONTS if s.script == "CJK")) is None:
        pytest.skip("no CJK font on this machine: apt-get install fonts-noto-cjk (the README's CJK step)")
    add_people(printing_context, [("", "王小明")])
    result = run("badges", "check", "--db", printing_context.settings.db)
    assert result.exit_code == 0, result.output


def test_a_script_without_its_font_names_the_package_to_install(printing_context, add_people, monkeypatch):
    from eventdesk.printing import fonts

    monkeypatch.setattr(fonts, "script_font", lambda entry: None)  # a machine without the Arabic font
    add_people(printing_context, [("محمد", "العلي")])
    result = run("badges", "check", "--db", printing_context.settings.db)
    assert result.exit_code == 1
    assert "install the font of their script: Arabic: pip install fontpkg-noto-sans-arabic" in result.output


def test_the_pre_flight_names_the_package_for_a_script_without_its_font(printing_context, add_people, monkeypatch):
    from eventdesk.printing import fonts
    from eventdesk.services.doctor import check_badges_fit

    monkeypatch.setattr(fonts, "script_font", lambda entry: None)  # a machine without the Arabic font
    add_people(printing_context, [("محمد", "العلي")])
    state, message = check_badges_fit(printing_context)
    assert "install Arabic: pip install fontpkg-noto-sans-arabic" in message
