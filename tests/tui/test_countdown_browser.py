"""The speaker's countdown served to a browser: the page's numbers follow the chair's delays from
another process within a second, and headless Chromium shows the time left."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlmodel import Session as DbSession
from sqlmodel import select
from test_board_browser import CHROMIUM, chromium_page, free_port, stop, wait_for_port

from eventdesk.services.context import open_context
from eventdesk.store.models import Session

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium (Debian: apt-get install chromium)"
)


def serve(db: str, now: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eventdesk",
            "serve",
            "countdown",
            "--room",
            "auditorium",
            "--port",
            str(port),
            "--db",
            db,
            "--now",
            now,
            "--speed",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for_port(port, server)
    return server, port


def state(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/state.json", timeout=10) as response:
        return json.loads(response.read())


def test_the_countdown_follows_a_delay_made_by_another_process(demo_db):
    server, port = serve(demo_db, "2024-05-06T14:04")
    try:
        first = state(port)
        assert first == {
            "room": "Auditorium",
            "title": "Session I: Presentation of Insights on Cluster Policy in the EU",
            "countdown": "01:00",
            "seconds_left": 60,
            "urgency": "conclude",
            "note": "Please conclude",
        }
        with DbSession(open_context(demo_db).engine) as session:
            session_id = session.exec(select(Session.id).where(Session.title.startswith("Session I:"))).one()
        delayed = subprocess.run(
            [sys.executable, "-m", "eventdesk", "agenda", "delay", str(session_id), "5", "--db", demo_db],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert delayed.returncode == 0, delayed.stderr
        seen, deadline = first, time.monotonic() + 10
        while seen["countdown"] == "01:00" and time.monotonic() < deadline:
            time.sleep(0.1)
            seen = state(port)
        assert (seen["countdown"], seen["urgency"], seen["note"]) == ("06:00", "calm", "")
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert "state.json" in page and "Kíncső" not in page  # titles and times only, no people
    finally:
        stop(server)


def test_time_is_up_when_over_and_the_next_session_when_the_room_is_free(demo_db):
    server, port = serve(demo_db, "2024-05-06T18:30")  # the associations meeting is over
    try:
        assert state(port)["urgency"] == "idle"
    finally:
        stop(server)


def test_an_unknown_room_is_refused_with_the_rooms_listed(demo_db):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventdesk",
            "serve",
            "countdown",
            "--room",
            "Nowhere",
            "--port",
            str(free_port()),
            "--db",
            demo_db,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "There is no room 'Nowhere'. Rooms: Auditorium" in done.stderr


async def read_countdown_in_chromium(url: str, profile, wanted: str) -> dict:
    async with chromium_page(profile, "1280,720") as tools:
        await tools.send("Page.navigate", url=url)
        shown: dict = {}
        for _ in range(200):
            result = await tools.send(
                "Runtime.evaluate",
                returnByValue=True,
                expression=(
                    "({left: document.getElementById('left').textContent,"
                    " note: document.getElementById('note').textContent,"
                    " title: document.getElementById('title').textContent, state: document.body.className})"
                ),
            )
            shown = result["result"].get("value", {})
            if shown.get("left") == wanted:
                break
            await asyncio.sleep(0.1)
        return shown


@pytest.mark.browser
@needs_chromium
def test_the_speaker_sees_the_time_left_in_a_browser(demo_db, tmp_path):
    server, port = serve(demo_db, "2024-05-06T14:04")
    try:
        shown = asyncio.run(read_countdown_in_chromium(f"http://127.0.0.1:{port}/", tmp_path / "profile", "01:00"))
    finally:
        stop(server)
    assert shown == {
        "left": "01:00",
        "note": "Please conclude",
        "state": "conclude",
        "title": "Session I: Presentation of Insights on Cluster Policy in the EU",
    }
