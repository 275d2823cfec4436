"""The speaker's countdown in a browser: a read-only full-screen page for the stage monitor or a
tablet (session title, time left, "please conclude" at two minutes, "time is up" when over). The
page asks ``/state.json`` twice a second; the server re-reads the store only when it changed, so
the chair's start, end and delays show within a second. Standard library only: nothing to install
on the machine that serves it, and no attendee data is ever served (titles and times only)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from eventdesk.services.chair import ChairSource, ChairState
from eventdesk.services.changes import change_versions
from eventdesk.services.context import Context

POLL_SECONDS = 0.5

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Countdown</title>
<style>
  html, body { margin: 0; height: 100%; background: #000; color: #fff;
               font-family: system-ui, "Noto Sans", sans-serif; }
  body { display: flex; flex-direction: column; justify-content: center; align-items: center;
         text-align: center; }
  #room { font-size: 3vh; opacity: .7; }
  #title { font-size: 4.5vh; max-width: 92vw; margin: 1vh 0 2vh; }
  #left { font-size: 34vh; font-weight: 700; line-height: 1; font-variant-numeric: tabular-nums;
          color: #3ddc84; }
  #note { font-size: 7vh; font-weight: 700; min-height: 9vh; margin-top: 2vh; }
  body.soon #left { color: #ffc400; }
  body.conclude #left, body.conclude #note { color: #ffc400; }
  body.over { background: #7f0000; }
  body.over #left { color: #fff; }
  body.idle #left { color: #888; }
  #offline { position: fixed; bottom: 1vh; right: 2vw; font-size: 2vh; opacity: .6; }
</style></head>
<body class="idle">
  <div id="room"></div><div id="title"></div><div id="left">--:--</div><div id="note"></div>
  <div id="offline"></div>
<script>
async function poll() {
  try {
    const r = await fetch("state.json", {cache: "no-store"});
    const s = await r.json();
    document.getElementById("room").textContent = s.room;
    document.getElementById("title").textContent = s.title || "";
    document.getElementById("left").textContent = s.countdown;
    document.getElementById("note").textContent = s.note;
    document.body.className = s.urgency;
    document.getElementById("offline").textContent = "";
  } catch (e) {
    document.getElementById("offline").textContent = "reconnecting…";
  }
}
poll();
setInterval(poll, 500);
</script></body></html>
"""

NOTES = {"calm": "", "soon": "", "conclude": "Please conclude", "over": "Time is up"}


def countdown_payload(state: ChairState) -> dict:
    """What the speaker's page shows: no names of people, only the session and the time."""
    if state.current is not None:
        return {
            "room": state.room.name,
            "title": state.current.title,
            "countdown": state.countdown(),
            "seconds_left": int(state.time_left.total_seconds()),
            "urgency": state.urgency,
            "note": NOTES[state.urgency],
        }
    if state.next is not None:
        return {
            "room": state.room.name,
            "title": f"Next: {state.next.title}",
            "countdown": state.countdown(),
            "seconds_left": None,
            "urgency": "idle",
            "note": f"starts at {state.next.local_start(state.zone):%H:%M}",
        }
    return {
        "room": state.room.name,
        "title": "",
        "countdown": "--:--",
        "seconds_left": None,
        "urgency": "idle",
        "note": "No more sessions in this room today",
    }


class CountdownSource:
    """One room's state, re-read from the store only when another process changed it."""

    def __init__(self, context: Context, room_name: str) -> None:
        self.context = context
        self.source = ChairSource(context, room_name).load()
        self._versions = change_versions(context)
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def payload(self) -> dict:
        with self._lock:
            now = self.context.now()
            if time.monotonic() - self._checked >= POLL_SECONDS:
                self._checked = time.monotonic()
                versions = change_versions(self.context)
                new_day = now.astimezone(self.source.programme.zone).date() != self.source.day
                if versions != self._versions or new_day:
                    self._versions = versions
                    self.source.load(now)
            return countdown_payload(self.source.state(now))


def make_server(source: CountdownSource, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(200, "text/html; charset=utf-8", PAGE.encode())
            elif path == "/state.json":
                try:
                    body = json.dumps(source.payload()).encode()
                except Exception:  # noqa: BLE001 - the store is away for a moment: the page keeps its last state
                    self._send(503, "application/json", b'{"error": "store unavailable"}')
                    return
                self._send(200, "application/json", body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found")

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            """No request log: the terminal stays quiet, and addresses are nobody's business."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
