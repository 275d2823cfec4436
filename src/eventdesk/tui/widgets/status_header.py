"""The top line: event name, desk name and the event clock (in the event's time zone)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from eventdesk.domain.text import printable


class StatusHeader(Widget):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $primary; color: $text; }
    """

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def render(self) -> Text:
        app = self.app
        context = app.context  # type: ignore[attr-defined]
        event = context.event()
        now = context.local_now()
        left = Text.assemble((" ", ""), (printable(event.name), "bold"), ("  ·  ", "dim"), (printable(context.desk), ""))
        clock = now.strftime("%a %d %b %H:%M:%S")
        if not context.clock.is_wall_clock:
            clock += " (rehearsal)" if context.clock.speed else " (frozen)"
        right = Text(f"{clock} ")
        width = self.size.width
        gap = max(1, width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right)
