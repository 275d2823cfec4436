"""Offline desks under test: an event on the real PostgreSQL server, and a real TCP proxy on
127.0.0.1 (port 0) in front of that server, that a test cuts:

- ``cut()``: closes the listener and every connection (a stopped server: new connections refused);
- ``black_hole()``: keeps every connection open and accepts new ones, but forwards nothing either
  way (a firewall that drops packets: the desk's socket stays open and silent);
- ``restore()``: forwards again (listening again on the same port after a cut)."""

from __future__ import annotations

import socket
import threading
from datetime import date


def offline_event(url: str, people: int = 150) -> list[str]:
    """Create "Offline Conference" with ``people`` participants on the server; their badge codes."""
    from eventdesk.domain.codes import new_badge_code
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    create_event(url, name="Offline Conference", timezone="Europe/Brussels",
                 start=date(2024, 5, 7), end=date(2024, 5, 8))
    context = open_context(url)
    codes = []
    with context.session() as session:
        for i in range(people):
            code = new_badge_code()
            save_attendee(session, Attendee(first_name=f"Person{i}", last_name=f"Nögel{i}", badge_code=code,
                                            category="participant"))
            codes.append(code)
    context.engine.dispose()
    return codes


class TcpProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode = "open"  # open | cut | black_hole
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._forwarding = threading.Event()
        self._forwarding.set()
        self._listen()

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                self._forwarding.wait()  # a black hole holds everything back, silently
                if self.mode == "cut":
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self) -> None:
        """Refuse new connections and close the open ones (the server is gone)."""
        self.mode = "cut"
        self._forwarding.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._close_connections()

    def _close_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def black_hole(self) -> None:
        """Stop answering without closing anything."""
        self.mode = "black_hole"
        self._forwarding.clear()

    def restore(self) -> None:
        """Forward again; connections held in a black hole are dropped (as a firewall's state
        table would have forgotten them), new ones work."""
        if self.mode == "black_hole":
            self.mode = "cut"
            self._forwarding.set()
            self._close_connections()
        self.mode = "open"
        self._forwarding.set()
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut()
