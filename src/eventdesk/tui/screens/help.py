"""The help screen: every key of the app and of the screen it was opened from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._key_rows = bindings

    def compose(self) -> ComposeResult:
        with Vertical(id="help-body"):
            yield Static(Text("Keys", style="bold"))
            table: DataTable = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "What it does", "Where")
            for key, description, where in self._key_rows:
                table.add_row(Text(key, style="bold"), Text(description), Text(where, style="dim"))
            yield table
            yield Static(Text("Ctrl+P opens the command palette: every action, searchable. Esc closes this help.",
                              style="dim"))

    def key_lines(self) -> list[str]:
        return [f"{key} {description}" for key, description, _ in self._key_rows]
