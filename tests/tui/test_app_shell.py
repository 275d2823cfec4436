"""The app shell: four screens by function keys and from the command palette, a header with the
event, the desk and the event clock, and a help screen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app
from eventdesk.tui.screens.agenda.screen import AgendaScreen
from eventdesk.tui.screens.checkin.screen import CheckinScreen
from eventdesk.tui.screens.help.screen import HelpScreen
from eventdesk.tui.screens.meetings.screen import MeetingsScreen
from eventdesk.tui.screens.rooms.screen import RoomsScreen
from eventdesk.tui.textual_compat import notifications
from eventdesk.tui.widgets.status_header import StatusHeader

BRUSSELS = ZoneInfo("Europe/Brussels")


def _app(db: str, **kwargs):
    context = open_context(
        db, Settings(db=db, desk="Desk 3"), Clock.frozen(datetime(2024, 5, 8, 10, 15, tzinfo=BRUSSELS))
    )
    return make_app(context, watch_store=False, **kwargs)


async def test_function_keys_move_between_the_four_screens(tmp_db):
    app = _app(tmp_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        for key, screen in (("f3", AgendaScreen), ("f4", RoomsScreen), ("f5", MeetingsScreen), ("f2", CheckinScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key


async def test_the_header_shows_event_desk_and_event_clock_in_the_event_zone(tmp_db):
    app = _app(tmp_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        header = str(app.screen.query_one(StatusHeader).render())
        assert "Test Conference" in header
        assert "Desk 3" in header
        assert "Wed 08 May 10:15:00" in header  # 08:15 UTC shown in Brussels time


async def test_the_header_warns_while_the_disk_under_the_store_runs_out_of_room(small_disk):
    from datetime import date

    from eventdesk.services.events import create_event

    db = str(small_disk / "event.db")
    create_event(
        db,
        name="Test Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 6),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    app = _app(db)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        header = str(app.screen.query_one(StatusHeader).render())
        assert "DISK NEARLY FULL: 2 MB free, needs 200 MB" in header


async def test_the_header_says_nothing_of_the_disk_while_there_is_room(tmp_db):
    import os

    usage = os.statvfs(os.path.dirname(tmp_db))
    if usage.f_bavail * usage.f_frsize < 2e9:
        pytest.skip("this machine's temporary folder itself runs low on room")
    app = _app(tmp_db)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "DISK" not in str(app.screen.query_one(StatusHeader).render()).upper()


async def test_the_app_can_open_on_another_screen(tmp_db):
    app = _app(tmp_db, start_screen="rooms")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RoomsScreen)


async def test_help_lists_the_keys_and_closes_with_escape(tmp_db):
    app = _app(tmp_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys")
        described = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Check-in", "Agenda", "Rooms", "Meetings", "Help", "Quit"} <= described
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)


async def test_the_command_palette_reaches_every_screen(tmp_db):
    app = _app(tmp_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Go to Check-in", "Go to Agenda", "Go to Rooms", "Go to Meetings", "Help", "Quit"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to rooms")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, RoomsScreen)


async def test_notifications_show_outside_text_literally_and_never_crash(tmp_db):
    """A toast about a session titled "Q&A [/]" or a person "Ann [bold]Acme" shows those words
    as written (Textual would read them as markup and crash on the stray closing tag)."""
    app = _app(tmp_db)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.notify("Delayed 'Q&A [/]' by 5 min")
        app.notify("Booked Ann [bold]Acme\x1b[31m")
        await pilot.pause(0.3)
        messages = [n.message for n in notifications(app)]
        assert "Delayed 'Q&A [/]' by 5 min" in messages
        assert "Booked Ann [bold]Acme\ufffd[31m" in messages
        assert app.is_running
