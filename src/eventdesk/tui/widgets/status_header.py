"""The top line: event name, desk name, the desk's link to the server (for desks sharing a
server: online, or OFFLINE with the scans waiting to be uploaded) and the event clock (in the
event's time zone)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from eventdesk.domain.text import printable
from eventdesk.services.storage import store_room


def link_text(status) -> Text:
    """The link part of the header; ``status`` is ``services.desk.LinkStatus`` (nothing for a desk
    with its own database file, which is never offline)."""
    if status is None or not status.on_server:
        return Text("")
    if not status.online:
        text = Text(" OFFLINE ", style="bold white on red")
        detail = f" {status.waiting} scan{'s' if status.waiting != 1 else ''} waiting to upload"
        if status.offline_for_s and status.offline_for_s >= 60:
            detail += f" · for {int(status.offline_for_s // 60)} min"
        if status.copy_age_s is not None:
            detail += f" · copy {_age(status.copy_age_s)} old"
        return text.append(detail, style="bold")
    if status.waiting:
        return Text(f" online · uploading {status.waiting} ", style="bold black on yellow")
    return Text(" online ", style="dim")


def _age(seconds: float) -> str:
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"


def room_text(room) -> Text:
    """A warning while the disk under the store runs low (``store.filesystem.Room``), else nothing."""
    if room is None or not room.low:
        return Text("")
    free = f"{room.free / 1e6:,.0f} MB"
    if room.full:
        return Text(f" DISK NEARLY FULL: {free} free, needs {room.needed / 1e6:,.0f} MB ", style="bold white on red")
    return Text(f" disk: {free} free ", style="bold black on yellow")


class StatusHeader(Widget):
    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $primary; color: $text; }
    """

    ROOM_EVERY_S = 30.0  # the disk fills over hours: a look every half minute warns in time

    room = None  # services.storage.store_room: the disk under the store (None: PostgreSQL or unknown)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)
        self.check_room()
        self.set_interval(self.ROOM_EVERY_S, self.check_room)

    def check_room(self) -> None:
        self.room = store_room(self.app.context)  # type: ignore[attr-defined]

    def render(self) -> Text:
        app = self.app
        context = app.context  # type: ignore[attr-defined]
        event = context.event()
        now = context.local_now()
        left = Text.assemble(
            (" ", ""), (printable(event.name), "bold"), ("  ·  ", "dim"), (printable(context.desk), "")
        )
        desk = app.desk  # type: ignore[attr-defined]
        link = link_text(desk.status() if desk is not None else None)
        if link.cell_len:
            left.append("  ")
            left.append_text(link)
        room = room_text(self.room)
        if room.cell_len:
            left.append("  ")
            left.append_text(room)
        clock = now.strftime("%a %d %b %H:%M:%S")
        if not context.clock.is_wall_clock:
            clock += " (rehearsal)" if context.clock.speed else " (frozen)"
        right = Text(f"{clock} ")
        width = self.size.width
        gap = max(1, width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right)
