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

    create_event(
        url, name="Offline Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(url)
    codes = []
    with context.session() as session:
        for i in range(people):
            code = new_badge_code()
            save_attendee(
                session,
                Attendee(first_name=f"Person{i}", last_name=f"Nögel{i}", badge_code=code, category="participant"),
            )
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


class DeskTerminal:
    """``python -m eventdesk ARGS`` in a real terminal (a pty of 160×45), read as a terminal does
    (a desk whose terminal is not read stops drawing); ``written`` holds all it drew."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        import fcntl
        import os
        import pty
        import struct
        import subprocess
        import sys
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
        self.started = __import__("time").monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "eventdesk", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
            start_new_session=True,
            env={**env, "TERM": "xterm-256color"},
        )
        os.close(slave)
        self.written = bytearray()

    def until(self, done, seconds: float) -> bool:
        """Read until ``done()`` or ``seconds`` have passed; returns ``done()``."""
        import os
        import time
        from select import select

        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                return False
            if select([self.master], [], [], 0.05)[0]:
                try:
                    self.written.extend(os.read(self.master, 65536))
                except OSError:  # the desk closed its terminal
                    time.sleep(0.05)
        return True

    def drew(self, text: str) -> bool:
        return text.encode() in self.written

    def type(self, text: str) -> None:
        import os

        os.write(self.master, text.encode())

    def tail(self) -> str:
        return self.written.decode(errors="replace")[-3000:]

    def close(self) -> None:
        import os

        if self.process.poll() is None:
            self.type("\x11")  # Ctrl+Q
            if not self.until(lambda: self.process.poll() is not None, 20):
                self.process.kill()
        self.process.wait()
        os.close(self.master)
