"""The chair-only app of ``eventdesk chair --room NAME``: one room's chair view and nothing else
(no attendee search on a laptop left at the lectern)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from eventdesk.tui.app import EventDeskApp
from eventdesk.tui.live import LiveLink
from eventdesk.tui.screens.chair.screen import ChairScreen


class ChairApp(EventDeskApp, inherit_bindings=False):
    MODES = {}
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="chair-app.quit", priority=True)]

    def __init__(self, context, room_name: str, watch_store: bool = True) -> None:
        super().__init__(context, start_screen="chair", watch_store=watch_store)
        self.room_name = room_name

    def on_mount(self, event: events.Mount) -> None:
        # Not the desk's start-up: a chair's laptop starts no print workers and sends no heartbeat.
        event.prevent_default()
        self.push_screen(ChairScreen(self.room_name, standalone=True))
        self.live = None
        if self.watch_store:
            self.live = LiveLink(self, heartbeat=False).start()
            self.set_interval(self.live.poll_seconds, self.poll_store)

    def action_help(self) -> None:
        """The footer lists every key of the chair's view."""
