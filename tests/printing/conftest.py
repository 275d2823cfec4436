"""Fake network printers on 127.0.0.1: one that records every byte (and may answer status
requests), one that accepts and never reads, one that closes in the middle of a job, and a
closed port that refuses the connection. Every socket has a timeout; every thread is joined."""

from __future__ import annotations

import socket
import threading
from datetime import date

import pytest

from eventdesk.domain.codes import new_badge_code

IO_TIMEOUT = 3.0


class FakePrinter(threading.Thread):
    """A one-connection-at-a-time TCP printer. ``mode``: "record" keeps every byte of every
    connection in ``jobs``; "mute" accepts and never reads; "drop" reads ``drop_after`` bytes and
    resets the connection; "hang up" reads the whole job and, at the status request after it, closes
    the connection without answering (the badge is lost: it never counts as a job here).
    ``status`` maps a DLE EOT request number to the byte to answer."""

    def __init__(self, mode: str = "record", status: dict[int, int] | None = None, drop_after: int = 2000) -> None:
        super().__init__(daemon=True, name=f"fake-printer-{mode}")
        self.mode = mode
        self.status = status or {}
        self.drop_after = drop_after
        self.jobs: list[bytes] = []
        self.connections = 0
        self.hung_up = 0
        self.job_done = threading.Condition()
        self._stopping = threading.Event()
        self._held: list[socket.socket] = []
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode == "mute":  # a small window: a client that keeps sending stalls quickly
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def data(self) -> bytes:
        return b"".join(self.jobs)

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.settimeout(IO_TIMEOUT)
            if self.mode == "mute":
                self._held.append(conn)
                continue
            self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        received = bytearray()
        try:
            while not self._stopping.is_set():
                want = 65536 if self.mode != "drop" else self.drop_after - len(received)
                try:
                    chunk = conn.recv(want)
                except TimeoutError:
                    break
                if not chunk:
                    break
                received += chunk
                if self.mode == "drop" and len(received) >= self.drop_after:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    break
                if self.mode == "hang up" and b"\x10\x04" in received:
                    self.hung_up += 1
                    received.clear()  # switched off with the job in its buffer: nothing printed
                    break
                for n, answer in self.status.items():
                    if b"\x10\x04" + bytes([n]) in chunk:
                        conn.sendall(bytes([answer]))
        except OSError:
            pass
        finally:
            conn.close()
            with self.job_done:
                if received or self.mode != "hang up":
                    self.jobs.append(bytes(received))
                self.job_done.notify_all()

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> bool:
        with self.job_done:
            return self.job_done.wait_for(lambda: len(self.jobs) >= count, timeout)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=IO_TIMEOUT)
        for conn in self._held:
            conn.close()
        self.server.close()


@pytest.fixture
def make_printer():
    """``make_printer(mode="record", status=None, drop_after=2000)`` -> a started FakePrinter."""
    printers: list[FakePrinter] = []

    def make(mode: str = "record", **options) -> FakePrinter:
        printer = FakePrinter(mode, **options)
        printer.start()
        printers.append(printer)
        return printer

    yield make
    for printer in printers:
        printer.stop()


@pytest.fixture
def tcp_printer(make_printer) -> FakePrinter:
    """A network printer on 127.0.0.1 that records every byte it receives."""
    return make_printer("record")


@pytest.fixture
def diacritic_names() -> list[tuple[str, str]]:
    """Names of the demo event's seed speakers that no single code page can print."""
    return [("Kristina", "Šermukšnytė-Alešiūnienė"), ("Kíncső", "Izsak"), ("Lukas", "Nögel")]


@pytest.fixture
def add_people():
    """``add_people(context, [(first, last), ...], category=...)`` -> ids of new attendees."""
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    def add(context, people, organisation: str = "AgriFood Lithuania", category: str = "speaker") -> list[int]:
        ids = []
        with context.session() as session:
            for first, last in people:
                attendee = save_attendee(
                    session,
                    Attendee(
                        first_name=first,
                        last_name=last,
                        organisation=organisation,
                        category=category,
                        badge_code=new_badge_code(),
                    ),
                )
                ids.append(attendee.id)
        return ids

    return add


@pytest.fixture
def printing_context(tmp_db):
    """A context on the test event (short printer timeout); give it printers with
    ``use_printers(context, {"badge-1": url, ...})``."""
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings

    context = open_context(tmp_db, Settings(db=tmp_db, printer_timeout_s=0.5, desk="Desk 1"))
    assert context.event().start_date == date(2024, 5, 6)
    yield context
    from eventdesk.services.print_workers import stop_workers

    assert stop_workers(context, timeout=IO_TIMEOUT)
    context.engine.dispose()


@pytest.fixture
def use_printers():
    """``use_printers(context, {"badge-1": url, ...}, default="badge-1")``: the desk's printers."""
    from dataclasses import replace

    def configure(context, printers: dict[str, str], default: str | None = None):
        context.settings = replace(
            context.settings, printers=dict(printers), default_printer=default or next(iter(printers))
        )
        return context

    return configure
