"""Reconciliation: the people a desk admitted while it was offline whom the server refused on
upload (admitted at another desk meanwhile, or blocked since), with both desks and times. The
list is read in a worker whenever check-ins change; nothing here writes."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from eventdesk.domain.checkin import LABELS
from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services.offline.reconcile import conflicts
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.widgets.live_table import LiveTable

COLUMNS = [
    ("person", "Person", 28),
    ("category", "Category", 12),
    ("list", "List", 16),
    ("offline", "Admitted offline at", 26),
    ("other", "Counted at", 26),
    ("server", "Server says", None),
]


class ConflictsLoaded(Message):
    def __init__(self, found: list | Exception) -> None:
        super().__init__()
        self.found = found


def _at(desk: str | None, at, zone) -> Text:
    if desk is None or at is None:
        return Text("–", style="dim")
    text = Text(printable(desk, 14), style="bold")
    text.append(f"  {at.astimezone(zone):%a %H:%M:%S}")
    return text


def conflict_rows(found: list, zone) -> list:
    rows = []
    for c in found:
        server = Text(
            LABELS.get(c.server_result, c.server_result), style="bold red" if c.admitted_twice else "bold yellow"
        )
        if c.badge_printed_offline:
            server.append("  · badge printed offline", style="dim")
        cells = (
            Text(printable(c.person.name, 28)),
            Text(printable(c.person.category, 12)),
            Text(printable(c.list_name, 16)),
            _at(c.offline_desk, c.offline_at, zone),
            _at(c.other_desk, c.other_at, zone),
            server,
        )
        rows.append((f"record:{c.record_id}", cells))
    return rows


class ReconcileScreen(MainScreen):
    CSS_PATH = stylesheet("reconcile.tcss")
    WATCHES = frozenset({"checkin"})
    BINDINGS = [Binding("ctrl+r", "reload", "Reload", id="reconcile.reload")]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loaded = 0  # how often the list was shown (tests wait on it)
        self.found: list = []

    def compose_body(self) -> ComposeResult:
        yield Static(id="reconcile-summary")
        yield LiveTable(COLUMNS, id="reconcile-table")

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if self.app.desk.offline:  # type: ignore[attr-defined]
            self._show_summary(None, offline=True)
            return
        self._load()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.areas & self.WATCHES:
            self.refresh_data()

    def action_reload(self) -> None:
        self.refresh_data()

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False)
    def _load(self) -> None:
        try:
            found: list | Exception = conflicts(self.context)
        except Exception as error:  # noqa: BLE001 - a server gone away: say so, keep the last list
            found = error
        self.post_message(ConflictsLoaded(found))

    def on_conflicts_loaded(self, message: ConflictsLoaded) -> None:
        if isinstance(message.found, Exception):
            self._show_summary(None, error=message.found)
            return
        self.found = message.found
        self.query_one("#reconcile-table", LiveTable).sync(conflict_rows(message.found, self.context.zone()))
        self._show_summary(message.found)
        self.loaded += 1

    def _show_summary(self, found: list | None, offline: bool = False, error: Exception | None = None) -> None:
        text = Text()
        if offline:
            text.append("This desk is offline: the list needs the server and shows what it last read. ", style="bold")
        elif error is not None:
            text.append(
                f"Could not read the list ({type(error).__name__}); it is read again on the next change.", style="bold"
            )
        elif not found:
            text.append("No conflicts: nobody admitted by an offline desk was refused by the server.", style="bold")
        else:
            twice = sum(1 for c in found if c.admitted_twice)
            who = "1 person" if len(found) == 1 else f"{len(found)} people"
            text.append(f"{who} admitted by a desk while it was offline", style="bold")
            text.append(f" ({twice} admitted at two desks). ", style="bold")
            text.append("Inside-now counts each person once; a second badge may be in circulation.", style="dim")
        self.query_one("#reconcile-summary", Static).update(text)
