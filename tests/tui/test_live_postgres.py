"""The app on a PostgreSQL store shared by several desks: every screen works there, and another
process's scan shows at once (LISTEN/NOTIFY, not the slow fallback poll)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app
from eventdesk.tui.textual_compat import notifications

pytestmark = pytest.mark.postgres

MOMENT = datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def demo_on_pg(pg_url):
    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.demo import create_demo

    create_demo(pg_url, code_factory=seeded_code_factory(2024))
    return pg_url


def _app(url: str, desk: str, tmp_path=None, **kwargs):
    printers = {"preview": f"preview://{tmp_path}"} if tmp_path else {}
    context = open_context(
        url,
        Settings(db=url, desk=desk, printers=printers, default_printer="preview" if tmp_path else None),
        Clock.frozen(MOMENT),
    )
    return make_app(context, **kwargs)


async def _until(pilot, condition, what: str, timeout: float = 20.0) -> None:
    """Run the app until ``condition()`` holds; the timeout only keeps a broken build from hanging."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def _errors(app) -> list[str]:
    return [n.message for n in notifications(app) if n.severity == "error"]


async def test_an_app_on_postgresql_refreshes_its_figures_after_another_processs_scan(demo_on_pg):
    from eventdesk.store.models import Attendee

    with Session(open_context(demo_on_pg).engine) as session:
        code = session.exec(
            select(Attendee.badge_code).where(Attendee.status == "active").order_by(Attendee.id)
        ).first()
    app = _app(demo_on_pg, "Desk 1")
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        await screen.figures_ready()
        assert "0 / 697" in screen.query_one("#desk-figures").text
        await _until(pilot, lambda: app.live.listening, "the listener is connected")
        scan = subprocess.run(
            [sys.executable, "-m", "eventdesk", "checkin", code, "--db", demo_on_pg, "--desk", "Desk 2", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert scan.returncode == 0, scan.stderr
        await _until(
            pilot, lambda: "1 / 697" in screen.query_one("#desk-figures").text, "the other desk's check-in counted"
        )
        assert app.live.last_notified is not None  # it came through NOTIFY
        assert _errors(app) == []


async def test_every_screen_opens_and_shows_the_demo_on_postgresql(demo_on_pg, tmp_path):
    from eventdesk.tui.screens.agenda.screen import AgendaScreen
    from eventdesk.tui.screens.desks.screen import DesksScreen
    from eventdesk.tui.screens.help.screen import HelpScreen
    from eventdesk.tui.screens.meetings.screen import MeetingsScreen
    from eventdesk.tui.screens.printers.screen import PrintersScreen
    from eventdesk.tui.screens.rooms.screen import RoomsScreen
    from eventdesk.tui.widgets.live_table import LiveTable

    app = _app(demo_on_pg, "Desk P", tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await app.screen.figures_ready()
        assert "0 / 697" in app.screen.query_one("#desk-figures").text

        await pilot.press("f3")
        await _until(
            pilot,
            lambda: isinstance(app.screen, AgendaScreen) and app.screen.programme is not None,
            "the agenda is read",
        )
        await _until(pilot, lambda: app.screen.query_one("#agenda-table", LiveTable).row_count > 0, "agenda rows")

        await pilot.press("f4")
        await _until(
            pilot,
            lambda: isinstance(app.screen, RoomsScreen) and app.screen.programme is not None,
            "the room board is read",
        )
        assert app.screen.query_one("#board-table", LiveTable).row_count > 0

        await pilot.press("f5")
        await _until(
            pilot,
            lambda: isinstance(app.screen, MeetingsScreen) and app.screen.board is not None,
            "the meeting tables are read",
        )

        await pilot.press("f12")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, DesksScreen)
                and "desk:Desk P" in app.screen.query_one("#desks-table", LiveTable).keys
            ),
            "this desk's heartbeat on the Desks screen",
        )
        table = app.screen.query_one("#desks-table", LiveTable)
        row = table.row_text("desk:Desk P")
        assert "online" in row and "preview" in row
        # The desk's offline fallback (services.offline) keeps a journal: none of its scans wait.
        assert app.desk.status().on_server and table.cell_text("desk:Desk P", "journal") == "0"

        await pilot.press("f7")
        await _until(
            pilot,
            lambda: isinstance(app.screen, PrintersScreen) and app.screen.overview is not None,
            "the print queue is read",
        )
        await pilot.press("escape")
        await pilot.press("f1")
        await _until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        assert _errors(app) == []


async def test_the_board_app_on_postgresql_shows_the_rooms(demo_on_pg):
    from eventdesk.tui.board_app import BoardApp
    from eventdesk.tui.widgets.live_table import LiveTable

    context = open_context(demo_on_pg, Settings(db=demo_on_pg), Clock.frozen(MOMENT))
    app = BoardApp(context)
    async with app.run_test(size=(160, 50)) as pilot:
        await _until(pilot, lambda: app.screen.programme is not None, "the room board is read")
        assert app.screen.query_one("#board-table", LiveTable).row_count > 0
        assert app.live.listener is not None and app.live.heartbeat is False  # a board is not a desk
        assert _errors(app) == []


def test_the_boards_kept_programme_on_postgresql_follows_another_processs_delay(demo_on_pg):
    """The board's reader reads PostgreSQL's rows straight from the driver and keeps them between
    reads: a delay made by another process shows on its next read as a fresh read shows it."""
    from eventdesk.services import agenda

    context = open_context(demo_on_pg, Settings(db=demo_on_pg), Clock.frozen(MOMENT))
    reader = agenda.BoardReader(context)
    before, occupancy = reader.read()
    fresh = agenda.board_programme(context)
    assert occupancy == fresh.occupancy and before.rooms == fresh.rooms

    def shown(programme):
        return [
            (s.id, s.title, s.room_id, s.slot.effective_start, s.slot.effective_end, s.slot.status, s.type)
            for s in programme.sessions
        ]

    assert shown(before) == shown(fresh)
    running = next(r.current for r in before.board(MOMENT) if r.current is not None)
    done = subprocess.run(
        [sys.executable, "-m", "eventdesk", "agenda", "delay", str(running.id), "5", "--db", demo_on_pg],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    after, _ = reader.read()
    assert after.by_id[running.id].slot.delay_minutes == running.slot.delay_minutes + 5
    assert shown(after) == shown(agenda.board_programme(context))
