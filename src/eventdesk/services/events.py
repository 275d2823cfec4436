"""Creating an event."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlmodel import Session

from eventdesk.store import migrate
from eventdesk.store.checkins import list_by_name
from eventdesk.store.db import current_event, make_engine, session_scope
from eventdesk.store.models import CheckinList, Event


class EventError(Exception):
    pass


MAIN_ENTRANCE = "Main entrance"


def create_event(db: str | Engine, *, name: str, timezone: str, start: date, end: date, venue: str = "") -> Event:
    """A new event in a new (or empty) store, with its main-entrance check-in list."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise EventError(f"Unknown time zone '{timezone}'; use a name like Europe/Brussels.") from None
    if end < start:
        raise EventError(f"The event ends ({end}) before it starts ({start}).")
    engine = make_engine(db) if isinstance(db, str) else db
    migrate.upgrade(engine)
    with Session(engine) as session:
        existing = current_event(session)
        if existing is not None:
            raise EventError(f"This database already holds the event '{existing.name}'.")
    with session_scope(engine) as session:
        event = Event(name=name, timezone=timezone, start_date=start, end_date=end, venue=venue)
        session.add(event)
        ensure_main_entrance(session)
    return event


def ensure_main_entrance(session: Session) -> CheckinList:
    existing = list_by_name(session, MAIN_ENTRANCE)
    if existing:
        return existing
    entrance = CheckinList(name=MAIN_ENTRANCE, kind="entrance")
    session.add(entrance)
    session.flush()
    return entrance
