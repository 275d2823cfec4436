"""Speaker queries: who speaks in which session, which attendee each speaker is, and when those
attendees came through an entrance (the chair's "are my speakers here")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import and_, func, update
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from eventdesk.store.models import Attendee, CheckinList, CheckinRecord, Room, Session, SessionSpeaker


def speakers_of(db: DbSession, session_ids: Iterable[int]) -> list:
    """(id, session_id, position, name, role, attendee_id) of the sessions' speakers, in order."""
    ids = list(session_ids)
    if not ids:
        return []
    return list(
        db.exec(
            select(
                SessionSpeaker.id,
                SessionSpeaker.session_id,
                SessionSpeaker.position,
                SessionSpeaker.name,
                SessionSpeaker.role,
                SessionSpeaker.attendee_id,
            )
            .where(col(SessionSpeaker.session_id).in_(ids))
            .order_by(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.id)
        )
    )


def unlinked_speakers(db: DbSession) -> list:
    """(id, name) of every speaker entry not linked to an attendee."""
    return list(
        db.exec(
            select(SessionSpeaker.id, SessionSpeaker.name)
            .where(col(SessionSpeaker.attendee_id).is_(None))
            .order_by(SessionSpeaker.id)
        )
    )


def people_for_matching(db: DbSession) -> list:
    """(id, first_name, last_name, email) of every active attendee."""
    return list(
        db.exec(
            select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email).where(
                Attendee.status == "active"
            )
        )
    )


def link(db: DbSession, links: Mapping[int, int | None]) -> None:
    """Set the attendee of speaker entries (speaker id -> attendee id, None unlinks)."""
    for speaker_id, attendee_id in links.items():
        db.exec(update(SessionSpeaker).where(col(SessionSpeaker.id) == speaker_id).values(attendee_id=attendee_id))


def entrance_arrivals(db: DbSession, attendee_ids: Iterable[int], since: datetime) -> dict[int, datetime]:
    """The first valid entry at an entrance list at or after ``since`` of each of these people."""
    ids = list(attendee_ids)
    if not ids:
        return {}
    query = (
        select(CheckinRecord.attendee_id, func.min(CheckinRecord.scanned_at))
        .join(CheckinList, col(CheckinList.id) == col(CheckinRecord.list_id))
        .where(
            col(CheckinRecord.attendee_id).in_(ids),
            CheckinList.kind == "entrance",
            CheckinRecord.result == "ok",
            col(CheckinRecord.annulled_at).is_(None),
            CheckinRecord.direction == "entry",
            CheckinRecord.scanned_at >= since,
        )
        .group_by(CheckinRecord.attendee_id)
    )
    from eventdesk.store.types import UTCDateTime

    kind = UTCDateTime()
    dialect = db.get_bind().dialect
    result: dict[int, datetime] = {}
    for attendee_id, at in db.exec(query):
        if at is not None and not isinstance(at, datetime):  # SQLite answers min() as text
            at = datetime.fromisoformat(str(at))
        result[attendee_id] = kind.process_result_value(at, dialect)
    return result


def sessions_spoken_by(db: DbSession, attendee_id: int, start: datetime, end: datetime) -> list:
    """(title, start, end, shift_minutes, status, room name) of the sessions planned in
    ``[start, end)`` where this attendee speaks, in time order."""
    query = (
        select(Session.id, Session.title, Session.start, Session.end, Session.shift_minutes, Session.status, Room.name)
        .join(
            SessionSpeaker,
            and_(col(SessionSpeaker.session_id) == col(Session.id), SessionSpeaker.attendee_id == attendee_id),
        )
        .join(Room, col(Room.id) == col(Session.room_id), isouter=True)
        .where(Session.start >= start, Session.start < end)
        .order_by(Session.start, Session.id)
    )
    seen: set[int] = set()  # a person named twice in one session speaks there once
    spoken = []
    for row in db.exec(query):
        if row[0] not in seen:
            seen.add(row[0])
            spoken.append(row[1:])
    return spoken
