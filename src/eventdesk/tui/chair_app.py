"""The chair-only app of ``eventdesk chair --room NAME``: one room's chair view and nothing else
(no attendee search on a laptop left at the lectern)."""

from __future__ import annotations

from textual.binding import Binding

from eventdesk.services.context import Context
from eventdesk.tui.app_base import AppBase
from eventdesk.tui.screens.chair.screen import ChairScreen


class ChairApp(AppBase, inherit_bindings=False):
    """No print workers and no heartbeat: a chair's laptop is no desk. The footer lists every key
    of the chair's view, so there is no help screen."""

    TITLE = "eventdesk"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="chair-app.quit", priority=True)]

    def __init__(self, context: Context, room_name: str, watch_store: bool = True) -> None:
        super().__init__(context, watch_store=watch_store)
        self.room_name = room_name

    def open_screens(self) -> None:
        self.push_screen(ChairScreen(self.room_name, standalone=True))
