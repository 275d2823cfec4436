"""A badge scanned wherever the desk is: inside the walk-in and correction forms, over the reprint
question, on the printer panel or another screen. A scanner's burst (keys faster than a person
types, ending in Enter) is never typed into a field nor presses a button: it is a check-in, with
its banner, and the open form keeps what the person typed."""

from __future__ import annotations

from sqlmodel import select
from test_checkin_screen import _app, _code, _records, _session
from textual import events

from eventdesk.store.models import Attendee, PrintJob
from eventdesk.tui.screens.agenda.screen import AgendaScreen
from eventdesk.tui.screens.checkin.banner import ScanNotice
from eventdesk.tui.screens.checkin.forms import CorrectionForm, ReprintQuestion, WalkInForm
from eventdesk.tui.screens.checkin.screen import CheckinScreen
from eventdesk.tui.screens.printers.screen import PrintersScreen
from eventdesk.tui.textual_compat import app_driver, key_for_character


async def scanner(pilot, app, code: str, suffix: tuple[str, ...] = ("enter",)) -> None:
    """Keys as a USB scanner delivers them: all at once, Enter last."""
    driver = app_driver(app)
    for ch in code:
        driver.send_message(events.Key(key_for_character(ch), ch))
    for key in suffix:
        driver.send_message(events.Key(key, "\r" if key in ("enter", "ctrl+m") else None))
    await pilot.pause()
    await checkin_screen(app).wait_idle()
    await pilot.pause()


async def person_types(pilot, *keys: str) -> None:
    """Keys as a person types them: a pause after each."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause(0.1)


def checkin_screen(app) -> CheckinScreen:
    return app.checkin_screen


async def open_walk_in(pilot, app) -> WalkInForm:
    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(app.screen, WalkInForm)
    return app.screen


async def scan_and_correct(pilot, app, code: str) -> CorrectionForm:
    await scanner(pilot, app, code)
    await pilot.press("f8")
    await pilot.pause()
    assert isinstance(app.screen, CorrectionForm)
    return app.screen


def walk_ins(db: str) -> list[Attendee]:
    with _session(db) as session:
        return list(session.exec(select(Attendee).where(Attendee.walk_in == True)))  # noqa: E712


async def test_a_scan_in_the_walk_in_form_checks_in_and_keeps_the_typed_name(demo_db):
    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await person_types(pilot, *"Anna")
        assert form.query_one("#form-first_name").value == "Anna"
        await scanner(pilot, app, code)
        assert app.screen is form  # the form stays open with what was typed
        assert form.query_one("#form-first_name").value == "Anna"
        assert form.query_one("#form-last_name").value == ""
        assert checkin_screen(app).banner.kind == "ok" and "Kíncső Izsak" in checkin_screen(app).banner.text
        notice = form.query_one(ScanNotice)
        assert "WELCOME" in notice.text and "Kíncső Izsak" in notice.text
        # the person goes on typing and registers the walk-in
        await person_types(pilot, "tab", *"Berg", "enter")
        await checkin_screen(app).wait_idle()
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
    assert [(p.first_name, p.last_name) for p in walk_ins(demo_db)] == [("Anna", "Berg")]
    assert [(r.code, r.result) for r in _records(demo_db)][0] == (code, "ok")


async def test_a_scan_into_the_empty_walk_in_form_creates_no_walk_in(demo_db):
    code = _code(demo_db, "Nögel")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await scanner(pilot, app, code, suffix=("ctrl+m", "enter"))  # CR + Enter suffix
        assert app.screen is form
        assert form.query_one("#form-first_name").value == ""
        assert "Lukas Nögel" in checkin_screen(app).banner.text
    assert walk_ins(demo_db) == []
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_a_scan_in_the_correction_form_changes_no_detail(demo_db):
    first, second = _code(demo_db, "Izsak"), _code(demo_db, "Przeor")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await scan_and_correct(pilot, app, first)
        await scanner(pilot, app, second)
        assert app.screen is form
        assert form.query_one("#form-first_name").value == "Kíncső"
        assert "Marek Przeor" in checkin_screen(app).banner.text
        await pilot.press("escape")
        await pilot.pause()
    with _session(demo_db) as session:
        assert session.exec(select(Attendee.first_name).where(Attendee.badge_code == first)).one() == "Kíncső"
    assert [(r.code, r.result) for r in _records(demo_db)] == [(first, "ok"), (second, "ok")]


async def test_a_scan_over_the_reprint_question_answers_nothing(demo_db):
    first, second = _code(demo_db, "Izsak"), _code(demo_db, "Przeor")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await scan_and_correct(pilot, app, first)
        form.query_one("#form-first_name").value = "Kincső"
        await pilot.press("enter")
        await checkin_screen(app).wait_idle()
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ReprintQuestion)
        await scanner(pilot, app, second)
        assert app.screen is question  # still asking
        assert "Marek Przeor" in checkin_screen(app).banner.text
        assert "Marek Przeor" in question.query_one(ScanNotice).text
    with _session(demo_db) as session:
        assert [j.reprint for j in session.exec(select(PrintJob).where(PrintJob.kind == "badge"))] == [False, False]


async def test_a_person_typing_in_the_form_is_never_taken_for_a_scanner(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await person_types(pilot, *"Alexandrina", "tab", *"Wojciechowska")
        assert form.query_one("#form-first_name").value == "Alexandrina"
        assert form.query_one("#form-last_name").value == "Wojciechowska"
        await person_types(pilot, "enter")
        await checkin_screen(app).wait_idle()
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
    assert [(p.first_name, p.last_name) for p in walk_ins(demo_db)] == [("Alexandrina", "Wojciechowska")]


async def test_function_keys_leave_the_printer_panel(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, PrintersScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, CheckinScreen)


async def test_a_scan_on_the_printer_panel_is_a_check_in_with_a_banner_there(demo_db):
    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, PrintersScreen)
        await scanner(pilot, app, code)
        assert app.screen is panel
        assert "Kíncső Izsak" in panel.query_one(ScanNotice).text
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_a_scan_on_the_agenda_is_a_check_in_at_the_desks_list_not_a_chair_key(demo_db):
    code = "tcs-e+]4821"  # an unknown code full of the agenda's chair keys
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        agenda = app.screen
        day_before = str(agenda.query_one("#agenda-day").render())
        await scanner(pilot, app, code)
        assert app.screen is agenda
        assert "UNKNOWN CODE" in agenda.query_one(ScanNotice).text
        assert str(agenda.query_one("#agenda-day").render()) == day_before
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "unknown_code")]


async def keys_at(pilot, app, keys: list[str], gap: float, after: float = 0.0) -> None:
    """Keys queued at once, stamped ``gap`` seconds apart (a fast typist, a keyboard macro), the
    first ``after`` seconds after the previous call's last key."""
    start = keys_at.last + after if after else events.Key("a", "a").time
    for index, key in enumerate(keys):
        if isinstance(key, events.Paste):
            app_driver(app).send_message(key)
            continue
        character = key if len(key) == 1 else {"tab": "\t", "enter": "\r", "space": " "}.get(key)
        event = events.Key(key_for_character(key) if len(key) == 1 else key, character)
        event.time = keys_at.last = start + index * gap
        app_driver(app).send_message(event)
    await pilot.pause(0.2)
    await checkin_screen(app).wait_idle()
    await pilot.pause()


keys_at.last = 0.0


async def test_a_name_typed_fast_and_then_tab_lands_in_the_field_and_is_no_scan(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await keys_at(pilot, app, [*"Łukasiewicz", "tab"], 0.02)
        assert form.query_one("#form-first_name").value == "Łukasiewicz"
        assert form.focused is form.query_one("#form-last_name")
        await keys_at(pilot, app, [*"Wojciechowska"], 0.02)
        assert form.query_one("#form-last_name").value == "Wojciechowska"
        assert "Unknown" not in checkin_screen(app)._recent_scans.text
    assert _records(demo_db) == []


async def test_a_name_pasted_into_the_form_lands_in_the_field_in_order_and_is_no_scan(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await keys_at(pilot, app, ["J", events.Paste("ędrzej"), "tab"], 0.02)
        await keys_at(pilot, app, [*"Łukasiewicz", events.Paste("-Nowak"), "tab"], 0.02)
        assert form.query_one("#form-first_name").value == "Jędrzej"
        assert form.query_one("#form-last_name").value == "Łukasiewicz-Nowak"
    assert _records(demo_db) == []


async def test_a_tab_pressed_just_after_a_scan_still_moves_to_the_next_field(demo_db):
    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await person_types(pilot, *"Anna")
        await keys_at(pilot, app, [*code, "enter"], 0.001)
        await keys_at(pilot, app, ["tab", *"Berg"], 0.15, after=0.06)
        assert form.query_one("#form-first_name").value == "Anna"
        assert form.query_one("#form-last_name").value == "Berg"
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


PAGES = ("Lorem ipsum dolor sit amet Łukasiewicz " * 130)[:5000]


async def test_pages_pasted_as_keys_into_the_scan_box_are_cut_and_the_next_scan_is_checked_in(demo_db):
    from eventdesk.tui.scanning.input import MAX_TEXT

    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        box = checkin_screen(app).scan_input
        await keys_at(pilot, app, [ch if ch != " " else "space" for ch in PAGES], 0.0005)
        assert box.value == PAGES[:MAX_TEXT]  # the rest was dropped, not typed
        await keys_at(pilot, app, [*code, "enter"], 0.001, after=0.5)  # the next attendee, a moment later
        assert checkin_screen(app).banner.kind == "ok" and "Kíncső Izsak" in checkin_screen(app).banner.text
        app_driver(app).send_message(events.Paste(PAGES))
        await pilot.pause()
        assert len(box.value) == MAX_TEXT
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]


async def test_pages_pasted_into_a_form_field_are_cut_without_a_bell_for_each_key(demo_db):
    from eventdesk.tui.screens.checkin.forms import FIELD_CHARS

    code = _code(demo_db, "Nögel")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        form = await open_walk_in(pilot, app)
        await keys_at(pilot, app, [ch if ch != " " else "space" for ch in PAGES], 0.0005)
        assert form.query_one("#form-first_name").value == PAGES[:FIELD_CHARS]
        assert app.bells == []
        await keys_at(pilot, app, [*code, "enter"], 0.001, after=0.5)
        assert app.screen is form and "Lukas Nögel" in checkin_screen(app).banner.text
        app_driver(app).send_message(events.Paste(PAGES))
        await keys_at(pilot, app, ["tab"], 0.01, after=0.5)
        app_driver(app).send_message(events.Paste(PAGES))
        await pilot.pause()
        assert form.query_one("#form-last_name").value == PAGES[:FIELD_CHARS]
    assert [(r.code, r.result) for r in _records(demo_db)] == [(code, "ok")]
