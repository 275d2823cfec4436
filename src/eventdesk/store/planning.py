"""Queries for queue planning: everybody's name and state in one SELECT, the newest valid scan
direction per person on a list, and a list's check-ins since a moment (every desk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlmodel import Session

from eventdesk.store.models import Attendee, CheckinRecord

_VALID = and_(CheckinRecord.result == "ok", CheckinRecord.annulled_at.is_(None))


def people_for_planning(session: Session) -> list[tuple]:
    """(id, first_name, last_name, status, blocked, category) of every attendee."""
    query = select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.status, Attendee.blocked, Attendee.category
    ).order_by(Attendee.id)
    return [tuple(row) for row in session.execute(query)]


def last_directions(session: Session, list_id: int, since: datetime) -> dict[int, str]:
    """attendee id -> direction of their newest valid scan on the list at or after ``since``."""
    query = (
        select(CheckinRecord.attendee_id, CheckinRecord.direction)
        .where(
            _VALID,
            CheckinRecord.list_id == list_id,
            CheckinRecord.scanned_at >= since,
            CheckinRecord.attendee_id.is_not(None),
        )
        .order_by(CheckinRecord.scanned_at, CheckinRecord.id)
    )
    return {attendee_id: direction for attendee_id, direction in session.execute(query)}


def list_checkins_since(session: Session, list_id: int, since: datetime) -> int:
    """Valid entries on the list at or after ``since``, at every desk."""
    query = select(func.count()).where(
        _VALID, CheckinRecord.list_id == list_id, CheckinRecord.direction == "entry", CheckinRecord.scanned_at >= since
    )
    return session.execute(query).scalar_one()
