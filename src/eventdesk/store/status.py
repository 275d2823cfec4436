"""Counts for ``eventdesk status``: one GROUP BY per kind of thing the store holds."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from eventdesk.store.models import Attendee, Meeting, PrintJob
from eventdesk.store.models import Session as ProgrammeSession


def attendees_by_status_and_category(session: Session) -> dict[tuple[str, str], int]:
    rows = session.exec(
        select(Attendee.status, Attendee.category, func.count()).group_by(Attendee.status, Attendee.category)
    )
    return {(status, category): count for status, category, count in rows}


def sessions_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(select(ProgrammeSession.status, func.count()).group_by(ProgrammeSession.status))
    return dict(rows.all())


def meetings_by_state(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Meeting.state, func.count()).group_by(Meeting.state)).all())


def print_jobs_by_state(session: Session) -> dict[str, int]:
    return dict(session.exec(select(PrintJob.state, func.count()).group_by(PrintJob.state)).all())
