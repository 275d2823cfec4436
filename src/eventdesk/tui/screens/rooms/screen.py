"""The room board for operations and the foyer screen: every room with its current session, a
progress bar, time left, the next session, delays and occupancy against capacity. The store is
read when it changed; the clock ticks the rows every second by keyed cell diffs."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from eventdesk.domain import agenda as rules
from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import agenda as service
from eventdesk.services.agenda import BoardRow, Programme
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.widgets.live_table import LiveTable, Row
from eventdesk.tui.widgets.session_detail import delay_words

BAR_WIDTH = 16
# Occupancy before "Next": on a narrow screen the long titles of what comes next are cut, not it.
COLUMNS = [
    ("room", "Room", None),
    ("now", "Now", None),
    ("progress", "Progress", BAR_WIDTH + 5),
    ("left", "Left", 9),
    ("delay", "Delay", 8),
    ("people", "People", 11),
    ("next", "Next", None),
]
TITLE_CHARS = 50
FULL, NEARLY_FULL = 1.0, 0.9
WITH_PROGRESS = 140  # narrower screens drop the progress bar first (time left says it in digits)


def room_columns(width: int, longest_room: int) -> list[tuple[str, str, int | None]]:
    """Columns for a screen ``width`` wide: room, time left, delay and people keep their width
    (time left is never cut); the titles of now and next share what is left."""
    room = max(6, min(18, longest_room))
    fixed = [("left", "Left", 8), ("delay", "Delay", 7), ("people", "People", 12)]
    progress = [("progress", "Progress", BAR_WIDTH + 5)] if width >= WITH_PROGRESS else []
    used = room + 2 + sum(w + 2 for _, _, w in fixed + progress) + 4  # + padding of now/next, scrollbar
    rest = max(16, width - used - 2)
    now = max(8, rest * 11 // 20)
    return [("room", "Room", room), ("now", "Now", now), *progress, *fixed, ("next", "Next", max(8, rest - now))]


def progress_bar(share: float | None) -> Text:
    if share is None:
        return Text("")
    filled = round(share * BAR_WIDTH)
    bar = Text()
    bar.append("█" * filled, style="green")
    bar.append("░" * (BAR_WIDTH - filled), style="dim")
    bar.append(f" {round(share * 100):>3}%")
    return bar


def occupancy_cell(row: BoardRow) -> Text:
    capacity = row.room.capacity
    text = f"{row.occupancy}/{capacity}" if capacity else f"{row.occupancy}"
    share = row.occupancy_share
    if share is not None and share >= FULL:
        return Text(f"{text} full", style="bold white on red")
    if share is not None and share >= NEARLY_FULL:
        return Text(text, style="bold black on yellow")
    return Text(text)


class BoardCells:
    """The board's cells at one moment, each built once and kept while what it shows is the same:
    a tick changes only the time left and the progress of the running rooms, so the same Text
    objects come back for the rest and ``LiveTable.sync`` passes them over by identity."""

    LIMIT = 4096  # kept cells per kind; past it the kind starts afresh (a long day's titles, bars)

    def __init__(self) -> None:
        self._kept: dict[str, dict] = {"room": {}, "now": {}, "delay": {}, "next": {}, "people": {}, "bar": {}}
        self._free = Text("free", style="dim")
        self._blank = Text("")

    def _cell(self, kind: str, key, make) -> Text:
        kept = self._kept[kind]
        cell = kept.get(key)
        if cell is None:
            if len(kept) >= self.LIMIT:
                kept.clear()
            cell = kept[key] = make()
        return cell

    def row(self, row: BoardRow, zone, at: datetime) -> Row:
        current, upcoming = row.current, row.next
        blank = self._blank
        if current is None:
            now_cell, left_cell, delay_cell, bar = self._free, blank, blank, blank
        else:
            now_cell = self._cell("now", current.title, lambda: Text(printable(current.title, TITLE_CHARS)))
            left = row.time_left
            overrun = left is not None and left.total_seconds() < 0
            left_cell = Text(rules.format_countdown(left), style="bold red" if overrun else "bold")
            minutes = current.slot.delay_minutes
            delay_cell = self._cell("delay", minutes, lambda: _delay_cell(minutes))
            share = row.progress
            bar = self._cell("bar", (round(share * BAR_WIDTH), round(share * 100)), lambda: progress_bar(share))
        if upcoming is None:
            next_cell = blank
        else:
            key = (upcoming.local_start(zone), upcoming.title, upcoming.slot.delay_minutes)
            next_cell = self._cell("next", key, lambda: _next_cell(upcoming, zone))
        room = row.room
        people = self._cell("people", (row.occupancy, room.capacity), lambda: occupancy_cell(row))
        name = self._cell("room", room.name, lambda: Text(printable(room.name), style="bold"))
        return (f"room:{room.id}", (name, now_cell, bar, left_cell, delay_cell, people, next_cell))

    def rows(self, programme: Programme, at: datetime) -> list[Row]:
        zone = programme.zone
        return [self.row(row, zone, at) for row in programme.board(at)]


def _delay_cell(minutes: int) -> Text:
    delay = delay_words(minutes)
    return Text(delay, style="bold yellow" if delay else "")


def _next_cell(upcoming, zone) -> Text:
    cell = Text(f"{upcoming.local_start(zone):%H:%M} ", style="bold")
    cell.append(printable(upcoming.title, TITLE_CHARS))
    if upcoming.slot.delay_minutes:
        cell.append(f" ({delay_words(upcoming.slot.delay_minutes)})", style="yellow")
    return cell


def board_table_rows(programme: Programme, at: datetime, cells: BoardCells | None = None) -> list[Row]:
    return (cells or BoardCells()).rows(programme, at)


class RoomsScreen(MainScreen):
    CSS_PATH = stylesheet("rooms.tcss")
    WATCHES = frozenset({"agenda", "checkin"})
    BINDINGS = [Binding("r", "reload", "Reload", id="rooms.reload")]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.programme: Programme | None = None
        self._loading = False
        # Changes of the sessions asked for / read: a door scan (area "checkin") re-reads the
        # occupancy only, a change of the agenda (or a screen shown again) the whole programme.
        self._sessions_asked = self._sessions_read = 0
        self.cells = BoardCells()
        self.board: service.BoardReader | None = None  # the store's side, kept between reads
        self._summary: tuple | None = None  # what the summary line shows, to repaint it only when it changes

    def compose_body(self) -> ComposeResult:
        yield Static(id="board-summary")
        yield LiveTable(COLUMNS, id="board-table", show_cursor=False)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def refresh_data(self, sessions: bool = True) -> None:
        if sessions:
            self._sessions_asked += 1
        if self.board is None:
            self.board = service.BoardReader(self.context)
        self._loading = True
        self._load()

    def action_reload(self) -> None:
        self.refresh_data()

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(self) -> None:
        asked, shown = self._sessions_asked, self.programme
        if shown is None or asked != self._sessions_read:
            # The programme is read again only if the agenda's counter moved (see BoardReader).
            programme, occupancy = self.board.read()
            self.app.call_from_thread(self._show, programme, occupancy, asked)
        else:
            self.app.call_from_thread(self._show_occupancy, shown, self.board.occupancy())

    def _show(self, programme: Programme, occupancy: dict[int, int], asked: int) -> None:
        self._loading = False
        if asked < self._sessions_read:
            return  # an older read that finished after a newer one
        programme.occupancy = occupancy
        self.programme, self._sessions_read = programme, asked
        self.tick()

    def _show_occupancy(self, programme: Programme, occupancy: dict[int, int]) -> None:
        self._loading = False
        if programme is self.programme:  # else a whole programme read since has its own
            programme.occupancy = occupancy
            self.tick()

    def on_store_changed(self, message: StoreChanged) -> None:
        message.prevent_default()  # this screen re-reads in its own worker
        if message.areas & self.WATCHES:
            self.refresh_data(sessions="agenda" in message.areas)

    def on_resize(self) -> None:
        self._shape()

    def _shape(self) -> None:
        longest = max((len(r.name) for r in self.programme.rooms), default=10) if self.programme else 10
        self.query_one("#board-table", LiveTable).reshape(room_columns(self.size.width, longest))

    def tick(self) -> None:
        if self.programme is None:
            return
        self._shape()
        at = self.context.now()
        if at.astimezone(self.programme.zone).date() != self.programme.day and not self._loading:
            self.refresh_data()  # the clock passed midnight (or a rehearsal jumped): read the new day
        rows = self.programme.board(at)
        table = self.query_one("#board-table", LiveTable)
        zone, cells = self.programme.zone, self.cells
        table.sync([cells.row(row, zone, at) for row in rows])
        running = sum(1 for r in rows if r.current is not None)
        delayed = sum(1 for r in rows if r.current is not None and r.current.slot.delay_minutes > 0)
        full = sum(1 for r in rows if (r.occupancy_share or 0) >= FULL)
        shown = (running, len(rows), delayed, full)
        if shown == self._summary:
            return  # an update lays the screen out again: only when the line changes
        self._summary = shown
        if not rows:
            self.query_one("#board-summary", Static).update(
                Text("No rooms yet: import a programme with 'eventdesk import agenda FILE'.", style="bold yellow")
            )
            return
        summary = Text(f"{running} of {len(rows)} rooms in session", style="bold")
        if delayed:
            summary.append(f"   {delayed} running late", style="bold yellow")
        if full:
            summary.append(f"   {full} full", style="bold red")
        self.query_one("#board-summary", Static).update(summary)
