"""The meeting slip: a person's remaining meetings (time, table, partner, organisation) printed on
the thermal printer, because venue Wi-Fi is bad and paper does not need it.

Drawn like a badge (``printing.badge``): a 1-bit Pillow image in a real Unicode font at the
printer's width, so "Šermukšnytė-Alešiūnienė" and "Kíncső" print as written, then sent as a GS v 0
raster by the badge printer's device code. What goes on it, and queueing it, is the use case
``services.meeting_slips``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageDraw

from eventdesk.printing.badge import BLACK, BOLD, REGULAR, WHITE, BadgeLayout, clean_line, fit_line
from eventdesk.printing.fonts import load_font


@dataclass(frozen=True)
class SlipMeeting:
    start: datetime  # local time of the slot
    end: datetime
    table: int
    partner: str
    organisation: str


@dataclass(frozen=True)
class SlipData:
    name: str
    organisation: str
    event_name: str
    printed_at: datetime  # local
    meetings: tuple[SlipMeeting, ...]


class _Slip:
    """Left-aligned lines top to bottom on a white strip, cropped at the end."""

    def __init__(self, layout: BadgeLayout, lines_hint: int) -> None:
        self.layout = layout
        self.image = Image.new("1", (layout.width, layout.px(140) * (lines_hint + 3)), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.y = layout.margin

    def text(self, text: str, size: int, weight: int = REGULAR, min_size: int | None = None) -> None:
        fitted, font = fit_line(
            clean_line(text), self.layout, self.layout.px(size), self.layout.px(min_size or size), weight
        )
        self.draw.text((self.layout.margin, self.y), fitted, font=font, fill=BLACK, anchor="la")
        self.y += sum(font.getmetrics())

    def time_and_table(self, when: str, table: str) -> None:
        layout = self.layout
        font = load_font(layout.font, layout.px(34), BOLD)
        ascent, descent = font.getmetrics()
        pad = layout.px(4)
        self.draw.text((layout.margin, self.y + pad), when, font=font, fill=BLACK, anchor="la")
        width = round(font.getlength(table)) + 2 * layout.px(10)
        right = layout.width - layout.margin
        self.draw.rectangle((right - width, self.y, right - 1, self.y + ascent + descent + 2 * pad - 1), fill=BLACK)
        self.draw.text((right - width // 2, self.y + pad), table, font=font, fill=WHITE, anchor="ma")
        self.y += ascent + descent + 2 * pad + layout.px(4)

    def rule(self, thickness: int = 2) -> None:
        self.y += self.layout.px(8)
        self.draw.rectangle(
            (
                self.layout.margin,
                self.y,
                self.layout.width - self.layout.margin - 1,
                self.y + self.layout.px(thickness) - 1,
            ),
            fill=BLACK,
        )
        self.y += self.layout.px(thickness) + self.layout.px(10)

    def result(self) -> Image.Image:
        return self.image.crop((0, 0, self.layout.width, self.y + self.layout.margin))


def render_slip(data: SlipData, layout: BadgeLayout) -> Image.Image:
    """The slip as a 1-bit image ``layout.width`` dots wide."""
    slip = _Slip(layout, len(data.meetings) * 2 + 2)
    slip.text(data.event_name, 22)
    slip.text("Your meetings", 26, BOLD)
    slip.text(data.name or "—", 44, BOLD, min_size=24)
    if data.organisation:
        slip.text(data.organisation, 26, min_size=18)
    slip.rule(3)
    if not data.meetings:
        slip.text("No more meetings today.", 30, BOLD)
    for index, meeting in enumerate(data.meetings):
        if index:
            slip.rule(1)
        slip.time_and_table(f"{meeting.start:%H:%M}–{meeting.end:%H:%M}", f"Table {meeting.table}")
        slip.text(meeting.partner or "—", 30, BOLD, min_size=20)
        if meeting.organisation:
            slip.text(meeting.organisation, 24, min_size=18)
    slip.rule(3)
    slip.text(f"As of {data.printed_at:%a %d %b %H:%M}. The desk has the latest.", 20, min_size=16)
    return slip.result()


__all__ = ["SlipData", "SlipMeeting", "render_slip"]
