"""Meeting queries: slots, tables, meetings with their two people, requests, unavailability."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.domain.meetings import HOLDS_TABLE, NO_SHOW
from eventdesk.store.models import (
    Attendee,
    CheckinList,
    CheckinRecord,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Unavailability,
)

PersonA = aliased(Attendee, name="person_a")
PersonB = aliased(Attendee, name="person_b")

# (meeting, slot, table, person A, person B)
MeetingRowT = tuple[Meeting, MeetingSlot, MeetingTable, Attendee, Attendee]


def slots(session: Session) -> list[MeetingSlot]:
    return list(session.exec(select(MeetingSlot).order_by(MeetingSlot.start)))


def tables(session: Session) -> list[MeetingTable]:
    return list(session.exec(select(MeetingTable).order_by(MeetingTable.number)))


def slot_at(session: Session, start: datetime) -> MeetingSlot | None:
    return session.exec(select(MeetingSlot).where(MeetingSlot.start == start)).first()


def add_slot(session: Session, start: datetime, end: datetime) -> MeetingSlot:
    slot = MeetingSlot(start=start, end=end)
    session.add(slot)
    session.flush()
    return slot


def table_by_number(session: Session, number: int) -> MeetingTable | None:
    return session.exec(select(MeetingTable).where(MeetingTable.number == number)).first()


def add_table(session: Session, number: int, label: str = "") -> MeetingTable:
    table = MeetingTable(number=number, label=label)
    session.add(table)
    session.flush()
    return table


def _meeting_rows():
    return (
        select(Meeting, MeetingSlot, MeetingTable, PersonA, PersonB)
        .join(MeetingSlot, Meeting.slot_id == MeetingSlot.id)
        .join(MeetingTable, Meeting.table_id == MeetingTable.id)
        .join(PersonA, Meeting.attendee_a_id == PersonA.id)
        .join(PersonB, Meeting.attendee_b_id == PersonB.id)
    )


def meetings_in_slots(session: Session, slot_ids: Iterable[int]) -> list[MeetingRowT]:
    ids = list(slot_ids)
    if not ids:
        return []
    query = _meeting_rows().where(Meeting.slot_id.in_(ids)).order_by(MeetingSlot.start, MeetingTable.number, Meeting.id)
    return list(session.exec(query))


def all_meetings(session: Session) -> list[MeetingRowT]:
    return list(session.exec(_meeting_rows().order_by(MeetingSlot.start, MeetingTable.number, Meeting.id)))


def meetings_of(session: Session, attendee_id: int, ending_after: datetime | None = None) -> list[MeetingRowT]:
    """``attendee_id``'s meetings in time order (those whose slot ends after ``ending_after``)."""
    query = _meeting_rows().where(or_(Meeting.attendee_a_id == attendee_id, Meeting.attendee_b_id == attendee_id))
    if ending_after is not None:
        query = query.where(MeetingSlot.end > ending_after)
    return list(session.exec(query.order_by(MeetingSlot.start, MeetingTable.number)))


def meeting_row(session: Session, meeting_id: int) -> MeetingRowT | None:
    return session.exec(_meeting_rows().where(Meeting.id == meeting_id)).first()


def live_meeting_at_table(session: Session, slot_id: int, table_id: int) -> MeetingRowT | None:
    query = _meeting_rows().where(
        Meeting.slot_id == slot_id, Meeting.table_id == table_id, Meeting.state.in_(HOLDS_TABLE)
    )
    return session.exec(query).first()


def live_meeting_of_person(session: Session, slot_id: int, attendee_id: int) -> MeetingRowT | None:
    query = _meeting_rows().where(
        Meeting.slot_id == slot_id,
        Meeting.state.in_(HOLDS_TABLE),
        or_(Meeting.attendee_a_id == attendee_id, Meeting.attendee_b_id == attendee_id),
    )
    return session.exec(query).first()


def live_meetings(session: Session) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.state.in_(HOLDS_TABLE))))


def tables_in_use_per_slot(session: Session) -> dict[int, int]:
    query = select(Meeting.slot_id, func.count()).where(Meeting.state.in_(HOLDS_TABLE)).group_by(Meeting.slot_id)
    return {slot_id: count for slot_id, count in session.exec(query)}


def is_unavailable(session: Session, attendee_id: int, slot_id: int) -> bool:
    return session.get(Unavailability, (attendee_id, slot_id)) is not None


def unavailabilities(session: Session) -> list[Unavailability]:
    return list(session.exec(select(Unavailability)))


def set_unavailable(session: Session, attendee_id: int, slot_id: int) -> None:
    if not is_unavailable(session, attendee_id, slot_id):
        session.add(Unavailability(attendee_id=attendee_id, slot_id=slot_id))


def open_requests(session: Session) -> list[MeetingRequest]:
    return list(
        session.exec(select(MeetingRequest).where(MeetingRequest.meeting_id.is_(None)).order_by(MeetingRequest.id))
    )


def add_meeting(
    session: Session,
    *,
    slot_id: int,
    table_id: int,
    a_id: int,
    b_id: int,
    notes: str = "",
    source_ref: str | None = None,
    state: str = "scheduled",
    booked_at: datetime | None = None,
) -> Meeting:
    meeting = Meeting(
        slot_id=slot_id,
        table_id=table_id,
        attendee_a_id=a_id,
        attendee_b_id=b_id,
        notes=notes,
        source_ref=source_ref,
        state=state,
        booked_at=booked_at,
    )
    session.add(meeting)
    return meeting


def touch(meeting: Meeting) -> None:
    meeting.updated_at = utcnow()


def no_shows_at_table(session: Session, slot_id: int, table_id: int) -> list[MeetingRowT]:
    """Confirmed no-shows at a table in a slot (someone may still sit there, waiting)."""
    query = _meeting_rows().where(Meeting.slot_id == slot_id, Meeting.table_id == table_id, Meeting.state == NO_SHOW)
    return list(session.exec(query.order_by(Meeting.id)))


def present_on_list(session: Session, list_name: str, since: datetime) -> dict[int, datetime]:
    """People whose last accepted, not annulled scan on the list ``list_name`` since ``since`` was
    an entry: attendee id -> when they came in."""
    query = (
        select(CheckinRecord.attendee_id, CheckinRecord.direction, CheckinRecord.scanned_at)
        .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
        .where(
            CheckinList.name == list_name,
            CheckinRecord.result == "ok",
            CheckinRecord.annulled_at.is_(None),
            CheckinRecord.attendee_id.is_not(None),
            CheckinRecord.scanned_at >= since,
        )
        .order_by(CheckinRecord.scanned_at, CheckinRecord.id)
    )
    present: dict[int, datetime] = {}
    for attendee_id, direction, scanned_at in session.exec(query):
        if direction == "exit":
            present.pop(attendee_id, None)
        else:
            present.setdefault(attendee_id, scanned_at)
    return present
