"""The self check-in kiosk, driven as an attendee and a curious passer-by would: a scan welcomes by
the badge name and prints the badge; every other answer, and every key that would leave or reveal
anything, gives nothing away; only the PIN leaves."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from checkin_desk import change_attendee, session_of
from click.testing import CliRunner
from sqlmodel import select
from textual import events

from eventdesk.cli import main
from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.models import CheckinRecord, PrintJob
from eventdesk.tui.kiosk_app import KioskError, make_kiosk_app
from eventdesk.tui.screens.kiosk.screen import SEE_DESK, KioskPin, KioskScreen
from eventdesk.tui.textual_compat import app_driver

BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT = datetime(2024, 5, 7, 8, 30, tzinfo=BRUSSELS)
PIN = "4711"


def _app(db: str, pin: str | None = PIN, result_seconds: float = 30.0):
    context = open_context(db, Settings(db=db, desk="Kiosk 1", kiosk_pin=pin), Clock.frozen(MOMENT))
    return make_kiosk_app(context, result_seconds=result_seconds)


_session, _person = session_of, change_attendee  # what the check-in screen's tests use too


async def _burst(pilot, text: str) -> None:
    """Keys as a terminal delivers a scanner's burst (all queued at once, Enter last)."""
    driver = app_driver(pilot.app)
    for ch in text:
        driver.send_message(events.Key(ch, ch))
    driver.send_message(events.Key("enter", "\r"))
    await _settle(pilot)


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _kiosk(app) -> KioskScreen:
    screen = app.screen
    assert isinstance(screen, KioskScreen)
    return screen


def test_the_kiosk_refuses_to_start_without_a_pin(demo_db):
    with pytest.raises(KioskError, match="kiosk_pin"):
        _app(demo_db, pin=None)
    result = CliRunner().invoke(main, ["kiosk", "--db", demo_db], env={"EVENTDESK_KIOSK_PIN": ""})
    assert result.exit_code != 0 and "kiosk_pin" in result.output


async def test_a_scan_welcomes_by_the_badge_name_prints_the_badge_and_returns_to_idle(demo_db):
    person = _person(demo_db, "Izsak", badge_name="Kincso the Great")
    app = _app(demo_db, result_seconds=0.3)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        assert "Scan the QR code" in kiosk.text
        await _burst(pilot, person.badge_code)
        assert kiosk.state == "ok"
        assert "Kincso the Great" in kiosk.text and "Your badge is printing" in kiosk.text
        while kiosk.state != "idle":  # the answer goes by itself
            await pilot.pause(0.1)
        assert "Scan the QR code" in kiosk.text
    with _session(demo_db) as session:
        assert [
            (r.result, r.desk)
            for r in session.exec(select(CheckinRecord).where(CheckinRecord.attendee_id == person.id))
        ] == [("ok", "Kiosk 1")]
        assert [j.kind for j in session.exec(select(PrintJob).where(PrintJob.attendee_id == person.id))] == ["badge"]


@pytest.mark.parametrize("case", ["unknown", "cancelled", "blocked", "already"])
async def test_every_other_answer_says_see_the_desk_and_nothing_else(demo_db, case):
    person = _person(
        demo_db,
        "Izsak",
        status="cancelled" if case == "cancelled" else "active",
        blocked=case == "blocked",
        note="collect invoice",
    )
    code = "ZZZZZZZZZZZZZZZZZZZZZZZZZZ" if case == "unknown" else person.badge_code
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        if case == "already":
            await _burst(pilot, code)
            assert kiosk.state == "ok"
        await _burst(pilot, code)
        assert kiosk.state == "desk"
        assert kiosk.text.strip() == SEE_DESK
        assert "Izsak" not in kiosk.text and "invoice" not in kiosk.text


async def test_a_typed_name_shows_nobody_and_is_not_recorded(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        await pilot.press(*"izsak", "enter")
        await _settle(pilot)
        assert kiosk.text.strip() == SEE_DESK
        await pilot.press(*"Kincso Izsak", "enter")
        await _settle(pilot)
        assert kiosk.text.strip() == SEE_DESK
    with _session(demo_db) as session:
        assert session.exec(select(CheckinRecord).where(CheckinRecord.desk == "Kiosk 1")).all() == []


async def test_keys_that_leave_or_reveal_do_nothing(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        for key in (
            "f1",
            "f2",
            "f3",
            "f4",
            "f5",
            "f6",
            "f7",
            "f8",
            "f9",
            "f10",
            "f12",
            "ctrl+p",
            "ctrl+c",
            "ctrl+q",
            "tab",
            "ctrl+l",
        ):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running and app.return_code is None, key
            assert app.screen is kiosk and len(app.screen_stack) == 2, key
        assert "Scan the QR code" in kiosk.text


async def test_only_the_pin_leaves(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, KioskPin)
        await pilot.press(*"1234", "enter")
        await pilot.pause()
        assert app.screen is kiosk and app.return_code is None  # a wrong PIN leaves nothing
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")  # the prompt closes without a PIN
        await pilot.pause()
        assert app.screen is kiosk
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert app.return_code == 0  # the app exits


async def test_three_wrong_pins_lock_the_prompt(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        for _ in range(3):
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press(*"0000", "enter")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is kiosk  # locked: no prompt for a while


async def test_a_scan_into_the_pin_prompt_is_a_check_in_and_no_wrong_pin(demo_db):
    people = [_person(demo_db, name) for name in ("Izsak", "Nögel", "Przeor")]
    app = _app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        kiosk = _kiosk(app)
        for person in people:  # staff opened the prompt; the next attendee scans before the PIN
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, KioskPin)
            await _burst(pilot, person.badge_code)
            assert app.screen is kiosk
            assert kiosk.state == "ok" and person.called in kiosk.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, KioskPin)  # three scans are no three wrong PINs: not locked
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert app.return_code == 0
    with _session(demo_db) as session:
        for person in people:
            assert [
                r.result for r in session.exec(select(CheckinRecord).where(CheckinRecord.attendee_id == person.id))
            ] == ["ok"]


def test_run_opens_the_kiosk_when_the_settings_say_so_and_still_needs_the_pin(demo_db, tmp_path):
    config = tmp_path / "eventdesk.toml"
    config.write_text("kiosk = true\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "run", "--db", demo_db])
    assert result.exit_code != 0 and "kiosk_pin" in result.output
