"""Print jobs in the store (the queue itself lives in ``eventdesk.printing``).

States: pending -> printing -> printed, or back to pending with ``next_attempt_at`` (retry with
backoff), or failed after the last attempt. A failed job stays until somebody retries it or moves
it to another printer; nothing is ever deleted. Every write sets ``updated_at``: open screens
see the change through ``store.db.change_versions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.store.models import Attendee, PrintJob

PENDING, PRINTING, PRINTED, FAILED, CANCELLED = "pending", "printing", "printed", "failed", "cancelled"
OPEN_STATES = (PENDING, PRINTING)


def enqueue(
    session: Session, *, kind: str, attendee_id: int | None, printer: str, desk: str, reprint: bool = False
) -> PrintJob:
    """Add a pending job inside the caller's transaction; the printer's worker picks it up."""
    job = PrintJob(kind=kind, attendee_id=attendee_id, printer=printer, desk=desk, reprint=reprint)
    session.add(job)  # one INSERT; watchers see it through the newest job id (store.db.change_versions)
    return job


NEW_JOB_COLUMNS = (
    "kind",
    "attendee_id",
    "printer",
    "state",
    "attempts",
    "last_error",
    "reprint",
    "desk",
    "created_at",
    "updated_at",
    "printed_at",
    "next_attempt_at",
)


def new_job(*, kind: str, attendee_id: int | None, printer: str, desk: str, printed_at: datetime | None = None) -> dict:
    """The columns of a job as ``enqueue`` makes it, for a caller that inserts the row itself (a
    scan queues its badge without building an ORM object). ``printed_at``: printed already then (by
    a desk while it was offline), so recorded as printed, not queued."""
    now = utcnow()
    return {
        "kind": kind,
        "attendee_id": attendee_id,
        "printer": printer,
        "desk": desk,
        "reprint": False,
        "state": PENDING if printed_at is None else PRINTED,
        "attempts": 0 if printed_at is None else 1,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
        "printed_at": printed_at,
        "next_attempt_at": None,
    }


def claim_next(session: Session, printers: Sequence[str], now: datetime | None = None) -> PrintJob | None:
    """The oldest pending job for one of ``printers`` that is due, marked printing (attempts + 1).
    The claim is one UPDATE ... RETURNING of a job still pending, so two workers (or two desks) on
    one printer queue never print the same job; on PostgreSQL the job is chosen FOR UPDATE SKIP
    LOCKED, so a worker passes over the job another one is claiming instead of waiting for it."""
    now = now or utcnow()
    due = or_(PrintJob.next_attempt_at.is_(None), PrintJob.next_attempt_at <= now)
    oldest = (
        select(PrintJob.id)
        .where(PrintJob.state == PENDING, PrintJob.printer.in_(printers), due)
        .order_by(PrintJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.exec(
        update(PrintJob)
        .where(PrintJob.id == oldest, PrintJob.state == PENDING)
        .values(state=PRINTING, attempts=PrintJob.attempts + 1, updated_at=now)
        .returning(PrintJob.id)
    ).first()
    if claimed is None:
        return None
    job = session.get(PrintJob, claimed[0])
    session.refresh(job)  # the identity map may hold it from before the claim
    return job


def _set(session: Session, job_id: int, **values) -> None:
    session.exec(update(PrintJob).where(PrintJob.id == job_id).values(updated_at=utcnow(), **values))


def mark_printed(session: Session, job_id: int, output_path: str | None = None) -> None:
    """``output_path``: the file the job was written to (a preview printer), kept for ``forget``."""
    now = utcnow()
    _set(session, job_id, state=PRINTED, printed_at=now, last_error="", next_attempt_at=None, output_path=output_path)


def mark_retry(session: Session, job_id: int, error: str, next_attempt_at: datetime) -> None:
    _set(session, job_id, state=PENDING, last_error=error[:500], next_attempt_at=next_attempt_at)


def mark_failed(session: Session, job_id: int, error: str) -> None:
    _set(session, job_id, state=FAILED, last_error=error[:500], next_attempt_at=None)


def release_stale(session: Session, printers: Sequence[str], older_than: datetime) -> int:
    """Jobs left 'printing' by a process that died: pending again (their attempt is counted)."""
    result = session.exec(
        update(PrintJob)
        .where(
            PrintJob.state == PRINTING,
            PrintJob.printer.in_(printers),
            PrintJob.updated_at < older_than,
        )
        .values(state=PENDING, updated_at=utcnow(), last_error="interrupted while printing")
    )
    return result.rowcount


def retry(session: Session, job_id: int, printer: str | None = None) -> PrintJob | None:
    """A failed (or waiting) job pending again at once, optionally on another printer."""
    job = session.get(PrintJob, job_id)
    if job is None or job.state in (PRINTING, PRINTED):
        return job
    values = dict(state=PENDING, next_attempt_at=None, attempts=0)
    if printer is not None:
        values["printer"] = printer
    _set(session, job_id, **values)
    session.refresh(job)
    return job


def cancel(session: Session, job_id: int) -> None:
    _set(session, job_id, state=CANCELLED, next_attempt_at=None)


def cancel_unprinted_badges(session: Session, attendee_id: int) -> int:
    """Cancel the person's badge jobs that have not started printing; how many were cancelled."""
    result = session.exec(
        update(PrintJob)
        .where(
            PrintJob.attendee_id == attendee_id,
            PrintJob.kind == "badge",
            PrintJob.state.in_([PENDING, FAILED]),
        )
        .values(state=CANCELLED, next_attempt_at=None, updated_at=utcnow())
    )
    return result.rowcount


def get(session: Session, job_id: int) -> PrintJob | None:
    return session.get(PrintJob, job_id)


def jobs(
    session: Session,
    states: Iterable[str] | None = None,
    printer: str | None = None,
    kind: str | None = None,
    attendee_id: int | None = None,
    limit: int = 200,
) -> list[PrintJob]:
    """Newest first."""
    query = select(PrintJob)
    if states is not None:
        query = query.where(PrintJob.state.in_(list(states)))
    if printer is not None:
        query = query.where(PrintJob.printer == printer)
    if kind is not None:
        query = query.where(PrintJob.kind == kind)
    if attendee_id is not None:
        query = query.where(PrintJob.attendee_id == attendee_id)
    return list(session.exec(query.order_by(PrintJob.id.desc()).limit(limit)))


def jobs_with_names(session: Session, states: Iterable[str], limit: int = 200) -> list[tuple[PrintJob, str]]:
    """Jobs (newest first) with the attendee's name, for the printer panel."""
    rows = session.exec(
        select(PrintJob, Attendee.first_name, Attendee.last_name)
        .join(Attendee, Attendee.id == PrintJob.attendee_id, isouter=True)
        .where(PrintJob.state.in_(list(states)))
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )
    return [(job, f"{first or ''} {last or ''}".strip()) for job, first, last in rows]


def printed_badges(session: Session, attendee_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.attendee_id == attendee_id, PrintJob.kind == "badge", PrintJob.state == PRINTED)
    ).one()


def open_badge_job(session: Session, attendee_id: int) -> PrintJob | None:
    """A badge of this attendee waiting or printing right now."""
    return session.exec(
        select(PrintJob)
        .where(
            PrintJob.attendee_id == attendee_id,
            PrintJob.kind == "badge",
            PrintJob.state.in_(OPEN_STATES),
        )
        .order_by(PrintJob.id)
        .limit(1)
    ).first()


def reprint_counts(session: Session) -> dict[int, int]:
    """attendee id -> reprinted badges (printed jobs beyond the first)."""
    rows = session.exec(
        select(PrintJob.attendee_id, func.count())
        .where(
            PrintJob.kind == "badge",
            PrintJob.state == PRINTED,
            PrintJob.attendee_id.is_not(None),
        )
        .group_by(PrintJob.attendee_id)
        .having(func.count() > 1)
    )
    return {attendee_id: count - 1 for attendee_id, count in rows}


def counts_by_printer(session: Session) -> dict[tuple[str, str], int]:
    """(printer, state) -> number of jobs."""
    rows = session.exec(
        select(PrintJob.printer, PrintJob.state, func.count()).group_by(PrintJob.printer, PrintJob.state)
    )
    return {(printer, state): count for printer, state, count in rows}


def backlog(session: Session, printers: Iterable[str]) -> tuple[int, int, str]:
    """For the printer keys (its name, URL, "" for the default): jobs waiting (pending or
    printing), jobs failed, and the newest error of those jobs ("" while nothing went wrong)."""
    keys = list(printers)
    counts = dict(
        session.exec(
            select(PrintJob.state, func.count())
            .where(PrintJob.printer.in_(keys), PrintJob.state.in_([*OPEN_STATES, FAILED]))
            .group_by(PrintJob.state)
        ).all()
    )
    error = session.exec(
        select(PrintJob.last_error)
        .where(PrintJob.printer.in_(keys), PrintJob.state.in_([*OPEN_STATES, FAILED]), PrintJob.last_error != "")
        .order_by(PrintJob.updated_at.desc(), PrintJob.id.desc())
        .limit(1)
    ).first()
    return counts.get(PENDING, 0) + counts.get(PRINTING, 0), counts.get(FAILED, 0), error or ""


def move_open_jobs(session: Session, printers: Iterable[str], target: str) -> int:
    """Every waiting or failed job of these printer keys pending again at once on ``target``."""
    keys = list(printers)
    moved = session.exec(
        select(PrintJob.id).where(PrintJob.printer.in_(keys), PrintJob.state.in_([PENDING, FAILED]))
    ).all()
    for job_id in moved:
        retry(session, job_id, printer=target)
    return len(moved)
