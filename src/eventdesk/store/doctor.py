"""Queries of the readiness check: meeting double bookings."""

from __future__ import annotations

from sqlalchemy import func, union_all
from sqlmodel import Session, select

from eventdesk.store.models import Meeting

NOT_BOOKED = ("cancelled",)


def double_bookings(session: Session) -> dict[str, list[tuple[int, int, int]]]:
    """{"tables": [(slot id, table number id, meetings)], "people": [(slot id, attendee id, meetings)]}:
    a table or a person with more than one live meeting in the same slot."""
    live = Meeting.state.not_in(NOT_BOOKED)
    tables = session.exec(
        select(Meeting.slot_id, Meeting.table_id, func.count())
        .where(live)
        .group_by(Meeting.slot_id, Meeting.table_id)
        .having(func.count() > 1)
    ).all()
    people_rows = union_all(
        select(Meeting.slot_id, Meeting.attendee_a_id.label("person")).where(live),
        select(Meeting.slot_id, Meeting.attendee_b_id.label("person")).where(live),
    ).subquery()
    people = session.exec(
        select(people_rows.c.slot_id, people_rows.c.person, func.count())
        .group_by(people_rows.c.slot_id, people_rows.c.person)
        .having(func.count() > 1)
    ).all()
    return {"tables": [tuple(r) for r in tables], "people": [tuple(r) for r in people]}
