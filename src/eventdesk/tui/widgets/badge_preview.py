"""The badge that will print, drawn in the terminal with quadrant blocks (2 x 2 dots per cell)
from the very 1-bit image the printer gets.

    preview = BadgePreview(columns=40)
    preview.show_person(person)   # renders in a thread, then shows it
    preview.clear()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Static

from eventdesk.domain.text import printable

if TYPE_CHECKING:  # Pillow is loaded with the first badge drawn, not at the desk's start
    from PIL import Image

# Index bits: 1 upper-left, 2 upper-right, 4 lower-left, 8 lower-right (set = ink).
QUADRANTS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"
INK_BELOW = 170  # grey level under which a scaled-down cell counts as printed


def badge_blocks(image: Image.Image, columns: int) -> list[str]:
    """``image`` (ink black) as lines of quadrant characters ``columns`` wide. A terminal cell is
    about twice as high as wide, so rows take half as many dots as columns to keep the shape."""
    from PIL import Image

    width = columns * 2
    height = max(2, round(image.height * width / image.width / 2))
    height += height % 2
    small = image.convert("L").resize((width, height), Image.Resampling.BOX)
    ink = [[v < INK_BELOW for v in small.crop((0, y, width, y + 1)).tobytes()] for y in range(height)]
    lines = []
    for y in range(0, height, 2):
        top, bottom = ink[y], ink[y + 1]
        lines.append(
            "".join(
                QUADRANTS[top[x] | top[x + 1] << 1 | bottom[x] << 2 | bottom[x + 1] << 3] for x in range(0, width, 2)
            )
        )
    return lines


def badge_text(image: Image.Image, columns: int) -> Text:
    """The block lines as a Text: black ink on white paper."""
    return Text("\n".join(badge_blocks(image, columns)), style="black on white", no_wrap=True)


class BadgePreview(Static):
    """A badge preview; ``show_person`` renders off the UI thread and shows the result."""

    DEFAULT_CSS = """
    BadgePreview { width: auto; height: auto; }
    """

    def __init__(self, columns: int = 40, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.columns = columns
        self.person_id: int | None = None

    def show_image(self, image: Image.Image) -> None:
        self.update(badge_text(image, self.columns))

    def clear(self) -> None:
        self.person_id = None
        self.update("")

    def show_person(self, person) -> None:
        """Render the badge of ``person`` (a services.attendees.Person) and show it."""
        self.person_id = person.id
        self._render_person(person)

    @work(thread=True, exclusive=True, group="badge-preview", exit_on_error=False)
    def _render_person(self, person) -> None:
        from eventdesk.services.printing import render_person

        try:
            image = render_person(self.app.context, person).image  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 - a preview must never break the desk
            self.app.call_from_thread(self.update, Text(f"No preview: {printable(str(error), 200)}", style="italic"))
            return
        if self.person_id == person.id:  # a newer person replaced this one meanwhile
            self.app.call_from_thread(self.show_image, image)
