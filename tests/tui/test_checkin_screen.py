"""The check-in screen driven as a scanner and a desk person would: keys at full speed, codes back
to back, search as you type, walk-in, corrections, undo, exit and re-entry, hostile text."""

from __future__ import annotations

import re

import pytest
from checkin_desk import MOMENT, change_attendee, desk_app, open_desk, records, session_of
from sqlmodel import select
from textual import events

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, AuditEntry, CheckinList, PrintJob, RevokedCode
from eventdesk.tui.app import make_app
from eventdesk.tui.screens.checkin.big import plain_letters, scaled_lines, wrapped_lines
from eventdesk.tui.screens.checkin.forms import CorrectionForm, ReprintQuestion, WalkInForm
from eventdesk.tui.screens.checkin.screen import CheckinScreen
from eventdesk.tui.textual_compat import app_driver, rendered_lines
from eventdesk.tui.widgets.confirm import Confirm

_app, _desk, _session, _records, _change = desk_app, open_desk, session_of, records, change_attendee


def _code(db: str, last_name: str) -> str:
    with _session(db) as session:
        return session.exec(select(Attendee.badge_code).where(Attendee.last_name == last_name)).one()


async def _keys(pilot, screen: CheckinScreen, *keys: str) -> None:
    await pilot.press(*keys)
    await screen.wait_idle()
    await pilot.pause()


async def _scan(pilot, screen: CheckinScreen, *codes: str, suffix=("enter",)) -> None:
    keys: list[str] = []
    for code in codes:
        keys += [*code, *suffix]
    await _keys(pilot, screen, *keys)


async def _burst(pilot, screen: CheckinScreen, *codes: str) -> None:
    """Keys as a terminal delivers a USB scanner's burst: all queued at once, Enter last (Pilot's
    ``press`` waits for the app to idle after every key, slower than any scanner)."""
    driver = app_driver(screen.app)
    for code in codes:
        for ch in code:
            driver.send_message(events.Key(ch, ch))
        driver.send_message(events.Key("enter", "\r"))
    await pilot.pause()
    await screen.wait_idle()
    await pilot.pause()


async def test_a_scan_checks_in_and_shows_a_green_banner(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "ok"
        assert "Kíncső Izsak" in screen.banner.text
        assert "Technopolis" in screen.banner.text and "speaker" in screen.banner.text
        assert screen.scan_input.value == ""
        assert app.bells == []
    assert [(r.result, r.desk, r.code) for r in _records(demo_db)] == [("ok", "Desk 2", code)]


async def test_codes_back_to_back_are_each_recorded_in_order_never_joined(demo_db):
    codes = [_code(demo_db, name) for name in ("Izsak", "Nögel", "Przeor")]
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, *codes, codes[0])  # the fourth is a repeat of the first
        assert screen.results_shown == 4
        assert screen.banner.kind == "warn"
        assert app.bells == [1]
    records = _records(demo_db)
    assert [r.code for r in records] == [*codes, codes[0]]
    assert [r.result for r in records] == ["ok", "ok", "ok", "already_checked_in"]


async def test_codes_sent_to_the_box_without_waiting_are_never_joined(demo_db):
    codes = [_code(demo_db, name) for name in ("Izsak", "Nögel", "Przeor")]
    app = _app(demo_db)
    async with app.run_test(size=(160, 50)) as pilot:
        await _burst(pilot, app.screen, *codes, "NOSUCHCODE0000000")
        assert app.screen.results_shown == 4
    assert [(r.code, r.result) for r in _records(demo_db)] == [(c, "ok") for c in codes] + [
        ("NOSUCHCODE0000000", "unknown_code")
    ]


async def test_aim_prefix_and_cr_suffix_are_accepted_and_the_empty_enter_ignored(demo_db):
    code = _code(demo_db, "Nögel")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, "]Q1" + code, suffix=("ctrl+m", "enter"))
        assert screen.banner.kind == "ok"
        assert "Lukas Nögel" in screen.banner.text
        await _scan(pilot, screen, "\\000001" + code.lower(), suffix=("ctrl+j",))  # ECI prefix, LF suffix
        assert screen.banner.kind == "warn"
    assert [r.result for r in _records(demo_db)] == ["ok", "already_checked_in"]


async def test_already_checked_in_says_when_and_where_first(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code, code)
        assert screen.banner.kind == "warn"
        assert "ALREADY CHECKED IN" in screen.banner.text
        assert "First checked in today 08:30 at Desk 2" in screen.banner.text
        assert screen.banner.has_class("-warn")


async def test_every_failure_is_red_rings_the_bell_and_is_recorded(demo_db):
    revoked_for = _change(demo_db, "Izsak")
    _change(demo_db, "Nögel", status="cancelled")
    _change(demo_db, "Przeor", blocked=True, note="Call the supervisor")
    with _session(demo_db) as session:
        session.add(RevokedCode(code="OLDCODE0000000000000000000", attendee_id=revoked_for.id))
        session.add(CheckinList(name="Press room", kind="room", categories="press"))
        session.commit()
    app = _app(demo_db)
    cases = [
        ("OLDCODE0000000000000000000", "revoked", "OLD BADGE"),
        (_code(demo_db, "Nögel"), "cancelled", "REGISTRATION CANCELLED"),
        (_code(demo_db, "Przeor"), "blocked", "BLOCKED"),
        ("ZZZZZZZZZZZZZZZZ", "unknown_code", "UNKNOWN CODE"),
    ]
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        for code, result, headline in cases:
            await _burst(pilot, screen, code)
            assert screen.banner.kind == "error", result
            assert headline in screen.banner.text, result
        screen.list_name = "Press room"
        await _scan(pilot, screen, _code(demo_db, "Garcés"))
        assert "NOT ADMITTED" in screen.banner.text
        assert len(app.bells) == 5
    assert [r.result for r in _records(demo_db)] == [c[1] for c in cases] + ["not_on_list"]


async def test_a_forgotten_persons_badge_says_the_data_was_erased_not_reissued(demo_db):
    from eventdesk.services.privacy import forget

    code = _code(demo_db, "Izsak")
    forget(open_context(demo_db, Settings(db=demo_db)), code)
    async with _desk(demo_db) as (app, pilot, screen):
        await _burst(pilot, screen, code)
        assert screen.banner.kind == "error"
        text = screen.banner.text
        assert "DATA ERASED: THIS PERSON'S DETAILS WERE DELETED AT THEIR REQUEST" in text
        assert "OLD BADGE" not in text and "REISSUED" not in text and "(no name)" not in text
        recent = screen.query_one("#recent-scans").text
        assert "(data erased)" in recent and "(no name)" not in recent
    assert [r.result for r in _records(demo_db)][-1] == "forgotten"


async def test_a_scan_on_a_full_disk_says_the_disk_is_full_not_an_sqlalchemy_error(small_disk):
    import os
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
    async with _desk(db) as (app, pilot, screen):
        usage = os.statvfs(small_disk)
        (small_disk / "filler").write_bytes(b"\0" * (usage.f_bavail * usage.f_frsize))
        await _burst(pilot, screen, *(f"NOSUCHCODE{i:04d}{'X' * 40}" for i in range(40)))
        text = screen.banner.text
        assert f"The disk is full: 0.0 MB free in {small_disk}, the desk needs 200 MB" in text
        assert "OperationalError" not in text and "sqlalche.me" not in text


async def test_blocked_banner_shows_the_note(demo_db):
    _change(demo_db, "Przeor", blocked=True, note="Call the supervisor")
    app = _app(demo_db)
    async with app.run_test(size=(160, 50)) as pilot:
        await _scan(pilot, app.screen, _code(demo_db, "Przeor"))
        assert "⚠ Call the supervisor" in app.screen.banner.text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sermuksnyte", "Kristina Šermukšnytė-Alešiūnienė"),
        ("SERMUKS", "Kristina Šermukšnytė-Alešiūnienė"),
        ("kincso izsak", "Kíncső Izsak"),
        ("izsak k", "Kíncső Izsak"),
        ("nogel", "Lukas Nögel"),
    ],
)
async def test_typing_finds_the_seed_speakers_and_enter_checks_the_first_in(demo_db, query, expected):
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *[("space" if ch == " " else ch) for ch in query])
        assert screen.results.people, query
        assert screen.results.people[0].name == expected
        await _keys(pilot, screen, "wait:150", "enter")
        assert screen.banner.kind == "ok"
        assert expected in screen.banner.text
    assert [r.result for r in _records(demo_db)] == ["ok"]


async def test_arrow_keys_choose_another_person(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"anna")
        people = screen.results.people
        assert len(people) >= 2 and all("Anna" in p.name for p in people[:2])
        await _keys(pilot, screen, "down", "wait:150", "enter")
        assert people[1].name in screen.banner.text
    assert [r.code for r in _records(demo_db)] == [people[1].badge_code]


async def test_search_needs_the_minimum_length(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"no")
        assert screen.results.people == []
        await _keys(pilot, screen, "g")
        assert screen.results.people


async def test_a_code_scanned_while_results_are_shown_is_a_scan(demo_db):
    code = _code(demo_db, "Przeor")
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"nogel")
        assert screen.results.people
        await _keys(pilot, screen, "ctrl+u")  # the person clears the box, then the scanner types
        await _scan(pilot, screen, code)
        assert "Marek Przeor" in screen.banner.text
        assert screen.results.people == []
    assert [r.code for r in _records(demo_db)] == [code]


async def test_a_badge_scanned_into_a_half_typed_name_is_still_a_scan(demo_db):
    code = _code(demo_db, "Przeor")
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"nog")  # a person starts typing, then a badge is scanned
        assert screen.results.people
        await _burst(pilot, screen, code)
        assert screen.banner.kind == "ok" and "Marek Przeor" in screen.banner.text
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_a_code_that_arrives_in_two_chunks_is_read_whole(demo_db):
    """A loaded machine or a remote terminal can deliver a scanner's keys in two bursts with a
    pause between: the code is still the whole text, never its second half."""
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        driver = app_driver(app)
        for ch in code[:9]:
            driver.send_message(events.Key(ch, ch))
        await pilot.pause(0.2)  # the pause between the two chunks
        await _burst(pilot, screen, code[9:])
        assert screen.banner.kind == "ok" and "Kíncső Izsak" in screen.banner.text
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_garbage_in_two_chunks_is_one_unknown_code(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        driver = app_driver(app)
        for ch in "XXXXYYYY":
            driver.send_message(events.Key(ch, ch))
        await pilot.pause(0.2)
        await _burst(pilot, screen, "ZZZZWWWW1")
        assert screen.banner.kind == "error" and "UNKNOWN CODE" in screen.banner.text
    assert [(r.code, r.result) for r in _records(demo_db)] == [("XXXXYYYYZZZZWWWW1", "unknown_code")]


async def test_a_scan_lands_in_the_box_whatever_has_focus(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        screen.set_focus(None)
        await pilot.pause()
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "ok"
    assert len(_records(demo_db)) == 1


async def test_a_short_name_with_enter_and_no_choice_records_nothing(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"xq", "wait:150", "enter")
        assert screen.banner.kind == "info"
        assert app.bells == []
    assert _records(demo_db) == []


async def _undo(pilot, screen: CheckinScreen, answer: str = "enter") -> Confirm:
    """F9, then the answer to its question; the question is returned."""
    await _keys(pilot, screen, "f9")
    await screen.app.workers.wait_for_complete()
    await pilot.pause()
    question = screen.app.screen
    assert isinstance(question, Confirm)
    await _keys(pilot, screen, answer)
    return question


async def test_undo_annuls_the_desks_last_check_in(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code)
        await _undo(pilot, screen)
        assert "UNDONE" in screen.banner.text
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "ok"
    records = _records(demo_db)
    assert [(r.result, r.annulled_at is not None, r.annulled_by) for r in records] == [
        ("ok", True, "Desk 2"),
        ("ok", False, None),
    ]


async def test_undo_asks_whose_check_in_it_annuls_and_esc_keeps_it(demo_db):
    izsak, nogel = _code(demo_db, "Izsak"), _code(demo_db, "Nögel")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, izsak, nogel)
        question = await _undo(pilot, screen, "escape")
        assert "Lukas Nögel" in question.text and "08:30:00" in question.text
        assert app.screen is screen and [r.annulled_at for r in _records(demo_db)] == [None, None]
        await _undo(pilot, screen, "y")
        assert "UNDONE" in screen.banner.text
        recent = screen._recent_scans.text
        assert "↶ Lukas Nögel  Undone" in recent and "✓ Lukas Nögel" not in recent
        assert "✓ Kíncső Izsak" in recent
    assert [r.annulled_at is not None for r in _records(demo_db)] == [False, True]


async def test_a_scan_while_undo_asks_is_checked_in_and_answers_nothing(demo_db):
    izsak, nogel = _code(demo_db, "Izsak"), _code(demo_db, "Nögel")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, izsak)
        await _keys(pilot, screen, "f9")
        await app.workers.wait_for_complete()
        await pilot.pause()
        question = app.screen
        assert isinstance(question, Confirm)
        await _burst(pilot, screen, nogel)  # "y" or Enter inside a scan answer nothing
        assert app.screen is question
        assert "Lukas Nögel" in screen.banner.text
        await pilot.pause(0.2)  # a person's Enter, not the second half of the scanner's CR + Enter
        await _keys(pilot, screen, "enter")  # the last check-in is another one now: nothing annulled
        assert app.screen is screen and "NOT DONE" in screen.banner.text
    assert [(r.code, r.annulled_at) for r in _records(demo_db)] == [(izsak, None), (nogel, None)]


async def test_ctrl_q_asks_before_closing_the_desk_and_a_scan_meanwhile_is_checked_in(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, "ctrl+q")
        question = app.screen
        assert isinstance(question, Confirm) and "Close the desk" in question.text
        await _burst(pilot, screen, code)
        assert app.screen is question and app.return_code is None
        assert screen.banner.kind == "ok"
        await _keys(pilot, screen, "escape")
        assert app.screen is screen and app.return_code is None
        quit_command = next(c for c in app.get_system_commands(screen) if c.title == "Quit")
        app.call_next(quit_command.callback)  # the palette's Quit asks too
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await _keys(pilot, screen, "n")
        assert app.screen is screen and app.return_code is None
        await _keys(pilot, screen, "ctrl+q")
        await pilot.press("enter")
        await pilot.pause()
        assert app.return_code == 0
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_a_restarted_desk_shows_its_last_scans_of_today(demo_db):
    izsak, nogel = _code(demo_db, "Izsak"), _code(demo_db, "Nögel")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, izsak, nogel, izsak)
        await _undo(pilot, screen)
        before = screen._recent_scans.text
    async with _desk(demo_db) as (app, pilot, screen):
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen._recent_scans.text == before
        assert "! Kíncső Izsak  Already checked in" in before and "↶ Lukas Nögel  Undone" in before


async def test_exit_and_re_entry(demo_db):
    code = _code(demo_db, "Nögel")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code)
        await _keys(pilot, screen, "f10")
        assert screen.direction == "exit"
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "exit" and "GOODBYE" in screen.banner.text
        await _keys(pilot, screen, "f10")
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "ok"
    assert [(r.direction, r.result) for r in _records(demo_db)] == [("entry", "ok"), ("exit", "ok"), ("entry", "ok")]


async def test_walk_in_registers_checks_in_and_queues_the_badge(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, WalkInForm)
        await pilot.press(*"Ona", "tab", *"Šimaitė", "tab", *"Kaunas Cluster", "tab", *"ona@example.org")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        await screen.wait_idle()
        await pilot.pause()
        assert screen.banner.kind == "ok"
        assert "Ona Šimaitė" in screen.banner.text
    with _session(demo_db) as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == "Šimaitė")).one()
        assert person.walk_in and person.organisation == "Kaunas Cluster" and person.category == "participant"
        jobs = session.exec(select(PrintJob).where(PrintJob.attendee_id == person.id)).all()
        assert [(j.kind, j.reprint, j.desk) for j in jobs] == [("badge", False, "Desk 2")]
    assert [(r.code, r.result) for r in _records(demo_db)] == [(person.badge_code, "ok")]


async def test_a_corrected_name_offers_a_reprint(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code)
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, CorrectionForm)
        first = app.screen.query_one("#form-first_name")
        first.value = "Kincső"
        await pilot.press("enter")
        await screen.wait_idle()
        await pilot.pause()
        assert isinstance(app.screen, ReprintQuestion)
        await pilot.click("#reprint-yes")
        await pilot.pause()
        await screen.wait_idle()
        await pilot.pause()
        assert "REPRINT" in screen.banner.text
    with _session(demo_db) as session:
        person = session.exec(select(Attendee).where(Attendee.badge_code == code)).one()
        assert person.first_name == "Kincső"
        jobs = session.exec(select(PrintJob).where(PrintJob.attendee_id == person.id).order_by(PrintJob.id)).all()
        assert [j.reprint for j in jobs] == [False, True]
        audit = session.exec(select(AuditEntry).where(AuditEntry.subject == f"attendee:{person.id}")).all()
        assert any(a.action == "attendee_corrected" and a.detail == "changed: first_name" for a in audit)
        assert all("Kinc" not in a.detail for a in audit)


async def test_hostile_text_is_shown_literally_and_breaks_nothing(demo_db):
    _change(demo_db, "Izsak", first_name="[bold red]Evil", organisation="\x1b[2J\x07Org")
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"evil")
        assert "[bold red]Evil" in screen.results.row_text(0)
        await _keys(pilot, screen, "ctrl+u")
        await _scan(pilot, screen, code)
        text = screen.banner.text
        assert "[bold red]Evil Izsak" in text
        assert "\x1b" not in text and "\x07" not in text
        screen.scan_input.post_message(events.Paste("X" * 10_000 + "\x1b[31m\x00\x08 [bold]"))
        await pilot.pause()
        assert "\x1b" not in screen.scan_input.value
        await _keys(pilot, screen, "wait:150", "enter")
        assert screen.banner.kind in ("info", "error")
        assert screen.scan_input.value == ""
        assert "XXXX" in screen.banner.text and "\x1b" not in screen.banner.text
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "warn"
    assert [r.result for r in _records(demo_db)] == ["ok", "already_checked_in"]


async def test_the_first_frame_after_the_answer_shows_it_and_the_last_scans_follow(demo_db):
    """The frame written once the answer is committed carries it, as a terminal receives it; the
    "Last scans" line, drawn after that frame, is there once the desk is idle."""
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db, (80, 24)) as (app, pilot, screen):
        await pilot.pause()
        written: list[tuple[int, str]] = []

        class Terminal(type(app_driver(app))):  # the headless driver, made to render frames as a terminal's does
            @property
            def is_headless(self) -> bool:
                return False

            def write(self, data: str) -> None:
                written.append((screen.results_shown, data))

        app_driver(app).__class__ = Terminal
        await _scan(pilot, screen, code)
        frames = [data for shown, data in written if shown == 1 and len(data) > 40]
        assert frames, "no frame after the answer"
        assert "WELCOME" in frames[0] and "Kíncső Izsak" in frames[0]
        assert "Kíncső Izsak" in screen.query_one("#recent-scans").text
        welcome_colour = screen.banner.styles.background
        await _scan(pilot, screen, code)  # again: already checked in, in another colour
        frames = [data for shown, data in written if shown == 2 and len(data) > 40]
        assert frames and "ALREADY CHECKED IN" in frames[0]
        assert screen.banner.kind == "warn" and screen.banner.styles.background != welcome_colour


async def test_a_text_longer_than_the_box_scrolls_to_the_cursor(demo_db):
    async with _desk(demo_db, (80, 24)) as (app, pilot, screen):
        box = screen.scan_input
        await _keys(pilot, screen, *("x" * 100))
        assert box.scroll_x > 0
        assert box.content_region.x <= box.cursor_screen_offset.x <= box.content_region.right  # the cursor in sight
        await _keys(pilot, screen, "home")
        assert box.scroll_x == 0
        await _keys(pilot, screen, "end")
        assert box.scroll_x > 0


async def test_the_desk_figures_count_check_ins(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await screen.figures_ready()
        await _scan(pilot, screen, _code(demo_db, "Izsak"), _code(demo_db, "Nögel"))
        screen.request_figures(now=True)
        while screen._figures_running:
            await pilot.pause()
        figures = screen.query_one("#desk-figures").text
        assert "2 / 697" in figures
        assert "Scans per minute" in figures and "0.2" in figures
        assert "Last scan" in figures and "08:30:00" in figures


async def test_a_reopened_desk_does_not_claim_it_never_scanned_beside_its_last_scan(demo_db):
    from datetime import timedelta

    from eventdesk.services.checkin import check_in

    earlier = open_context(demo_db, Settings(db=demo_db, desk="Desk 2"), Clock.frozen(MOMENT - timedelta(minutes=20)))
    check_in(earlier, _code(demo_db, "Izsak"))  # before this app opened
    async with _desk(demo_db) as (app, pilot, screen):
        await screen.figures_ready()
        assert "Last scan" in screen.query_one("#desk-figures").text
        assert "08:10:00" in screen.query_one("#desk-figures").text
        await app.workers.wait_for_complete()
        await pilot.pause()
        recent = screen.query_one("#recent-scans").text
        assert "No scan yet" not in recent and "08:10:00 ✓ Kíncső Izsak" in recent  # reloaded from the store


async def test_another_desks_scan_shows_up_in_the_figures(demo_db):
    import asyncio

    from eventdesk.services.checkin import check_in

    context = open_context(demo_db, Settings(db=demo_db, desk="Desk 2"), Clock.frozen(MOMENT))
    app = make_app(context, watch_store=True)
    async with app.run_test(size=(160, 50)):
        screen = app.screen
        await screen.figures_ready()
        other_desk = open_context(demo_db, Settings(db=demo_db, desk="Desk 5"), Clock.frozen(MOMENT))
        check_in(other_desk, _code(demo_db, "Izsak"))
        for _ in range(500):  # the app polls the store twice a second
            if "1 / 697" in screen.query_one("#desk-figures").text:
                break
            await asyncio.sleep(0.02)
        assert "Today" in screen.query_one("#desk-figures").text
        assert "1 / 697" in screen.query_one("#desk-figures").text


async def test_the_banner_stays_until_the_next_scan_and_fades(demo_db, monkeypatch):
    import asyncio

    from eventdesk.tui.screens.checkin import banner as checkin_banner

    monkeypatch.setattr(checkin_banner, "FADE_SECONDS", 0.05)
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, _code(demo_db, "Izsak"))
        for _ in range(200):
            if screen.banner.has_class("-faded"):
                break
            await asyncio.sleep(0.01)
        assert screen.banner.has_class("-faded") and "Kíncső Izsak" in screen.banner.text  # faded, not gone
        monkeypatch.setattr(checkin_banner, "FADE_SECONDS", 60)
        await _scan(pilot, screen, _code(demo_db, "Nögel"))
        assert not screen.banner.has_class("-faded") and "Lukas Nögel" in screen.banner.text


async def test_walk_in_form_takes_the_badge_name_and_pronouns(demo_db):
    async with _desk(demo_db) as (app, pilot, screen):
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#form-first_name").value = "Robert"
        app.screen.query_one("#form-last_name").value = "Tables"
        app.screen.query_one("#form-badge_name").value = "Bobby Tables"
        app.screen.query_one("#form-pronouns").value = "he/him"
        app.screen.query_one("#form-first_name").focus()
        await pilot.press("enter")
        await pilot.pause()
        await screen.wait_idle()
        await pilot.pause()
        assert "Bobby Tables (he/him)" in screen.banner.text
        assert "Robert Tables" in screen.banner.text  # the legal name, to compare with an ID
    with _session(demo_db) as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == "Tables")).one()
        assert (person.badge_name, person.pronouns) == ("Bobby Tables", "he/him")


async def test_figures_show_this_desks_range_and_the_queues_time_to_clear(demo_db):
    context = open_context(demo_db, Settings(db=demo_db, desk="Desk 2", desk_range="A–I"), Clock.frozen(MOMENT))
    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen

        async def figures() -> str:
            screen.request_figures(now=True)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            return screen.query_one("#desk-figures").text

        def clears_in(text: str) -> str:
            return text.split("Queue clears in")[1].split("\n")[0].strip()

        await _scan(pilot, screen, _code(demo_db, "Izsak"))
        text = await figures()
        assert "This desk: last names" in text and "A–I" in text
        assert clears_in(text) == "–"  # one scan is no pace to plan a queue by
        await _scan(pilot, screen, *(_code(demo_db, name) for name in ("Nögel", "Przeor", "Garcés")))
        assert "min" in clears_in(await figures())


async def test_the_desk_finds_people_by_badge_name_and_in_another_script(demo_db):
    _change(demo_db, "Izsak", badge_name="Kinga")
    with _session(demo_db) as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == "Nögel")).one()
        person.first_name, person.last_name = "Лукас", "Нёгель"
        save_attendee(session, person)
        session.commit()
    async with _desk(demo_db) as (app, pilot, screen):
        await _keys(pilot, screen, *"kinga")
        assert [p.name for p in screen.results.people] == ["Kíncső Izsak"]
        await _keys(pilot, screen, *["backspace"] * 5, *"negel")
        assert [p.name for p in screen.results.people] == ["Лукас Нёгель"]


# --- sizes: 80×24 and 100×30 compact with the figures below, 160×45 and 220×60 in block letters ---


def _screen_text(app) -> str:
    """What the terminal shows, row by row, as plain characters."""
    return "\n".join(rendered_lines(app.screen))


def _figure_rows(app) -> list[str]:
    region = app.screen.query_one("#desk-figures").content_region
    rows = _screen_text(app).splitlines()
    return [rows[y][region.x : region.right] for y in range(region.y, region.bottom)]


SIZES = [((80, 24), False), ((100, 30), False), ((160, 45), True), ((220, 60), True)]


@pytest.mark.parametrize(("size", "big"), SIZES, ids=[f"{w}x{h}" for (w, h), _ in SIZES])
async def test_the_answer_fits_the_terminal(demo_db, size, big):
    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        await _scan(pilot, screen, code)
        await pilot.pause()
        banner = screen.banner
        assert banner.kind == "ok" and "Kíncső Izsak" in banner.text
        shown = _screen_text(app)
        box = screen.scan_input.region
        assert box.height and box.bottom <= size[1] - 1, "the scan box is on screen"
        if big:
            # The result word and the name in block letters; the exact spelling below them.
            assert banner.big_scale >= 2
            for line in scaled_lines("WELCOME", banner.big_scale):
                assert line in shown
            assert scaled_lines("KINCSO", max(1, banner.big_scale // 2))[0] in shown
            assert "Kíncső Izsak" in shown
        else:
            assert banner.big_scale == 0
            assert "WELCOME" in shown and "Kíncső Izsak" in shown
        # Figures: each row ends with its whole number, never broken over two rows.
        rows = [row.rstrip() for row in _figure_rows(app) if row.strip()]
        assert any(row.startswith("Today") for row in rows)
        for row in rows:
            assert not re.fullmatch(r"[\d,]+", row.strip()), f"a number wrapped on its own row: {row!r}"
            assert not row.endswith("/"), f"a figure broken after the slash: {row!r}"


async def test_a_long_refusal_wraps_its_block_words_within_the_banner(demo_db):
    async with _desk(demo_db, (160, 45)) as (app, pilot, screen):
        await _burst(pilot, screen, "NOSUCHCODE0000000")
        banner = screen.banner
        assert banner.kind == "error" and banner.big_scale >= 1
        drawn = wrapped_lines(plain_letters("UNKNOWN CODE"), banner.big_scale, banner.content_size.width)
        assert drawn and all(len(line) <= banner.content_size.width for line in drawn)
        assert "NOSUCHCODE0000000" in _screen_text(app)


async def test_narrow_desks_put_the_figures_below_the_answer(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-narrow")
        figures = screen.query_one("#desk-figures").region
        assert figures.y >= screen.banner.region.bottom
        assert not screen.query_one("#badge-preview").display or screen.query_one("#badge-preview").region.height == 0
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert screen.has_class("-side")
        assert screen.query_one("#desk-figures").region.x >= screen.banner.region.right


def _renamed(db: str, first: str, last: str) -> Attendee:
    """Kíncső Izsak, renamed (no badge name: the banner shows first and last name)."""
    with _session(db) as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == "Izsak")).one()
        person.first_name, person.last_name, person.badge_name = first, last, ""
        save_attendee(session, person)
        session.commit()
        return person


@pytest.mark.parametrize(
    ("first", "last", "drawn"),
    [("Joanna", "Błaszczyk", "BLASZCZYK"), ("Đorđe", "Muñoz", "DORDE MUNOZ"), ("Søren", "Weiß", "SOREN WEISS")],
)
async def test_the_big_name_shows_every_letter_of_the_name(demo_db, first, last, drawn):
    person = _renamed(demo_db, first, last)
    async with _desk(demo_db, (160, 45)) as (app, pilot, screen):
        await _burst(pilot, screen, person.badge_code)
        banner = screen.banner
        assert banner.kind == "ok" and banner.big_scale >= 2
        shown = _screen_text(app)
        for line in scaled_lines(drawn.split()[-1], max(1, banner.big_scale // 2)):
            assert line.strip() in shown
        assert f"{first} {last}" in shown


async def test_a_name_in_letters_the_block_font_lacks_is_shown_plain_not_with_holes(demo_db):
    person = _renamed(demo_db, "Дмитрий", "Wójcik")
    async with _desk(demo_db, (160, 45)) as (app, pilot, screen):
        await _burst(pilot, screen, person.badge_code)
        banner = screen.banner
        assert banner.kind == "ok" and banner.big_scale >= 2
        shown = _screen_text(app)
        assert scaled_lines("WOJCIK", max(1, banner.big_scale // 2))[0] not in shown
        assert "Дмитрий Wójcik" in shown


@pytest.mark.parametrize("size", [(160, 50), (160, 30)], ids=["160x50", "160x30"])
async def test_last_scans_show_each_answer_whole(demo_db, size):
    izsak, nogel = _code(demo_db, "Izsak"), _code(demo_db, "Nögel")
    async with _desk(demo_db, size) as (app, pilot, screen):
        await _burst(pilot, screen, izsak, nogel, izsak)
        await pilot.pause()
        region = screen.query_one("#recent-scans").region
        rows = _screen_text(app).splitlines()[region.y : region.bottom]
        shown = [row[region.x : region.right] for row in rows]
        assert any("Kíncső Izsak  Already checked in" in row for row in shown), shown
        assert any("Lukas Nögel  Welcome " in row for row in shown), shown


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)], ids=["80x24", "100x30", "160x45"])
async def test_the_footer_ends_with_the_palette_key_and_no_stray_letter(demo_db, size):
    async with _desk(demo_db, size) as (app, pilot, screen):
        await pilot.pause()
        assert _screen_text(app).splitlines()[-1].endswith("▏^p palette")


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)], ids=["80x24", "100x30", "160x45"])
async def test_the_key_hints_above_the_scan_box_are_never_cut(demo_db, size):
    async with _desk(demo_db, size) as (app, pilot, screen):
        await pilot.pause()
        line = screen.query_one("#checkin-mode")
        hints = line.render().plain
        assert "F6 walk-in" in hints and len(hints) <= line.size.width
        assert _screen_text(app).splitlines()[line.region.y].rstrip() == hints.rstrip()
        await _keys(pilot, screen, "f10")  # the exit mode's longer words leave room for fewer keys
        hints = line.render().plain
        assert "EXIT" in hints and len(hints) <= line.size.width


def test_block_letters_scale_and_drop_accents():
    assert plain_letters("Kíncső Izsák") == "KINCSO IZSAK"
    assert plain_letters("Łucja Đurić Ødegård Weiß") == "LUCJA DURIC ODEGARD WEISS"
    assert plain_letters("J. R. O'Hara") == "J  R  O'HARA"
    assert plain_letters("Дмитрий") is None  # no block letter for it: the name is shown plain
    one, two = scaled_lines("OK", 1), scaled_lines("OK", 2)
    assert len(one) == 3 and len(two) == 6
    assert max(map(len, two)) == 2 * max(map(len, one))
    assert wrapped_lines("ALREADY CHECKED IN", 1, 10) is None  # a word wider than the room


def _option_text(screen: CheckinScreen, index: int) -> str:
    return screen.results.row_text(index)


async def test_search_results_mark_who_is_checked_in_today_with_time_and_desk(demo_db):
    code = _code(demo_db, "Izsak")
    async with _desk(demo_db) as (app, pilot, screen):
        await _scan(pilot, screen, code)
        assert screen.banner.kind == "ok"
        await _keys(pilot, screen, *"izsak")
        assert screen.results.people[0].name == "Kíncső Izsak"
        assert "✓ in 08:30 Desk 2" in _option_text(screen, 0)
        await _keys(pilot, screen, "escape", *"nogel")
        assert screen.results.people[0].name == "Lukas Nögel"
        assert all("✓" not in _option_text(screen, i) for i in range(len(screen.results.people)))
        screen.list_name = next(n for n in _list_names(demo_db) if n != screen.list_name)
        await _keys(pilot, screen, "escape", *"izsak")
        assert screen.results.people[0].name == "Kíncső Izsak"
        assert "✓" not in _option_text(screen, 0)  # checked in at the entrance, not on this list


def _list_names(db: str) -> list[str]:
    with _session(db) as session:
        return list(session.exec(select(CheckinList.name).order_by(CheckinList.id)))


async def test_a_door_list_of_a_full_room_shows_room_full_on_the_banner(demo_db):
    from eventdesk.store.models import Room

    with _session(demo_db) as session:
        room = Room(name="Tiny salon", capacity=2)
        session.add(room)
        session.flush()
        session.add(CheckinList(name="Tiny salon door", kind="room", room_id=room.id))
        session.commit()
    codes = [_code(demo_db, name) for name in ("Izsak", "Nögel", "Przeor")]
    async with _desk(demo_db) as (app, pilot, screen):
        screen.list_name = "Tiny salon door"
        await _scan(pilot, screen, codes[0])
        assert screen.banner.kind == "ok" and "ROOM" not in screen.banner.text
        await _scan(pilot, screen, codes[1])
        assert "ROOM FULL: 2 of 2" in screen.banner.text
        await _scan(pilot, screen, codes[2])
        assert screen.banner.kind == "ok"  # recorded: the people are inside
        assert "ROOM FULL: 3 of 2" in screen.banner.text
        assert "Przeor" in screen.banner.text
        alert = next(span for span in screen.banner.lines.spans if "red" in str(span.style))
        assert screen.banner.lines.plain[alert.start : alert.end].strip() == "ROOM FULL: 3 of 2"
    assert [r.result for r in _records(demo_db)] == ["ok", "ok", "ok"]


def test_the_room_alert_turns_amber_at_90_percent_and_red_at_capacity():
    from eventdesk.services.checkin import CheckinResult
    from eventdesk.tui.screens.checkin.banner import room_alert

    def entry(inside: int, direction: str = "entry") -> CheckinResult:
        return CheckinResult(
            result="ok",
            code="C",
            direction=direction,
            list_name="Door",
            desk="Desk 2",
            scanned_at=MOMENT,
            nonce="n",
            record_id=1,
            occupancy=inside,
            capacity=200,
        )

    assert room_alert(entry(179)) is None
    amber = room_alert(entry(180))
    assert amber.plain.strip() == "ROOM NEARLY FULL: 180 of 200" and "dark_orange" in str(amber.style)
    red = room_alert(entry(200))
    assert red.plain.strip() == "ROOM FULL: 200 of 200" and "red" in str(red.style)
    assert room_alert(entry(205, "exit")) is None  # leaving never warns
