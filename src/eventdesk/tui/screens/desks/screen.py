"""The desks at a glance (F12), for operations: every desk seen in the last hours, online or
offline, its last scan, scans per minute and seconds per attendee over the last ten minutes,
offline scans waiting in its journal, and its printers' health and queue. Re-read when a desk
scans, prints or beats (at once on PostgreSQL), and every few seconds so a desk that went quiet
turns offline."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services.desks import DeskState, desks_overview
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.widgets.live_table import LiveTable, Row

COLUMNS = [
    ("desk", "Desk", 16),
    ("state", "State", 8),
    ("seen", "Last seen", 10),
    ("scan", "Last scan", 9),
    ("pace", "Scans/min", 9),
    ("per", "s/person", 8),
    ("journal", "Journal", 7),
    ("printers", "Printers", None),
]
HEALTH_STYLE = {
    "online": "green",
    "offline": "bold red",
    "cover open": "bold yellow",
    "paper out": "bold yellow",
    "unknown": "yellow",
}
REFRESH_SECONDS = 5.0


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "—"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def printers_cell(desk: DeskState) -> Text:
    if not desk.printers:
        return Text("no printer", style="dim")
    cell = Text()
    for index, printer in enumerate(desk.printers):
        if index:
            cell.append("  ")
        cell.append(printable(printer.name, 20), style="bold")
        cell.append(f" {printer.health}", style=HEALTH_STYLE.get(printer.health, ""))
        cell.append(f" {printer.waiting} waiting", style="bold yellow" if printer.waiting else "dim")
        if printer.failed:
            cell.append(f" {printer.failed} failed", style="bold red")
    return cell


def desk_row(desk: DeskState, wall_now: datetime, zone) -> Row:
    state = Text("online", style="bold green") if desk.online else Text("offline", style="bold white on red")
    last_scan = Text(f"{desk.last_scan_at.astimezone(zone):%H:%M:%S}" if desk.last_scan_at else "—")
    per = Text(f"{desk.seconds_per_attendee:.0f}" if desk.seconds_per_attendee is not None else "—")
    journal = Text(
        "—" if desk.journal_waiting is None else str(desk.journal_waiting),
        style="bold yellow" if desk.journal_waiting else "",
    )
    cells = (
        Text(printable(desk.desk, 30), style="bold"),
        state,
        Text(_ago(desk.last_seen, wall_now)),
        last_scan,
        Text(f"{desk.scans_per_minute:.1f}"),
        per,
        journal,
        printers_cell(desk),
    )
    return (f"desk:{desk.desk}", cells)


class DesksScreen(MainScreen):
    CSS_PATH = stylesheet("desks.tcss")
    WATCHES = frozenset({"desks", "checkin", "print"})
    BINDINGS = [Binding("r", "reload", "Reload", id="desks.reload")]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.desks: list[DeskState] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="desks-summary")
        yield LiveTable(COLUMNS, id="desks-table")

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.refresh_data)

    def on_store_changed(self, message: StoreChanged) -> None:
        message.prevent_default()
        if message.areas & self.WATCHES:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    def action_reload(self) -> None:
        self.refresh_data()

    @work(thread=True, exclusive=True, group="desks-load", exit_on_error=False)
    def _load(self) -> None:
        desks = desks_overview(self.context)
        self.app.call_from_thread(self._show, desks)

    def _show(self, desks: list[DeskState]) -> None:
        from eventdesk.domain.clock import utcnow

        self.desks = desks
        zone = self.context.zone()
        self.query_one("#desks-table", LiveTable).sync([desk_row(d, utcnow(), zone) for d in desks])
        summary = self.query_one("#desks-summary", Static)
        if not desks:
            summary.update(
                Text("No desk seen in the last hours. Each open eventdesk app shows up here.", style="bold yellow")
            )
            return
        online = sum(1 for d in desks if d.online)
        line = Text(f"{online} of {len(desks)} desks online", style="bold")
        line.append(f"   {sum(d.scans_per_minute for d in desks):.1f} scans/min in all (last 10 min)")
        waiting = sum(d.journal_waiting or 0 for d in desks)
        if waiting:
            line.append(f"   {waiting} offline scans waiting", style="bold yellow")
        trouble = sum(1 for d in desks for p in d.printers if p.health != "online")
        if trouble:
            line.append(f"   {trouble} printers need a look", style="bold red")
        summary.update(line)
