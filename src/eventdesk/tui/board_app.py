"""The board-only app: the room board and nothing else, for a foyer screen or a browser through
textual-serve, where nobody passing by may reach the check-in desk's attendee search."""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from eventdesk.tui.app import EventDeskApp
from eventdesk.tui.live import LiveLink
from eventdesk.tui.screens.rooms.screen import RoomsScreen


class BoardApp(EventDeskApp, inherit_bindings=False):
    MODES = {"rooms": RoomsScreen}
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="board.quit", priority=True)]

    def __init__(self, context, watch_store: bool = True) -> None:
        super().__init__(context, start_screen="rooms", watch_store=watch_store)

    def on_mount(self, event: events.Mount) -> None:
        # Not the desk app's start-up: a board starts no print workers (it never prints, and one
        # board process per browser must not compete for the printers' queue).
        event.prevent_default()
        self.switch_mode("rooms")
        self.live = None
        if self.watch_store:
            self.live = LiveLink(self, heartbeat=False).start()  # a board is no desk: no heartbeat
            self.set_interval(self.live.poll_seconds, self.poll_store)

    def action_help(self) -> None:
        """No help screen on a public board."""

    def action_switch_mode(self, mode: str):  # the only mode there is
        if mode == "rooms":
            return super().action_switch_mode(mode)
        return None
