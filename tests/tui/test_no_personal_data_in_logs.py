"""A whole demo session logged at DEBUG (scans, searches, badges printed and failing, commands
from a script, a forgotten person) leaves no name and no e-mail in the log file."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlmodel import Session, select

from eventdesk.cli import main
from eventdesk.domain.clock import Clock
from eventdesk.logs import NOISY_WITH_PERSONAL_DATA, log_to_file
from eventdesk.services.context import open_context
from eventdesk.services.printing import queue_badge
from eventdesk.settings import Settings
from eventdesk.store.models import Attendee
from eventdesk.tui.app import make_app


def _people(db: str) -> list[Attendee]:
    with Session(open_context(db).engine) as session:
        return list(session.exec(select(Attendee).order_by(Attendee.id)))


async def test_a_demo_session_at_debug_logs_no_personal_data(demo_db, tmp_path, refused_url):
    people = _people(demo_db)  # before the session: the forgotten person's name is checked too
    log_file = tmp_path / "eventdesk.log"
    root = logging.getLogger()
    level = root.level
    handler = log_to_file(log_file, "DEBUG")
    try:
        settings = Settings(
            db=demo_db,
            desk="Desk 5",
            printers={"badge": f"preview://{tmp_path}/badges", "broken": refused_url},
            default_printer="badge",
            printer_timeout_s=0.5,
        )
        context = open_context(
            demo_db, settings, Clock.frozen(datetime(2024, 5, 7, 8, 45, tzinfo=ZoneInfo("Europe/Brussels")))
        )
        queue_badge(context, people[7].id, printer="broken")  # its worker fails: refused, retried
        app = make_app(context)
        async with app.run_test(size=(160, 50)) as pilot:
            screen = app.screen
            for person in people[:4]:
                await pilot.press(*person.badge_code, "enter")
                await screen.wait_idle()
            await pilot.press(*people[0].badge_code, "enter")  # already checked in
            await pilot.press(*"NOTACODE0000000000000000", "enter")  # unknown
            await pilot.press(*"sermuks")  # a search by name
            await screen.wait_idle()
            await pilot.press("escape")
            for key in ("f3", "f4", "f5", "f7", "f2"):
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause(1.0)  # the preview printer writes the badges
        runner = CliRunner()
        target = people[10]
        for args in (
            ["checkin", target.badge_code],
            ["attendees", "search", target.last_name],
            ["badge", "print", target.badge_code, "--printer", refused_url],  # fails: refused
            ["checkin", "--from", "-"],
            ["attendee", "export", str(target.id), "--json"],
            ["attendee", "forget", str(people[11].id), "--yes"],
            ["status"],
        ):
            runner.invoke(main, [*args, "--db", demo_db], input=f"{people[12].badge_code}\n")
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
        for name in NOISY_WITH_PERSONAL_DATA:
            logging.getLogger(name).setLevel(logging.NOTSET)
    text = log_file.read_text(encoding="utf-8")
    assert "printed on badge" in text and "refused the connection" in text  # the log did record the session
    lowered = text.casefold()
    leaked = set()
    for person in people:
        for value in (person.name, person.email, f"{person.last_name}" if len(person.last_name) >= 5 else ""):
            if value and value.casefold() in lowered:
                leaked.add(value)
    assert not leaked, f"personal data in the log: {sorted(leaked)[:5]}"
