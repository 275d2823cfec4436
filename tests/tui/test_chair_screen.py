"""The chair's view: one room full screen, a countdown that turns amber at five minutes and red
over time, who speaks now, the chair keys, the speakers' arrival from another process's scan, and
the same view from the agenda (v). Snapshots at 80×24 and 160×45."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.models import Attendee
from eventdesk.tui.app import make_app
from eventdesk.tui.chair_app import ChairApp
from eventdesk.tui.screens.chair import ChairScreen

BRUSSELS = ZoneInfo("Europe/Brussels")


def monday(hh: int, mm: int) -> datetime:
    return datetime(2024, 5, 6, hh, mm, tzinfo=BRUSSELS)


def chair_app(db: str, moment: datetime, watch_store: bool = False) -> ChairApp:
    context = open_context(db, Settings(db=db, desk="Chair"), Clock.frozen(moment))
    return ChairApp(context, "Auditorium", watch_store=watch_store)


async def settled(pilot) -> ChairScreen:
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive read replaced by a newer one (or its screen closed)
            pass
        await pilot.pause(0.05)
    return pilot.app.screen


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


@pytest.mark.parametrize(
    ("moment", "digits", "state", "caption"),
    [
        (monday(13, 30), "35:00", None, "left · ends 14:05"),
        (monday(14, 1), "04:00", "soon", "5 minutes or less"),
        (monday(14, 4), "01:00", "conclude", "please conclude"),
        (
            monday(
                14,
                5,
            ),
            "25:00",
            None,
            "left · ends 14:30",
        ),  # CAFEIN runs now
    ],
)
async def test_the_countdown_warns_as_the_end_comes(demo_db, moment, digits, state, caption):
    async with chair_app(demo_db, moment).run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        countdown = screen.query_one("#chair-countdown")
        assert countdown.value == digits
        assert {c for c in ("soon", "conclude", "over") if countdown.has_class(c)} == ({state} if state else set())
        assert text(screen, "#chair-caption") == caption


async def test_a_session_marked_started_runs_over_time_in_red_until_ended(demo_db):
    app = chair_app(demo_db, monday(13, 26))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        await pilot.press("s")
        screen = await settled(pilot)
        assert "Started" in text(screen, "#chair-message")
        app.context.clock.set(monday(14, 7))  # CAFEIN's planned start passed; Session I still holds the room
        screen = await settled(pilot)
        screen.tick()
        assert "Session I" in text(screen, "#chair-title")
        assert screen.query_one("#chair-countdown").value == "-02:00"
        assert screen.query_one("#chair-countdown").has_class("over")
        assert text(screen, "#chair-caption") == "OVER TIME"
        await pilot.press("e")
        screen = await settled(pilot)
        assert "Ended" in text(screen, "#chair-message")
        assert "CAFEIN" in text(screen, "#chair-title")


async def test_plus_five_moves_the_end_and_the_next_session(demo_db):
    async with chair_app(demo_db, monday(13, 30)).run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await pilot.press("plus")
        screen = await settled(pilot)
        assert "+5 min" in text(screen, "#chair-message")
        assert screen.query_one("#chair-countdown").value == "40:00"
        assert "Next 14:10" in text(screen, "#chair-next")


async def test_the_running_order_marks_the_talk_of_now(demo_db):
    async with chair_app(demo_db, monday(15, 10)).run_test(size=(160, 45)) as pilot:
        screen = await settled(pilot)
        order = text(screen, "#chair-order").splitlines()
        assert order[0] == "Running order"
        now = [line for line in order if line.startswith("▶")]
        assert len(now) == 1 and len(order) >= 4


def _izsak(db: str) -> str:
    context = open_context(db)
    with Session(context.engine) as session:
        return session.exec(select(Attendee.badge_code).where(Attendee.last_name == "Izsak")).one()


async def test_a_speaker_scanned_in_another_process_shows_as_arrived(demo_db):
    code = _izsak(demo_db)
    async with chair_app(demo_db, monday(13, 20), watch_store=True).run_test(size=(100, 30)) as pilot:
        screen = await settled(pilot)
        assert "✗ Kíncső Izsak" in text(screen, "#chair-speakers")
        scan = subprocess.run(
            [
                sys.executable,
                "-m",
                "eventdesk",
                "checkin",
                code,
                "--db",
                demo_db,
                "--desk",
                "Desk 2",
                "--now",
                "2024-05-06T13:20",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert scan.returncode == 0, scan.stderr
        assert "Speaker: Session I" in scan.stdout
        for _ in range(200):  # the app asks the store twice a second
            if "✓ 13:20 Kíncső Izsak" in text(screen, "#chair-speakers"):
                break
            await asyncio.sleep(0.05)
        assert "✓ 13:20 Kíncső Izsak" in text(screen, "#chair-speakers")


async def test_the_agenda_opens_the_chair_view_of_the_selected_room_and_esc_returns(demo_db):
    context = open_context(demo_db, Settings(db=demo_db, desk="Desk 1"), Clock.frozen(monday(13, 30)))
    app = make_app(context, start_screen="agenda", watch_store=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settled(pilot)
        assert app.screen.selected_session is not None
        room = app.screen.selected_session.room_name
        await pilot.press("v")
        screen = await settled(pilot)
        assert isinstance(screen, ChairScreen)
        assert text(screen, "#chair-title").startswith(room)
        await pilot.press("escape")
        await settled(pilot)
        assert not isinstance(app.screen, ChairScreen)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_chair_snapshot(snap_compare, demo_db, size):
    async def settle(pilot) -> None:
        await settled(pilot)

    assert snap_compare(chair_app(demo_db, monday(14, 1)), terminal_size=size, run_before=settle)
