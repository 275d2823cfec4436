"""Badge layout: a 1-bit Pillow image at the printer's width. Everything on it is drawn with a real
Unicode font, so names print exactly as written (a thermal printer's code pages cannot hold
"Šermukšnytė" and "Kíncső" at once; pretixPRINT prints images for the same reason).

Top to bottom: the name the person is called by (large, fitted to the width; two lines before it
shrinks), their pronouns when given, the role, the
organisation, the category band in inverted colours, the event name and dates, and a QR code of
the badge code (at least 6 dots per module, 4-module quiet zone) with the code under it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from eventdesk.printing.fonts import font_for, load_font, unprintable, visual

BASE_DPI = 203
MIN_QR_MODULE = 6
QR_QUIET_MODULES = 4
# Printable width of the common thermal rolls (the head is narrower than the paper).
PRINT_MM = {80: 72, 58: 48}
REGULAR, SEMIBOLD, BOLD = 400, 600, 700
BLACK, WHITE = 0, 255  # mode "1" pixel values (0 burns a dot)


def printable_dots(paper_mm: int, dpi: int = BASE_DPI) -> int:
    """Dots across the print head for ``paper_mm`` paper, a multiple of 8 (576 for 80 mm at 203 dpi)."""
    print_mm = PRINT_MM.get(paper_mm, paper_mm - 8)
    return max(8, round(print_mm / 25.4 * dpi / 8) * 8)


@dataclass(frozen=True)
class BadgeLayout:
    width: int  # pixels (dots) across
    dpi: int
    font: Path

    @property
    def scale(self) -> float:
        return self.dpi / BASE_DPI

    def px(self, at_203_dpi: float) -> int:
        return max(1, round(at_203_dpi * self.scale))

    @property
    def margin(self) -> int:
        return self.px(12)

    @property
    def name_max_px(self) -> int:
        return min(self.px(76), self.width // 5)

    @property
    def name_min_px(self) -> int:
        return self.px(14)

    @property
    def name_readable_px(self) -> int:
        """Below this size (about 4 mm per line) a name is hard to read at arm's length."""
        return self.px(32)


@dataclass(frozen=True)
class BadgeData:
    name: str
    code: str
    organisation: str = ""
    role: str = ""
    category: str = ""
    event_name: str = ""
    event_dates: str = ""
    pronouns: str = ""  # printed under the name when the person gave them


@dataclass
class RenderedBadge:
    image: Image.Image | None  # mode "1", white background, black (printed) ink; None from preflight_badge
    name_px: int
    name_lines: list[str]
    readable: bool
    missing: list[str] = field(default_factory=list)  # characters no badge font has a glyph for

    def drawn(self) -> Image.Image:
        """The image of a badge that render_badge drew (preflight_badge draws none)."""
        if self.image is None:
            raise ValueError("a preflight badge has no image")
        return self.image


def event_dates_label(start: date, end: date) -> str:
    """ "7–8 May 2024", "30 April – 2 May 2024", "6 May 2024"."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def clean_line(text: str) -> str:
    """One printable line: NFC, control characters dropped, runs of spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if c in "\t\r\n" else c for c in text if unicodedata.category(c) != "Cc")
    return " ".join(text.split())


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(visual(text))


def _two_line_splits(text: str) -> list[tuple[str, str]]:
    """Every way to break ``text`` into two lines: at a space, or after a hyphen (kept on line one)."""
    splits = []
    for i, ch in enumerate(text):
        if ch == " ":
            splits.append((text[:i], text[i + 1 :]))
        elif ch in "-‐" and 0 < i < len(text) - 1:
            splits.append((text[: i + 1], text[i + 1 :]))
    return splits


def fit_name(name: str, layout: BadgeLayout) -> tuple[int, list[str]]:
    """The largest size at which ``name`` fits the width on one line, else on two lines.

    Text width grows in proportion to the size, so the size is computed from one measurement
    and then checked (hinting may cost a pixel), instead of trying every size."""
    avail = layout.width - 2 * layout.margin
    top = layout.name_max_px
    path = font_for(name, layout.font)
    font = load_font(path, top, BOLD)
    one = _width(font, name)
    if one <= avail:
        return top, [name]
    splits = _two_line_splits(name)
    two = min((max(_width(font, a), _width(font, b)), [a, b]) for a, b in splits) if splits else None
    if two is not None and two[0] <= avail:
        return top, two[1]
    widest, lines = (one, [name]) if two is None or one <= two[0] else two
    size = max(layout.name_min_px, min(top, int(top * avail / widest)))
    while size > layout.name_min_px and max(_width(load_font(path, size, BOLD), line) for line in lines) > avail:
        size -= 1
    return size, lines


def fit_line(
    text: str, layout: BadgeLayout, size: int, min_size: int, weight: int
) -> tuple[str, ImageFont.FreeTypeFont]:
    """``text`` on one line: shrunk down to ``min_size``, then shortened with an ellipsis."""
    avail = layout.width - 2 * layout.margin
    path = font_for(text, layout.font)
    while True:
        font = load_font(path, size, weight)
        if _width(font, text) <= avail:
            return text, font
        if size <= min_size:
            break
        size = max(min_size, int(size * 0.92))
    while len(text) > 1 and _width(font, text + "…") > avail:
        text = text[:-1]
    return text.rstrip() + "…", font


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of a QR code of ``data`` (error correction M), the 4-module quiet zone included."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=QR_QUIET_MODULES)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_image(data: str | list[list[bool]], module: int) -> Image.Image:
    """A QR code of ``data`` (or of a ready matrix) with ``module`` dots per module."""
    matrix = qr_matrix(data) if isinstance(data, str) else data
    n = len(matrix)
    small = Image.new("1", (n, n), WHITE)
    small.putdata([BLACK if dark else WHITE for row in matrix for dark in row])
    return small.resize((n * module, n * module), Image.Resampling.NEAREST)


class _Canvas:
    """Draws centred lines top to bottom onto a tall white strip, cropped at the end."""

    def __init__(self, layout: BadgeLayout) -> None:
        self.layout = layout
        self.image = Image.new("1", (layout.width, layout.width * 3), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = layout.margin

    def gap(self, at_203_dpi: float) -> None:
        self.y += self.layout.px(at_203_dpi)

    def line(self, text: str, font: ImageFont.FreeTypeFont, fill: int = BLACK, spacing: float = 1.0) -> None:
        ascent, descent = font.getmetrics()
        self.draw.text((self.layout.width // 2, self.y), visual(text), font=font, fill=fill, anchor="ma")
        self.y += round((ascent + descent) * spacing)

    def band(self, text: str, font: ImageFont.FreeTypeFont) -> None:
        ascent, descent = font.getmetrics()
        pad = self.layout.px(6)
        height = ascent + descent + 2 * pad
        self.draw.rectangle((0, self.y, self.layout.width - 1, self.y + height - 1), fill=BLACK)
        self.y += pad
        self.line(text, font, fill=WHITE)
        self.y += pad

    def paste(self, image: Image.Image) -> None:
        self.image.paste(image, ((self.layout.width - image.width) // 2, self.y))
        self.y += image.height

    def result(self) -> Image.Image:
        return self.image.crop((0, 0, self.layout.width, self.y + self.layout.margin))


def _printed_text(data: BadgeData, name: str) -> str:
    """Every text the badge prints, for the glyph check."""
    parts = [
        name,
        clean_line(data.pronouns),
        clean_line(data.role),
        clean_line(data.organisation),
        clean_line(data.category).upper(),
        clean_line(data.event_name),
        data.event_dates,
    ]
    return " ".join(parts)


def preflight_badge(data: BadgeData, layout: BadgeLayout) -> RenderedBadge:
    """What ``render_badge`` would report (name size and lines, readable, letters without a glyph)
    without drawing anything: the name is measured, every printed text checked against the fonts'
    glyph maps, much cheaper than rendering (``badges check`` runs it over every person); ``image``
    is None."""
    name = clean_line(data.name) or "—"
    name_px, name_lines = fit_name(name, layout)
    return RenderedBadge(
        image=None,
        name_px=name_px,
        name_lines=name_lines,
        readable=name_px >= layout.name_readable_px,
        missing=unprintable(_printed_text(data, name), layout.font),
    )


def render_badge(data: BadgeData, layout: BadgeLayout, with_qr: bool = True) -> RenderedBadge:
    """The badge of ``data``. ``with_qr=False`` leaves a blank square where the QR code goes
    (the pre-flight check of all badges: the code's modules cannot go wrong, and choosing the
    best QR mask is most of the rendering time)."""
    name = clean_line(data.name) or "—"
    canvas = _Canvas(layout)
    name_px, name_lines = fit_name(name, layout)
    name_font = load_font(font_for(name, layout.font), name_px, BOLD)
    for line in name_lines:
        canvas.line(line, name_font, spacing=0.92)
    pronouns = clean_line(data.pronouns)
    if pronouns:
        canvas.gap(2)
        canvas.line(*fit_line(pronouns, layout, layout.px(28), layout.px(20), SEMIBOLD))
    role = clean_line(data.role)
    if role:
        canvas.gap(2)
        canvas.line(*fit_line(role, layout, layout.px(28), layout.px(20), REGULAR))
    organisation = clean_line(data.organisation)
    if organisation:
        canvas.gap(4)
        canvas.line(*fit_line(organisation, layout, layout.px(34), layout.px(22), SEMIBOLD))
    category = clean_line(data.category).upper()
    if category:
        canvas.gap(12)
        canvas.band(*fit_line(category, layout, layout.px(38), layout.px(22), BOLD))
    event_name = clean_line(data.event_name)
    if event_name:
        canvas.gap(10)
        canvas.line(*fit_line(event_name, layout, layout.px(26), layout.px(18), REGULAR))
    if data.event_dates:
        canvas.line(*fit_line(clean_line(data.event_dates), layout, layout.px(24), layout.px(18), REGULAR))
    canvas.gap(6)
    matrix = qr_matrix(data.code) if with_qr else [[False] * 33] * 33
    n = len(matrix)
    module = max(MIN_QR_MODULE, min((layout.width * 45 // 100) // n, (layout.width - 2 * layout.margin) // n))
    canvas.paste(qr_image(matrix, module))
    canvas.line(*fit_line(data.code, layout, layout.px(22), layout.px(14), REGULAR))
    text = _printed_text(data, name)
    return RenderedBadge(
        image=canvas.result(),
        name_px=name_px,
        name_lines=name_lines,
        readable=name_px >= layout.name_readable_px,
        missing=unprintable(text, layout.font),
    )


def render_sign(headline: str, big: str, footer: str, layout: BadgeLayout) -> Image.Image:
    """A sign for a desk ("Desk 2", "G–Ma" as large as the paper allows, "232 people"), drawn
    with the badge's fonts."""
    canvas = _Canvas(layout)
    canvas.line(*fit_line(clean_line(headline), layout, layout.px(48), layout.px(24), BOLD))
    canvas.gap(8)
    canvas.line(*fit_line(clean_line(big), layout, min(layout.width // 3, layout.px(160)), layout.px(40), BOLD))
    canvas.gap(8)
    if footer:
        canvas.line(*fit_line(clean_line(footer), layout, layout.px(30), layout.px(20), REGULAR))
    return canvas.result()
