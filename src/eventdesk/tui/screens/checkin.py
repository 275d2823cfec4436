"""Check-in screen (filled in by the check-in issue)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from eventdesk.services.checkin_figures import attendee_count
from eventdesk.tui.screens.base import DeskScreen


class CheckinScreen(DeskScreen):
    WATCHES = frozenset({"checkin", "attendees"})

    def compose_body(self) -> ComposeResult:
        yield Static(id="checkin-summary")

    def refresh_data(self) -> None:
        self.query_one("#checkin-summary", Static).update(f"{attendee_count(self.context)} attendees registered")
