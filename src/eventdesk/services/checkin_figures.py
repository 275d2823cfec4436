from __future__ import annotations

from sqlmodel import Session

from eventdesk.services.context import Context
from eventdesk.store.attendees import count_attendees


def attendee_count(context: Context) -> int:
    with Session(context.engine) as session:
        return count_attendees(session)
