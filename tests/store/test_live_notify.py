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
        self.process = subprocess.Popen(
            [sys.executable, str(HELPER), url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
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
    from eventdesk.store.models import Attendee, Meeting
    from eventdesk.store.models import Session as Talk

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


def test_a_badge_scan_wakes_the_desks_and_the_print_queue_once_it_is_committed(demo_on_pg):
    """A scan sends its notifications right after its COMMIT (migration 0011): the record is there
    for whoever wakes, and a first entry wakes the print queue too."""
    from eventdesk.services import checkin
    from eventdesk.store.models import Attendee, CheckinRecord, PrintJob

    context = _context(demo_on_pg, "Desk 7")
    with Session(context.engine) as session:
        queued = select(PrintJob.attendee_id).where(PrintJob.attendee_id.is_not(None))
        person = session.exec(
            select(Attendee)
            .where(Attendee.status == "active", Attendee.category == "participant", Attendee.id.not_in(queued))
            .order_by(Attendee.id)
        ).first()
    listener = ListenerProcess(demo_on_pg)
    try:
        assert listener.next_line() == "ready"
        result = checkin.check_in(context, person.badge_code)
        assert result.ok and result.badge_queued
        heard = set()
        while not {"checkin", "print"} <= heard:
            heard |= set(listener.next_line().split(","))
        with Session(context.engine) as session:
            assert session.get(CheckinRecord, result.record_id) is not None
    finally:
        listener.close()


def test_a_transaction_that_notifies_after_its_commit_is_silent_itself(demo_on_pg):
    """The check-in and print job triggers stay silent in a transaction marked as a scan's (it sends
    its notifications itself after the commit, see store/checkins.py commit_scan)."""
    import psycopg

    from eventdesk.store.db import bump
    from eventdesk.store.notify import listener_dsn

    context = _context(demo_on_pg, "Desk 7")
    listener = ListenerProcess(demo_on_pg)
    try:
        assert listener.next_line() == "ready"
        with psycopg.connect(listener_dsn(context.engine)) as connection:
            connection.execute("SELECT set_config('eventdesk.notify', 'after_commit', true)")
            connection.execute("UPDATE checkin_record SET desk = desk")
            connection.execute("UPDATE print_job SET printer = printer")
            connection.commit()
            connection.execute("UPDATE checkin_record SET desk = desk WHERE false")  # unmarked: heard
            connection.commit()
        assert listener.next_line() == "checkin"
        with context.session() as session:
            bump(session, "meetings")
        assert listener.next_line() == "meetings"
    finally:
        listener.close()


def test_the_listener_comes_back_after_its_connection_is_killed(demo_on_pg):
    """A lost connection (here the server ends it) is re-opened without a traceback; the app is
    told every area once, since it may have missed changes meanwhile, then hears as before."""
    import psycopg

    from eventdesk.store.db import bump
    from eventdesk.store.notify import EVERY_AREA, StoreListener, listener_dsn

    context = _context(demo_on_pg, "Desk 7")
    heard: queue.Queue[frozenset[str]] = queue.Queue()
    listener = StoreListener(listener_dsn(context.engine), heard.put, retry_seconds=0.2)
    listener.start()
    try:
        assert listener.ready.wait(30)
        dsn = listener_dsn(context.engine)
        with psycopg.connect(dsn, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN eventdesk%' AND pid <> pg_backend_pid()"
            ).fetchall()
        assert killed
        assert heard.get(timeout=30) == EVERY_AREA
        with context.session() as session:
            bump(session, "agenda")
        assert heard.get(timeout=30) == frozenset({"agenda"})
    finally:
        listener.stop()


class FreezingProxy:
    """A TCP proxy on 127.0.0.1 in front of the PostgreSQL server that the test can freeze: bytes
    stop flowing both ways and no socket is closed (a hung server or a firewall that drops
    silently), then thaw (the frozen connections are closed; new ones are forwarded again)."""

    def __init__(self, host: str, port: int) -> None:
        import socket

        self.upstream = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import socket

        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.flowing.is_set():  # frozen: the connection is taken and left unanswered
                self.sockets.append(client)
                continue
            upstream = socket.create_connection(self.upstream)
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self.flowing.wait()
                if not self.flowing.is_set():
                    break
                target.sendall(data)
        except OSError:
            pass

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        frozen, self.sockets = self.sockets, []
        for sock in frozen:
            sock.close()
        self.flowing.set()

    def close(self) -> None:
        self.closed = True
        self.server.close()
        self.thaw()


def test_the_listener_notices_a_server_that_stops_answering_and_comes_back(demo_on_pg):
    """A proxy that stops answering without closing: the listener's ping times out, it says it is
    disconnected (no traceback), and when the way is open again it reconnects and hears as before."""
    from sqlalchemy.engine import make_url

    from eventdesk.store.db import bump
    from eventdesk.store.notify import EVERY_AREA, StoreListener, listener_dsn

    context = _context(demo_on_pg, "Desk 7")
    url = make_url(demo_on_pg)
    proxy = FreezingProxy(url.host or "127.0.0.1", url.port or 5432)
    heard: queue.Queue[frozenset[str]] = queue.Queue()
    states: queue.Queue[bool] = queue.Queue()
    dsn = listener_dsn(context.engine).replace(f":{url.port or 5432}/", f":{proxy.port}/")
    assert str(proxy.port) in dsn
    listener = StoreListener(
        dsn, heard.put, states.put, retry_seconds=0.2, ping_seconds=0.5, ping_timeout=1.0, connect_timeout=1
    )
    listener.start()
    try:
        assert states.get(timeout=30) is True
        with context.session() as session:
            bump(session, "agenda")
        assert heard.get(timeout=30) == frozenset({"agenda"})

        proxy.freeze()
        assert states.get(timeout=30) is False  # the unanswered ping
        proxy.thaw()
        assert states.get(timeout=30) is True
        assert heard.get(timeout=30) == EVERY_AREA  # whatever changed while it was cut off
        with context.session() as session:
            bump(session, "meetings")
        assert heard.get(timeout=30) == frozenset({"meetings"})
    finally:
        listener.stop()
        proxy.close()
