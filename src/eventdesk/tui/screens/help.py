"""The help screen: every key of the app and of the screen it was opened from."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("What it does")
        table.add_column("Where", style="dim")
        for key, description, where in self._bindings:
            table.add_row(Text(key), Text(description), Text(where))
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(Text("Ctrl+P opens the command palette: every action, searchable. Esc closes this help.", style="dim"))
