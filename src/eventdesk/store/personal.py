"""Personal data of one person: everything the store holds about them (subject access), and its
erasure that keeps the anonymous figures (check-in times, categories, meeting states)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from eventdesk.store.models import (
    Attendee,
    AttendeeToken,
    AuditEntry,
    CheckinList,
    CheckinRecord,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    PrintJob,
    RevokedCode,
    SessionSpeaker,
)
from eventdesk.store.models import Session as ProgrammeSession

PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "badge_name",
    "pronouns",
    "organisation",
    "role",
    "email",
    "country",
    "note",
)


def _plain(row) -> dict:
    values = {name: getattr(row, name) for name in type(row).model_fields}  # in the table's column order
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def person_record(session: Session, attendee: Attendee) -> dict:
    """Everything about ``attendee`` (JSON-ready)."""
    aid = attendee.id
    lists = {c.id: c.name for c in session.exec(select(CheckinList))}
    scans = session.exec(select(CheckinRecord).where(CheckinRecord.attendee_id == aid).order_by(CheckinRecord.id))
    meetings = []
    rows = session.exec(
        select(Meeting, MeetingSlot, MeetingTable)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .where(or_(Meeting.attendee_a_id == aid, Meeting.attendee_b_id == aid))
        .order_by(MeetingSlot.start)
    )
    for meeting, slot, table in rows:
        other = session.get(Attendee, meeting.attendee_b_id if meeting.attendee_a_id == aid else meeting.attendee_a_id)
        meetings.append(
            {
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
                "table": table.number,
                "with": other.name if other else None,
                "with_organisation": other.organisation if other else None,
                "state": meeting.state,
                "notes": meeting.notes,
            }
        )
    requests = session.exec(
        select(MeetingRequest).where(or_(MeetingRequest.attendee_a_id == aid, MeetingRequest.attendee_b_id == aid))
    )
    talks = session.exec(
        select(SessionSpeaker, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSpeaker.session_id)
        .where(SessionSpeaker.attendee_id == aid)
    )
    audit = session.exec(select(AuditEntry).where(AuditEntry.subject == f"attendee:{aid}").order_by(AuditEntry.id))
    return {
        "attendee": _plain(attendee),
        "revoked_codes": [r.code for r in session.exec(select(RevokedCode).where(RevokedCode.attendee_id == aid))],
        "scans": [{**_plain(r), "list": lists.get(r.list_id)} for r in scans],
        "print_jobs": [_plain(j) for j in session.exec(select(PrintJob).where(PrintJob.attendee_id == aid))],
        "meetings": meetings,
        "meeting_requests": [_plain(r) for r in requests],
        "sessions": [
            {"title": s.title, "start": s.start.isoformat(), "role": sp.role, "name_in_programme": sp.name}
            for sp, s in talks
        ],
        "audit": [_plain(a) for a in audit],
    }


def print_job_ids(session: Session, attendee_id: int) -> list[tuple[str, int]]:
    return [(j.kind, j.id) for j in session.exec(select(PrintJob).where(PrintJob.attendee_id == attendee_id))]


def print_job_files(session: Session, attendee_id: int) -> list[str]:
    """The files preview printers wrote for this person's print jobs."""
    query = select(PrintJob.output_path).where(PrintJob.attendee_id == attendee_id, PrintJob.output_path.is_not(None))
    return [path for path in session.exec(query)]


def erase_person(session: Session, attendee: Attendee, now: datetime) -> str:
    """Erase ``attendee``'s personal data and revoke their badge code (a scan of it answers
    'revoked'); keeps the row, its category and status, scans and meeting states. Returns the
    revoked code."""
    aid = attendee.id
    old_code = attendee.badge_code
    if session.get(RevokedCode, old_code) is None:
        session.add(RevokedCode(code=old_code, attendee_id=aid, revoked_at=now))
    for name in PERSONAL_FIELDS:
        setattr(attendee, name, "")
    attendee.source_ref = None
    attendee.badge_code = f"FORGOTTEN-{aid}-{secrets.token_hex(8)}"
    attendee.forgotten_at = now
    attendee.updated_at = now
    session.add(attendee)
    session.exec(delete(AttendeeToken).where(AttendeeToken.attendee_id == aid))  # search finds nothing
    session.exec(update(SessionSpeaker).where(SessionSpeaker.attendee_id == aid).values(attendee_id=None))
    session.exec(
        update(Meeting).where(or_(Meeting.attendee_a_id == aid, Meeting.attendee_b_id == aid)).values(notes="")
    )
    session.exec(
        update(MeetingRequest)
        .where(or_(MeetingRequest.attendee_a_id == aid, MeetingRequest.attendee_b_id == aid))
        .values(notes="")
    )
    return old_code


def people_registered_before(session: Session, before: datetime) -> list[Attendee]:
    return list(
        session.exec(
            select(Attendee).where(Attendee.created_at < before, Attendee.forgotten_at.is_(None)).order_by(Attendee.id)
        )
    )
