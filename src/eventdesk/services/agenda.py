"""The live agenda: a day's programme, now/next in every room, the room board and the chair
actions (started, ended, delay, cancel). The CLI, the screens and the tests call these."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from eventdesk.domain import agenda as rules
from eventdesk.domain.agenda import Slot, speaker_key
from eventdesk.domain.text import printable
from eventdesk.services.context import Context
from eventdesk.store import agenda as store
from eventdesk.store.db import begin_write, bump
from eventdesk.store.models import AuditEntry
from eventdesk.store.rows import saved_id

AREA = "agenda"
# The board also shows what started the evening before and still runs after midnight.
BOARD_LEAD = timedelta(hours=6)


class AgendaError(Exception):
    """A chair action that cannot be done; the message says why."""


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    capacity: int | None


@dataclass(frozen=True)
class SessionInfo:
    slot: Slot
    title: str
    type: str
    room_id: int | None
    room_name: str
    chair: str
    track: str
    speakers: tuple[str, ...]
    description: str = ""  # what the chair reads out: the talks inside a block, an abstract

    @property
    def id(self) -> int:
        return self.slot.id

    def local_start(self, zone: ZoneInfo) -> datetime:
        return self.slot.effective_start.astimezone(zone)

    def local_end(self, zone: ZoneInfo) -> datetime:
        return self.slot.effective_end.astimezone(zone)


@dataclass(frozen=True)
class RoomNow:
    room: RoomInfo
    current: SessionInfo | None
    next: SessionInfo | None


@dataclass(frozen=True)
class BoardRow:
    """One line of the room board at one moment."""

    room: RoomInfo
    occupancy: int
    current: SessionInfo | None
    progress: float | None
    time_left: timedelta | None
    next: SessionInfo | None

    @property
    def occupancy_share(self) -> float | None:
        if not self.room.capacity:
            return None
        return self.occupancy / self.room.capacity


@dataclass
class Programme:
    """Sessions of a time window with their rooms, read once; everything that depends on the
    moment (now/next, time left, progress) is computed from it without the store, so a screen
    re-reads the store only when it changed and ticks the clock for free."""

    zone: ZoneInfo
    day: date
    rooms: list[RoomInfo]
    sessions: list[SessionInfo]
    occupancy: dict[int, int] = field(default_factory=dict)

    @cached_property
    def by_id(self) -> dict[int, SessionInfo]:
        return {s.id: s for s in self.sessions}

    @cached_property
    def by_room(self) -> dict[int | None, list[SessionInfo]]:
        result: dict[int | None, list[SessionInfo]] = {r.id: [] for r in self.rooms}
        for s in sorted(self.sessions, key=lambda s: (s.slot.effective_start, s.id)):
            result.setdefault(s.room_id, []).append(s)
        return result

    @cached_property
    def flags(self) -> dict[int, set[str]]:
        return rules.flags([s.slot for s in self.sessions])

    @cached_property
    def slots_by_room(self) -> dict[int | None, list[Slot]]:
        return {room_id: [s.slot for s in infos] for room_id, infos in self.by_room.items()}

    @cached_property
    def live_slots_by_room(self) -> dict[int | None, list[Slot]]:
        """Each room's slots without the cancelled ones, in order: read once, ticked every second."""
        return {room_id: rules.live_in_order(slots) for room_id, slots in self.slots_by_room.items()}

    def now_next(self, at: datetime) -> list[RoomNow]:
        rows = []
        live = self.live_slots_by_room
        for room in self.rooms:
            found = rules.now_next_in_order(live.get(room.id, ()), at)
            rows.append(RoomNow(room, self._info(found.current), self._info(found.next)))
        return rows

    def clashes(self, session_id: int) -> list[SessionInfo]:
        """Sessions in other rooms that overlap this one and share a speaker with it."""
        slot = self.by_id[session_id].slot
        return [
            s
            for s in self.sessions
            if s.id != session_id
            and s.room_id != slot.room_id
            and not s.slot.cancelled
            and s.slot.speaker_keys & slot.speaker_keys
            and s.slot.effective_start < slot.effective_end
            and slot.effective_start < s.slot.effective_end
        ]

    def fixed_items_run_into(self, session_id: int) -> list[SessionInfo]:
        """The fixed items (breaks) of other rooms this session now runs into after a move."""
        slot = self.by_id[session_id].slot
        return [self.by_id[s.id] for s in rules.fixed_items_run_into(slot, [i.slot for i in self.sessions])]

    def following(self, session_id: int) -> SessionInfo | None:
        """The next live session in the same room after ``session_id``."""
        info = self.by_id[session_id]
        later = [
            s
            for s in self.by_room.get(info.room_id, [])
            if s.id != session_id
            and not s.slot.cancelled
            and (s.slot.effective_start, s.id) > (info.slot.effective_start, info.id)
        ]
        return later[0] if later else None

    def board(self, at: datetime) -> list[BoardRow]:
        rows = []
        for entry in self.now_next(at):
            current = entry.current
            rows.append(
                BoardRow(
                    room=entry.room,
                    occupancy=self.occupancy.get(entry.room.id, 0),
                    current=current,
                    progress=rules.progress(current.slot, at) if current else None,
                    time_left=rules.time_left(current.slot, at) if current else None,
                    next=entry.next,
                )
            )
        return rows

    def _info(self, slot: Slot | None) -> SessionInfo | None:
        return self.by_id[slot.id] if slot is not None else None


# --- reading -----------------------------------------------------------------------------------


def _day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def _session_info(row: store.SessionRow) -> SessionInfo:
    # Positional: attribute lookups on 700 result rows cost more than the query (see benchmarks).
    (
        id_,
        title,
        type_,
        start,
        end,
        shift,
        fixed_end,
        status,
        started_at,
        ended_at,
        room_id,
        track,
        chair,
        description,
    ) = row.session[:14]
    speakers = row.speakers
    slot = Slot(
        id_,
        room_id,
        start,
        end,
        shift,
        status,
        fixed_end,
        started_at,
        ended_at,
        frozenset(speaker_key(p[1], p[2]) for p in speakers) if speakers else frozenset(),
        anchored=(type_ or "").lower() in rules.FIXED_TYPES,
    )
    return SessionInfo(
        slot, title, type_, room_id, row.room_name or "", chair, track, tuple(p[1] for p in speakers), description or ""
    )


def _programme(
    context: Context, day: date, start: datetime, end: datetime, *, speakers: bool, occupancy_since: datetime | None
) -> Programme:
    """Without speakers there are no speaker clashes among the flags either."""
    with context.session() as db:
        rooms = [RoomInfo(saved_id(r), r.name, r.capacity) for r in store.rooms(db)]
        rows = store.sessions_between(db, start, end, with_speakers=speakers)
        people = store.occupancy(db, since=occupancy_since) if occupancy_since is not None else {}
    sessions = [_session_info(r) for r in rows]
    if any(s.room_id is None for s in sessions):
        rooms.append(RoomInfo(0, "(no room)", None))
        sessions = [s if s.room_id is not None else _without_room(s) for s in sessions]
    return Programme(context.zone(), day, rooms, sessions, people)


def _without_room(info: SessionInfo) -> SessionInfo:
    from dataclasses import replace

    return replace(info, room_id=0, room_name="(no room)", slot=replace(info.slot, room_id=0))


def day_programme(context: Context, day: date) -> Programme:
    """Every session of ``day`` (local midnight to midnight) by room."""
    start, end = _day_bounds(context.zone(), day)
    return _programme(context, day, start, end, speakers=True, occupancy_since=None)


def board_programme(context: Context, at: datetime | None = None, speakers: bool = False) -> Programme:
    """What the room board needs around ``at``: the local day, the late evening before, and the
    occupancy of every room (speakers only when asked: the board shows none)."""
    at = at or context.now()
    day = at.astimezone(context.zone()).date()
    start, end = _day_bounds(context.zone(), day)
    return _programme(context, day, start - BOARD_LEAD, end, speakers=speakers, occupancy_since=context.day_start(at))


class BoardReader:
    """The room board's reads, kept between refreshes (one per board; one read at a time). The
    programme is read again only when the agenda's change counter moved (a delay, a start, an
    import, from any desk) or the board's day changed; a session whose row came back unchanged keeps
    its ``SessionInfo``, so a refresh after a delay builds only what the delay moved."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._programme: Programme | None = None
        self._read: tuple[int, datetime, datetime] | None = None  # (agenda version, window) of it
        self._rows: dict[int, tuple[tuple, SessionInfo]] = {}  # session id -> (its row, its info)
        self._doors = store.DoorTally()
        # A worker Textual cancelled still runs to its end: two reads may overlap.
        self._lock = threading.Lock()

    def read(self, at: datetime | None = None) -> tuple[Programme, dict[int, int]]:
        """``board_programme(context, at)`` and its occupancy apart: the programme is the same
        object as last time while nothing in it changed (the caller sets the occupancy on it)."""
        at = at or self.context.now()
        zone = self.context.zone()
        day = at.astimezone(zone).date()
        start, end = _day_bounds(zone, day)
        start -= BOARD_LEAD
        with self._lock, self.context.session() as db:
            programme = self._programme
            if programme is None or self._read != (store.agenda_version(db), start, end):
                version, room_rows, session_rows = store.board_sessions(db, start, end)
                programme = self._build(db, zone, day, room_rows, session_rows)
                self._programme, self._read = programme, (version, start, end)
            occupancy = self._doors.occupancy(db, self.context.day_start(at))
        return programme, occupancy

    def occupancy(self, at: datetime | None = None) -> dict[int, int]:
        """``board_occupancy``, counting only the door scans that came since the last read."""
        with self._lock, self.context.session() as db:
            return self._doors.occupancy(db, self.context.day_start(at or self.context.now()))

    def _build(self, db, zone: ZoneInfo, day: date, room_rows: list[tuple], session_rows: list[tuple]) -> Programme:
        known, rows = self._rows, {}
        to_datetime = None
        sessions = []
        for row in session_rows:
            kept = known.get(row[0])
            if kept is not None and kept[0] == row:
                info = kept[1]
            else:
                to_datetime = to_datetime or store.board_datetime(db)
                info = _board_session_info(row, to_datetime)
            rows[row[0]] = (row, info)
            sessions.append(info)
        self._rows = rows
        shown = self._programme
        rooms = [RoomInfo(*r) for r in room_rows]
        if shown is not None and shown.rooms[: len(rooms)] == rooms:
            rooms = shown.rooms[: len(rooms)]  # the same objects: the board's cells for them are kept
        if any(s.room_id is None for s in sessions):
            rooms.append(RoomInfo(0, "(no room)", None))
            sessions = [s if s.room_id is not None else _without_room(s) for s in sessions]
        return Programme(zone, day, rooms, sessions)


def _board_session_info(row: tuple, to_datetime) -> SessionInfo:
    """A ``SessionInfo`` of a ``store.board_sessions`` row (without speakers: the board shows none)."""
    (
        id_,
        title,
        type_,
        start,
        end,
        shift,
        fixed_end,
        status,
        started_at,
        ended_at,
        room_id,
        track,
        chair,
        description,
        room_name,
    ) = row
    slot = Slot(
        id_,
        room_id,
        to_datetime(start),
        to_datetime(end),
        shift,
        status,
        bool(fixed_end),
        to_datetime(started_at),
        to_datetime(ended_at),
        frozenset(),
        anchored=(type_ or "").lower() in rules.FIXED_TYPES,
    )
    return SessionInfo(slot, title, type_, room_id, room_name or "", chair, track, (), description or "")


def board_occupancy(context: Context, at: datetime | None = None) -> dict[int, int]:
    """People in each room now (``Programme.occupancy`` of ``board_programme``): all a door scan
    changes on the board, read without the sessions."""
    with context.session() as db:
        return store.occupancy(db, since=context.day_start(at or context.now()))


def event_days(context: Context) -> list[date]:
    """The days of the event, widened to every day that holds a session."""
    event = context.event()
    first, last = event.start_date, event.end_date
    with context.session() as db:
        earliest, latest = store.session_dates(db)
    zone = context.zone()
    if earliest is not None and latest is not None:  # both or neither: one MIN/MAX query
        first = min(first, earliest.astimezone(zone).date())
        last = max(last, latest.astimezone(zone).date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def now_and_next(context: Context, at: datetime | None = None) -> list[RoomNow]:
    at = at or context.now()
    return board_programme(context, at, speakers=True).now_next(at)


def board_rows(context: Context, at: datetime | None = None) -> list[BoardRow]:
    at = at or context.now()
    return board_programme(context, at).board(at)


# --- chair actions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChairResult:
    """What a chair action did, in words for the screen, and which sessions it changed."""

    message: str
    changed: tuple[int, ...]


def _audit(db, context: Context, action: str, session_id: int, detail: str) -> None:
    db.add(AuditEntry(desk=context.desk, action=action, subject=f"session:{session_id}", detail=detail))


@contextmanager
def _chair_action(context: Context, session_id: int):
    """The transaction of a chair action: the room's programme is locked before it is read (two
    chairs pressing +5 at once make +10, never a lost +5)."""
    with context.session() as db:
        if begin_write(db):
            store.lock_room_of(db, session_id)
        yield db


def _load(db, session_id: int):
    session = store.session_by_id(db, session_id)
    if session is None:
        raise AgendaError(f"There is no session #{session_id}.")
    return session


def _name(title: str) -> str:
    return f"'{printable(title, 60)}'"


def _room_slots(db, session) -> list[Slot]:
    """The sessions around ``session`` in its room (a day either side), as the maths sees them."""
    if session.room_id is None:
        return [_session_info(store.session_row(db, session.id)).slot]
    start, end = session.start - timedelta(days=1), session.start + timedelta(days=1)
    return [_session_info(r).slot for r in store.sessions_between(db, start, end, room_id=session.room_id)]


def _days(context: Context, slot: Slot, now: datetime) -> tuple[date, date]:
    zone = context.zone()
    return now.astimezone(zone).date(), slot.start.astimezone(zone).date()


def mark_started(context: Context, session_id: int) -> ChairResult:
    """The chair opened the session: it is running now, from now (an early start moves its end
    earlier too; a late one keeps its end), and whatever still ran in that room (marked started, or due by the clock) is marked ended. Only a session of today that
    runs by the clock or comes next in its room can start (``AgendaError`` says why not)."""
    now = context.now()
    with _chair_action(context, session_id) as db:
        session = _load(db, session_id)
        room_slots = _room_slots(db, session)
        slot = next(s for s in room_slots if s.id == session_id)
        today, day_of = _days(context, slot, now)
        refusal = rules.start_refusal(
            slot, [s for s in room_slots if _days(context, s, now)[1] == today], now, today, day_of
        )
        if refusal:
            raise AgendaError(f"{_name(session.title)} {refusal}.")
        changed = [session_id]
        for other in room_slots:
            if other.id != session_id and rules.is_current(other, now):
                store.set_status(
                    db, other.id, rules.ENDED, started_at=other.started_at or other.effective_start, ended_at=now
                )
                _audit(db, context, "agenda.ended", other.id, "ended by the start of the next session")
                changed.append(other.id)
        offset = rules.start_offset_minutes(slot, now)
        # Earlier than planned (or than its delay): the whole session moves earlier with its
        # start. A late start keeps its end: only the chair's +N min gives it more time.
        if offset < slot.shift_minutes:
            store.set_shifts(db, {session_id: offset})
        store.set_status(db, session_id, rules.RUNNING, started_at=now)
        _audit(db, context, "agenda.started", session_id, rules.format_delay(offset) or "on time")
        bump(db, AREA)
    when = f" {abs(offset)} min {'early' if offset < 0 else 'late'}" if offset else " on time"
    return ChairResult(f"Started {_name(session.title)}{when}.", tuple(changed))


def mark_ended(context: Context, session_id: int) -> ChairResult:
    """The chair closed the session now; only a running session of today can end."""
    now = context.now()
    with _chair_action(context, session_id) as db:
        session = _load(db, session_id)
        slot = _session_info(store.session_row(db, session_id)).slot
        today, day_of = _days(context, slot, now)
        refusal = rules.end_refusal(slot, now, today, day_of)
        if refusal:
            raise AgendaError(f"{_name(session.title)} {refusal}.")
        store.set_status(
            db, session_id, rules.ENDED, started_at=session.started_at or slot.effective_start, ended_at=now
        )
        _audit(db, context, "agenda.ended", session_id, "")
        bump(db, AREA)
    return ChairResult(f"Ended {_name(session.title)} at {now.astimezone(context.zone()):%H:%M}.", (session_id,))


def delay(context: Context, session_id: int, minutes: int) -> ChairResult:
    """Delay (or with negative minutes pull back) a session and the following sessions of its
    room, Indico style (see ``domain.agenda.reschedule``)."""
    if minutes == 0:
        raise AgendaError("A delay of 0 minutes changes nothing.")
    with _chair_action(context, session_id) as db:
        session = _load(db, session_id)
        if session.status == rules.CANCELLED:
            raise AgendaError(f"{_name(session.title)} is cancelled; reinstate it before moving it.")
        if session.room_id is None:
            room_slots = [_session_info(store.session_row(db, session_id)).slot]
        else:
            start, end = session.start - timedelta(days=1), session.start + timedelta(days=1)
            rows = store.sessions_between(db, start, end, room_id=session.room_id)
            room_slots = [_session_info(r).slot for r in rows]
        plan = rules.reschedule(room_slots, session_id, minutes, context.now())
        if not plan.shifts:
            raise AgendaError(
                f"{_name(session.title)} already starts as planned; it cannot be pulled before its planned start."
            )
        store.set_shifts(db, plan.shifts)
        if plan.keeps_start is not None:
            store.set_status(db, session_id, rules.SCHEDULED, started_at=plan.keeps_start)
        others = len(plan.shifts) - 1
        detail = f"{rules.format_delay(plan.applied)}; {others} following session{'s' if others != 1 else ''} moved"
        _audit(db, context, "agenda.delay", session_id, detail)
        bump(db, AREA)
    total = rules.format_delay(plan.shifts[session_id]) or "on time"
    message = f"{_name(session.title)} {rules.format_delay(plan.applied)} (now {total})"
    if others:
        message += f"; {others} following session{'s' if others != 1 else ''} moved"
    if plan.applied != minutes:
        message += f" (limited to {rules.format_delay(plan.applied)}: never before its planned start)"
    return ChairResult(message + ".", tuple(plan.shifts))


def cancel(context: Context, session_id: int) -> ChairResult:
    """Cancel a session, or reinstate it when it already is cancelled (the same key undoes it)."""
    with _chair_action(context, session_id) as db:
        session = _load(db, session_id)
        if session.status == rules.CANCELLED:
            store.set_status(db, session_id, rules.SCHEDULED)
            _audit(db, context, "agenda.reinstated", session_id, "")
            message = f"Reinstated {_name(session.title)}."
        else:
            store.set_status(db, session_id, rules.CANCELLED, keep_times=True)
            _audit(db, context, "agenda.cancelled", session_id, "")
            message = f"Cancelled {_name(session.title)} (press c again to reinstate it)."
        bump(db, AREA)
    return ChairResult(message, (session_id,))


# --- for scripts -------------------------------------------------------------------------------


def room_now_dict(entry: RoomNow, zone: ZoneInfo, at: datetime, arrivals: dict | None = None) -> dict:
    """``arrivals`` (session id -> ``SpeakerArrival`` list) adds whether each speaker is here."""

    def describe(info: SessionInfo | None) -> dict | None:
        if info is None:
            return None
        found = {
            "id": info.id,
            "title": info.title,
            "type": info.type,
            "start": info.local_start(zone).isoformat(),
            "end": info.local_end(zone).isoformat(),
            "planned_start": info.slot.start.astimezone(zone).isoformat(),
            "delay_minutes": info.slot.delay_minutes,
            "status": info.slot.status,
            "chair": info.chair,
            "speakers": list(info.speakers),
        }
        if arrivals is not None:
            found["speaker_arrival"] = [a.as_dict(zone) for a in arrivals.get(info.id, [])]
        return found

    current = describe(entry.current)
    if current is not None and entry.current is not None:
        current["seconds_left"] = int(rules.time_left(entry.current.slot, at).total_seconds())
    return {"room": entry.room.name, "capacity": entry.room.capacity, "now": current, "next": describe(entry.next)}
