"""Check-in queries. A scan costs one SELECT (the list, the person behind the code or the revoked
code, their state on the list, a replayed nonce) and one INSERT of the record; the service may add
the badge print job as a third statement. On PostgreSQL one more statement comes first: it locks
the person on the list (``lock_person``), so the state SELECT runs after the lock is granted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, cast, exists, func, insert, literal, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from eventdesk.store.models import Attendee, CheckinList, CheckinRecord, PrintJob, RevokedCode, Room, SessionSpeaker
from eventdesk.store.types import UTCDateTime

PERSON_COLUMNS = ("id", "first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "email", "country", "category",
                  "status", "blocked", "note", "badge_code", "walk_in")

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
    room_id: int | None = None  # a door list's room
    room_capacity: int | None = None  # that room's capacity, when it has one


def _person_of_code():
    """The attendee id behind the scanned code: exactly as scanned, then upper-cased (a scanner in
    Caps Lock types our codes in lower case), then the same for revoked codes."""
    lookups = []
    for code in (bindparam("code"), bindparam("upper_code")):
        lookups.append(select(Attendee.id).where(Attendee.badge_code == code).scalar_subquery())
    for code in (bindparam("code"), bindparam("upper_code")):
        lookups.append(select(RevokedCode.attendee_id).where(RevokedCode.code == code).scalar_subquery())
    return func.coalesce(*lookups)


def _lock_query():
    # A transaction-scoped advisory lock on (list id, attendee id): two desks deciding about the same
    # person on the same list wait for each other, any other scan (and an import updating people)
    # goes on. The function is strict: an unknown code (NULL id) locks nothing. eventdesk uses the
    # two-integer advisory key space for this lock only.
    return (select(CheckinList.id, func.pg_advisory_xact_lock(CheckinList.id, _person_of_code()))
            .where(CheckinList.name == bindparam("list_name")))


_LOCK_QUERY = _lock_query()


def lock_person(session: Session, code: str, list_name: str) -> None:
    """PostgreSQL: lock the person behind ``code`` on the list ``list_name`` until the transaction
    ends. In READ COMMITTED a statement reads the rows committed when it starts: the state must be
    read by a statement that starts after this one returned (``lookup_code``), never in the same one."""
    session.execute(_LOCK_QUERY, {"code": code, "upper_code": code.upper(), "list_name": list_name}).all()


def lock_decision(session: Session, list_id: int, attendee_id: int) -> None:
    """The same lock as ``lock_person``, by ids (an undo annulling a person's scan)."""
    session.execute(select(func.pg_advisory_xact_lock(cast(literal(list_id), Integer),
                                                      cast(literal(attendee_id), Integer)))).all()


def _scan_query():
    record = aliased(CheckinRecord)
    # Presence is of this event day: a scan before the day's start (the night boundary) is history.
    valid_here = and_(record.attendee_id == Attendee.id, record.list_id == CheckinList.id,
                      record.result == "ok", record.annulled_at.is_(None))
    here = and_(valid_here, record.scanned_at >= bindparam("day_start", type_=UTCDateTime()))
    earlier_day = exists().where(valid_here, record.direction == "entry",
                                 record.scanned_at < bindparam("day_start", type_=UTCDateTime()))
    first_entry = (select(record.scanned_at).where(here, record.direction == "entry")
                   .order_by(record.scanned_at, record.id).limit(1))
    first_desk = (select(record.desk).where(here, record.direction == "entry")
                  .order_by(record.scanned_at, record.id).limit(1))
    last_direction = select(record.direction).where(here).order_by(record.scanned_at.desc(), record.id.desc()).limit(1)
    badge_queued = exists().where(PrintJob.attendee_id == Attendee.id, PrintJob.kind == "badge",
                                  PrintJob.state != "cancelled")
    replay = select(CheckinRecord.id).where(CheckinRecord.nonce == bindparam("nonce")).scalar_subquery()
    columns = [getattr(Attendee, c).label(f"a_{c}") for c in PERSON_COLUMNS]
    return (
        select(
            CheckinList.id, CheckinList.kind, CheckinList.categories, CheckinList.room_id, *columns,
            select(Room.capacity).where(Room.id == CheckinList.room_id).scalar_subquery().label("room_capacity"),
            first_entry.scalar_subquery().label("first_at"),
            first_desk.scalar_subquery().label("first_desk"),
            last_direction.scalar_subquery().label("last_direction"),
            badge_queued.label("badge_queued"),
            earlier_day.label("earlier_day"),
            exists().where(SessionSpeaker.attendee_id == Attendee.id).label("speaks"),
            replay.label("replay_id"),
        )
        .select_from(CheckinList)
        .outerjoin(Attendee, Attendee.id == _person_of_code())
        .where(CheckinList.name == bindparam("list_name"))
    )


_SCAN_QUERY = _scan_query()
_FIRST_AT = UTCDateTime()


def lookup_code(session: Session, code: str, list_name: str, nonce: str, day_start: datetime, *,
                lock: bool = False) -> CodeRow | None:
    """Everything the decision needs about ``code`` on the list ``list_name`` on the event day that
    began at ``day_start``, in one SELECT. None when there is no such list. ``lock`` first locks the
    person on the list (``lock_person``, PostgreSQL), so two desks deciding about the same person
    wait for each other and the second reads what the first recorded."""
    if lock:
        lock_person(session, code, list_name)
    row = session.execute(_SCAN_QUERY, {"code": code, "upper_code": code.upper(), "list_name": list_name,
                                        "nonce": nonce, "day_start": day_start}).first()
    if row is None:
        return None
    mapping = row._mapping
    person = None
    if mapping["a_id"] is not None:
        person = {c: mapping[f"a_{c}"] for c in PERSON_COLUMNS}
        person["blocked"] = bool(person["blocked"])
        person["walk_in"] = bool(person["walk_in"])
    first_at = mapping["first_at"]
    if first_at is not None and not isinstance(first_at, datetime):  # SQLite hands a scalar subquery back as text
        first_at = datetime.fromisoformat(str(first_at))
    if first_at is not None:
        first_at = _FIRST_AT.process_result_value(first_at, session.get_bind().dialect)
    return CodeRow(
        list_id=mapping["id"], list_kind=mapping["kind"], list_categories=mapping["categories"] or "",
        person=person, revoked=person is not None and person["badge_code"] not in (code, code.upper()),
        first_entry_at=first_at, first_entry_desk=mapping["first_desk"],
        last_direction=mapping["last_direction"],
        badge_queued=bool(mapping["badge_queued"]), replay_id=mapping["replay_id"],
        came_earlier_day=bool(mapping["earlier_day"]), speaks=bool(mapping["speaks"]),
        room_id=mapping["room_id"], room_capacity=mapping["room_capacity"],
    )


def insert_record(session: Session, *, nonce: str, code: str, attendee_id: int | None, list_id: int,
                  direction: str, result: str, desk: str, scanned_at: datetime) -> int:
    """Append one scan to the record (one INSERT); the unique nonce refuses a replay."""
    outcome = session.execute(insert(CheckinRecord).values(
        nonce=nonce, code=code, attendee_id=attendee_id, list_id=list_id, direction=direction,
        result=result, desk=desk, scanned_at=scanned_at))
    return outcome.inserted_primary_key[0]


def record_by_id(session: Session, record_id: int) -> CheckinRecord | None:
    return session.get(CheckinRecord, record_id)


def record_by_nonce(session: Session, nonce: str) -> CheckinRecord | None:
    return session.execute(select(CheckinRecord).where(CheckinRecord.nonce == nonce)).scalars().first()


def list_by_id(session: Session, list_id: int) -> CheckinList | None:
    return session.get(CheckinList, list_id)


def first_entry(session: Session, attendee_id: int, list_id: int, before_id: int | None = None,
                since: datetime | None = None) -> CheckinRecord | None:
    """The first valid entry of a person on a list (optionally among records older than ``before_id``,
    and scanned at or after ``since``: the start of an event day)."""
    query = select(CheckinRecord).where(_VALID, CheckinRecord.attendee_id == attendee_id,
                                        CheckinRecord.list_id == list_id, CheckinRecord.direction == "entry")
    if since is not None:
        query = query.where(CheckinRecord.scanned_at >= since)
    if before_id is not None:
        query = query.where(CheckinRecord.id < before_id)
    return session.execute(query.order_by(CheckinRecord.scanned_at, CheckinRecord.id).limit(1)).scalars().first()


def day_scans_of(session: Session, list_name: str, attendee_ids: list[int],
                 since: datetime) -> list[tuple[int, str, datetime, str]]:
    """(attendee id, direction, time, desk) of the valid scans of these people on the list
    ``list_name`` at or after ``since``, oldest first: one query for a page of search results."""
    if not attendee_ids:
        return []
    query = (select(CheckinRecord.attendee_id, CheckinRecord.direction, CheckinRecord.scanned_at, CheckinRecord.desk)
             .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
             .where(_VALID, CheckinList.name == list_name, CheckinRecord.attendee_id.in_(attendee_ids),
                    CheckinRecord.scanned_at >= since)
             .order_by(CheckinRecord.scanned_at, CheckinRecord.id))
    return [tuple(row) for row in session.execute(query)]


def last_valid_scan_of_desk(session: Session, desk: str, since: datetime) -> CheckinRecord | None:
    """The desk's newest successful, not annulled scan at or after ``since``."""
    query = (select(CheckinRecord).where(_VALID, CheckinRecord.desk == desk, CheckinRecord.scanned_at >= since)
             .order_by(CheckinRecord.id.desc()).limit(1))
    return session.execute(query).scalars().first()


def entered_at_an_entrance(session: Session, attendee_id: int) -> bool:
    """Whether the person has a valid entry on any entrance list (annulled ones do not count)."""
    query = (select(CheckinRecord.id).join(CheckinList, CheckinList.id == CheckinRecord.list_id)
             .where(_VALID, CheckinRecord.attendee_id == attendee_id, CheckinRecord.direction == "entry",
                    CheckinList.kind == "entrance").limit(1))
    return session.exec(query).first() is not None


def annul(session: Session, record_id: int, at: datetime, by: str) -> bool:
    """Mark a record annulled (undo); the row stays. False if it was annulled already."""
    outcome = session.execute(update(CheckinRecord)
                              .where(CheckinRecord.id == record_id, CheckinRecord.annulled_at.is_(None))
                              .values(annulled_at=at, annulled_by=by))
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
    query = (select(Attendee.category, func.count(func.distinct(CheckinRecord.attendee_id)))
             .join(Attendee, Attendee.id == CheckinRecord.attendee_id)
             .where(_VALID, CheckinRecord.list_id == list_id, CheckinRecord.direction == "entry")
             .group_by(Attendee.category))
    query = _since(query, since)
    return {category: count for category, count in session.execute(query)}


def expected_by_category(session: Session) -> dict[str, int]:
    """Active registrations per category."""
    query = select(Attendee.category, func.count()).where(Attendee.status == "active").group_by(Attendee.category)
    return {category: count for category, count in session.execute(query)}


def direction_counts(session: Session, list_id: int, since: datetime | None = None) -> dict[str, int]:
    """Valid entry and exit scans on the list (at or after ``since`` when given)."""
    query = _since(select(CheckinRecord.direction, func.count()).where(_VALID, CheckinRecord.list_id == list_id)
                   .group_by(CheckinRecord.direction), since)
    return {direction: count for direction, count in session.execute(query)}


def gone_out(session: Session, list_id: int, since: datetime | None = None) -> int:
    """People who entered and whose newest valid scan on the list is an exit (among the scans at or
    after ``since``: presence ends at the day boundary). "Inside now" is the people who entered less
    these; exits are few, so this walks the exits, not the entries."""
    later = aliased(CheckinRecord)
    newer_exists = exists().where(later.attendee_id == CheckinRecord.attendee_id, later.list_id == list_id,
                                  later.result == "ok", later.annulled_at.is_(None),
                                  (later.scanned_at > CheckinRecord.scanned_at)
                                  | and_(later.scanned_at == CheckinRecord.scanned_at, later.id > CheckinRecord.id))
    entry = aliased(CheckinRecord)
    entered = _since(exists().where(entry.attendee_id == CheckinRecord.attendee_id, entry.list_id == list_id,
                                    entry.result == "ok", entry.annulled_at.is_(None), entry.direction == "entry"),
                     since, entry)
    query = _since(select(func.count(func.distinct(CheckinRecord.attendee_id)))
                   .where(_VALID, CheckinRecord.list_id == list_id, CheckinRecord.direction == "exit",
                          ~newer_exists, entered), since)
    return session.execute(query).scalar_one()


def desk_scans_since(session: Session, list_id: int, desk: str, since: datetime) -> list[tuple[datetime, str]]:
    """(time, result) of the desk's scans on the list since ``since``, oldest first."""
    query = (select(CheckinRecord.scanned_at, CheckinRecord.result)
             .where(CheckinRecord.list_id == list_id, CheckinRecord.scanned_at >= since, CheckinRecord.desk == desk)
             .order_by(CheckinRecord.scanned_at))
    return [(at, result) for at, result in session.execute(query)]


def last_scan_at(session: Session, list_id: int, desk: str) -> datetime | None:
    query = (select(CheckinRecord.scanned_at).where(CheckinRecord.list_id == list_id, CheckinRecord.desk == desk)
             .order_by(CheckinRecord.scanned_at.desc()).limit(1))
    return session.execute(query).scalar()


def newest_record_id(session: Session) -> int:
    return session.execute(select(func.coalesce(func.max(CheckinRecord.id), literal(0)))).scalar_one()
