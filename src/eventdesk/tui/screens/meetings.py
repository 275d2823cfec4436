"""Meetings screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from eventdesk.tui.screens.base import DeskScreen


class MeetingsScreen(DeskScreen):
    def compose_body(self) -> ComposeResult:
        yield Static("Meetings", id="meetings-body")
