"""Check-in queries. A scan costs one SELECT (the list, the person behind the code or the revoked
code, their state on the list, a replayed nonce) and one INSERT of the record; the service may add
the badge print job as a third statement. On PostgreSQL one more statement comes first: it locks
the person on the list, so the state SELECT runs after the lock is granted (``lookup_code``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, cast, exists, func, insert, literal, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from eventdesk.domain.codes import code_key
from eventdesk.store import print_jobs
from eventdesk.store.attendees import PERSON_COLUMNS
from eventdesk.store.models import Attendee, CheckinList, CheckinRecord, PrintJob, RevokedCode, Room, SessionSpeaker
from eventdesk.store.notify import CHANNEL
from eventdesk.store.types import UTCDateTime

_VALID = and_(CheckinRecord.result == "ok", CheckinRecord.annulled_at.is_(None))


@dataclass(frozen=True)
class CodeRow:
    """One row of the scan query."""

    list_id: int
    list_kind: str
    list_categories: str
    person: dict | None  # attendee columns (PERSON_COLUMNS) when the code (or a revoked code) is known
    revoked: bool
    first_entry_at: datetime | None  # today's (since the day boundary)
    first_entry_desk: str | None
    last_direction: str | None  # of today's valid scans
    badge_queued: bool
    replay_id: int | None
    came_earlier_day: bool = False  # a valid entry on this list before today: "welcome back"
    speaks: bool = False  # the person is a linked speaker of some session
    forgotten: bool = False  # the person's data was erased (attendee forget)
    room_id: int | None = None  # a door list's room
    room_capacity: int | None = None  # that room's capacity, when it has one


# The scan's statements run on the session's DBAPI connection, compiled once per dialect: the
# SQLAlchemy statement objects below are the source of the SQL, but a scan pays neither the ORM nor
# the Core execution layers (they were most of a scan's CPU). On PostgreSQL the lock and the lookup
# go to the server together, as do the inserts and the COMMIT (psycopg's pipeline mode): a scan is
# two round trips to the server, not six.
_ATTENDEE, _LIST, _RECORD = Attendee.__table__, CheckinList.__table__, CheckinRecord.__table__
_REVOKED, _ROOM, _SPEAKER, _JOB = RevokedCode.__table__, Room.__table__, SessionSpeaker.__table__, PrintJob.__table__


def _person_of_code():
    """The attendee id behind the scanned code: exactly as scanned, then whatever its case (a pretix
    secret typed with Caps Lock on, our codes by a scanner in Caps Lock; migration 0013 indexes
    the lower-case form), then the same for revoked codes."""
    lookups: list[Any] = []
    for column, owner in ((_ATTENDEE.c.badge_code, _ATTENDEE.c.id), (_REVOKED.c.code, _REVOKED.c.attendee_id)):
        lookups.append(select(owner).where(column == bindparam("code")).scalar_subquery())
        lookups.append(
            select(owner)
            .where(func.lower(column) == bindparam("folded_code"))
            .order_by(owner)
            .limit(1)
            .scalar_subquery()
        )
    return func.coalesce(*lookups)


def _lock_query():
    # A transaction-scoped advisory lock on (list id, attendee id): two desks deciding about the same
    # person on the same list wait for each other, any other scan (and an import updating people)
    # goes on. The function is strict: an unknown code (NULL id) locks nothing. eventdesk uses the
    # two-integer advisory key space for this lock only.
    # The same statement tells the notify triggers that this transaction notifies after its commit
    # (``commit_scan``, migration 0011), and forbids sequential scans to the lookup that follows:
    # psycopg prepares the lookup from its fifth run on and the server keeps one generic plan for the
    # connection's life, made from the statistics of that moment. A desk starts on the morning's
    # empty record, and a plan made for an empty table reads it whole, so every scan would cost more
    # than the one before (docs/decisions.md, PostgreSQL scan plan). Without sequential
    # scans the lookup reads the person's own rows through their index (migration 0012 makes that
    # index give the order the lookup asks for), whatever the statistics said.
    return select(
        _LIST.c.id,
        func.pg_advisory_xact_lock(_LIST.c.id, _person_of_code()),
        func.set_config(literal("eventdesk.notify"), literal("after_commit"), literal(True)),
        func.set_config(literal("enable_seqscan"), literal("off"), literal(True)),
    ).where(_LIST.c.name == bindparam("list_name"))


def lock_decision(session: Session, list_id: int, attendee_id: int) -> None:
    """The same lock as the scan's, by ids (an undo annulling a person's scan)."""
    session.execute(
        select(func.pg_advisory_xact_lock(cast(literal(list_id), Integer), cast(literal(attendee_id), Integer)))
    ).all()


def _scan_query():
    record = _RECORD.alias("record")
    # Presence is of this event day: a scan before the day's start (the night boundary) is history.
    valid_here = and_(
        record.c.attendee_id == _ATTENDEE.c.id,
        record.c.list_id == _LIST.c.id,
        record.c.result == "ok",
        record.c.annulled_at.is_(None),
    )
    here = and_(valid_here, record.c.scanned_at >= bindparam("day_start"))
    earlier_day = exists().where(
        valid_here, record.c.direction == "entry", record.c.scanned_at < bindparam("day_start")
    )
    first_entry = (
        select(record.c.scanned_at)
        .where(here, record.c.direction == "entry")
        .order_by(record.c.scanned_at, record.c.id)
        .limit(1)
    )
    first_desk = (
        select(record.c.desk)
        .where(here, record.c.direction == "entry")
        .order_by(record.c.scanned_at, record.c.id)
        .limit(1)
    )
    last_direction = (
        select(record.c.direction).where(here).order_by(record.c.scanned_at.desc(), record.c.id.desc()).limit(1)
    )
    badge_queued = exists().where(
        _JOB.c.attendee_id == _ATTENDEE.c.id, _JOB.c.kind == "badge", _JOB.c.state != "cancelled"
    )
    replay = select(_RECORD.c.id).where(_RECORD.c.nonce == bindparam("nonce")).scalar_subquery()
    return (
        select(
            _LIST.c.id,
            _LIST.c.kind,
            _LIST.c.categories,
            _LIST.c.room_id,
            *(_ATTENDEE.c[c] for c in PERSON_COLUMNS),
            select(_ROOM.c.capacity).where(_ROOM.c.id == _LIST.c.room_id).scalar_subquery(),
            first_entry.scalar_subquery(),
            first_desk.scalar_subquery(),
            last_direction.scalar_subquery(),
            badge_queued,
            earlier_day,
            exists().where(_SPEAKER.c.attendee_id == _ATTENDEE.c.id),
            replay,
            _ATTENDEE.c.forgotten_at.is_not(None),
        )
        .select_from(_LIST)
        .outerjoin(_ATTENDEE, _ATTENDEE.c.id == _person_of_code())
        .where(_LIST.c.name == bindparam("list_name"))
    )


_RECORD_COLUMNS = ("nonce", "code", "attendee_id", "list_id", "direction", "result", "desk", "scanned_at")


class _Statement:
    """A Core statement's SQL and parameter order for one dialect, made once: executed with the
    DBAPI cursor directly. Datetimes are given already converted (``_datetime_bind``)."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self._made: dict[str, tuple] = {}

    def sql(self, dialect, values: dict):
        made = self._made.get(dialect.name)
        if made is None:
            compiled = self.statement.compile(dialect=dialect)
            fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
            made = self._made[dialect.name] = (compiled.string, fixed, compiled.positiontup)
        text, fixed, positions = made
        merged = {**fixed, **values}
        return text, ([merged[name] for name in positions] if positions else merged)


_LOCK = _Statement(_lock_query())
_SCAN = _Statement(_scan_query())
_INSERT_RECORD = _Statement(insert(_RECORD).values({c: bindparam(c) for c in _RECORD_COLUMNS}))
_INSERT_RECORD_RETURNING = _Statement(
    insert(_RECORD).values({c: bindparam(c) for c in _RECORD_COLUMNS}).returning(_RECORD.c.id)
)
_INSERT_JOB = _Statement(insert(_JOB).values({c: bindparam(c) for c in print_jobs.NEW_JOB_COLUMNS}))
_NOTIFY_SCAN = f"SELECT pg_notify('{CHANNEL}', 'checkin')"
_NOTIFY_SCAN_AND_JOB = f"SELECT pg_notify('{CHANNEL}', 'checkin'), pg_notify('{CHANNEL}', 'print')"
_DATETIME = UTCDateTime()
_DATETIME_BINDS: dict[str, Callable[[Any], Any]] = {}


def _datetime_bind(dialect, value: datetime | None):
    """``value`` as the store's datetime column type writes it (SQLite: naive UTC text)."""
    convert = _DATETIME_BINDS.get(dialect.name)
    if convert is None:
        convert = _DATETIME_BINDS[dialect.name] = _DATETIME.bind_processor(dialect) or (lambda v: v)
    return convert(value)


@contextmanager
def _dbapi(session: Session) -> Iterator:
    """The session's DBAPI connection; a driver error comes out as SQLAlchemy's (an IntegrityError
    of a replayed nonce, an OperationalError of a lost server), and a connection the driver says is
    broken is thrown away, as SQLAlchemy does for its own statements."""
    connection = session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    dialect = connection.dialect
    try:
        yield dbapi_connection, dialect
    except dialect.loaded_dbapi.Error as error:
        broken = dialect.is_disconnect(error, dbapi_connection, None)
        if broken:
            connection.invalidate()
        raise DBAPIError.instance(
            None,
            None,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=broken,
            dialect=dialect,
        ) from error


def lookup_code(
    session: Session, code: str, list_name: str, nonce: str, day_start: datetime, *, lock: bool = False
) -> CodeRow | None:
    """Everything the decision needs about ``code`` on the list ``list_name`` on the event day that
    began at ``day_start``, in one SELECT. None when there is no such list. ``lock`` (PostgreSQL)
    first locks the person on the list, so two desks deciding about the same person wait for each
    other and the second reads what the first recorded. In READ COMMITTED a statement reads the rows
    committed when it starts: the state is read by a statement after the lock's, never the same one
    (both are sent in one pipeline: the server runs them in order)."""
    with _dbapi(session) as (connection, dialect):
        values = {
            "code": code,
            "folded_code": code_key(code),
            "list_name": list_name,
            "nonce": nonce,
            "day_start": _datetime_bind(dialect, day_start),
        }
        if lock:
            with connection.pipeline():
                connection.cursor().execute(*_LOCK.sql(dialect, values))
                cursor = connection.cursor()
                cursor.execute(*_SCAN.sql(dialect, values))
                row = cursor.fetchone()
        else:
            cursor = connection.cursor()
            cursor.execute(*_SCAN.sql(dialect, values))
            row = cursor.fetchone()
            cursor.close()
    if row is None:
        return None
    (list_id, kind, categories, room_id), person_row = row[:4], row[4 : 4 + len(PERSON_COLUMNS)]
    (room_capacity, first_at, first_desk, last_direction, badge_queued, earlier_day, speaks, replay_id, forgotten) = (
        row[4 + len(PERSON_COLUMNS) :]
    )
    person = None
    if person_row[0] is not None:
        person = dict(zip(PERSON_COLUMNS, person_row))
        person["blocked"] = bool(person["blocked"])
        person["walk_in"] = bool(person["walk_in"])
    if first_at is not None and not isinstance(first_at, datetime):  # SQLite hands datetimes back as text
        first_at = datetime.fromisoformat(str(first_at))
    if first_at is not None:
        first_at = _DATETIME.process_result_value(first_at, dialect)
    return CodeRow(
        list_id=list_id,
        list_kind=kind,
        list_categories=categories or "",
        person=person,
        revoked=person is not None and code_key(person["badge_code"]) != code_key(code),
        first_entry_at=first_at,
        first_entry_desk=first_desk,
        last_direction=last_direction,
        badge_queued=bool(badge_queued),
        replay_id=replay_id,
        came_earlier_day=bool(earlier_day),
        speaks=bool(speaks),
        room_id=room_id,
        room_capacity=room_capacity,
        forgotten=bool(forgotten),
    )


def commit_scan(
    session: Session,
    *,
    nonce: str,
    code: str,
    attendee_id: int | None,
    list_id: int,
    direction: str,
    result: str,
    desk: str,
    scanned_at: datetime,
    badge_job: dict | None = None,
) -> int:
    """Append one scan to the record (one INSERT; the unique nonce refuses a replay), with the badge
    job it queues (``print_jobs.new_job``), and commit the transaction: the scan is on disk (SQLite:
    flushed, synchronous=FULL) or on the server when this returns. Returns the record's id."""
    session.flush()  # what the session holds (a walk-in's registration) commits with the scan
    with _dbapi(session) as (connection, dialect):
        values = {
            "nonce": nonce,
            "code": code,
            "attendee_id": attendee_id,
            "list_id": list_id,
            "direction": direction,
            "result": result,
            "desk": desk,
            "scanned_at": _datetime_bind(dialect, scanned_at),
        }
        job = None
        if badge_job is not None:
            job = {
                name: _datetime_bind(dialect, value) if isinstance(value, datetime) else value
                for name, value in badge_job.items()
            }
        if dialect.name == "postgresql":
            # One round trip: the inserts, the COMMIT, then the notifications the triggers would
            # have sent from inside the transaction (migration 0011: a notifying commit holds a
            # database-wide lock until it is flushed, so the desks' scans could not share a flush).
            # The notifications run in a transaction of their own that writes nothing.
            with connection.pipeline():
                cursor = connection.cursor()
                cursor.execute(*_INSERT_RECORD_RETURNING.sql(dialect, values))
                if job is not None:
                    connection.cursor().execute(*_INSERT_JOB.sql(dialect, job))
                connection.cursor().execute("COMMIT")
                connection.cursor().execute(_NOTIFY_SCAN if job is None else _NOTIFY_SCAN_AND_JOB)
                return cursor.fetchone()[0]
        cursor = connection.cursor()
        cursor.execute(*_INSERT_RECORD.sql(dialect, values))
        record_id = cursor.lastrowid
        if job is not None:
            cursor.execute(*_INSERT_JOB.sql(dialect, job))
        cursor.close()
        connection.commit()
        return record_id


def record_by_id(session: Session, record_id: int) -> CheckinRecord | None:
    return session.get(CheckinRecord, record_id)


def record_by_nonce(session: Session, nonce: str) -> CheckinRecord | None:
    return session.execute(select(CheckinRecord).where(CheckinRecord.nonce == nonce)).scalars().first()


def list_by_id(session: Session, list_id: int) -> CheckinList | None:
    return session.get(CheckinList, list_id)


def first_entry(
    session: Session, attendee_id: int, list_id: int, before_id: int | None = None, since: datetime | None = None
) -> CheckinRecord | None:
    """The first valid entry of a person on a list (optionally among records older than ``before_id``,
    and scanned at or after ``since``: the start of an event day)."""
    query = select(CheckinRecord).where(
        _VALID,
        CheckinRecord.attendee_id == attendee_id,
        CheckinRecord.list_id == list_id,
        CheckinRecord.direction == "entry",
    )
    if since is not None:
        query = query.where(CheckinRecord.scanned_at >= since)
    if before_id is not None:
        query = query.where(CheckinRecord.id < before_id)
    return session.execute(query.order_by(CheckinRecord.scanned_at, CheckinRecord.id).limit(1)).scalars().first()


def day_scans_of(
    session: Session, list_name: str, attendee_ids: list[int], since: datetime
) -> list[tuple[int, str, datetime, str]]:
    """(attendee id, direction, time, desk) of the valid scans of these people on the list
    ``list_name`` at or after ``since``, oldest first: one query for a page of search results."""
    if not attendee_ids:
        return []
    query = (
        select(CheckinRecord.attendee_id, CheckinRecord.direction, CheckinRecord.scanned_at, CheckinRecord.desk)
        .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
        .where(
            _VALID,
            CheckinList.name == list_name,
            CheckinRecord.attendee_id.in_(attendee_ids),
            CheckinRecord.scanned_at >= since,
        )
        .order_by(CheckinRecord.scanned_at, CheckinRecord.id)
    )
    return [tuple(row) for row in session.execute(query)]


def last_valid_scan_of_desk(session: Session, desk: str, since: datetime) -> CheckinRecord | None:
    """The desk's newest successful, not annulled scan at or after ``since``."""
    query = (
        select(CheckinRecord)
        .where(_VALID, CheckinRecord.desk == desk, CheckinRecord.scanned_at >= since)
        .order_by(CheckinRecord.id.desc())
        .limit(1)
    )
    return session.execute(query).scalars().first()


def entered_at_an_entrance(session: Session, attendee_id: int) -> bool:
    """Whether the person has a valid entry on any entrance list (annulled ones do not count)."""
    query = (
        select(CheckinRecord.id)
        .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
        .where(
            _VALID,
            CheckinRecord.attendee_id == attendee_id,
            CheckinRecord.direction == "entry",
            CheckinList.kind == "entrance",
        )
        .limit(1)
    )
    return session.exec(query).first() is not None


def annul(session: Session, record_id: int, at: datetime, by: str) -> bool:
    """Mark a record annulled (undo); the row stays. False if it was annulled already."""
    outcome = session.execute(
        update(CheckinRecord)
        .where(CheckinRecord.id == record_id, CheckinRecord.annulled_at.is_(None))
        .values(annulled_at=at, annulled_by=by)
    )
    return outcome.rowcount == 1


def all_lists(session: Session) -> list[CheckinList]:
    return list(session.execute(select(CheckinList).order_by(CheckinList.id)).scalars())


def list_by_name(session: Session, name: str) -> CheckinList | None:
    return session.execute(select(CheckinList).where(CheckinList.name == name)).scalars().first()


# --- figures -----------------------------------------------------------------------------------


def _since(query, since: datetime | None, record=CheckinRecord):
    return query if since is None else query.where(record.scanned_at >= since)


def checked_in_by_category(session: Session, list_id: int, since: datetime | None = None) -> dict[str, int]:
    """People with a valid entry on the list (at or after ``since`` when given), per category."""
    query = (
        select(Attendee.category, func.count(func.distinct(CheckinRecord.attendee_id)))
        .join(Attendee, Attendee.id == CheckinRecord.attendee_id)
        .where(_VALID, CheckinRecord.list_id == list_id, CheckinRecord.direction == "entry")
        .group_by(Attendee.category)
    )
    query = _since(query, since)
    return {category: count for category, count in session.execute(query)}


def expected_by_category(session: Session) -> dict[str, int]:
    """Active registrations per category."""
    query = select(Attendee.category, func.count()).where(Attendee.status == "active").group_by(Attendee.category)
    return {category: count for category, count in session.execute(query)}


def direction_counts(session: Session, list_id: int, since: datetime | None = None) -> dict[str, int]:
    """Valid entry and exit scans on the list (at or after ``since`` when given)."""
    query = _since(
        select(CheckinRecord.direction, func.count())
        .where(_VALID, CheckinRecord.list_id == list_id)
        .group_by(CheckinRecord.direction),
        since,
    )
    return {direction: count for direction, count in session.execute(query)}


def gone_out(session: Session, list_id: int, since: datetime | None = None) -> int:
    """People who entered and whose newest valid scan on the list is an exit (among the scans at or
    after ``since``: presence ends at the day boundary). "Inside now" is the people who entered less
    these; exits are few, so this walks the exits, not the entries."""
    later = aliased(CheckinRecord)
    newer_exists = exists().where(
        later.attendee_id == CheckinRecord.attendee_id,
        later.list_id == list_id,
        later.result == "ok",
        later.annulled_at.is_(None),
        (later.scanned_at > CheckinRecord.scanned_at)
        | and_(later.scanned_at == CheckinRecord.scanned_at, later.id > CheckinRecord.id),
    )
    entry = aliased(CheckinRecord)
    entered = _since(
        exists().where(
            entry.attendee_id == CheckinRecord.attendee_id,
            entry.list_id == list_id,
            entry.result == "ok",
            entry.annulled_at.is_(None),
            entry.direction == "entry",
        ),
        since,
        entry,
    )
    query = _since(
        select(func.count(func.distinct(CheckinRecord.attendee_id))).where(
            _VALID, CheckinRecord.list_id == list_id, CheckinRecord.direction == "exit", ~newer_exists, entered
        ),
        since,
    )
    return session.execute(query).scalar_one()


def desk_scans_since(session: Session, list_id: int, desk: str, since: datetime) -> list[tuple[datetime, str]]:
    """(time, result) of the desk's scans on the list since ``since``, oldest first."""
    query = (
        select(CheckinRecord.scanned_at, CheckinRecord.result)
        .where(CheckinRecord.list_id == list_id, CheckinRecord.scanned_at >= since, CheckinRecord.desk == desk)
        .order_by(CheckinRecord.scanned_at)
    )
    return [(at, result) for at, result in session.execute(query)]


def desk_records_since(
    session: Session, desk: str, since: datetime, limit: int
) -> list[tuple[CheckinRecord, Attendee | None, str]]:
    """The desk's newest ``limit`` scans since ``since`` on every list, newest first (by time: an
    offline desk's uploaded scans get their ids later), each with its
    person (None for an unknown code) and its list's name."""
    query = (
        select(CheckinRecord, Attendee, CheckinList.name)
        .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
        .outerjoin(Attendee, Attendee.id == CheckinRecord.attendee_id)
        .where(CheckinRecord.desk == desk, CheckinRecord.scanned_at >= since)
        .order_by(CheckinRecord.scanned_at.desc(), CheckinRecord.id.desc())
        .limit(limit)
    )
    return [(record, attendee, name) for record, attendee, name in session.execute(query)]


def last_scan_at(session: Session, list_id: int, desk: str) -> datetime | None:
    query = (
        select(CheckinRecord.scanned_at)
        .where(CheckinRecord.list_id == list_id, CheckinRecord.desk == desk)
        .order_by(CheckinRecord.scanned_at.desc())
        .limit(1)
    )
    return session.execute(query).scalar()


def newest_record_id(session: Session) -> int:
    return session.execute(select(func.coalesce(func.max(CheckinRecord.id), literal(0)))).scalar_one()
