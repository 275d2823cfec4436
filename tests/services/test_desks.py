"""The desks at a glance: heartbeats say which desks are online, their scans give the pace, their
printers' health and queue come along (service, ``eventdesk desks`` and the Desks screen)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from eventdesk.domain.clock import Clock, utcnow
from eventdesk.services.context import open_context
from eventdesk.services.desks import beat, desks_overview
from eventdesk.settings import Settings
from eventdesk.store import print_jobs
from eventdesk.store.attendees import save_attendee
from eventdesk.store.desks import save_heartbeat
from eventdesk.store.models import Attendee

BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT = datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS)


def _context(db: str, desk: str, at: datetime = MOMENT):
    return open_context(
        db,
        Settings(db=db, desk=desk, printers={"badge-1": "tcp://10.0.0.7:9100"}, default_printer="badge-1"),
        Clock.frozen(at),
    )


def _people(db: str, count: int) -> list[str]:
    context = open_context(db)
    with context.session() as session:
        return [
            save_attendee(
                session,
                Attendee(first_name=f"Person{i}", last_name="Desk", category="participant", badge_code=f"CODE{i:022d}"),
            ).badge_code
            for i in range(count)
        ]


def _by_desk(db: str, at: datetime = MOMENT) -> dict:
    return {d.desk: d for d in desks_overview(_context(db, "Operations", at))}


def test_a_desk_that_beats_is_online_with_its_printers_and_queue(tmp_db):
    codes = _people(tmp_db, 3)
    desk = _context(tmp_db, "Desk 2")
    beat(
        desk,
        [
            {
                "name": "badge-1",
                "url": "tcp://10.0.0.7:9100",
                "default": True,
                "health": "paper out",
                "detail": "the paper roll is empty",
            }
        ],
    )
    with desk.session() as session:
        print_jobs.enqueue(session, kind="badge", attendee_id=None, printer="badge-1", desk="Desk 2")
        print_jobs.enqueue(session, kind="badge", attendee_id=None, printer="", desk="Desk 2")  # the default printer
        failed = print_jobs.enqueue(session, kind="badge", attendee_id=None, printer="badge-1", desk="Desk 2")
        session.flush()
        print_jobs.mark_failed(session, failed.id, "no answer")
    state = _by_desk(tmp_db)["Desk 2"]
    assert state.online and state.last_seen is not None and state.app_version
    assert state.journal_waiting is None  # no offline journal known: shown as "—"
    [printer] = state.printers
    assert (printer.name, printer.health, printer.waiting, printer.failed) == ("badge-1", "paper out", 2, 1)
    assert codes  # people exist but nobody scanned: no pace
    assert state.scans_per_minute == 0 and state.seconds_per_attendee is None and state.last_scan_at is None


def test_a_desk_silent_for_a_minute_is_offline_and_one_from_yesterday_is_gone(tmp_db):
    context = _context(tmp_db, "Operations")
    with context.session() as session:
        for desk, ago in (("Desk 3", timedelta(minutes=1)), ("Desk 9", timedelta(hours=30))):
            save_heartbeat(
                session,
                desk=desk,
                seen_at=utcnow() - ago,
                started_at=utcnow() - ago,
                app_version="0.1.0",
                printers="[]",
                journal_waiting=4,
            )
    desks = _by_desk(tmp_db)
    assert not desks["Desk 3"].online and desks["Desk 3"].journal_waiting == 4
    assert "Desk 9" not in desks


def test_the_pace_of_each_desk_over_the_last_ten_minutes(tmp_db):
    from eventdesk.services.checkin import check_in

    codes = _people(tmp_db, 6)
    for index, code in enumerate(codes[:4]):  # one every 30 s at Desk 1, 08:58:00 .. 08:59:30
        check_in(_context(tmp_db, "Desk 1", MOMENT - timedelta(minutes=2) + timedelta(seconds=30 * index)), code)
    check_in(_context(tmp_db, "Desk 1", MOMENT - timedelta(minutes=1)), codes[0])  # already in: a scan, no person
    check_in(_context(tmp_db, "Door A", MOMENT - timedelta(minutes=30)), codes[5])  # before the window
    desks = _by_desk(tmp_db)
    assert desks["Desk 1"].scans_per_minute == 0.5  # 5 scans in 10 minutes
    assert desks["Desk 1"].seconds_per_attendee == 30
    assert desks["Desk 1"].last_scan_at == (MOMENT - timedelta(seconds=30)).astimezone(
        desks["Desk 1"].last_scan_at.tzinfo
    )
    assert not desks["Desk 1"].online  # scans, but no app beating: not open now
    assert desks["Door A"].scans_per_minute == 0 and desks["Door A"].last_scan_at is not None


def test_eventdesk_desks_lists_them_as_text_and_json(tmp_db):
    from eventdesk.cli import main

    beat(_context(tmp_db, "Desk 2"), [{"name": "badge-1", "url": "tcp://10.0.0.7:9100", "health": "online"}])
    runner = CliRunner()
    listed = runner.invoke(main, ["desks", "--db", tmp_db], catch_exceptions=False)
    assert listed.exit_code == 0
    line = next(text for text in listed.output.splitlines() if text.startswith("Desk 2"))
    assert "online" in line and "badge-1 online 0 waiting" in line
    as_json = runner.invoke(main, ["desks", "--db", tmp_db, "--json"], catch_exceptions=False)
    [desk] = json.loads(as_json.output)
    assert desk["desk"] == "Desk 2" and desk["online"] is True and desk["journal_waiting"] is None
    assert desk["printers"][0]["health"] == "online"


def test_eventdesk_desks_says_when_no_desk_was_seen(tmp_db):
    from eventdesk.cli import main

    listed = CliRunner().invoke(main, ["desks", "--db", tmp_db], catch_exceptions=False)
    assert listed.exit_code == 0 and "No desk seen" in listed.output


async def test_the_desks_screen_shows_another_desk_coming_online_and_refreshes_itself(tmp_db):
    from eventdesk.tui.app import make_app
    from eventdesk.tui.screens.desks.screen import DesksScreen
    from eventdesk.tui.widgets.live_table import LiveTable

    app = make_app(_context(tmp_db, "Operations"), start_screen="desks", watch_store=True)
    async with app.run_test(size=(160, 40)) as pilot:
        assert isinstance(app.screen, DesksScreen)
        table = app.screen.query_one("#desks-table", LiveTable)
        for _ in range(200):
            if "desk:Operations" in table.keys:
                break
            await pilot.pause(0.05)
        assert "online" in table.row_text("desk:Operations")  # its own heartbeat
        beat(
            _context(tmp_db, "Desk 4"),
            [{"name": "badge-1", "url": "tcp://10.0.0.7:9100", "health": "offline", "detail": "no answer"}],
        )
        for _ in range(200):  # another process's heartbeat: seen by the store watch, no key pressed
            if "desk:Desk 4" in table.keys:
                break
            await pilot.pause(0.05)
        row = table.row_text("desk:Desk 4")
        assert "online" in row and "badge-1 offline" in row and "—" in row
        assert "2 of 2 desks online" in str(app.screen.query_one("#desks-summary").render())


def test_the_check_in_screen_and_the_desks_screen_show_one_pace_for_a_desk(tmp_db):
    from eventdesk.services.checkin import check_in
    from eventdesk.services.checkin_figures import desk_figures
    from eventdesk.store.models import CheckinList

    codes = _people(tmp_db, 6)
    with open_context(tmp_db).session() as session:
        session.add(CheckinList(name="Room A", kind="room"))
    for index, code in enumerate(codes[:4]):  # Desk 1 on the entrance, then on a room door
        moment = MOMENT - timedelta(minutes=4) + timedelta(seconds=40 * index)
        check_in(_context(tmp_db, "Desk 1", moment), code, list_name="Main entrance" if index < 2 else "Room A")
    check_in(_context(tmp_db, "Desk 1", MOMENT + timedelta(minutes=3)), codes[4])  # after "now" (a rehearsal)
    overview = _by_desk(tmp_db)["Desk 1"]
    figures = desk_figures(_context(tmp_db, "Desk 1"), "Main entrance")
    assert (figures.scans_per_minute, figures.seconds_per_attendee) == (0.4, 40)
    assert (overview.scans_per_minute, overview.seconds_per_attendee) == (0.4, 40)


def test_no_seconds_per_attendee_and_no_queue_estimate_from_a_scan_or_two(tmp_db):
    from eventdesk.services.checkin import check_in
    from eventdesk.services.checkin_figures import desk_figures

    codes = _people(tmp_db, 700)
    check_in(_context(tmp_db, "Desk 1", MOMENT - timedelta(minutes=1)), codes[0])
    figures = desk_figures(_context(tmp_db, "Desk 1"))
    assert figures.list_per_minute == 0.1 and figures.waiting == 699
    assert figures.minutes_to_clear is None  # not "~116 h 30 min" from one scan
    check_in(_context(tmp_db, "Desk 1", MOMENT - timedelta(seconds=59)), codes[1])
    assert desk_figures(_context(tmp_db, "Desk 1")).seconds_per_attendee is None  # not "1 s" from one gap
    assert _by_desk(tmp_db)["Desk 1"].seconds_per_attendee is None
