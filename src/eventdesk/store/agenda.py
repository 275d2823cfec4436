"""Agenda queries: the sessions of a time window with their rooms and speakers (two queries),
rooms, occupancy from door scans, and the writes of the chair actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, update
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from eventdesk.domain.clock import utcnow
from eventdesk.store.models import CheckinList, CheckinRecord, Room, Session, SessionSpeaker


@dataclass
class SessionRow:
    session: Session
    room: Room | None
    speakers: list[SessionSpeaker]


def rooms(db: DbSession) -> list[Room]:
    return list(db.exec(select(Room).order_by(Room.position, Room.name)))


def sessions_between(db: DbSession, start: datetime, end: datetime, room_id: int | None = None) -> list[SessionRow]:
    """Sessions whose planned start lies in ``[start, end)`` (optionally of one room), with room
    and speakers: one query for sessions + rooms, one for all their speakers."""
    query = (select(Session, Room).join(Room, col(Session.room_id) == col(Room.id), isouter=True)
             .where(Session.start >= start, Session.start < end)
             .order_by(Session.start, Session.id))
    if room_id is not None:
        query = query.where(Session.room_id == room_id)
    rows = [SessionRow(s, r, []) for s, r in db.exec(query)]
    by_id = {row.session.id: row for row in rows}
    if by_id:
        speakers = db.exec(select(SessionSpeaker)
                           .where(col(SessionSpeaker.session_id).in_(list(by_id)))
                           .order_by(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.id))
        for speaker in speakers:
            by_id[speaker.session_id].speakers.append(speaker)
    return rows


def session_by_id(db: DbSession, session_id: int) -> Session | None:
    return db.get(Session, session_id)


def session_dates(db: DbSession) -> tuple[datetime | None, datetime | None]:
    """Planned start of the first and of the last session."""
    return db.exec(select(func.min(Session.start), func.max(Session.start))).one()


def occupancy(db: DbSession) -> dict[int, int]:
    """People in each room now: accepted entries minus exits on the room's check-in lists
    (kind "room"), annulled scans left out, never below zero."""
    signed = case((CheckinRecord.direction == "exit", -1), else_=1)
    query = (select(CheckinList.room_id, func.coalesce(func.sum(signed), 0))
             .join(CheckinRecord, col(CheckinRecord.list_id) == col(CheckinList.id))
             .where(CheckinList.kind == "room", col(CheckinList.room_id).is_not(None),
                    CheckinRecord.result == "ok", col(CheckinRecord.annulled_at).is_(None))
             .group_by(CheckinList.room_id))
    return {room_id: max(0, int(total)) for room_id, total in db.exec(query)}


def set_shifts(db: DbSession, shifts: dict[int, int]) -> None:
    now = utcnow()
    for session_id, minutes in shifts.items():
        db.exec(update(Session).where(col(Session.id) == session_id)
                .values(shift_minutes=minutes, updated_at=now))


def set_status(db: DbSession, session_id: int, status: str, *, started_at: datetime | None = None,
               ended_at: datetime | None = None, keep_times: bool = False) -> None:
    values: dict[str, object] = {"status": status, "updated_at": utcnow()}
    if not keep_times:
        values["started_at"] = started_at
        values["ended_at"] = ended_at
    db.exec(update(Session).where(col(Session.id) == session_id).values(**values))
