"""The room board served by textual-serve, opened in headless Chromium: the foyer TV only needs a
browser. textual-serve draws the app with xterm.js on a canvas, so the room names are not in the
DOM; the test drives Chromium over the DevTools protocol, records what the page's websocket
receives from the app, and looks for a room name in it (it also keeps a screenshot)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from agenda_sample import build

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium (Debian: apt-get install chromium)"
)

# Runs before the page's own scripts: every byte the app sends to the page is kept as text.
RECORD_SOCKET = """
(() => {
  window.__boardText = "";
  const decoder = new TextDecoder();
  const Native = window.WebSocket;
  class Recording extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") window.__boardText += decoder.decode(event.data, {stream: true});
      });
    }
  }
  window.WebSocket = Recording;
})();
"""
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stderr.read() if process.stderr else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a process started in its own session, and the board processes it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class DevTools:
    """Just enough of the Chrome DevTools protocol: numbered commands over one page websocket."""

    def __init__(self, ws) -> None:
        self.ws, self.next_id = ws, 0

    async def send(self, method: str, **params):
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json(timeout=30)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})


@contextlib.asynccontextmanager
async def chromium_page(profile: Path, window: str = "1600,900"):
    """Headless Chromium with one blank page, driven over the DevTools protocol."""
    import aiohttp

    browser = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            f"--window-size={window}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        active = profile / "DevToolsActivePort"
        for _ in range(300):
            if active.exists() and active.read_text().strip():
                break
            await asyncio.sleep(0.1)
        debug_port = int(active.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as response:
                    pages = [t for t in await response.json(content_type=None) if t["type"] == "page"]
                if pages:
                    break
                await asyncio.sleep(0.1)
            async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = DevTools(ws)
                await tools.send("Page.enable")
                yield tools
    finally:
        stop(browser)


async def read_board_in_chromium(url: str, profile: Path, screenshot: Path, expected: str) -> str:
    async with chromium_page(profile) as tools:
        await tools.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_SOCKET)
        await tools.send("Page.navigate", url=url)
        text = ""
        for _ in range(300):  # up to about 30 s: the server starts a board process per page
            result = await tools.send("Runtime.evaluate", expression="window.__boardText || ''")
            text = ANSI.sub("", result["result"].get("value", ""))
            if expected in text:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        shot = await tools.send("Page.captureScreenshot", format="png")
        import base64

        screenshot.write_bytes(base64.b64decode(shot["data"]))
        return text


@pytest.mark.browser
@needs_chromium
def test_the_served_board_shows_the_rooms_in_a_browser(tmp_db, tmp_path):
    build(tmp_db)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eventdesk",
            "serve",
            "board",
            "--port",
            str(port),
            "--db",
            tmp_db,
            "--now",
            "2024-05-07T11:20",
            "--speed",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_port(port, server)
        text = asyncio.run(
            read_board_in_chromium(f"http://127.0.0.1:{port}/", tmp_path / "profile", tmp_path / "board.png", "Room B")
        )
    finally:
        stop(server)
    assert "Room B" in text, f"no room name reached the page; it received: {text[-500:]!r}"
    assert "Green transition" in text
    assert (tmp_path / "board.png").stat().st_size > 0


def test_serve_board_refuses_a_missing_database(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventdesk",
            "serve",
            "board",
            "--port",
            str(free_port()),
            "--db",
            str(tmp_path / "absent.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "No database at" in done.stderr
