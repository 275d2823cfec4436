"""The help screen (F1): how the screen in front is used, what its colours mean, and every key of
the app and of that screen, named one way (F6, Ctrl+O, Esc)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

# A few lines per screen: the workflow, and what the colours mean.
GUIDES: dict[str, str] = {
    "Check-in": (
        "Scan the badge: the answer fills the banner, the last scans stay listed beside it. No scanner "
        "or no badge: type 3+ letters of the name, pick with ↑↓, Enter. A scan works anywhere, also with "
        "a form open: the form keeps what you typed.\n"
        "Colours: green = welcome · magenta = exit recorded · amber = look again (already checked in, "
        "exit without entry) · red = refused (unknown, old badge, cancelled, blocked, not on this list).\n"
        "Exit mode (F10) frames the whole screen in magenta with a large EXIT and returns to entry by "
        "itself after a quiet while. A red printer line means badges are waiting: Ctrl+O sends them all "
        "to the next printer."
    ),
    "Agenda": (
        "The day's sessions with the one running now; [ and ] change the day. Chair keys act on the "
        "selected session of today: s started, e ended, + and - move it by 5 minutes, c cancels.\n"
        "Colours: green = running · red = over time · accent = next · grey = ended or cancelled."
    ),
    "Rooms": (
        "Every room: what runs now, how late, how full, what comes next. Updates by itself.\n"
        "Colours: red = running late or full · amber = nearly full."
    ),
    "Meetings": (
        "Scan a participant at the meeting area: their table and partner. Probable no-shows can be "
        "confirmed to free the table; Ctrl+L puts the cursor back in the scan box.\n"
        "Colours: green = present · amber = look again · red = unknown badge."
    ),
    "Printers": (
        "Every printer's health and queue. Select a job: Ctrl+R retries it, Ctrl+O moves it to another "
        "printer. Ctrl+T prints a test badge. A badge scanned here is still checked in.\n"
        "Colours: red = offline or failed · amber = cover open or paper out."
    ),
    "Desks": "Every desk seen in the last hours: online or not, its pace and its printers.",
}

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key_name(key: str, display: str | None = None) -> str:
    """One way to write a key: F6, Ctrl+O, Esc, ]."""
    if display:
        return display
    parts = key.split(",")[0].split("+")
    named = []
    for part in parts:
        if part in _NAMES:
            named.append(_NAMES[part])
        elif part in ("ctrl", "shift", "alt") or len(part) > 1 and not part[1:].isdigit():
            named.append(part.capitalize())
        else:
            named.append(part.upper())  # f6 -> F6, o -> O
    # A lone letter key stays as typed (the agenda's s, e, c).
    if len(parts) == 1 and len(parts[0]) == 1:
        return parts[0]
    return "+".join(named)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]], where: str = "") -> None:
        super().__init__()
        self._key_rows = bindings
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="help-body"):
            guide = GUIDES.get(self.where)
            if guide:
                yield Static(Text(self.where, style="bold"))
                yield Static(Text(guide), id="help-guide")
            yield Static(Text("Keys", style="bold"))
            table: DataTable = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "What it does", "Where")
            for key, description, where in self._key_rows:
                table.add_row(Text(key, style="bold"), Text(description), Text(where, style="dim"))
            yield table
            yield Static(
                Text(
                    "Ctrl+P opens the command palette: every screen and action, searchable. "
                    "Esc or F1 closes this help.",
                    style="dim",
                )
            )

    def key_lines(self) -> list[str]:
        return [f"{key} {description}" for key, description, _ in self._key_rows]
