"""The desk under a queue: exit mode that nobody mistakes for entry (and that ends by itself), the
last scans beside the banner, a dead printer that cannot be missed, reprints, help."""

from __future__ import annotations

from test_checkin_screen import MOMENT, _burst, _code, _records, _scan
from test_scan_anywhere import checkin_screen
from textual.widgets import Static

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app


def _app(db: str, **settings):
    context = open_context(db, Settings(db=db, desk="Desk 2", **settings), Clock.frozen(MOMENT))
    app = make_app(context, watch_store=False)
    app.bells = []
    app.bell = lambda: app.bells.append(1)
    return app


async def until(pilot, condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "the desk did not reach the expected state in time"


async def test_exit_mode_shows_a_large_exit_and_its_own_colour(demo_db):
    inside, never_came = _code(demo_db, "Nögel"), _code(demo_db, "Przeor")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = checkin_screen(app)
        await _scan(pilot, screen, inside)
        mark = screen.query_one("#exit-mark", Static)
        assert not mark.display and not screen.has_class("-exit-mode")
        await pilot.press("f10")
        await pilot.pause()
        assert screen.has_class("-exit-mode") and mark.display
        assert "█▀▀" in str(mark.render()) and "EXIT MODE" in str(mark.render())
        await _scan(pilot, screen, inside)
        assert screen.banner.kind == "exit"  # not the green of a welcome
        assert "GOODBYE" in screen.banner.text
        await _scan(pilot, screen, never_came)
        assert screen.banner.kind == "warn"
        assert "NO ENTRY TODAY" in screen.banner.text and "Marek Przeor" in screen.banner.text
    assert [(r.direction, r.result) for r in _records(demo_db)] == [("entry", "ok"), ("exit", "ok"), ("exit", "ok")]


async def test_exit_mode_falls_back_to_entry_after_the_idle_time(demo_db):
    app = _app(demo_db, exit_fallback_minutes=0.1)  # 6 s
    async with app.run_test(size=(160, 45)) as pilot:
        screen = checkin_screen(app)
        await pilot.press("f10")
        await pilot.pause()
        assert screen.direction == "exit"
        await until(pilot, lambda: screen.direction == "entry", timeout=20)
        assert not screen.has_class("-exit-mode")
        assert "BACK TO ENTRY" in screen.banner.text
        await _scan(pilot, screen, _code(demo_db, "Izsak"))
        assert screen.banner.kind == "ok"
    assert [(r.direction, r.result) for r in _records(demo_db)] == [("entry", "ok")]


async def test_the_last_scans_keep_a_refused_scan_in_sight(demo_db):
    first, second = _code(demo_db, "Izsak"), _code(demo_db, "Nögel")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = checkin_screen(app)
        await _burst(pilot, screen, first, "GARBAGE00000000", second)
        assert "Lukas Nögel" in screen.banner.text  # the banner moved on
        recent = screen.query_one("#recent-scans")
        lines = recent.text.splitlines()
        assert len(lines) == 3
        assert "Welcome" in lines[0] and "Lukas Nögel" in lines[0]
        assert "Unknown code" in lines[1] and "GARBAGE00000000" in lines[1]
        assert "Welcome" in lines[2] and "Kíncső Izsak" in lines[2]
        assert all(line.startswith("08:30:00") for line in lines)
        assert [kind for kind in (s.kind for s in recent.scans)] == ["ok", "error", "ok"]


# --- a dead printer ------------------------------------------------------------------------------


def _printer_app(db: str, dead: str, back):
    return _app(
        db, printers={"front": dead, "back": f"preview://{back}"}, default_printer="front", printer_timeout_s=0.5
    )


async def test_a_dead_printer_stays_in_sight_and_ctrl_o_moves_every_waiting_badge(demo_db, refused_url, tmp_path):
    from sqlmodel import select
    from test_checkin_screen import _session

    from eventdesk.store.models import PrintJob

    codes = [_code(demo_db, name) for name in ("Izsak", "Nögel", "Przeor")]
    app = _printer_app(demo_db, refused_url, tmp_path / "back")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = checkin_screen(app)
        line = screen.query_one("#printer-state", Static)
        await _scan(pilot, screen, codes[0])
        await until(pilot, lambda: line.has_class("-trouble"))  # the first attempt failed
        assert "Badge printer front: OFFLINE" in str(line.render())
        assert "Ctrl+O sends them all to back" in str(line.render())
        await _scan(pilot, screen, codes[1])
        assert screen.banner.kind == "ok"
        assert "badge waiting: printer front offline" in screen.banner.text
        await pilot.press("ctrl+o")
        await until(pilot, lambda: "BADGES NOW PRINT ON BACK" in screen.banner.text)
        assert "2 waiting badges moved to back" in screen.banner.text
        await _scan(pilot, screen, codes[2])  # a new check-in goes to the live printer
        await until(pilot, lambda: not line.has_class("-trouble"))
        assert "Badge printer back" in str(line.render())
    with _session(demo_db) as session:
        jobs = session.exec(select(PrintJob).where(PrintJob.kind == "badge").order_by(PrintJob.id)).all()
        assert [j.printer for j in jobs] == ["back", "back", "back"]


# --- corrections and reprints --------------------------------------------------------------------


async def test_a_changed_organisation_offers_the_reprint_and_ctrl_b_reprints(demo_db):
    from sqlmodel import select
    from test_checkin_screen import _session

    from eventdesk.store.models import PrintJob
    from eventdesk.tui.screens.checkin.forms import CorrectionForm, ReprintQuestion

    code = _code(demo_db, "Izsak")
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = checkin_screen(app)
        await _scan(pilot, screen, code)
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, CorrectionForm)
        app.screen.query_one("#form-organisation").value = "University of Liège"
        await pilot.press("enter")
        await screen.wait_idle()
        await until(pilot, lambda: isinstance(app.screen, ReprintQuestion))
        assert "changed organisation" in str(app.screen.query_one("#reprint-text").render())
        await pilot.press("escape")  # not now
        await pilot.pause()
        await pilot.press("ctrl+b")  # ... later after all
        await until(pilot, lambda: isinstance(app.screen, ReprintQuestion))
        await pilot.click("#reprint-yes")
        await screen.wait_idle()
        await pilot.pause()
        assert "BADGE QUEUED FOR REPRINT" in screen.banner.text
    with _session(demo_db) as session:
        jobs = session.exec(select(PrintJob).where(PrintJob.kind == "badge").order_by(PrintJob.id)).all()
        assert [j.reprint for j in jobs] == [False, True]


async def test_every_screen_and_desk_action_is_in_the_command_palette(demo_db):
    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Go to Check-in",
            "Go to Agenda",
            "Go to Rooms",
            "Go to Meetings",
            "Go to Printers",
            "Walk-in",
            "Correct details",
            "Reprint badge",
            "Badges to another printer",
            "Help",
        ):
            assert title in titles
        keys = {binding.key for binding in checkin_screen(app).BINDINGS}
        assert "ctrl+l" not in keys  # Ctrl+L means the meetings' scan box, nothing else


async def test_help_explains_the_screen_and_names_keys_one_way(demo_db):
    from eventdesk.tui.screens.help.screen import HelpScreen

    app = _app(demo_db)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        guide = str(app.screen.query_one("#help-guide").render())
        assert "magenta = exit" in guide and "red = refused" in guide and "green = welcome" in guide
        table = app.screen.query_one("#help-keys")
        rows = [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert ("F6", "Walk-in", "Check-in") in rows and ("Ctrl+O", "Other printer", "Check-in") in rows
        assert ("F2", "Check-in", "everywhere") in rows
        assert not any(key[0] == "f" or "ctrl" in key for key, _, _ in rows)  # never "f6" beside "F1"
        assert not any(where == "Checkin" for _, _, where in rows)
        await pilot.press("f3")  # function keys work from the help too
        await pilot.pause()
        assert type(app.screen).__name__ == "AgendaScreen"


async def test_the_forms_fit_a_small_terminal_with_every_button_and_label_whole(demo_db):
    from eventdesk.tui.screens.checkin.forms import CorrectionForm, WalkInForm

    for size in ((80, 24), (100, 30)):
        app = _app(demo_db)
        async with app.run_test(size=size) as pilot:
            screen = checkin_screen(app)
            await _scan(pilot, screen, _code(demo_db, "Izsak"))
            for key, form_type in (("f6", WalkInForm), ("f8", CorrectionForm)):
                await pilot.press(key)
                await pilot.pause()
                form = app.screen
                assert isinstance(form, form_type)
                width, height = size
                for button in form.query("Button"):
                    region = button.region
                    assert region.height >= 1 and region.bottom <= height and region.right <= width, (size, key)
                    assert region.width >= len(str(button.label)), (size, key, str(button.label))
                for label in form.query("Label"):  # long labels wrap, never cut
                    assert label.region.width * label.region.height >= len(str(label.render())), (size, key)
                    assert label.region.bottom <= height
                await pilot.press("escape")
                await pilot.pause()
