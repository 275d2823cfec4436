"""Screenshots of the self check-in kiosk at 80×24 (a small laptop, a split pane) and 200×60 (a
kiosk monitor): the idle instructions and the welcome, compared with the accepted ones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.models import Attendee
from eventdesk.tui.kiosk_app import make_kiosk_app

MOMENT = datetime(2024, 5, 7, 8, 30, tzinfo=ZoneInfo("Europe/Brussels"))


def _kiosk(db: str):
    context = open_context(db, Settings(db=db, desk="Kiosk 1", kiosk_pin="4711"), Clock.frozen(MOMENT))
    return make_kiosk_app(context, result_seconds=600)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_kiosk_idle_snapshot(snap_compare, demo_db, size):
    assert snap_compare(_kiosk(demo_db), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_kiosk_welcome_snapshot(snap_compare, demo_db, size):
    with Session(open_context(demo_db).engine) as session:
        code = session.exec(select(Attendee.badge_code).where(Attendee.last_name == "Izsak")).one()

    async def scan(pilot) -> None:
        pilot.app.screen.submit(code)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)

    assert snap_compare(_kiosk(demo_db), terminal_size=size, run_before=scan)
