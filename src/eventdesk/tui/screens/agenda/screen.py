"""The live agenda for session chairs: the day's sessions by room with a "now" line, the chosen
session with a large countdown, and one key per chair action."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape as escape_markup
from textual.widgets import DataTable, Static

from eventdesk.domain import agenda as rules
from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import agenda as service
from eventdesk.services.agenda import AgendaError, Programme, SessionInfo
from eventdesk.services.speakers import speaker_arrivals
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.widgets.live_table import LiveTable, Row
from eventdesk.tui.widgets.session_detail import SessionDetail, flag_text, session_times

# What a chair scans for first (time, state, delay) stays on the left, whatever the title length.
COLUMNS = [
    ("time", "Time", 12),
    ("state", "State", 11),
    ("delay", "Delay", 7),
    ("title", "Session", None),
    ("flags", "Flags", None),
]
TITLE_CHARS = 200
# Below this width the session's detail sits under the list instead of beside it.
SIDE_BY_SIDE = 120
MIN_TITLE, FLAGS_WIDTH = 30, 20


def detail_width(width: int) -> int:
    return 0 if width < SIDE_BY_SIDE else (60 if width >= 200 else 44)


def agenda_columns(width: int, flags_width: int = FLAGS_WIDTH) -> list[tuple[str, str, int | None]]:
    """The columns for a screen ``width`` wide: titles get what time, state and delay leave, never
    below ``MIN_TITLE``; the flags column is as wide as its widest flag (``flags_width``; just its
    heading without a flag) and goes first when room is short (a flagged title starts with ⚠ anyway)."""
    side = detail_width(width)
    available = width - (side + 2 if side else 0) - 2  # the detail's border, the scrollbar
    fixed = COLUMNS[:3]
    rest = available - sum(w + 2 for _, _, w in fixed)
    flags_width = min(max(flags_width, len("Flags")), FLAGS_WIDTH)
    if rest - (FLAGS_WIDTH + 2) - 2 >= MIN_TITLE:  # room for a flag whenever one comes
        return [*fixed, ("title", "Session", rest - flags_width - 4), ("flags", "Flags", flags_width)]
    return [*fixed, ("title", "Session", max(MIN_TITLE, rest - 2))]


def agenda_rows(programme: Programme, at: datetime, today: bool) -> list[Row]:
    """Rows keyed "room:<id>", "s:<id>" and "now:<id>" (the now line, on today's agenda only)."""
    rows: list[Row] = []
    blank = Text("")
    for room in programme.rooms:
        sessions = programme.by_room.get(room.id, [])
        if not sessions:
            continue
        rows.append(
            (f"room:{room.id}", (Text(""), blank, blank, Text(printable(room.name), style="bold underline"), blank))
        )
        current = rules.now_next([s.slot for s in sessions], at).current if today else None
        line_placed = not today
        for info in sessions:
            if not line_placed and info.slot.effective_start > at:
                rows.append(_now_line(room.id, at, programme))
                line_placed = True
            rows.append((f"s:{info.id}", _session_cells(info, programme, at, current)))
        if not line_placed:
            rows.append(_now_line(room.id, at, programme))
    return rows


def _now_line(room_id: int, at: datetime, programme: Programme) -> Row:
    style = "bold red"
    line = Text("─" * 11, style=style)
    return (
        f"now:{room_id}",
        (
            Text(f"── now {at.astimezone(programme.zone):%H:%M}", style=style),
            line,
            Text("─" * 7, style=style),
            Text("─" * 30, style=style),
            Text(""),
        ),
    )


def _session_cells(
    info: SessionInfo, programme: Programme, at: datetime, current: rules.Slot | None
) -> tuple[Text, ...]:
    slot = info.slot
    zone = programme.zone
    time_text = f"{info.local_start(zone):%H:%M}–{info.local_end(zone):%H:%M}"
    if slot.status == rules.CANCELLED:
        state, style = "cancelled", "strike dim"
    elif current is not None and current.id == slot.id:
        overrun = rules.time_left(slot, at).total_seconds() < 0
        state, style = ("▶ over time", "bold red") if overrun else ("▶ now", "bold green")
    elif slot.status == rules.ENDED or slot.effective_end <= at:
        state, style = "ended" if slot.status == rules.ENDED else "past", "dim"
    else:
        state, style = "", ""
    title_style = style if state in ("cancelled", "ended", "past") else ""
    minutes = slot.shift_minutes if slot.start_kept else slot.delay_minutes  # a running session's delay is its end's
    delay = rules.format_delay(minutes) if slot.status != rules.CANCELLED else ""
    codes = programme.flags.get(slot.id, set())
    return (
        Text(time_text, style=title_style),
        Text(state, style=style),
        Text(delay, style="bold yellow" if delay else ""),
        Text(("⚠ " if codes else "") + printable(info.title, TITLE_CHARS), style=title_style),
        Text(("⚠ " + flag_text(codes)) if codes else "", style="bold red"),
    )


class AgendaScreen(MainScreen):
    CSS_PATH = stylesheet("agenda.tcss")
    HORIZONTAL_BREAKPOINTS = [(0, "-stacked"), (SIDE_BY_SIDE, "-side"), (200, "-wide")]
    WATCHES = frozenset({"agenda", "checkin"})  # check-ins: the speakers' arrival
    BINDINGS = [
        Binding("s", "chair('start')", "Started", id="agenda.start"),
        Binding("e", "chair('end')", "Ended", id="agenda.end"),
        Binding("plus,equals_sign", "chair('delay', 5)", "+5 min", key_display="+", id="agenda.delay"),
        Binding("minus", "chair('delay', -5)", "-5 min", key_display="-", id="agenda.pull_back"),
        Binding("c", "chair('cancel')", "Cancel/reinstate", id="agenda.cancel"),
        Binding("left_square_bracket", "day(-1)", "Day before", key_display="[", id="agenda.previous_day"),
        Binding("right_square_bracket", "day(1)", "Day after", key_display="]", id="agenda.next_day"),
        Binding("t", "today", "Today", id="agenda.today"),
        Binding("v", "chair_view", "Chair view", id="agenda.chair_view"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.day: date | None = None
        self.days: list[date] = []
        self.programme: Programme | None = None
        self._wanted: int | None = None  # session to select once the rows exist
        self.arrivals: dict = {}  # session id -> its speakers' arrival today
        self._last_row = 0
        self._flags_width = FLAGS_WIDTH  # the widest flag of the shown day's rows

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="agenda-body"):
            with Vertical(id="agenda-list"):
                yield Static(id="agenda-day")
                yield LiveTable(COLUMNS, id="agenda-table")
            yield SessionDetail(id="agenda-detail")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    # --- reading -------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self._load(self.day)

    @work(thread=True, exclusive=True, group="agenda-load", exit_on_error=False)
    def _load(self, day: date | None) -> None:
        context = self.context
        days = service.event_days(context)
        if day is None:
            today = context.local_now().date()
            day = today if today in days else days[0]
        programme = service.day_programme(context, day)
        arrivals = speaker_arrivals(context, [s.id for s in programme.sessions], context.now())
        self.app.call_from_thread(self._show, days, programme, arrivals)

    def _show(self, days: list[date], programme: Programme, arrivals: dict | None = None) -> None:
        self.days, self.day, self.programme = days, programme.day, programme
        self.arrivals = arrivals or {}
        label = Text(f"{programme.day:%A %d %B %Y}", style="bold")
        label.append(f"   day {days.index(programme.day) + 1} of {len(days)}" if programme.day in days else "")
        if not programme.sessions:
            label.append("   no sessions on this day", style="dim")
        flagged = len(programme.flags)
        if flagged:
            label.append(f"   ⚠ {flagged} session{'s' if flagged != 1 else ''} flagged", style="bold red")
        self.query_one("#agenda-day", Static).update(label)
        self.tick()
        table = self.query_one("#agenda-table", LiveTable)
        if self._wanted is not None and table.select_key(f"s:{self._wanted}"):
            self._wanted = None
        elif not (table.selected_key or "").startswith("s:"):
            self._select_current(table)
        self._show_detail()

    def _select_current(self, table: LiveTable) -> None:
        """Put the cursor on the first session running now (or the first session of the day)."""
        assert self.programme is not None
        at = self.context.now()
        keys = [k for k in table.keys if k.startswith("s:")]
        for room in self.programme.now_next(at):
            if room.current is not None:
                table.select_key(f"s:{room.current.id}")
                return
        if keys:
            table.select_key(keys[0])

    def on_resize(self) -> None:
        self.query_one("#agenda-table", LiveTable).reshape(agenda_columns(self.size.width, self._flags_width))

    def tick(self) -> None:
        if self.programme is None:
            return
        at = self.context.now()
        today = at.astimezone(self.programme.zone).date() == self.programme.day
        table = self.query_one("#agenda-table", LiveTable)
        rows = agenda_rows(self.programme, at, today)
        # An empty Flags column gives its room to the titles.
        self._flags_width = max((cells[4].cell_len for _, cells in rows), default=0)
        table.reshape(agenda_columns(self.size.width, self._flags_width))
        table.sync(rows)
        self.query_one(SessionDetail).tick(at)

    def on_store_changed(self, message: StoreChanged) -> None:
        message.prevent_default()  # this screen re-reads in its own worker
        if message.areas & self.WATCHES:
            self.refresh_data()

    @on(DataTable.RowHighlighted, "#agenda-table")
    def _highlighted(self) -> None:
        table = self.query_one("#agenda-table", LiveTable)
        keys = table.keys
        row = table.cursor_row  # not the event's row: a later move may already have happened
        if 0 <= row < len(keys) and not keys[row].startswith("s:"):
            # Room headers and now lines are not sessions: step over them the way the cursor went.
            step = 1 if row >= self._last_row else -1
            sessions = [i for i, k in enumerate(keys) if k.startswith("s:")]
            ahead = [i for i in sessions if (i - row) * step > 0]
            if ahead or sessions:
                target = min(ahead, key=lambda i: abs(i - row)) if ahead else min(sessions, key=lambda i: abs(i - row))
                table.move_cursor(row=target)
                return
        self._last_row = row
        self._show_detail()

    def action_chair_view(self) -> None:
        """The selected session's room, full screen, as its chair sees it (Esc comes back)."""
        from eventdesk.tui.screens.chair import ChairScreen

        info = self.selected_session
        if info is None or not info.room_name or info.room_id in (None, 0):
            self.app.bell()
            self.notify("Select a session in a room first (↑↓), then press v.", severity="warning")
            return
        self.app.push_screen(ChairScreen(info.room_name))

    def _show_detail(self) -> None:
        if self.programme is None:
            return
        info = self.selected_session
        detail = self.query_one(SessionDetail)
        detail.show(info, self.programme, self.context.now(), self.arrivals.get(info.id) if info is not None else None)

    @property
    def selected_session(self) -> SessionInfo | None:
        key = self.query_one("#agenda-table", LiveTable).selected_key
        if self.programme is None or key is None or not key.startswith("s:"):
            return None
        return self.programme.by_id.get(int(key[2:]))

    # --- chair actions -------------------------------------------------------------------------

    def action_chair(self, what: str, minutes: int = 0) -> None:
        info = self.selected_session
        if info is None:
            self.notify("Choose a session first (↑/↓).", severity="warning")
            return
        self._chair(what, info.id, minutes)

    @work(thread=True, group="agenda-chair", exit_on_error=False)
    def _chair(self, what: str, session_id: int, minutes: int) -> None:
        context = self.context
        try:
            if what == "start":
                result = service.mark_started(context, session_id)
            elif what == "end":
                result = service.mark_ended(context, session_id)
            elif what == "delay":
                result = service.delay(context, session_id, minutes)
            else:
                result = service.cancel(context, session_id)
        except AgendaError as error:
            self.app.call_from_thread(self.notify, str(error), severity="warning")
            return
        self.app.call_from_thread(self.notify, result.message)
        self._wanted = session_id
        self.app.call_from_thread(self.refresh_data)

    def action_day(self, step: int) -> None:
        if not self.days or self.day is None:
            return
        index = self.days.index(self.day) if self.day in self.days else 0
        target = self.days[max(0, min(len(self.days) - 1, index + step))]
        if target != self.day:
            self._load(target)

    def action_today(self) -> None:
        today = self.context.local_now().date()
        self._load(today if today in self.days else None)

    def palette_commands(self) -> Iterable[SystemCommand]:
        info = self.selected_session
        if info is not None:
            name = escape_markup(printable(info.title, 40))  # the palette highlights matches as markup
            yield SystemCommand(f"Mark '{name}' started", "Chair action (s)", lambda: self.action_chair("start"))
            yield SystemCommand(f"Mark '{name}' ended", "Chair action (e)", lambda: self.action_chair("end"))
            yield SystemCommand(
                f"Delay '{name}' by 5 minutes",
                "Moves the following sessions too (+)",
                lambda: self.action_chair("delay", 5),
            )
            yield SystemCommand(f"Pull '{name}' back by 5 minutes", "(-)", lambda: self.action_chair("delay", -5))
            yield SystemCommand(f"Cancel or reinstate '{name}'", "(c)", lambda: self.action_chair("cancel"))
        yield SystemCommand("Agenda: day before", "([)", lambda: self.action_day(-1))
        yield SystemCommand("Agenda: day after", "(])", lambda: self.action_day(1))
        yield SystemCommand("Agenda: today", "(t)", self.action_today)


__all__ = ["AgendaScreen", "agenda_rows", "session_times"]
