"""What the check-in screen's tests share: the desk's app on a copy of the demo event ("Desk 2",
the clock frozen on the first morning, bells counted), and changes to the people in the file."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, CheckinRecord
from eventdesk.tui.app import make_app

BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT = datetime(2024, 5, 7, 8, 30, tzinfo=BRUSSELS)


def desk_app(db: str):
    context = open_context(db, Settings(db=db, desk="Desk 2"), Clock.frozen(MOMENT))
    app = make_app(context, watch_store=False)
    app.bells = []
    app.bell = lambda: app.bells.append(1)
    return app


@asynccontextmanager
async def open_desk(db: str, size: tuple[int, int] = (160, 50)):
    """The desk's app on the check-in screen, driven headless: (app, pilot, screen)."""
    app = desk_app(db)
    async with app.run_test(size=size) as pilot:
        yield app, pilot, app.screen


def session_of(db: str) -> Session:
    return Session(open_context(db).engine, expire_on_commit=False)


def records(db: str) -> list[CheckinRecord]:
    with session_of(db) as session:
        return list(session.exec(select(CheckinRecord).order_by(CheckinRecord.id)))


def change_attendee(db: str, last_name: str, **values) -> Attendee:
    with session_of(db) as session:
        attendee = session.exec(select(Attendee).where(Attendee.last_name == last_name)).one()
        for key, value in values.items():
            setattr(attendee, key, value)
        save_attendee(session, attendee)
        session.commit()
        return attendee
