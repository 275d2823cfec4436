"""The board-only app: the room board and nothing else, for a foyer screen or a browser through
textual-serve, where nobody passing by may reach the check-in desk's attendee search."""

from __future__ import annotations

from textual.binding import Binding

from eventdesk.services.context import Context
from eventdesk.tui.app_base import AppBase
from eventdesk.tui.screens.rooms.screen import RoomsScreen


class BoardApp(AppBase, inherit_bindings=False):
    """No print workers (it never prints, and one board process per browser must not compete for
    the printers' queue) and no heartbeat (a board is no desk)."""

    TITLE = "eventdesk"
    MODES = {"rooms": RoomsScreen}
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="board.quit", priority=True)]

    def __init__(self, context: Context, watch_store: bool = True) -> None:
        super().__init__(context, watch_store=watch_store)

    def open_screens(self) -> None:
        self.switch_mode("rooms")

    def action_switch_mode(self, mode: str):  # the only mode there is
        if mode == "rooms":
            return super().action_switch_mode(mode)
        return None
