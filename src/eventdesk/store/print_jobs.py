"""Print jobs in the store (the queue itself lives in ``eventdesk.printing``)."""

from __future__ import annotations

from sqlmodel import Session

from eventdesk.store.models import PrintJob


def enqueue(session: Session, *, kind: str, attendee_id: int | None, printer: str, desk: str,
            reprint: bool = False) -> PrintJob:
    """Add a pending job inside the caller's transaction; the printer's worker picks it up."""
    job = PrintJob(kind=kind, attendee_id=attendee_id, printer=printer, desk=desk, reprint=reprint)
    session.add(job)  # one INSERT; watchers see it through the newest job id (store.db.change_versions)
    return job
