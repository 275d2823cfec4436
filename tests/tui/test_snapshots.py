"""Screenshots of the four screens on the demo event at a frozen moment, compared with the
accepted ones in ``__snapshots__`` (update with ``pytest --snapshot-update`` after checking the
new pictures in snapshot_report.html)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app

BRUSSELS = ZoneInfo("Europe/Brussels")
SIZE = (160, 48)


def _demo_app(db: str, screen: str, moment: datetime):
    context = open_context(db, Settings(db=db, desk="Desk 1"), Clock.frozen(moment))
    return make_app(context, start_screen=screen, watch_store=False)


async def _settle(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)


@pytest.mark.parametrize(
    ("screen", "moment"),
    [
        ("checkin", datetime(2024, 5, 8, 10, 15, tzinfo=BRUSSELS)),
        ("agenda", datetime(2024, 5, 6, 14, 40, tzinfo=BRUSSELS)),  # the associations meeting, seed agenda
        ("rooms", datetime(2024, 5, 7, 11, 30, tzinfo=BRUSSELS)),  # parallel sessions running
        ("meetings", datetime(2024, 5, 8, 10, 5, tzinfo=BRUSSELS)),  # matchmaking slot in progress
    ],
)
def test_screen_snapshot(snap_compare, demo_db, screen, moment):
    assert snap_compare(_demo_app(demo_db, screen, moment), terminal_size=SIZE, run_before=_settle)
