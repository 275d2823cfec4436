"""What every main screen shares: the header, the footer, and the store-change refresh."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen

from eventdesk.tui.widgets.footer import MainFooter
from eventdesk.tui.widgets.status_header import StatusHeader


class MainScreen(Screen):
    """A main screen. Subclasses yield their body from ``compose_body`` and re-read the store in
    ``refresh_data`` (called on mount and whenever another process changed an area they watch)."""

    WATCHES: frozenset[str] = frozenset()

    @property
    def context(self):
        return self.app.context  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield from self.compose_body()
        yield MainFooter(compact=True)  # every key of a busy screen fits one line

    def compose_body(self) -> ComposeResult:
        return iter(())

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Re-read what this screen shows."""
