"""The scan loop: one long-lived thread that takes submitted scans from a queue, in order, calls
the check-in service for each and posts the answer back to the screen (toolong's LineReader is the
model). The screen never waits for the database; scans queue while a result is shown."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message


@dataclass(frozen=True)
class ScanRequest:
    text: str
    typed_fast: bool
    selected_code: str | None
    list_name: str
    direction: str
    nonce: str
    at: float = field(default_factory=time.monotonic)  # Enter pressed (monotonic)
    kind: str = "scan"  # scan | walk_in | undo | correct | reprint
    payload: object = None
    burst: str = ""  # see ScanInput.Scanned.burst


class ScanDone(Message):
    """The service's answer to a request (``outcome``) or the error it raised."""

    def __init__(self, request: ScanRequest, outcome: object, error: Exception | None) -> None:
        super().__init__()
        self.request = request
        self.outcome = outcome
        self.error = error


class ScanLoop:
    """Runs ``handle(request)`` for every request in order and posts ``ScanDone`` with ``post``.
    It holds its thread rather than being one: a Thread subclass's private names can collide with
    the Thread's own (``_handle`` broke the desk on Python 3.13)."""

    def __init__(self, handle: Callable[[ScanRequest], object], post: Callable[[Message], object]) -> None:
        self._thread = threading.Thread(target=self._run, name="eventdesk-scan-loop", daemon=True)
        self._handle = handle
        self._post = post
        self._queue: queue.Queue[ScanRequest | None] = queue.Queue()

    def start(self) -> None:
        self._thread.start()

    def put(self, request: ScanRequest) -> None:
        self._queue.put(request)

    def _run(self) -> None:
        while True:
            request = self._queue.get()
            if request is None:
                return
            try:
                outcome, error = self._handle(request), None
            except Exception as exc:  # noqa: BLE001 - shown on the banner; the loop goes on with the next scan
                outcome, error = None, exc
            self._post(ScanDone(request, outcome, error))

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)


class LatestOnlyLoop:
    """A long-lived thread for search as you type: it runs ``handle(request)`` for the newest
    request only (older ones waiting are dropped) and posts what it returns. No thread or worker is
    started per keystroke, so a result is a few milliseconds after the key. Holds its thread, as
    ``ScanLoop`` does."""

    def __init__(
        self,
        handle: Callable[[object], Message | None],
        post: Callable[[Message], object],
        name: str = "eventdesk-search-loop",
    ) -> None:
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._handle = handle
        self._post = post
        self._wake = threading.Condition()
        self._request: object = None
        self._stopped = False
        self.busy = False

    def start(self) -> None:
        self._thread.start()

    def put(self, request: object) -> None:
        with self._wake:
            self._request = request
            self._wake.notify()

    @property
    def idle(self) -> bool:
        with self._wake:
            return self._request is None and not self.busy

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._request is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                request, self._request = self._request, None
                self.busy = True
            try:
                message = self._handle(request)
            except Exception:  # noqa: BLE001 - a failed search shows nothing; the next key searches again
                message = None
            finally:
                with self._wake:
                    self.busy = False
            if message is not None:
                self._post(message)

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
