"""Whether the server answers, decided by a deadline on the client's side.

A stopped server refuses at once; a cut network or a firewall that drops packets leaves the TCP
connection open and silent, and a blocking driver call then waits forever (keepalives do not help
when a middlebox still acknowledges). So every call that matters runs under a deadline: a
watchdog thread notices a call older than ``deadline_s``, declares the server lost and shuts the
sockets of every connection of the engine, which wakes the stuck call with an error at once. While
the server is lost, new connections are refused without touching the network (the desk decides
from its own file instead); ``probe()`` asks the server again."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from eventdesk.store.db import ping as store_ping

log = logging.getLogger(__name__)

DEADLINE_S = 2.0
# SQLSTATE classes that mean the connection, not the statement, failed (08: connection exception;
# 57P0x: the server is shutting down or starting).
_LINK_STATES = ("08", "57P01", "57P02", "57P03")

T = TypeVar("T")


class ServerUnreachable(Exception):
    """The server did not answer within the deadline, or refused the connection."""


def is_link_error(error: BaseException) -> bool:
    """Whether ``error`` says the server cannot be reached (not that a statement was wrong)."""
    if isinstance(error, ServerUnreachable):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig if error.orig is not None else error
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a server URL needs psycopg
        return False
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        state = getattr(error, "sqlstate", None)
        return state is None or state.startswith(_LINK_STATES)
    return False


def uses_server(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class ServerLink:
    """The link of one engine to its server: reachable or lost, with a deadline on guarded calls."""

    def __init__(self, engine: Engine, deadline_s: float = DEADLINE_S) -> None:
        self.engine = engine
        self.deadline_s = deadline_s
        self.reachable = True
        self.lost_reason = ""
        self.lost_at: float | None = None
        self._connections: weakref.WeakSet = weakref.WeakSet()
        self._calls: dict[int, float] = {}  # call id -> monotonic deadline
        self._seconds: dict[int, float] = {}  # call id -> its deadline in seconds
        self._next_call = 0
        self._wake = threading.Condition()
        self._bypass = threading.local()
        self._listeners: list[Callable[[bool], None]] = []
        self._stopped = False
        sa_event.listen(engine, "do_connect", self._on_do_connect)
        sa_event.listen(engine, "connect", self._on_connect)
        # Connections made before the link existed are unknown to it (it could not wake them).
        engine.dispose()
        self._watchdog = threading.Thread(target=self._watch, name="eventdesk-server-watchdog", daemon=True)
        self._watchdog.start()

    def close(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        with contextlib.suppress(Exception):
            sa_event.remove(self.engine, "do_connect", self._on_do_connect)
            sa_event.remove(self.engine, "connect", self._on_connect)

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """``listener(reachable)`` is called (from any thread) whenever the link changes."""
        self._listeners.append(listener)

    # --- engine hooks ------------------------------------------------------------------------

    def _on_do_connect(self, _dialect, _record, _cargs, cparams) -> None:
        if not self.reachable and not getattr(self._bypass, "on", False):
            import psycopg

            raise psycopg.OperationalError(f"the server is unreachable ({self.lost_reason}); working offline")

    def _on_connect(self, dbapi_connection, _record) -> None:
        self._connections.add(dbapi_connection)

    # --- guarded calls ------------------------------------------------------------------------

    def guarded(self, call: Callable[..., T], *args, deadline_s: float | None = None, **kwargs) -> T:
        """``call(*args, **kwargs)``, or ``ServerUnreachable`` when the server is lost, refuses, or
        does not answer within the deadline. Other errors pass through."""
        if not self.reachable and not getattr(self._bypass, "on", False):
            raise ServerUnreachable(self.lost_reason)
        with self._wake:
            self._next_call += 1
            token = self._next_call
            self._calls[token] = time.monotonic() + (deadline_s or self.deadline_s)
            self._seconds[token] = deadline_s or self.deadline_s
            self._wake.notify_all()
        try:
            return call(*args, **kwargs)
        except Exception as error:
            if is_link_error(error):
                self.lose(_reason(error))
                raise ServerUnreachable(self.lost_reason) from error
            raise
        finally:
            with self._wake:
                self._calls.pop(token, None)
                self._seconds.pop(token, None)

    def _watch(self) -> None:
        with self._wake:
            while not self._stopped:
                now = time.monotonic()
                if self._calls and min(self._calls.values()) <= now:
                    late = min(self._calls, key=self._calls.__getitem__)
                    seconds = self._seconds.get(late, self.deadline_s)
                    self._calls.clear()
                    self._seconds.clear()
                    self._wake.release()
                    try:
                        self.lose(f"no answer within {seconds:g} s")
                    finally:
                        self._wake.acquire()
                    continue
                timeout = (min(self._calls.values()) - now) if self._calls else None
                self._wake.wait(timeout)

    # --- state --------------------------------------------------------------------------------

    def lose(self, reason: str) -> None:
        """The server is gone: wake every call waiting on it and refuse new connections."""
        was = self.reachable
        self.reachable = False
        if was:
            self.lost_reason = reason
            self.lost_at = time.monotonic()
            log.warning("server unreachable: %s", reason)
        self._kill_sockets()
        with contextlib.suppress(Exception):
            self.engine.dispose(close=False)
        if was:
            self._tell(False)

    def _kill_sockets(self) -> None:
        for connection in list(self._connections):
            try:
                fd = connection.pgconn.socket
            except Exception:  # noqa: BLE001 - closed already, whatever the driver raises
                continue
            try:
                with socket.socket(fileno=os.dup(fd)) as dup:
                    dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def probe(self) -> bool:
        """Ask the server (a new connection, under the deadline). Restores the link if it answers."""
        self._bypass.on = True
        try:
            self.guarded(store_ping, self.engine)
        except ServerUnreachable:
            return False
        except Exception as error:  # noqa: BLE001 - whatever else went wrong, the server is not usable
            log.warning("server probe failed: %s", type(error).__name__)
            return False
        finally:
            self._bypass.on = False
        self.restore()
        return True

    def answers_within(self, seconds: float) -> bool:
        """Whether the server answers a first ping within ``seconds`` (a desk starting): the ping
        runs in a thread of its own, so a connection attempt into a black hole, which no socket
        shutdown can wake, is left to its own connect timeout while the desk goes on offline."""
        done = threading.Event()
        outcome: list[BaseException | None] = []

        def ping() -> None:
            try:
                self.guarded(store_ping, self.engine, deadline_s=seconds)
                outcome.append(None)
            except Exception as error:  # noqa: BLE001 - told to the desk that waits
                outcome.append(error)
            done.set()

        threading.Thread(target=ping, name="eventdesk-first-ping", daemon=True).start()
        if not done.wait(seconds):
            if self.reachable:
                self.lose(f"no answer within {seconds:g} s")
            return False
        error = outcome[0]
        if isinstance(error, ServerUnreachable):
            return False
        if error is not None:  # an answer, but a refusal (a wrong database or password): say it
            raise error
        return True

    def restore(self) -> None:
        if not self.reachable:
            self.reachable = True
            self.lost_at = None
            self._tell(True)

    def _tell(self, reachable: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(reachable)
            except Exception:  # a closed screen must not break the link
                log.exception("link listener failed")


def _reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return first[:200]
