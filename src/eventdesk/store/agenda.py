"""Agenda queries: the sessions of a time window with their rooms and speakers (two queries),
rooms, occupancy from door scans, and the writes of the chair actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, case, func, update
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from eventdesk.domain.clock import utcnow
from eventdesk.store.checkins import _datetime_bind, _dbapi, _Statement
from eventdesk.store.models import Change, CheckinList, CheckinRecord, Room, Session, SessionSpeaker


@dataclass
class SessionRow:
    """A session's fields (a result row in the order of ``_SESSION_COLUMNS``, also by name), its
    room's name and its speakers as (session_id, name, attendee_id) rows: plain rows, no ORM
    objects, so a 70-room board reads fast."""

    session: Any
    room_name: str | None
    speakers: list[Any]


# The columns the agenda shows; plain column rows cost a fraction of ORM objects.
_SESSION_COLUMNS = (
    Session.id,
    Session.title,
    Session.type,
    Session.start,
    Session.end,
    Session.shift_minutes,
    Session.fixed_end,
    Session.status,
    Session.started_at,
    Session.ended_at,
    Session.room_id,
    Session.track,
    Session.chair,
    Session.description,
)


# The room board's read, straight to the driver: a board re-reads ~700 sessions at every change of
# the agenda, and SQLAlchemy's per-row work (result rows, type processing) cost more than SQLite.
_BOARD_SESSIONS = _Statement(
    select(*_SESSION_COLUMNS, Room.name)
    .join(Room, col(Session.room_id) == col(Room.id), isouter=True)
    .where(Session.start >= bindparam("start"), Session.start < bindparam("end"))
    .order_by(Session.start, Session.id)
)
_BOARD_ROOMS = _Statement(select(Room.id, Room.name, Room.capacity).order_by(Room.position, Room.name))
_AGENDA_VERSION = _Statement(select(Change.version).where(Change.area == bindparam("area")))
# Where the board's rows hold datetimes (planned start and end, started, ended).
BOARD_DATETIMES = (3, 4, 8, 9)


def board_sessions(db: DbSession, start: datetime, end: datetime) -> tuple[int, list[tuple], list[tuple]]:
    """What the room board reads at a change of the agenda, as the driver gives it: the agenda's
    change counter (read first: a change committed after it makes the next read see a new
    counter), the rooms as (id, name, capacity) in board order, and the sessions whose planned start
    lies in ``[start, end)`` as tuples in the order of ``_SESSION_COLUMNS`` plus the room's name.
    Datetimes are the driver's values: ``board_datetime`` makes them aware UTC."""
    with _dbapi(db) as (connection, dialect):
        cursor = connection.cursor()
        cursor.execute(*_AGENDA_VERSION.sql(dialect, {"area": "agenda"}))
        found = cursor.fetchone()
        cursor.execute(*_BOARD_ROOMS.sql(dialect, {}))
        room_rows = cursor.fetchall()
        cursor.execute(
            *_BOARD_SESSIONS.sql(
                dialect, {"start": _datetime_bind(dialect, start), "end": _datetime_bind(dialect, end)}
            )
        )
        session_rows = cursor.fetchall()
        cursor.close()
    return (found[0] if found else 0), room_rows, session_rows


def agenda_version(db: DbSession) -> int:
    """The agenda's change counter (``store.db.bump``): the same number, the same programme."""
    with _dbapi(db) as (connection, dialect):
        cursor = connection.cursor()
        cursor.execute(*_AGENDA_VERSION.sql(dialect, {"area": "agenda"}))
        found = cursor.fetchone()
        cursor.close()
    return found[0] if found else 0


def board_datetime(db: DbSession):
    """A function making a datetime of ``board_sessions`` aware UTC, as ``UTCDateTime`` reads it
    (SQLite keeps naive UTC text; PostgreSQL gives aware datetimes)."""
    if db.get_bind().dialect.name == "sqlite":

        def parse(value):
            if value is None:
                return None
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

        return parse
    return lambda value: None if value is None else value.astimezone(UTC)


def rooms(db: DbSession) -> list[Room]:
    return list(db.exec(select(Room).order_by(Room.position, Room.name)))


def sessions_between(
    db: DbSession, start: datetime, end: datetime, room_id: int | None = None, with_speakers: bool = True
) -> list[SessionRow]:
    """Sessions whose planned start lies in ``[start, end)`` (optionally of one room), with room
    name and speakers: one query for sessions + rooms, one for all their speakers."""
    query = (
        select(*_SESSION_COLUMNS, Room.name.label("room_name"))
        .join(Room, col(Session.room_id) == col(Room.id), isouter=True)
        .where(Session.start >= start, Session.start < end)
        .order_by(Session.start, Session.id)
    )
    if room_id is not None:
        query = query.where(Session.room_id == room_id)
    rows = [SessionRow(r, r.room_name, []) for r in db.exec(query)]
    by_id = {row.session.id: row for row in rows}
    if by_id and with_speakers:
        speakers = db.exec(
            select(SessionSpeaker.session_id, SessionSpeaker.name, SessionSpeaker.attendee_id)
            .where(col(SessionSpeaker.session_id).in_(list(by_id)))
            .order_by(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.id)
        )
        for speaker in speakers:
            by_id[speaker.session_id].speakers.append(speaker)
    return rows


def session_row(db: DbSession, session_id: int) -> SessionRow:
    """One session in the shape of ``sessions_between`` (without speakers)."""
    query = (
        select(*_SESSION_COLUMNS, Room.name.label("room_name"))
        .join(Room, col(Session.room_id) == col(Room.id), isouter=True)
        .where(Session.id == session_id)
    )
    row = db.exec(query).one()
    return SessionRow(row, row.room_name, [])


def session_by_id(db: DbSession, session_id: int) -> Session | None:
    return db.get(Session, session_id)


def lock_room_of(db: DbSession, session_id: int) -> None:
    """PostgreSQL: lock the room of the session (the session itself when it has no room) until the
    transaction ends, so two chairs acting on one room's programme at once are served one after
    the other and the second reads what the first wrote. Call it before reading the sessions."""
    room = db.exec(
        select(Room.id)
        .join(Session, col(Session.room_id) == col(Room.id))
        .where(col(Session.id) == session_id)
        .with_for_update(of=Room)
    ).first()
    if room is None:
        db.exec(select(Session.id).where(col(Session.id) == session_id).with_for_update()).first()


def session_dates(db: DbSession) -> tuple[datetime | None, datetime | None]:
    """Planned start of the first and of the last session."""
    return db.exec(select(func.min(Session.start), func.max(Session.start))).one()


def occupancy(db: DbSession, since: datetime | None = None, room_id: int | None = None) -> dict[int, int]:
    """People in each room now: accepted entries minus exits on the room's check-in lists
    (kind "room") at or after ``since`` (the start of the event day: presence ends at night),
    annulled scans left out, never below zero. ``room_id``: that room only (a door scan)."""
    return {room: max(0, total) for room, total in _door_sums(db, since, room_id=room_id).items()}


def _door_sums(
    db: DbSession, since: datetime | None, room_id: int | None = None, ids: tuple[int, int] | None = None
) -> dict[int, int]:
    """Entries minus exits per room (``occupancy`` before it is kept above zero); ``ids``: only
    the records with ``ids[0] < id <= ids[1]``."""
    doors = (
        select(CheckinList.id).where(CheckinList.kind == "room", col(CheckinList.room_id).is_not(None)).correlate(None)
    )
    if room_id is not None:
        doors = doors.where(CheckinList.room_id == room_id)
    signed = case((CheckinRecord.direction == "exit", -1), else_=1)
    # The records are reached through the door lists (the (list_id, scanned_at) index): joined the
    # other way round, SQLite walked every scan of the event, main entrance included.
    query = (
        select(CheckinList.room_id, func.coalesce(func.sum(signed), 0))
        .join(CheckinRecord, col(CheckinRecord.list_id) == col(CheckinList.id))
        .where(
            col(CheckinRecord.list_id).in_(doors),
            CheckinRecord.result == "ok",
            col(CheckinRecord.annulled_at).is_(None),
        )
        .group_by(CheckinList.room_id)
    )
    if since is not None:
        query = query.where(col(CheckinRecord.scanned_at) >= since)
    if ids is not None:
        query = query.where(col(CheckinRecord.id) > ids[0], col(CheckinRecord.id) <= ids[1])
    return {room: int(total) for room, total in db.exec(query)}


@dataclass
class DoorTally:
    """The sums of ``occupancy`` kept between reads, so that a board counts only the scans that came
    since its last read: on SQLite record ids grow in commit order (one writer at a time), so the
    records above the last id seen are exactly the new ones. Counted again in full when an undo
    annulled a scan (it bumps "checkin"), the door lists changed, the day changed, or the ids went
    back (a store restored from a backup). PostgreSQL hands out ids before commit (a lower id can
    commit later): there every read counts in full."""

    key: tuple | None = None
    last_id: int = 0
    sums: dict[int, int] | None = None

    def occupancy(self, db: DbSession, since: datetime) -> dict[int, int]:
        if db.get_bind().dialect.name != "sqlite":
            return occupancy(db, since=since)
        with _dbapi(db) as (connection, dialect):
            cursor = connection.cursor()
            # The counter and the newest id in one snapshot, then the doors, then the records up
            # to that id: a change landing in between is neither missed nor counted twice.
            counter, newest = cursor.execute(_TALLY_STATE).fetchone()
            doors = tuple(cursor.execute(_TALLY_DOORS).fetchall())
            key, newest = (since, counter, doors), newest or 0
            if key != self.key or self.sums is None or newest < self.last_id:
                cursor.close()
                sums = _door_sums(db, since, ids=(0, newest))
            else:
                sums = dict(self.sums)
                if newest > self.last_id:
                    cursor.execute(_TALLY_NEW_SCANS, (self.last_id, newest, _datetime_bind(dialect, since)))
                    for room, total in cursor.fetchall():
                        sums[room] = sums.get(room, 0) + total
                cursor.close()
        self.key, self.last_id, self.sums = key, newest, sums
        return {room: max(0, total) for room, total in sums.items()}


_TALLY_STATE = "SELECT (SELECT version FROM change WHERE area = 'checkin'), (SELECT max(id) FROM checkin_record)"
_TALLY_DOORS = "SELECT id, room_id FROM checkin_list WHERE kind = 'room' AND room_id IS NOT NULL ORDER BY id"
# The scans above an id, through the id (NOT INDEXED: SQLite would otherwise walk the day's scans
# of every door through the (list_id, scanned_at) index to find the few new ones).
_TALLY_NEW_SCANS = (
    "SELECT l.room_id, sum(CASE WHEN r.direction = 'exit' THEN -1 ELSE 1 END) "
    "FROM checkin_record AS r NOT INDEXED JOIN checkin_list AS l ON l.id = r.list_id "
    "WHERE r.id > ? AND r.id <= ? AND r.scanned_at >= ? AND r.result = 'ok' AND r.annulled_at IS NULL "
    "AND l.kind = 'room' AND l.room_id IS NOT NULL GROUP BY l.room_id"
)


def set_shifts(db: DbSession, shifts: dict[int, int]) -> None:
    now = utcnow()
    for session_id, minutes in shifts.items():
        db.exec(update(Session).where(col(Session.id) == session_id).values(shift_minutes=minutes, updated_at=now))


def set_status(
    db: DbSession,
    session_id: int,
    status: str,
    *,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    keep_times: bool = False,
) -> None:
    values: dict[str, object] = {"status": status, "updated_at": utcnow()}
    if not keep_times:
        values["started_at"] = started_at
        values["ended_at"] = ended_at
    db.exec(update(Session).where(col(Session.id) == session_id).values(**values))
