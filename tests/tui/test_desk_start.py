"""A desk that is still starting never drops a scan: a badge scanned before the check-in screen is
up is checked in as soon as it is. And a desk without printers on SQLite reaches its first scan
without loading what that scan does not need."""

from __future__ import annotations

import fcntl
import os
import pty
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from select import select as ready_to_read

from sqlmodel import select
from test_checkin_screen import _app, _records, _session

from eventdesk.store.models import Attendee


def _someone(db: str) -> Attendee:
    with _session(db) as session:
        return session.exec(
            select(Attendee)
            .where(Attendee.status == "active", Attendee.blocked == False)  # noqa: E712
            .order_by(Attendee.id)
        ).first()


def _without_settings(environment) -> dict[str, str]:
    return {k: v for k, v in environment.items() if not k.startswith("EVENTDESK_")}


def _recorded(db: str, code: str) -> list[tuple[str, str]]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT result, desk FROM checkin_record WHERE code = ?", (code,)).fetchall()
    finally:
        connection.close()


def test_a_badge_scanned_while_the_desk_starts_in_its_terminal_is_checked_in(demo_db):
    """The scanner's keys reach the terminal before `eventdesk run` has drawn anything (a queue at
    the desk while it starts): the person is checked in, once."""
    person = _someone(demo_db)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    os.write(master, person.badge_code.encode() + b"\r")  # waits in the terminal, as typed
    desk = subprocess.Popen(
        [sys.executable, "-m", "eventdesk", "run", "--db", demo_db, "--desk", "Desk 7", "--now", "2024-05-07T08:30"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        start_new_session=True,
        cwd=os.path.dirname(demo_db),
        env={**_without_settings(os.environ), "TERM": "xterm-256color"},
    )
    os.close(slave)
    written = bytearray()
    try:
        recorded = _read_terminal_until(master, written, lambda: bool(_recorded(demo_db, person.badge_code)), 90)
        assert recorded, "no check-in recorded; the desk drew:\n" + written.decode(errors="replace")[-3000:]
        _read_terminal_until(master, written, lambda: False, 0.5)  # a second record (scan taken twice) by now
        assert _recorded(demo_db, person.badge_code) == [("ok", "Desk 7")]
    finally:
        os.write(master, b"\x11")  # Ctrl+Q
        if not _read_terminal_until(master, written, lambda: desk.poll() is not None, 20):
            desk.kill()
        desk.wait()
        os.close(master)


def _read_terminal_until(master: int, written: bytearray, done, seconds: float) -> bool:
    """Read what the desk draws, as its terminal does (a desk whose terminal is not read stops
    drawing), until ``done()`` or ``seconds`` have passed; returns ``done()``."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        if ready_to_read([master], [], [], 0.05)[0]:
            try:
                written.extend(os.read(master, 65536))
            except OSError:  # the desk closed its terminal
                time.sleep(0.05)
    return True


async def test_a_scan_recognised_before_the_check_in_screen_is_up_waits_for_it(demo_db):
    """The app's burst filter can recognise a scan before the check-in screen is mounted (keys
    read by the terminal driver at once): the screen checks it in when it comes up."""
    app = _app(demo_db)
    person = _someone(demo_db)
    app.route_scan(person.badge_code, time.monotonic())  # no screen yet
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.checkin_screen.wait_idle()
        await pilot.pause()
        assert [(r.attendee_id, r.result) for r in _records(demo_db)] == [(person.id, "ok")]
        assert app.checkin_screen.banner.kind == "ok"


FIRST_SCAN = """
import asyncio, sys
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app
import eventdesk.tui.screens.checkin.screen as checkin_screen

checkin_screen.PREVIEW_AFTER_S = 3600  # the badge preview drawn after the scans is not the scan's

async def main():
    app = make_app(open_context(DB, Settings(db=DB, desk="Desk 1")))
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.checkin_screen.take_scan(CODE, 0.0)
        await app.checkin_screen.wait_idle()
        assert app.checkin_screen.results_shown == 1
        print(sorted({m.split(".")[0] if m.split(".")[0] != "sqlalchemy" else m
                      for m in sys.modules} & set(LOOK_FOR)))

asyncio.run(main())
"""


def test_a_desk_without_printers_on_sqlite_answers_its_first_scan_without_the_libraries_it_does_not_need(demo_db):
    """Each of these costs every desk start CPU and memory before the first scan: the PostgreSQL
    dialect (SQLite store), Pillow, qrcode and python-escpos (no printer; the badge preview comes
    later), Alembic (a store at the newest schema)."""
    look_for = ["sqlalchemy.dialects.postgresql", "PIL", "qrcode", "escpos", "alembic"]
    code = f"DB = {demo_db!r}\nCODE = {_someone(demo_db).badge_code!r}\nLOOK_FOR = {look_for!r}\n" + FIRST_SCAN
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_without_settings(os.environ)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
