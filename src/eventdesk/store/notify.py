"""Live changes across desks on PostgreSQL: LISTEN/NOTIFY.

Every committed write sends ``NOTIFY eventdesk, '<area>'`` from inside its own transaction
(triggers made by migration 0004: check-in records -> "checkin", print jobs -> "print", desk
heartbeats -> "desks", and every ``store.db.bump`` of an area -> that area; a scan sends its
"checkin" and "print" right after its COMMIT instead, see migration 0011). ``StoreListener`` is
the other end: one long-lived thread per app with its own connection, which hands each burst of
notifications to a callback as a set of areas, and reconnects by itself when the connection is
lost (no traceback, a line in the log). SQLite has no such mechanism: open screens keep polling
``store.db.change_versions`` there."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHANNEL = "eventdesk"
# Told to the callback after (re)connecting: whatever changed while nobody listened.
EVERY_AREA = frozenset({"checkin", "attendees", "agenda", "meetings", "print", "desks"})


def can_listen(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def listener_dsn(engine: Engine) -> str:
    """The libpq connection string of ``engine`` (a SQLAlchemy ``postgresql+psycopg`` URL)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class StoreListener(threading.Thread):
    """LISTENs on the ``eventdesk`` channel until ``stop()``; ``on_change(areas)`` runs in this
    thread for every burst of notifications (those arriving within ``coalesce`` seconds of the
    first are handed over together, so 500 scans a second do not mean 500 screen refreshes).
    ``on_state(connected)`` is told when the connection comes and goes."""

    def __init__(
        self,
        dsn: str,
        on_change: Callable[[frozenset[str]], None],
        on_state: Callable[[bool], None] | None = None,
        *,
        coalesce: float = 0.02,
        retry_seconds: float = 2.0,
        ping_seconds: float = 5.0,
        ping_timeout: float = 3.0,
        connect_timeout: int = 2,
    ) -> None:
        super().__init__(name="eventdesk-store-listener", daemon=True)
        self.dsn = dsn
        self.on_change = on_change
        self.on_state = on_state
        self.coalesce = coalesce
        self.retry_seconds = retry_seconds
        self.ping_seconds = ping_seconds
        self.ping_timeout = ping_timeout
        self.connect_timeout = connect_timeout
        self.connected = False
        self.ready = threading.Event()  # set once LISTEN is in place (tests and benchmarks wait on it)
        self._stop_event = threading.Event()
        self._connection = None

    def stop(self, timeout: float | None = 3.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        import psycopg

        first = True
        while not self._stop_event.is_set():
            try:
                # Keepalives and a TCP user timeout: a cut cable is noticed in seconds, not hours.
                with psycopg.connect(
                    self.dsn,
                    autocommit=True,
                    connect_timeout=self.connect_timeout,
                    keepalives=1,
                    keepalives_idle=5,
                    keepalives_interval=2,
                    keepalives_count=2,
                    tcp_user_timeout=5000,
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._set_connected(True)
                    if not first:
                        self.on_change(EVERY_AREA)
                    first = False
                    self._listen(connection)
            except psycopg.Error as error:
                if self.connected or first:
                    log.warning(
                        "Live updates from the store paused (%s); retrying every %g s",
                        type(error).__name__,
                        self.retry_seconds,
                    )
                first = False
                self._set_connected(False)
                self._stop_event.wait(self.retry_seconds)
        self._set_connected(False)

    def _listen(self, connection) -> None:
        idle_since = time.monotonic()
        while not self._stop_event.is_set():
            areas: set[str] = set()
            for notification in connection.notifies(timeout=0.5, stop_after=1):
                areas.add(notification.payload)
            if areas:
                for notification in connection.notifies(timeout=self.coalesce):
                    areas.add(notification.payload)
                self.on_change(frozenset(areas))
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > self.ping_seconds:
                self._ping(connection)
                idle_since = time.monotonic()

    def _ping(self, connection) -> None:
        """``SELECT 1`` with a deadline. A server gone away raises at once; one that stops
        answering without closing (a hung server, a firewall or proxy that drops silently) raises
        after ``ping_timeout``: TCP alone would wait for hours, and no notification would come."""
        import select

        import psycopg
        from psycopg import pq

        pgconn = connection.pgconn
        deadline = time.monotonic() + self.ping_timeout
        pgconn.send_query(b"SELECT 1")
        while pgconn.flush():
            if not select.select([], [pgconn.socket], [], max(0.0, deadline - time.monotonic()))[1]:
                raise psycopg.OperationalError(f"the server took more than {self.ping_timeout:g} s to take a ping")
        pgconn.consume_input()
        while pgconn.is_busy():
            if not select.select([pgconn.socket], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise psycopg.OperationalError(f"the server did not answer a ping within {self.ping_timeout:g} s")
            pgconn.consume_input()
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.TUPLES_OK:
                raise psycopg.OperationalError("the server refused a ping")
        areas = set()
        while (notification := pgconn.notifies()) is not None:  # those that came with the answer
            areas.add(notification.extra.decode())
        if areas:
            self.on_change(frozenset(areas))

    def _set_connected(self, connected: bool) -> None:
        changed = connected != self.connected
        self.connected = connected
        if connected:
            self.ready.set()
        if changed and self.on_state is not None:
            self.on_state(connected)


def start_listener(
    engine: Engine,
    on_change: Callable[[frozenset[str]], None],
    on_state: Callable[[bool], None] | None = None,
    **options,
) -> StoreListener | None:
    """A started listener for ``engine``'s store, or None on SQLite (poll there)."""
    if not can_listen(engine):
        return None
    listener = StoreListener(listener_dsn(engine), on_change, on_state, **options)
    listener.start()
    return listener
