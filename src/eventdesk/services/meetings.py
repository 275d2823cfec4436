"""The meeting tables: import, scheduling, the slot board by the event clock, scans at the meeting
desk, no-shows, free tables, ad-hoc bookings, per-slot usage and the export.

Every write bumps the "meetings" change area first: that UPDATE takes the store's write lock at
the start of the transaction, so two desks deciding about the same table or person at once are
served one after the other."""

from __future__ import annotations

import csv
import inspect
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from eventdesk.domain import meetings as rules
from eventdesk.domain import scheduling
from eventdesk.importers.meetings_csv import MEETINGS, MeetingsFileError, read_meetings_csv
from eventdesk.services.attendees import PersonNotFound, resolve_attendee
from eventdesk.services.context import Context
from eventdesk.store import meetings as store
from eventdesk.store.attendees import attendees_by_id, by_code, by_email, get_attendee
from eventdesk.store.db import bump
from eventdesk.store.models import Attendee, MeetingRequest, MeetingSlot
from eventdesk.store.rows import saved_id

AREA = "meetings"
MATCHMAKING_LIST = "Matchmaking area"
DEFAULT_SLOT_MINUTES = 30


class MeetingsError(Exception):
    """Something the desk asked for that cannot be done; the message says why."""


class BookingRefused(MeetingsError):
    pass


# -- values handed to the screen and the CLI (plain, safe to pass between threads) ---------------


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    organisation: str
    badge_code: str
    email: str = ""

    @classmethod
    def of(cls, attendee: Attendee) -> PersonRef:
        return cls(saved_id(attendee), attendee.name, attendee.organisation, attendee.badge_code, attendee.email)


@dataclass(frozen=True)
class SlotInfo:
    id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    slot: SlotInfo
    table: int
    a: PersonRef
    b: PersonRef
    state: str
    a_present: bool = False
    b_present: bool = False
    notes: str = ""
    booked_at: datetime | None = None  # booked at the desk (see Meeting.booked_at)

    @property
    def waiting_since(self) -> datetime:
        return rules.waiting_since(self.slot.start, self.booked_at)

    def partner_of(self, person_id: int) -> PersonRef:
        return self.b if self.a.id == person_id else self.a

    def side_of(self, person_id: int) -> str:
        return "a" if self.a.id == person_id else "b"

    def effective_state(self, now: datetime) -> str:
        return rules.effective_state(self.state, self.slot.end, now)

    def missing(self) -> list[PersonRef]:
        return [p for p, here in ((self.a, self.a_present), (self.b, self.b_present)) if not here]

    def present(self) -> list[PersonRef]:
        return [p for p, here in ((self.a, self.a_present), (self.b, self.b_present)) if here]

    @property
    def waiting(self) -> PersonRef | None:
        """After a confirmed no-show: the person who came and still sits at the table."""
        side = rules.waiting_side(self.state, self.a_present, self.b_present)
        return None if side is None else (self.a if side == "a" else self.b)


def _saved_info(session: Session, meeting_id: int) -> MeetingInfo:
    """The meeting this session has just written (so its row is there)."""
    row = store.meeting_row(session, meeting_id)
    assert row is not None
    return _info(row)


def _info(row: store.MeetingRowT) -> MeetingInfo:
    meeting, slot, table, a, b = row
    return MeetingInfo(
        saved_id(meeting),
        SlotInfo(saved_id(slot), slot.start, slot.end),
        table.number,
        PersonRef.of(a),
        PersonRef.of(b),
        meeting.state,
        meeting.a_present_at is not None,
        meeting.b_present_at is not None,
        meeting.notes,
        meeting.booked_at,
    )


@dataclass(frozen=True)
class GridRow:
    """One table of a slot as the desk sees it."""

    table: int
    meeting: MeetingInfo | None
    state: str  # the effective state, or "free"
    flagged: bool  # probable no-show
    waiting: PersonRef | None = None  # a half-free table: who sits there after a no-show

    @property
    def key(self) -> tuple:
        m = self.meeting
        return (
            self.table,
            self.state,
            self.flagged,
            m.id if m else None,
            m.a_present if m else None,
            m.b_present if m else None,
            self.waiting.id if self.waiting else None,
        )


@dataclass(frozen=True)
class SlotUsage:
    slot: SlotInfo
    in_use: int
    available: int


@dataclass
class Board:
    """Everything the meetings screen shows, read in one go; the per-second view (which slot, the
    countdown, the probable no-shows) is computed from it without asking the store again."""

    slots: list[SlotInfo]
    tables: list[int]
    meetings: dict[int, list[MeetingInfo]]  # slot id -> meetings of that slot (all states)
    no_show_minutes: int

    def window(self, now: datetime) -> tuple[SlotInfo | None, SlotInfo | None, bool]:
        return rules.slot_window(self.slots, now)  # type: ignore[return-value]

    def grid(self, slot: SlotInfo, now: datetime) -> list[GridRow]:
        holding = {m.table: m for m in self.meetings.get(slot.id, []) if m.state in rules.HOLDS_TABLE}
        released = {m.table: m for m in self.meetings.get(slot.id, []) if m.state not in rules.HOLDS_TABLE}
        rows = []
        for table in self.tables:
            meeting = holding.get(table) or released.get(table)
            if meeting is None:
                rows.append(GridRow(table, None, "free", False))
                continue
            flagged = rules.probable_no_show(
                meeting.state, slot.start, slot.end, now, self.no_show_minutes, meeting.booked_at
            )
            waiting = None if table in holding else self.half_free(slot).get(table)
            rows.append(GridRow(table, meeting, meeting.effective_state(now), flagged, waiting))
        return rows

    def half_free(self, slot: SlotInfo) -> dict[int, PersonRef]:
        """Tables where a confirmed no-show left one person waiting (table -> that person): no
        new meeting holds the table and the person has no other meeting in the slot."""
        meetings = self.meetings.get(slot.id, [])
        holding = {m.table for m in meetings if m.state in rules.HOLDS_TABLE}
        busy = {p.id for m in meetings if m.state in rules.HOLDS_TABLE for p in (m.a, m.b)}
        result: dict[int, PersonRef] = {}
        for m in meetings:
            person = m.waiting
            if person is not None and m.table not in holding and person.id not in busy:
                result.setdefault(m.table, person)
        return result

    def probable_no_shows(self, now: datetime) -> list[MeetingInfo]:
        current, _following, running = self.window(now)
        if current is None or not running:
            return []
        return [row.meeting for row in self.grid(current, now) if row.flagged and row.meeting]

    def free_tables(self, slot: SlotInfo) -> list[int]:
        """Tables nobody holds or sits at (a half-free table is not free: see ``half_free``)."""
        taken = [m.table for m in self.meetings.get(slot.id, []) if m.state in rules.HOLDS_TABLE]
        return rules.free_tables(self.tables, [*taken, *self.half_free(slot)])  # type: ignore[return-value]

    def busy_people(self, slot: SlotInfo) -> set[int]:
        """People with a meeting holding a table in ``slot``."""
        return {p.id for m in self.meetings.get(slot.id, []) if m.state in rules.HOLDS_TABLE for p in (m.a, m.b)}

    def missed(self, since: datetime) -> dict[int, datetime]:
        """People confirmed missing from a no-show in a slot starting at or after ``since``: attendee
        id -> the latest end of such a slot."""
        out: dict[int, datetime] = {}
        for slot in self.slots:
            if slot.start < since:
                continue
            for m in self.meetings.get(slot.id, []):
                if m.state == rules.NO_SHOW:
                    for person in m.missing():
                        out[person.id] = max(out.get(person.id, slot.end), slot.end)
        return out

    def usage(self) -> list[SlotUsage]:
        total = len(self.tables)
        return [SlotUsage(s, total - len(self.free_tables(s)), len(self.free_tables(s))) for s in self.slots]


def load_board(context: Context) -> Board:
    with Session(context.engine) as session:
        slots = [SlotInfo(saved_id(s), s.start, s.end) for s in store.slots(session)]
        tables = [t.number for t in store.tables(session)]
        by_slot: dict[int, list[MeetingInfo]] = defaultdict(list)
        for row in store.all_meetings(session):
            info = _info(row)
            by_slot[info.slot.id].append(info)
    return Board(slots, tables, dict(by_slot), context.settings.no_show_minutes)


def usage(context: Context) -> list[SlotUsage]:
    return load_board(context).usage()


def free_tables_now(context: Context) -> tuple[SlotInfo | None, list[int]]:
    """The running slot (or the next one to start) and its free tables."""
    board = load_board(context)
    slot, _following, _running = board.window(context.now())
    return slot, (board.free_tables(slot) if slot else [])


# -- people --------------------------------------------------------------------------------------


def find_person(session: Session, reference: str) -> Attendee:
    """A person by badge code, id, e-mail, or a name matching one person (``resolve_attendee``)."""
    try:
        return resolve_attendee(session, reference)
    except PersonNotFound as error:
        raise MeetingsError(str(error)) from None


def _people_for_rows(session: Session, rows) -> dict[str, Attendee]:
    found: dict[str, Attendee] = {}
    for row in rows:
        for reference in (row.a, row.b):
            if reference in found:
                continue
            if "@" in reference:
                people = by_email(session, reference)
                if len(people) != 1:
                    what = "Nobody has" if not people else "Several people have"
                    raise MeetingsFileError(f"{what} the e-mail {reference}; use the badge code.", row.line)
                found[reference] = people[0]
            else:
                person = by_code(session, reference)
                if person is None:
                    raise MeetingsFileError(f"No attendee has the badge code or e-mail '{reference}'.", row.line)
                found[reference] = person
    return found


# -- import --------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    kind: str
    added: int = 0
    unchanged: int = 0
    slots_added: int = 0
    tables_added: int = 0


def import_meetings(
    context: Context, path: str | Path, *, day: date | None = None, slot_minutes: int | None = None
) -> ImportSummary:
    """Import a CSV of meetings or of requests; all or nothing (``MeetingsFileError`` names the line)."""
    parsed = read_meetings_csv(Path(path), context.zone(), day or context.event().start_date)
    summary = ImportSummary(parsed.kind)
    with context.session() as session:
        bump(session, AREA)
        people = _people_for_rows(session, parsed.rows)
        if parsed.kind == MEETINGS:
            _import_meeting_rows(session, parsed.rows, people, summary, slot_minutes)
        else:
            _import_request_rows(session, parsed.rows, people, summary)
    return summary


def _slot_length(rows, slot_minutes: int | None) -> timedelta:
    if slot_minutes:
        return timedelta(minutes=slot_minutes)
    starts = sorted({r.start for r in rows})
    gaps = [b - a for a, b in zip(starts, starts[1:]) if b - a >= timedelta(minutes=5)]
    return min(gaps) if gaps else timedelta(minutes=DEFAULT_SLOT_MINUTES)


def _import_meeting_rows(session: Session, rows, people, summary: ImportSummary, slot_minutes) -> None:
    length = _slot_length(rows, slot_minutes)
    slot_ids: dict[datetime, int] = {}
    table_ids: dict[int, int] = {}
    busy: dict[tuple[int, int], int] = {}  # (person id, slot id) -> line of the file that booked them
    for row in rows:
        if row.start not in slot_ids:
            slot = store.slot_at(session, row.start)
            if slot is None:
                slot = store.add_slot(session, row.start, row.end or row.start + length)
                summary.slots_added += 1
            slot_ids[row.start] = saved_id(slot)
        if row.table not in table_ids:
            table = store.table_by_number(session, row.table)
            if table is None:
                table = store.add_table(session, row.table)
                summary.tables_added += 1
            table_ids[row.table] = saved_id(table)
        slot_id, table_id = slot_ids[row.start], table_ids[row.table]
        a, b = people[row.a], people[row.b]
        if a.id == b.id:
            raise MeetingsFileError(f"{row.a} and {row.b} are the same person.", row.line)
        held = store.live_meeting_at_table(session, slot_id, table_id)
        if held is not None:
            if {held[0].attendee_a_id, held[0].attendee_b_id} == {a.id, b.id}:
                summary.unchanged += 1  # the same meeting imported before
                continue
            raise MeetingsFileError(
                f"table {row.table} at {_hhmm(row.start, session)} already holds another meeting in the store.",
                row.line,
            )
        for person, reference in ((a, row.a), (b, row.b)):
            first = busy.get((person.id, slot_id))
            if first is not None:
                raise MeetingsFileError(f"{reference} already has a meeting in that slot on line {first}.", row.line)
            if store.live_meeting_of_person(session, slot_id, person.id) is not None:
                raise MeetingsFileError(f"{reference} already has a meeting in that slot in the store.", row.line)
            busy[(person.id, slot_id)] = row.line
        store.add_meeting(session, slot_id=slot_id, table_id=table_id, a_id=a.id, b_id=b.id, notes=row.notes)
        summary.added += 1
    session.flush()


def _hhmm(moment: datetime, session: Session) -> str:
    from zoneinfo import ZoneInfo

    from eventdesk.store.db import current_event

    event = current_event(session)
    return moment.astimezone(ZoneInfo(event.timezone if event else "UTC")).strftime("%H:%M")


def _import_request_rows(session: Session, rows, people, summary: ImportSummary) -> None:
    existing = {frozenset((r.attendee_a_id, r.attendee_b_id)) for r in store.open_requests(session)}
    existing |= {frozenset((m.attendee_a_id, m.attendee_b_id)) for m in store.live_meetings(session)}
    for row in rows:
        a, b = people[row.a], people[row.b]
        if a.id == b.id:
            raise MeetingsFileError(f"{row.a} and {row.b} are the same person.", row.line)
        pair = frozenset((a.id, b.id))
        if pair in existing:
            summary.unchanged += 1
            continue
        existing.add(pair)
        session.add(MeetingRequest(attendee_a_id=a.id, attendee_b_id=b.id, notes=row.notes))
        summary.added += 1


# -- the slot grid and scheduling ------------------------------------------------------------------


def ensure_grid(context: Context, *, day: date, first: time, count: int, minutes: int, tables: int) -> tuple[int, int]:
    """Create ``count`` slots of ``minutes`` from ``first`` on ``day`` and tables 1..``tables``
    (those that do not exist yet). Returns (slots added, tables added)."""
    return ensure_slots(context, day=day, first=first, count=count, minutes=minutes), ensure_tables(context, tables)


def ensure_slots(context: Context, *, day: date, first: time, count: int, minutes: int) -> int:
    """Create the missing ones of ``count`` back-to-back slots of ``minutes`` from ``first`` on ``day``."""
    if count < 1 or minutes < 1:
        raise MeetingsError("Give at least one slot of at least one minute.")
    start = datetime.combine(day, first, tzinfo=context.zone())
    added = 0
    with context.session() as session:
        bump(session, AREA)
        for n in range(count):
            slot_start = start + timedelta(minutes=minutes * n)
            if store.slot_at(session, slot_start) is None:
                store.add_slot(session, slot_start, slot_start + timedelta(minutes=minutes))
                added += 1
    return added


def ensure_tables(context: Context, count: int) -> int:
    """Create the missing ones of tables 1..``count``."""
    if count < 1:
        raise MeetingsError("Give at least one table.")
    added = 0
    with context.session() as session:
        bump(session, AREA)
        for number in range(1, count + 1):
            if store.table_by_number(session, number) is None:
                store.add_table(session, number)
                added += 1
    return added


@dataclass
class ScheduleSummary:
    placed: list[MeetingInfo] = field(default_factory=list)
    unplaced: list[tuple[PersonRef, PersonRef, str]] = field(default_factory=list)  # (A, B, reason)


def schedule_requests(context: Context) -> ScheduleSummary:
    """Place every open request into the slots that have not started yet (by the event clock)."""
    now = context.now()
    zone = context.zone()
    summary = ScheduleSummary()
    with context.session() as session:
        bump(session, AREA)
        slots = [s for s in store.slots(session) if s.start >= now]
        tables = store.tables(session)
        requests = store.open_requests(session)
        if not requests:
            return summary
        if not slots or not tables:
            missing = "slot left that has not started" if not slots else "meeting table"
            raise MeetingsError(
                f"There is no {missing} (event clock: {now.astimezone(zone):%d %b %Y %H:%M}); "
                "create slots and tables first, or plan ahead of the day with --now."
            )
        people = attendees_by_id(session, {x for r in requests for x in (r.attendee_a_id, r.attendee_b_id)})
        existing = [
            scheduling.Existing(m.slot_id, m.table_id, m.attendee_a_id, m.attendee_b_id)
            for m in store.live_meetings(session)
        ]
        plan = scheduling.schedule(
            [scheduling.Request(r.id, r.attendee_a_id, r.attendee_b_id) for r in requests],
            [s.id for s in slots],
            [t.id for t in tables],
            unavailable=[(u.attendee_id, u.slot_id) for u in store.unavailabilities(session)],
            existing=existing,
            name=lambda pid: people[pid].name if pid in people else str(pid),
            slot_label={s.id: s.start.astimezone(zone).strftime("%H:%M") for s in slots},
        )
        by_id = {r.id: r for r in requests}
        new = []
        for placement in plan.placed:
            request = by_id[cast(int, placement.request_id)]  # the planner hands back the ids it was given
            meeting = store.add_meeting(
                session,
                slot_id=cast(int, placement.slot),
                table_id=cast(int, placement.table),
                a_id=request.attendee_a_id,
                b_id=request.attendee_b_id,
                notes=request.notes,
            )
            new.append((request, meeting))
        session.flush()
        slot_info = {s.id: SlotInfo(saved_id(s), s.start, s.end) for s in slots}
        table_number = {t.id: t.number for t in tables}
        for request, meeting in new:
            request.meeting_id = meeting.id
            request.unplaced_reason = ""
            session.add(request)
            summary.placed.append(
                MeetingInfo(
                    saved_id(meeting),
                    slot_info[meeting.slot_id],
                    table_number[meeting.table_id],
                    PersonRef.of(people[meeting.attendee_a_id]),
                    PersonRef.of(people[meeting.attendee_b_id]),
                    meeting.state,
                    notes=meeting.notes,
                )
            )
        for unplaced in plan.unplaced:
            request = by_id[cast(int, unplaced.request_id)]
            request.unplaced_reason = unplaced.reason
            session.add(request)
            summary.unplaced.append(
                (
                    PersonRef.of(people[request.attendee_a_id]),
                    PersonRef.of(people[request.attendee_b_id]),
                    unplaced.reason,
                )
            )
    return summary


def set_unavailable(context: Context, person: str, slot_start: datetime) -> None:
    """Mark ``person`` (code, e-mail or name) unavailable in the slot starting at ``slot_start``."""
    with context.session() as session:
        bump(session, AREA)
        attendee = find_person(session, person)
        slot = store.slot_at(session, slot_start)
        if slot is None:
            raise MeetingsError(
                f"No slot starts at {slot_start.astimezone(context.zone()):%H:%M} on "
                f"{slot_start.astimezone(context.zone()):%d %b}."
            )
        store.set_unavailable(session, saved_id(attendee), saved_id(slot))


# -- the meeting desk ----------------------------------------------------------------------------

# Outcomes of a scan at the meeting desk.
PRESENT = "present"  # marked present now
ALREADY_PRESENT = "already_present"
LATER = "later"  # their next meeting is too far ahead to mark them present
NO_MEETING = "no_meeting"  # no meeting left today
RELEASED = "released"  # their running meeting was confirmed a no-show before they came
UNKNOWN_CODE = "unknown_code"


@dataclass(frozen=True)
class ScanResult:
    outcome: str
    code: str
    person: PersonRef | None = None
    meeting: MeetingInfo | None = None

    @property
    def partner(self) -> PersonRef | None:
        return self.meeting.partner_of(self.person.id) if self.meeting and self.person else None


def scan(context: Context, code: str) -> ScanResult | None:
    """A badge scanned at the meeting desk: that person's next meeting, table and partner; marks
    them present when that meeting is running or about to start. None for an empty scan (the
    CR that some scanners send before Enter)."""
    code = code.strip()[:64]
    if not code:
        return None
    now = context.now()
    with context.session() as session:
        person = by_code(session, code) or by_code(session, code.upper())
        if person is None:
            return ScanResult(UNKNOWN_CODE, code)
        bump(session, AREA)
        ahead = store.meetings_of(session, saved_id(person), ending_after=now)
        rows = [r for r in ahead if r[0].state in (rules.SCHEDULED, rules.ONE_PRESENT, rules.BOTH_PRESENT)]
        released = [r for r in ahead if r[0].state == rules.NO_SHOW and r[1].start <= now]
        ref = PersonRef.of(person)
        if not rows or rows[0][1].start - rules.EARLY_ARRIVAL > now:
            if released:  # came after the desk gave their table away
                return ScanResult(RELEASED, code, ref, _info(released[0]))
            return ScanResult(LATER, code, ref, _info(rows[0])) if rows else ScanResult(NO_MEETING, code, ref)
        meeting = rows[0][0]
        side = "a" if meeting.attendee_a_id == person.id else "b"
        if (meeting.a_present_at if side == "a" else meeting.b_present_at) is not None:
            return ScanResult(ALREADY_PRESENT, code, ref, _info(rows[0]))
        state, _a, _b = rules.mark_present(
            meeting.state, meeting.a_present_at is not None, meeting.b_present_at is not None, side
        )
        setattr(meeting, f"{side}_present_at", now)
        meeting.state = state
        store.touch(meeting)
        session.add(meeting)
        session.flush()
        result = ScanResult(PRESENT, code, ref, _saved_info(session, saved_id(meeting)))
    _record_matchmaking_checkin(context, person.badge_code)
    return result


def _record_matchmaking_checkin(context: Context, code: str) -> None:
    """Also count the person in on the "Matchmaking area" check-in list, when the check-in service
    offers it (it is optional: the meeting presence is already recorded)."""
    try:
        from eventdesk.services import checkin
    except ImportError:
        return
    check_in = getattr(checkin, "check_in", None)
    if check_in is None:
        return
    params = inspect.signature(check_in).parameters
    kwargs: dict[str, object] = {}
    for name in ("list_name", "checkin_list", "list"):
        if name in params:
            kwargs[name] = MATCHMAKING_LIST
            break
    else:
        return  # no way to say which list: do not count them at the entrance by mistake
    if "desk" in params:
        kwargs["desk"] = context.desk
    try:
        check_in(context, code, **kwargs)
    except Exception:  # noqa: BLE001 - the area count must never undo a recorded presence
        pass


def confirm_no_show(context: Context, meeting_id: int) -> MeetingInfo:
    """The desk confirms the missing person will not come: the meeting is a no-show. Its table is
    free for the rest of the slot, or half-free when the other person came and sits there
    waiting for a stand-by partner (``standby``)."""
    return _change_state(context, meeting_id, rules.confirm_no_show)


def cancel_meeting(context: Context, meeting_id: int) -> MeetingInfo:
    return _change_state(context, meeting_id, rules.cancel)


def _change_state(context: Context, meeting_id: int, rule) -> MeetingInfo:
    with context.session() as session:
        bump(session, AREA)
        row = store.meeting_row(session, meeting_id)
        if row is None:
            raise MeetingsError("That meeting no longer exists.")
        meeting = row[0]
        try:
            meeting.state = rule(meeting.state)
        except rules.TransitionError as error:
            raise MeetingsError(str(error)) from None
        store.touch(meeting)
        session.add(meeting)
        session.flush()
        return _saved_info(session, meeting_id)


def _occupant(row: store.MeetingRowT | None) -> rules.Occupant | None:
    if row is None:
        return None
    return rules.Occupant(row[2].number, (row[3].name, row[4].name))


def _waiting_at(session: Session, slot_id: int, table_id: int) -> Attendee | None:
    """Who sits at a half-free table (a confirmed no-show's partner), if anybody."""
    for row in store.no_shows_at_table(session, slot_id, table_id):
        meeting = row[0]
        side = rules.waiting_side(meeting.state, meeting.a_present_at is not None, meeting.b_present_at is not None)
        if side is not None:
            person = row[3] if side == "a" else row[4]
            if store.live_meeting_of_person(session, slot_id, saved_id(person)) is None:
                return person
    return None


def book(context: Context, person_a: str, person_b: str, slot_id: int, table_number: int) -> MeetingInfo:
    """An ad-hoc meeting of two people (code, e-mail or name) at a free table in the current or a
    later slot; ``BookingRefused`` says why not."""
    now = context.now()
    zone = context.zone()
    with context.session() as session:
        bump(session, AREA)
        try:
            a, b = find_person(session, person_a), find_person(session, person_b)
        except MeetingsError as error:
            raise BookingRefused(str(error)) from None
        slot = session.get(MeetingSlot, slot_id)
        if slot is None:
            raise BookingRefused("That slot does not exist.")
        table = store.table_by_number(session, table_number)
        label = slot.start.astimezone(zone).strftime("%H:%M")

        def party(person: Attendee) -> rules.BookingParty:
            return rules.BookingParty(
                person.name,
                person.status == "active",
                store.is_unavailable(session, saved_id(person), saved_id(slot)),
                _occupant(store.live_meeting_of_person(session, saved_id(slot), saved_id(person))),
            )

        waiting = _waiting_at(session, saved_id(slot), saved_id(table)) if table else None
        reason = rules.check_booking(
            party(a),
            party(b),
            same_person=a.id == b.id,
            slot_label=label,
            slot_end=slot.end,
            now=now,
            table_number=table_number,
            table_exists=table is not None,
            table_taken_by=_occupant(store.live_meeting_at_table(session, saved_id(slot), saved_id(table)))
            if table
            else None,
            table_waiting=waiting.name if waiting else None,
            waiting_in_pair=waiting is not None and waiting.id in (a.id, b.id),
        )
        if reason is not None:
            raise BookingRefused(reason)
        assert table is not None  # check_booking refuses a table that does not exist
        meeting = store.add_meeting(
            session,
            slot_id=saved_id(slot),
            table_id=saved_id(table),
            a_id=saved_id(a),
            b_id=saved_id(b),
            notes=f"ad hoc, {context.desk}",
            booked_at=now,
        )
        try:
            session.flush()
        except IntegrityError:
            raise BookingRefused(f"Table {table_number} was just taken at {label}; choose another.") from None
        return _saved_info(session, saved_id(meeting))


# -- stand-by partners: no-shows turned into meetings --------------------------------------------

LEFT_WAITING = "left_waiting"  # their partner did not show in this slot
PRESENT_FREE = "present_free"  # in the matchmaking area now, with this slot free


@dataclass(frozen=True)
class StandbyCandidate:
    person: PersonRef
    kind: str  # LEFT_WAITING or PRESENT_FREE
    table: int | None = None  # where a LEFT_WAITING person sits
    since: datetime | None = None  # PRESENT_FREE: when they came into the area

    def as_dict(self, zone) -> dict:
        return {
            "attendee_id": self.person.id,
            "name": self.person.name,
            "organisation": self.person.organisation,
            "badge_code": self.person.badge_code,
            "kind": self.kind,
            "table": self.table,
            "in_area_since": self.since.astimezone(zone).isoformat() if self.since else None,
        }


def standby(context: Context, slot_id: int, for_person: int | None = None) -> list[StandbyCandidate]:
    """Stand-by partners for ``slot_id``: first the people left waiting at a half-free table
    (their partner's no-show was confirmed), by table; then the active participants who are in
    the matchmaking area now (scanned in on its list today, not out) and free in that slot (no
    meeting holding a table, not unavailable), latest arrival first. ``for_person`` (the person
    being offered partners) is left out, and so is anyone confirmed a no-show today in a slot that
    ended after their scan into the area (that scan no longer says they are there)."""
    now = context.now()
    board = load_board(context)
    slot = next((s for s in board.slots if s.id == slot_id), None)
    if slot is None:
        raise MeetingsError("That slot does not exist.")
    waiting = board.half_free(slot)
    busy = board.busy_people(slot)
    out = [
        StandbyCandidate(person, LEFT_WAITING, table)
        for table, person in sorted(waiting.items())
        if person.id != for_person
    ]
    taken = busy | {p.id for p in waiting.values()} | ({for_person} if for_person is not None else set())
    day_start = context.day_start(now)
    missed = board.missed(day_start)
    with Session(context.engine) as session:
        present = store.present_on_list(session, MATCHMAKING_LIST, day_start)
        unavailable = {u.attendee_id for u in store.unavailabilities(session) if u.slot_id == slot_id}
        ids = [
            i
            for i, since in present.items()
            if i not in taken and i not in unavailable and not (i in missed and since < missed[i])
        ]
        people = attendees_by_id(session, ids)
    free = [
        StandbyCandidate(PersonRef.of(people[i]), PRESENT_FREE, since=present[i])
        for i in ids
        if i in people and people[i].status == "active"
    ]
    free.sort(key=lambda c: (-present[c.person.id].timestamp(), c.person.name))  # each came in at present[id]
    return out + free


def book_standby(context: Context, waiting: int, partner: int, slot_id: int) -> MeetingInfo:
    """Book the person left ``waiting`` with a stand-by ``partner`` (attendee ids) in ``slot_id``:
    at the table where the waiting person sits (else where the partner sits, else the first free
    table), under the rules of an ad-hoc booking (``BookingRefused`` says why not)."""
    board = load_board(context)
    slot = next((s for s in board.slots if s.id == slot_id), None)
    if slot is None:
        raise BookingRefused("That slot does not exist.")
    seats = {person.id: table for table, person in board.half_free(slot).items()}
    table = seats.get(waiting) or seats.get(partner) or next(iter(board.free_tables(slot)), None)
    if table is None:
        raise BookingRefused("No table is free in that slot.")
    with Session(context.engine) as session:
        a, b = get_attendee(session, waiting), get_attendee(session, partner)
        if a is None or b is None:
            raise BookingRefused("That person does not exist.")
        codes = a.badge_code, b.badge_code
    meeting = book(context, codes[0], codes[1], slot_id, table)
    seated = [person for person in (waiting, partner) if seats.get(person) == table]
    if not seated:
        return meeting
    # Whoever already sits at that table is present in the new meeting from the start.
    now = context.now()
    with context.session() as session:
        bump(session, AREA)
        row = store.meeting_row(session, meeting.id)
        assert row is not None  # booked just now
        record = row[0]
        for person in seated:
            setattr(record, f"{'a' if record.attendee_a_id == person else 'b'}_present_at", now)
        record.state = rules.presence_state(record.a_present_at is not None, record.b_present_at is not None)
        store.touch(record)
        session.add(record)
        session.flush()
        return _saved_info(session, meeting.id)


# -- the booking form: people by name, the pair's common free slots --------------------------------


def find_people(context: Context, text: str, limit: int = 8) -> list[PersonRef]:
    """Who the desk means by ``text``: the one person with that badge code (a scan), else the
    people a name search finds (the check-in desk's search, ``services.attendees``)."""
    from eventdesk.services.attendees import search_people

    text = text.strip()
    if not text:
        return []
    with Session(context.engine) as session:
        person = by_code(session, text) or by_code(session, text.upper())
        if person is not None:
            return [PersonRef.of(person)]
    return [
        PersonRef(p.id, p.name, p.organisation, p.badge_code, p.email)
        for p in search_people(context, text, limit=limit)
    ]


@dataclass(frozen=True)
class PairSlot:
    """A slot both people have free, with the tables they could take (a half-free table where
    one of them sits comes first)."""

    slot: SlotInfo
    tables: list[int]


def pair_free_slots(context: Context, a: int, b: int, board: Board | None = None) -> list[PairSlot]:
    """The current and later slots in which neither ``a`` nor ``b`` (attendee ids) has a meeting
    or is unavailable, and which have a table for them."""
    now = context.now()
    board = board or load_board(context)
    with Session(context.engine) as session:
        unavailable = {(u.attendee_id, u.slot_id) for u in store.unavailabilities(session)}
    out = []
    for slot in board.slots:
        if slot.end <= now or {a, b} & board.busy_people(slot):
            continue
        if (a, slot.id) in unavailable or (b, slot.id) in unavailable:
            continue
        seats = [t for t, p in board.half_free(slot).items() if p.id in (a, b)]
        tables = seats[:1] + board.free_tables(slot)
        if tables:
            out.append(PairSlot(slot, tables))
    return out


def remaining_meetings(context: Context, person: str | int) -> tuple[PersonRef, list[MeetingInfo]]:
    """A person's meetings still to come or running (not cancelled, not a no-show), in time order."""
    now = context.now()
    with Session(context.engine) as session:
        attendee = get_attendee(session, person) if isinstance(person, int) else find_person(session, person)
        if attendee is None:
            raise MeetingsError("That person does not exist.")
        rows = [
            r
            for r in store.meetings_of(session, saved_id(attendee), ending_after=now)
            if r[0].state in (rules.SCHEDULED, rules.ONE_PRESENT, rules.BOTH_PRESENT)
        ]
        return PersonRef.of(attendee), [_info(r) for r in rows]


# -- export --------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "slot_start",
    "slot_end",
    "table",
    "participant_a",
    "name_a",
    "organisation_a",
    "participant_b",
    "name_b",
    "organisation_b",
    "state",
    "a_present_at",
    "b_present_at",
    "notes",
]


def export_csv(context: Context) -> str:
    """Every meeting with its final state (a meeting whose slot ended with both present is done).
    People are named by e-mail (their badge code when they have none), as the importer reads them."""
    zone = context.zone()
    now = context.now()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""

    with Session(context.engine) as session:
        for meeting, slot, table, a, b in store.all_meetings(session):
            writer.writerow(
                [
                    local(slot.start),
                    local(slot.end),
                    table.number,
                    a.email or a.badge_code,
                    a.name,
                    a.organisation,
                    b.email or b.badge_code,
                    b.name,
                    b.organisation,
                    rules.effective_state(meeting.state, slot.end, now),
                    local(meeting.a_present_at),
                    local(meeting.b_present_at),
                    meeting.notes,
                ]
            )
    return out.getvalue()
