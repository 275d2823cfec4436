"""A countdown as large as its space allows: a block font scaled to the widget, so the chair (and
the speaker, from the stage) reads it from metres away; three-line digits when space is short."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.renderables.digits import Digits as SmallDigits
from textual.widget import Widget

# 5 rows × 4 columns per glyph ('#' = filled).
FONT = {
    "0": ["####", "#  #", "#  #", "#  #", "####"],
    "1": ["  # ", " ## ", "  # ", "  # ", " ###"],
    "2": ["####", "   #", "####", "#   ", "####"],
    "3": ["####", "   #", " ###", "   #", "####"],
    "4": ["#  #", "#  #", "####", "   #", "   #"],
    "5": ["####", "#   ", "####", "   #", "####"],
    "6": ["####", "#   ", "####", "#  #", "####"],
    "7": ["####", "   #", "  # ", " #  ", " #  "],
    "8": ["####", "#  #", "####", "#  #", "####"],
    "9": ["####", "#  #", "####", "   #", "####"],
    ":": ["  ", "# ", "  ", "# ", "  "],
    "-": ["    ", "    ", "####", "    ", "    "],
    " ": ["  ", "  ", "  ", "  ", "  "],
}
ROWS = 5


def big_lines(value: str, scale: int) -> list[str]:
    """The text of ``value`` in the block font, each cell ``scale`` × ``scale`` (2 columns per
    cell horizontally keep the terminal's tall cells square)."""
    glyphs = [FONT.get(ch, FONT[" "]) for ch in value]
    lines = []
    for row in range(ROWS):
        line = "  ".join(
            "".join("█" * (2 * scale) if cell == "#" else " " * (2 * scale) for cell in glyph[row]) for glyph in glyphs
        )
        lines.extend([line] * scale)
    return lines


def big_width(value: str, scale: int) -> int:
    return sum(len(FONT.get(ch, FONT[" "])[0]) * 2 * scale for ch in value) + 2 * max(len(value) - 1, 0)


class BigCountdown(Widget):
    """``value`` like "12:04" or "-03:10"; classes (soon, conclude, over) colour it from the CSS."""

    value: reactive[str] = reactive("--:--")

    def update(self, value: str) -> None:
        self.value = value

    def scale(self) -> int:
        width, height = self.size.width, self.size.height
        scale = 1
        while big_width(self.value, scale + 1) <= width and ROWS * (scale + 1) <= height and scale < 8:
            scale += 1
        return scale if big_width(self.value, scale) <= width and ROWS * scale <= height else 0

    def render(self) -> RenderableType:
        scale = self.scale()
        if scale == 0:  # too small for the block font: the three-line digits
            return SmallDigits(self.value, style=self.rich_style)
        return Text("\n".join(big_lines(self.value, scale)), no_wrap=True, overflow="crop")
