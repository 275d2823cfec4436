"""Desk heartbeats and each desk's recent scans, for the Desks screen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from eventdesk.store.models import CheckinRecord, DeskHeartbeat


def save_heartbeat(
    session: Session,
    *,
    desk: str,
    seen_at: datetime,
    started_at: datetime,
    app_version: str,
    printers: str,
    journal_waiting: int | None,
) -> None:
    """Insert or refresh the desk's heartbeat (one UPDATE, an INSERT the first time)."""
    values = dict(
        last_seen=seen_at,
        started_at=started_at,
        app_version=app_version,
        printers=printers,
        journal_waiting=journal_waiting,
    )
    result = session.execute(update(DeskHeartbeat).where(DeskHeartbeat.desk == desk).values(**values))
    if result.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(DeskHeartbeat(desk=desk, **values))
        except IntegrityError:  # another app with the same desk name was faster: refresh its row
            session.execute(update(DeskHeartbeat).where(DeskHeartbeat.desk == desk).values(**values))


def heartbeats_since(session: Session, since: datetime) -> list[DeskHeartbeat]:
    return list(
        session.execute(
            select(DeskHeartbeat).where(DeskHeartbeat.last_seen >= since).order_by(DeskHeartbeat.desk)
        ).scalars()
    )


def last_scans_since(session: Session, since: datetime) -> dict[str, datetime]:
    """desk -> its newest scan, for the desks that scanned since ``since``."""
    query = (
        select(CheckinRecord.desk, func.max(CheckinRecord.scanned_at))
        .where(CheckinRecord.scanned_at >= since)
        .group_by(CheckinRecord.desk)
    )
    return {desk: at for desk, at in session.execute(query)}


def scans_since(
    session: Session, since: datetime, until: datetime | None = None, desk: str | None = None
) -> list[tuple[str, datetime, str]]:
    """(desk, time, result) of every scan from ``since`` to ``until`` (of one ``desk``), oldest first."""
    query = (
        select(CheckinRecord.desk, CheckinRecord.scanned_at, CheckinRecord.result)
        .where(CheckinRecord.scanned_at >= since)
        .order_by(CheckinRecord.scanned_at)
    )
    if until is not None:
        query = query.where(CheckinRecord.scanned_at <= until)
    if desk is not None:
        query = query.where(CheckinRecord.desk == desk)
    return [(desk, at, result) for desk, at, result in session.execute(query)]
