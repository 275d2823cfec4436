"""The check-in desk's use cases: a scan (``check_in``), what the desk does with a submitted text
(``submit``), undo, walk-ins and corrections. The screen and ``eventdesk checkin`` call the same
functions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from eventdesk.domain.checkin import (
    DIRECTIONS,
    ENTRY,
    EXIT,
    LABELS,
    CodeLookup,
    Result,
    badge_due,
    clean_code,
    decide,
    looks_like_code,
    strip_scanner_noise,
)
from eventdesk.domain.codes import new_badge_code
from eventdesk.domain.text import printable
from eventdesk.services.attendees import Person
from eventdesk.services.context import Context
from eventdesk.services.events import MAIN_ENTRANCE
from eventdesk.services.speakers import speaking_today
from eventdesk.store import checkins as store
from eventdesk.store import print_jobs
from eventdesk.store.agenda import occupancy
from eventdesk.store.attendees import add_audit, get_attendee, save_attendee
from eventdesk.store.db import begin_write, bump
from eventdesk.store.models import Attendee
from eventdesk.store.rows import saved_id


class CheckinError(Exception):
    """A scan or desk action that cannot be carried out; the message says what to do."""


@dataclass(frozen=True)
class CheckinResult:
    """The answer to one scan, as the banner and ``--json`` show it."""

    result: str
    code: str
    direction: str
    list_name: str
    desk: str
    scanned_at: datetime
    nonce: str
    record_id: int | None
    person: Person | None = None
    first_checkin_at: datetime | None = None  # already_checked_in: when and where it first happened
    first_checkin_desk: str | None = None
    badge_queued: bool = False  # this scan queued the person's first badge
    replayed: bool = False  # the nonce was seen before: this is the first scan's answer
    returning: bool = False  # ok, and the person entered on an earlier event day: "welcome back"
    exit_without_entry: bool = False  # an exit recorded for somebody not inside by the record
    speaking: tuple = ()  # SpeakingSlot: the person's sessions of today still to come or running
    offline: bool = False  # decided by the desk alone (server unreachable); uploaded later
    occupancy: int | None = None  # a door list of a room with a capacity: people inside after this scan
    capacity: int | None = None

    @property
    def room_fill(self) -> float | None:
        """How full the room is after this entry (1.0 = at capacity); None when it is no entry
        into a room with a capacity."""
        if self.occupancy is None or not self.capacity or not self.ok or self.direction != ENTRY:
            return None
        return self.occupancy / self.capacity

    @property
    def room_full(self) -> bool:
        """The room is at or over its capacity with this entry: recorded, but the door stops the next."""
        fill = self.room_fill
        return fill is not None and fill >= 1.0

    @property
    def ok(self) -> bool:
        return self.result == Result.OK

    @property
    def label(self) -> str:
        if self.ok and self.direction == EXIT:
            return "Exit recorded, but no entry today" if self.exit_without_entry else "Goodbye (exit recorded)"
        if self.ok and self.returning:
            return "Welcome back"
        return LABELS.get(self.result, self.result)

    def as_dict(self) -> dict:
        return {
            "result": self.result,
            "label": self.label,
            "code": self.code,
            "direction": self.direction,
            "list": self.list_name,
            "desk": self.desk,
            "scanned_at": self.scanned_at.isoformat(),
            "nonce": self.nonce,
            "record_id": self.record_id,
            "replayed": self.replayed,
            "badge_queued": self.badge_queued,
            "returning": self.returning,
            "exit_without_entry": self.exit_without_entry,
            "speaking": [slot.as_dict(self.scanned_at.tzinfo) for slot in self.speaking],
            "first_checkin_at": self.first_checkin_at.isoformat() if self.first_checkin_at else None,
            "first_checkin_desk": self.first_checkin_desk,
            "person": self.person.as_dict() if self.person else None,
            "offline": self.offline,
            "occupancy": self.occupancy,
            "capacity": self.capacity,
            "room_full": self.room_full,
        }


@dataclass(frozen=True)
class NoMatch:
    """A submitted text that is neither a known code nor a scan, and no person was selected: the
    desk shows the search results instead of checking anybody in."""

    text: str


@dataclass(frozen=True)
class UndoResult:
    record_id: int
    person: Person | None
    direction: str
    list_name: str
    scanned_at: datetime
    badge_cancelled: bool = False  # the badge this check-in queued had not printed yet
    offline: bool = False  # a scan this desk decided offline, annulled before it was uploaded


def new_nonce() -> str:
    return uuid.uuid4().hex


def check_in(
    context: Context,
    code: str,
    list_name: str | None = None,
    desk: str | None = None,
    direction: str = ENTRY,
    nonce: str | None = None,
    *,
    scanned_at: datetime | None = None,
    badge_printed: bool = False,
) -> CheckinResult:
    """Decide about one scanned ``code`` and append it to the record (failures too), in one
    transaction: one SELECT, one INSERT, and the badge job for a first entry (on PostgreSQL the
    person's lock first: two round trips to the server in all). The same ``nonce``
    twice records one scan and answers the first result again.

    A scan a desk made offline is uploaded with its own ``scanned_at``; ``badge_printed`` says the
    desk printed the badge itself then, so its job is recorded as printed, not queued again."""
    result = _scan(
        context,
        code,
        list_name,
        desk,
        direction,
        nonce,
        record_unknown=True,
        scanned_at=scanned_at,
        badge_printed=badge_printed,
    )
    assert result is not None
    return result


def _scan(
    context: Context,
    code: str,
    list_name: str | None,
    desk: str | None,
    direction: str,
    nonce: str | None,
    *,
    record_unknown: bool,
    scanned_at: datetime | None = None,
    badge_printed: bool = False,
) -> CheckinResult | None:
    cleaned = clean_code(code)
    if not cleaned:
        raise CheckinError("The scan was empty: scan the badge again or type a name to search.")
    if direction not in DIRECTIONS:
        raise CheckinError(f"Direction must be 'entry' or 'exit', not '{direction}'.")
    list_name = list_name or MAIN_ENTRANCE
    desk = desk or context.desk
    nonce = nonce or new_nonce()

    def attempt() -> CheckinResult | None:
        with context.session() as session:
            return _check_in(
                session,
                context,
                cleaned,
                list_name,
                desk,
                direction,
                nonce,
                record_unknown=record_unknown,
                scanned_at=scanned_at,
                badge_printed=badge_printed,
            )

    try:
        try:
            return attempt()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # The server dropped the desk's pooled connection since its last use (a restart; the
            # pool pings only a connection idle for a while, store/db.py): the scan once more on a
            # new one. Safe whether or not the first try committed: the same nonce records once.
            return attempt()
    except IntegrityError:
        # Another process recorded the same nonce between our SELECT and INSERT: answer its result.
        with Session(context.engine) as session:
            record = store.record_by_nonce(session, nonce)
            if record is None:
                raise
            return _replayed(session, context, record)


def _check_in(
    session: Session,
    context: Context,
    code: str,
    list_name: str,
    desk: str,
    direction: str,
    nonce: str,
    *,
    record_unknown: bool = True,
    scanned_at: datetime | None = None,
    badge_printed: bool = False,
) -> CheckinResult | None:
    # SQLite: the store's write lock; PostgreSQL: the person on the list (pretix locks the ticket row).
    lock = begin_write(session)
    now = scanned_at or context.now()
    row = store.lookup_code(session, code, list_name, nonce, context.day_start(now), lock=lock)
    if row is None:
        raise CheckinError(
            f"There is no check-in list named '{printable(list_name, 60)}'; 'eventdesk checkin lists' shows the lists."
        )
    if row.replay_id is not None:
        record = store.record_by_id(session, row.replay_id)
        assert record is not None
        return _replayed(session, context, record)
    person = Person(**row.person) if row.person else None
    lookup = CodeLookup.of(person, revoked=row.revoked, last_direction=row.last_direction, forgotten=row.forgotten)
    result = decide(lookup, list_categories=row.list_categories, direction=direction)
    if result == Result.UNKNOWN_CODE and not record_unknown:
        return None  # a name typed at the desk, not a scan: nothing to record
    badge = badge_due(result, direction=direction, list_kind=row.list_kind, badge_queued=row.badge_queued)
    job = None
    if badge:  # badge_printed: printed by the desk while it was offline
        assert person is not None  # a badge is due only for a person the scan admitted
        job = print_jobs.new_job(
            kind="badge",
            attendee_id=person.id,
            printer=context.settings.default_printer or "",
            desk=desk,
            printed_at=now if badge_printed else None,
        )
    # The record and the badge job, committed: what follows only reads.
    record_id = store.commit_scan(
        session,
        nonce=nonce,
        code=code,
        attendee_id=person.id if person else None,
        list_id=row.list_id,
        direction=direction,
        result=result,
        desk=desk,
        scanned_at=now,
        badge_job=job,
    )
    inside = None
    if result == Result.OK and row.list_kind == "room" and row.room_id is not None and row.room_capacity:
        # One more query, for door lists of rooms with a capacity only: how many are inside now.
        inside = occupancy(session, since=context.day_start(now), room_id=row.room_id).get(row.room_id, 0)
    speaking: tuple = ()
    if row.speaks and result == Result.OK and direction == ENTRY:
        assert person is not None  # an OK scan is of a known person
        # One more query, for speakers only: where and when they speak today.
        speaking = tuple(speaking_today(session, context, person.id, now))
    return CheckinResult(
        result=str(result),
        code=code,
        direction=direction,
        list_name=list_name,
        desk=desk,
        scanned_at=now,
        nonce=nonce,
        record_id=record_id,
        person=person,
        first_checkin_at=row.first_entry_at if result == Result.ALREADY_CHECKED_IN else None,
        first_checkin_desk=row.first_entry_desk if result == Result.ALREADY_CHECKED_IN else None,
        badge_queued=badge,
        returning=result == Result.OK and direction == ENTRY and row.came_earlier_day,
        exit_without_entry=result == Result.OK and direction == EXIT and row.last_direction != ENTRY,
        speaking=speaking,
        occupancy=inside,
        capacity=row.room_capacity if inside is not None else None,
    )


def _replayed(session: Session, context: Context, record) -> CheckinResult:
    """The first answer to a nonce, rebuilt from its record."""
    attendee = get_attendee(session, record.attendee_id) if record.attendee_id else None
    checkin_list = store.list_by_id(session, record.list_id)
    first = None
    if record.result == Result.ALREADY_CHECKED_IN and record.attendee_id:
        first = store.first_entry(
            session, record.attendee_id, record.list_id, before_id=record.id, since=context.day_start(record.scanned_at)
        )
    return CheckinResult(
        result=record.result,
        code=record.code,
        direction=record.direction,
        list_name=checkin_list.name if checkin_list else "",
        desk=record.desk,
        scanned_at=record.scanned_at,
        nonce=record.nonce,
        record_id=record.id,
        person=Person.of(attendee) if attendee else None,
        first_checkin_at=first.scanned_at if first else None,
        first_checkin_desk=first.desk if first else None,
        replayed=True,
    )


def submit(
    context: Context,
    text: str,
    *,
    typed_fast: bool,
    selected_code: str | None = None,
    list_name: str | None = None,
    desk: str | None = None,
    direction: str = ENTRY,
    nonce: str | None = None,
    burst: str = "",
    scan: Callable[[str, bool], CheckinResult | None] | None = None,
) -> CheckinResult | NoMatch | None:
    """What Enter at the desk means. An exact badge code (or a revoked one) is checked in; a text
    that looks like a scan (one word, 8+ characters, typed at scanner speed) but matches nothing is
    recorded as ``unknown_code``; otherwise the highlighted search result is checked in; with no
    highlighted person the answer is ``NoMatch`` (nothing recorded). An empty text (the Enter after
    a scanner's CR) answers None and records nothing.

    ``burst`` is the newest fast run of keys when the text began earlier (a badge scanned into a
    half-typed name): tried when the whole text is no code, so a scanner's code that arrived in
    two chunks is still read whole.

    ``scan(code, record_unknown)`` replaces the store's scan (a desk deciding offline)."""
    if scan is None:

        def scan(code: str, record_unknown: bool) -> CheckinResult | None:
            return _scan(context, code, list_name, desk, direction, nonce, record_unknown=record_unknown)

    stripped = strip_scanner_noise(text)
    if not clean_code(text):
        return None
    whole_is_one_word = not any(ch.isspace() for ch in stripped)
    scan_like = looks_like_code(text, typed_fast) or bool(burst)
    if whole_is_one_word:
        result = scan(text, scan_like and not burst)
        if result is not None:
            return result
    if burst:
        result = scan(burst, not whole_is_one_word)
        if result is not None:
            return result
        if whole_is_one_word:  # neither is a code: the whole text is what the scanner read
            return scan(text, True)
    if selected_code is None:
        return NoMatch(stripped)
    return scan(selected_code, True)


def undo_candidate(context: Context, desk: str | None = None) -> UndoResult:
    """What ``undo_last`` would annul now (nothing is changed): the desk asks before it undoes.
    CheckinError when there is nothing to undo."""
    desk = desk or context.desk
    with Session(context.engine) as session:
        record = _undoable(context, session, desk)
        attendee = get_attendee(session, record.attendee_id) if record.attendee_id else None
        checkin_list = store.list_by_id(session, record.list_id)
        return UndoResult(
            record_id=record.id,
            person=Person.of(attendee) if attendee else None,
            direction=record.direction,
            list_name=checkin_list.name if checkin_list else "",
            scanned_at=record.scanned_at,
        )


def _undoable(context: Context, session: Session, desk: str):
    minutes = context.settings.undo_minutes
    record = store.last_valid_scan_of_desk(session, desk, context.now() - timedelta(minutes=minutes))
    if record is None:
        raise CheckinError(f"Nothing to undo: {printable(desk, 40)} has no check-in in the last {minutes} minutes.")
    return record


def undo_last(context: Context, desk: str | None = None, record_id: int | None = None) -> UndoResult:
    """Annul the desk's own last successful scan, if it is at most ``settings.undo_minutes`` old.
    The record keeps both: the scan and its annulment. With ``record_id`` (the one the desk asked
    about) nothing is annulled if a newer scan became the last meanwhile."""
    desk = desk or context.desk
    now = context.now()
    with context.session() as session:
        lock = begin_write(session)
        record = _undoable(context, session, desk)
        if record_id is not None and record.id != record_id:
            raise CheckinError(
                "Not undone: this desk checked somebody else in meanwhile. Press F9 again to see "
                "whose check-in is the last now."
            )
        if lock and record.attendee_id is not None:
            # Wait for a scan of the same person deciding right now; annul only a record still valid.
            store.lock_decision(session, record.list_id, record.attendee_id)
        if not store.annul(session, saved_id(record), now, desk):
            raise CheckinError("That check-in was annulled at the same moment by another undo; nothing more to undo.")
        attendee = get_attendee(session, record.attendee_id) if record.attendee_id else None
        checkin_list = store.list_by_id(session, record.list_id)
        # A check-in made by mistake must not leave a badge printing for somebody who is not here.
        badge_cancelled = bool(
            attendee
            and not store.entered_at_an_entrance(session, saved_id(attendee))
            and print_jobs.cancel_unprinted_badges(session, saved_id(attendee))
        )
        bump(session, "checkin")
        return UndoResult(
            record_id=record.id,
            person=Person.of(attendee) if attendee else None,
            direction=record.direction,
            list_name=checkin_list.name if checkin_list else "",
            scanned_at=record.scanned_at,
            badge_cancelled=badge_cancelled,
        )


def desk_scans_today(context: Context, limit: int, desk: str | None = None) -> list[tuple[CheckinResult, bool]]:
    """The desk's last ``limit`` scans of the event day, newest first, as (answer, annulled): what
    its "Last scans" showed before the desk was restarted."""
    desk = desk or context.desk
    with Session(context.engine) as session:
        rows = store.desk_records_since(session, desk, context.day_start(), limit)
    return [
        (
            CheckinResult(
                result=record.result,
                code=record.code,
                direction=record.direction,
                list_name=list_name,
                desk=record.desk,
                scanned_at=record.scanned_at,
                nonce=record.nonce,
                record_id=record.id,
                person=Person.of(attendee) if attendee is not None else None,
            ),
            record.annulled_at is not None,
        )
        for record, attendee, list_name in rows
    ]


@dataclass(frozen=True)
class DayState:
    """A person's state on a list today, as a search result shows it."""

    first_entry_at: datetime
    first_entry_desk: str
    inside: bool  # the newest valid scan today is an entry
    last_exit_at: datetime | None = None


def day_states(context: Context, list_name: str, person_ids: list[int]) -> dict[int, DayState]:
    """Who of ``person_ids`` has checked in on ``list_name`` today (since the day boundary), with
    the first entry's time and desk: one query for all the shown search results."""
    states: dict[int, DayState] = {}
    if not person_ids:
        return states
    with Session(context.engine) as session:
        scans = store.day_scans_of(session, list_name, person_ids, context.day_start())
    for person_id, direction, at, desk in scans:
        state = states.get(person_id)
        if state is None:
            if direction == ENTRY:
                states[person_id] = DayState(at, desk, True)
        elif direction == ENTRY:
            states[person_id] = DayState(state.first_entry_at, state.first_entry_desk, True)
        else:
            states[person_id] = DayState(state.first_entry_at, state.first_entry_desk, False, at)
    return states


# --- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListInfo:
    id: int
    name: str
    kind: str
    categories: str


def checkin_lists(context: Context) -> list[ListInfo]:
    with Session(context.engine) as session:
        return [ListInfo(saved_id(c), c.name, c.kind, c.categories) for c in store.all_lists(session)]


# --- walk-ins and corrections -----------------------------------------------------------------

# What the printed badge shows (printing.badge.BadgeData): a change to one of these needs a reprint.
BADGE_FIELDS = ("first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "category")
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "badge_name",
    "pronouns",
    "organisation",
    "role",
    "email",
    "country",
    "category",
    "note",
)


@dataclass(frozen=True)
class WalkIn:
    first_name: str
    last_name: str
    organisation: str = ""
    email: str = ""
    category: str = "participant"
    badge_name: str = ""  # empty: first + last name on the badge
    pronouns: str = ""


def register_walk_in(
    context: Context, walk_in: WalkIn, list_name: str | None = None, desk: str | None = None
) -> CheckinResult:
    """Register a person who arrived without registration, check them in and queue their badge,
    in one transaction."""
    first, last = walk_in.first_name.strip(), walk_in.last_name.strip()
    if not (first or last):
        raise CheckinError("A walk-in needs a name: fill in the first or the last name.")
    desk = desk or context.desk
    list_name = list_name or MAIN_ENTRANCE
    with context.session() as session:
        attendee = Attendee(
            first_name=first,
            last_name=last,
            organisation=walk_in.organisation.strip(),
            email=walk_in.email.strip(),
            category=walk_in.category.strip() or "participant",
            badge_name=walk_in.badge_name.strip(),
            pronouns=walk_in.pronouns.strip(),
            badge_code=new_badge_code(),
            walk_in=True,
        )
        save_attendee(session, attendee)
        add_audit(
            session, desk=desk, action="walk_in", subject=f"attendee:{attendee.id}", detail="registered at the desk"
        )
        bump(session, "attendees")
        result = _check_in(session, context, attendee.badge_code, list_name, desk, ENTRY, new_nonce())
        assert result is not None  # only a name typed at the desk (record_unknown=False) records nothing
        return result


@dataclass(frozen=True)
class Correction:
    person: Person
    changed: tuple[str, ...]

    @property
    def name_changed(self) -> bool:
        return bool({"first_name", "last_name", "badge_name", "pronouns"} & set(self.changed))

    @property
    def badge_changed(self) -> tuple[str, ...]:
        """The changed details that the printed badge shows (a reprint is worth offering)."""
        return tuple(f for f in self.changed if f in BADGE_FIELDS)


def correct_attendee(
    context: Context, attendee_id: int, changes: dict[str, str], desk: str | None = None
) -> Correction:
    """Correct an attendee's details. The audit entry names the fields, never their values."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CheckinError(f"These details cannot be edited here: {', '.join(sorted(unknown))}.")
    desk = desk or context.desk
    with context.session() as session:
        attendee = get_attendee(session, attendee_id)
        if attendee is None:
            raise CheckinError("This person is no longer in the database (deleted by an import?).")
        changed = tuple(f for f in EDITABLE_FIELDS if f in changes and getattr(attendee, f) != changes[f].strip())
        if "category" in changed and not changes["category"].strip():
            raise CheckinError("The category cannot be empty.")
        if not changed:
            return Correction(Person.of(attendee), ())
        for f in changed:
            setattr(attendee, f, changes[f].strip())
        save_attendee(session, attendee)
        add_audit(
            session,
            desk=desk,
            action="attendee_corrected",
            subject=f"attendee:{attendee.id}",
            detail="changed: " + ", ".join(changed),
        )
        bump(session, "attendees")
        return Correction(Person.of(attendee), changed)


def reprint_badge(context: Context, attendee_id: int, desk: str | None = None) -> None:
    """Queue a new badge for a person (after a correction of the name)."""
    desk = desk or context.desk
    with context.session() as session:
        print_jobs.enqueue(
            session,
            kind="badge",
            attendee_id=attendee_id,
            printer=context.settings.default_printer or "",
            desk=desk,
            reprint=True,
        )
        add_audit(session, desk=desk, action="badge_reprint", subject=f"attendee:{attendee_id}", detail="")


DEFAULT_CATEGORIES = ["participant", "speaker", "press", "staff", "organiser"]


__all__ = [
    "CheckinError",
    "CheckinResult",
    "Correction",
    "DayState",
    "day_states",
    "ListInfo",
    "NoMatch",
    "UndoResult",
    "WalkIn",
    "DEFAULT_CATEGORIES",
    "check_in",
    "checkin_lists",
    "correct_attendee",
    "new_nonce",
    "register_walk_in",
    "reprint_badge",
    "submit",
    "undo_last",
    "undo_candidate",
    "desk_scans_today",
]
