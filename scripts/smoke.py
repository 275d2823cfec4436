"""Start-and-scan smoke test for a Python the README promises (CI runs it on the newest): builds
the demo in a temporary folder, opens the desk headless as ``eventdesk demo`` does, scans one
badge at a scanner's speed and checks that the person is checked in. Exits 0 when so.

    python scripts/smoke.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from textual import events

from eventdesk.cli import DEMO_MOMENT
from eventdesk.cli.common import make_clock, parse_moment
from eventdesk.services.attendees import search_people
from eventdesk.services.checkin import checkin_lists, day_states
from eventdesk.services.context import open_context
from eventdesk.services.demo import create_demo, load_fixture
from eventdesk.settings import Settings
from eventdesk.store.demo_history import add_demo_history
from eventdesk.tui.app import make_app

# How long the desk may take to show the answer on a slow CI machine.
ANSWER_SECONDS = 30.0


def someone_not_in_yet(context, list_name: str):
    people = [
        p
        for p in search_people(context, "a", limit=300, min_chars=1)
        if p.status == "active" and not p.blocked and p.category == "participant"
    ]
    inside = day_states(context, list_name, [p.id for p in people])
    return next(p for p in people if p.id not in inside)


async def scan_one(folder: Path) -> str:
    db = str(folder / "demo.db")
    create_demo(db)
    zone = load_fixture().config["event"]["timezone"]
    add_demo_history(db, until=parse_moment(DEMO_MOMENT, zone))
    settings = Settings(db=db, printers={"preview": f"preview://{folder / 'badges'}"}, default_printer="preview")
    context = open_context(db, settings)
    context.clock = make_clock(DEMO_MOMENT, None, zone)
    list_name = checkin_lists(context)[0].name
    person = someone_not_in_yet(context, list_name)

    app = make_app(context)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        # All keys at once, as a terminal hands over a USB scanner's burst.
        for key in person.badge_code:
            app.post_message(events.Key(key, key))
        app.post_message(events.Key("enter", "\r"))
        deadline = time.monotonic() + ANSWER_SECONDS
        while person.id not in day_states(context, list_name, [person.id]):
            if time.monotonic() > deadline:
                raise SystemExit(f"smoke: {person.badge_code} was not checked in within {ANSWER_SECONDS:.0f} s")
            await pilot.pause(0.1)
    return f"{person.first_name} {person.last_name}"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="eventdesk-smoke-") as folder:
        name = asyncio.run(scan_one(Path(folder)))
    print(f"smoke: Python {sys.version.split()[0]}: the demo desk started and checked in {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
