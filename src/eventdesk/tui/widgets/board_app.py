"""The board-only app: the room board and nothing else, for a foyer screen or a browser through
textual-serve, where nobody passing by may reach the check-in desk's attendee search."""

from __future__ import annotations

from textual.binding import Binding

from eventdesk.tui.app import EventDeskApp
from eventdesk.tui.screens.rooms import RoomsScreen


class BoardApp(EventDeskApp, inherit_bindings=False):
    MODES = {"rooms": RoomsScreen}
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="board.quit", priority=True)]

    def __init__(self, context, watch_store: bool = True) -> None:
        super().__init__(context, start_screen="rooms", watch_store=watch_store)

    def action_help(self) -> None:
        """No help screen on a public board."""

    def action_switch_mode(self, mode: str):  # the only mode there is
        if mode == "rooms":
            return super().action_switch_mode(mode)
        return None
