"""The table grid of one meeting slot (table, the two people with organisations, state) and the
list of probable no-shows, both kept in step by keyed diffs (``LiveTable.sync``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

from eventdesk.domain import meetings as rules
from eventdesk.domain.text import printable
from eventdesk.services.meetings import GridRow, MeetingInfo, PersonRef
from eventdesk.tui.widgets.live_table import LiveTable, Row

GRID_COLUMNS = [
    ("table", "Table", 5),
    ("a", "Person A", 21),
    ("org_a", "Organisation", 17),
    ("b", "Person B", 21),
    ("org_b", "Organisation", 17),
    ("state", "State", 19),
]
WITH_ORGANISATIONS = 112  # grid width from which the organisations are shown


def grid_columns(width: int) -> list[tuple[str, str, int | None]]:
    """The grid's columns for ``width`` cells: table, both people and the state always; the
    organisations when there is room; names get the rest."""
    fixed = 5 + 19 + 4  # table and state, with padding
    if width >= WITH_ORGANISATIONS:
        org = 24 if width >= 150 else 17
        name = (width - fixed - 2 * org - 8) // 2
        return [
            ("table", "Table", 5),
            ("a", "Person A", name),
            ("org_a", "Organisation", org),
            ("b", "Person B", name),
            ("org_b", "Organisation", org),
            ("state", "State", 19),
        ]
    name = max(12, (width - fixed - 4) // 2)
    return [("table", "Table", 5), ("a", "Person A", name), ("b", "Person B", name), ("state", "State", 19)]


NO_SHOW_COLUMNS = [("table", "Table", 5), ("missing", "Waiting for", 22), ("late", "Late", 7)]

STATE_STYLES = {
    "free": "green",
    rules.SCHEDULED: "",
    rules.ONE_PRESENT: "yellow",
    rules.BOTH_PRESENT: "bold green",
    rules.NO_SHOW: "red",
    rules.DONE: "dim",
    rules.CANCELLED: "dim strike",
}


def _person(person: PersonRef, present: bool, faded: bool) -> tuple[Text, Text]:
    style = "dim" if faded else ("bold" if present else "")
    name = Text(("✓ " if present else "  ") + printable(person.name, 40), style=style)
    return name, Text(printable(person.organisation, 40), style="dim")


def grid_rows(rows: list[GridRow]) -> list[Row]:
    """Rows keyed by table number."""
    out: list[Row] = []
    blank = Text("")
    for row in rows:
        table = Text(str(row.table), style="bold")
        meeting = row.meeting
        if meeting is None:
            out.append((str(row.table), (table, blank, blank, blank, blank, Text("free", style=STATE_STYLES["free"]))))
            continue
        faded = row.state not in rules.HOLDS_TABLE
        waiting = row.waiting.id if row.waiting else None
        a, org_a = _person(meeting.a, meeting.a_present, faded and waiting != meeting.a.id)
        b, org_b = _person(meeting.b, meeting.b_present, faded and waiting != meeting.b.id)
        if row.flagged:
            state = Text("⚠ probable no-show", style="bold red")
        elif row.waiting is not None:  # the partner who came still sits there: half-free
            state = Text("no-show · half-free", style="bold yellow")
        else:
            label = rules.STATE_LABELS.get(row.state, row.state)
            if faded:
                label += " · free"
            state = Text(label, style=STATE_STYLES.get(row.state, ""))
        out.append((str(row.table), (table, a, org_a, b, org_b, state)))
    return out


def no_show_rows(meetings: list[MeetingInfo], now: datetime) -> list[Row]:
    """Rows keyed by meeting id: who is still missing and for how long."""
    out: list[Row] = []
    for meeting in meetings:
        missing = " & ".join(printable(p.name, 24) for p in meeting.missing())
        late = int((now - meeting.waiting_since).total_seconds() // 60)
        out.append(
            (str(meeting.id), (Text(str(meeting.table), style="bold"), Text(missing, style="red"), Text(f"{late} min")))
        )
    return out


class MeetingGrid(LiveTable):
    can_focus = False  # Tab goes from the scan box to the no-show list, not through the grids

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "none")
        super().__init__(GRID_COLUMNS, **kwargs)

    def show(self, rows: list[GridRow]) -> None:
        self.sync(grid_rows(rows))


class NoShowList(LiveTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(NO_SHOW_COLUMNS, **kwargs)

    def show(self, meetings: list[MeetingInfo], now: datetime) -> None:
        self.sync(no_show_rows(meetings, now))

    @property
    def selected_meeting_id(self) -> int | None:
        key = self.selected_key
        return int(key) if key is not None else None


def slot_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


def countdown(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
