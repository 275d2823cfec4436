"""Live across desks on PostgreSQL: a write committed by one process wakes the LISTEN of another
process at once (a real second process, the real server). The latency is measured in
benchmarks/live.py, never here."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

pytestmark = pytest.mark.postgres

HELPER = Path(__file__).with_name("listen_process.py")
MOMENT = datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels"))


class ListenerProcess:
    """The helper process and the lines it printed."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen([sys.executable, str(HELPER), url], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def next_line(self, timeout: float = 30.0) -> str:
        return self.lines.get(timeout=timeout)

    def drain(self) -> None:
        while not self.lines.empty():
            self.lines.get_nowait()

    def hears(self, area: str, timeout: float = 30.0) -> bool:
        """Whether ``area`` arrives (the generous timeout only keeps a broken build from hanging)."""
        try:
            while True:
                if area in self.next_line(timeout).split(","):
                    return True
        except queue.Empty:
            return False

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def demo_on_pg(pg_url):
    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.demo import create_demo

    create_demo(pg_url, code_factory=seeded_code_factory(2024))
    return pg_url


def _context(url: str, desk: str, printers: dict[str, str] | None = None):
    from eventdesk.domain.clock import Clock
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings

    return open_context(url, Settings(db=url, desk=desk, printers=printers or {}), Clock.frozen(MOMENT))


def test_a_checkin_undo_delay_meeting_change_and_print_job_wake_another_process(demo_on_pg, tmp_path):
    from eventdesk.services import agenda, checkin, meetings, printing
    from eventdesk.store.models import Attendee, Meeting, Session as Talk

    context = _context(demo_on_pg, "Desk 7", printers={"preview": f"preview://{tmp_path}"})
    with Session(context.engine) as session:
        person = session.exec(select(Attendee).where(Attendee.status == "active").order_by(Attendee.id)).first()
        talk = session.exec(select(Talk).order_by(Talk.id)).first()
        meeting = session.exec(select(Meeting).where(Meeting.state == "scheduled").order_by(Meeting.id)).first()
    listener = ListenerProcess(demo_on_pg)
    try:
        assert listener.next_line() == "ready"

        assert checkin.check_in(context, person.badge_code).result == "ok"
        assert listener.hears("checkin")

        listener.drain()
        checkin.undo_last(context)
        assert listener.hears("checkin")

        listener.drain()
        agenda.delay(context, talk.id, 5)
        assert listener.hears("agenda")

        listener.drain()
        meetings.cancel_meeting(context, meeting.id)
        assert listener.hears("meetings")

        listener.drain()
        printing.queue_badge(context, person.id, printer="preview")
        assert listener.hears("print")
    finally:
        listener.close()


def test_nothing_is_heard_from_a_transaction_that_rolled_back(demo_on_pg):
    """NOTIFY is part of the transaction: a write that failed wakes nobody, the next one does."""
    from eventdesk.store.db import bump

    context = _context(demo_on_pg, "Desk 7")
    listener = ListenerProcess(demo_on_pg)
    try:
        assert listener.next_line() == "ready"
        with pytest.raises(RuntimeError):
            with context.session() as session:
                bump(session, "agenda")
                raise RuntimeError("the chair's laptop lost power")
        with context.session() as session:
            bump(session, "meetings")
        assert listener.next_line() == "meetings"
    finally:
        listener.close()


def test_the_listener_comes_back_after_its_connection_is_killed(demo_on_pg):
    """A lost connection (here the server ends it) is re-opened without a traceback; the app is
    told every area once, since it may have missed changes meanwhile, then hears as before."""
    import psycopg

    from eventdesk.store.notify import EVERY_AREA, StoreListener, listener_dsn
    from eventdesk.store.db import bump

    context = _context(demo_on_pg, "Desk 7")
    heard: queue.Queue[frozenset[str]] = queue.Queue()
    listener = StoreListener(listener_dsn(context.engine), heard.put, retry_seconds=0.2)
    listener.start()
    try:
        assert listener.ready.wait(30)
        dsn = listener_dsn(context.engine)
        with psycopg.connect(dsn, autocommit=True) as admin:
            killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE query LIKE 'LISTEN eventdesk%' AND pid <> pg_backend_pid()").fetchall()
        assert killed
        assert heard.get(timeout=30) == EVERY_AREA
        with context.session() as session:
            bump(session, "agenda")
        assert heard.get(timeout=30) == frozenset({"agenda"})
    finally:
        listener.stop()
