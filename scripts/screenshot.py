"""Make the README's screenshot: the demo's check-in desk right after a badge was scanned.

    python scripts/screenshot.py [docs/screenshot.svg]

Builds the demo in a temporary folder (seeded badge codes), freezes the clock at 8 May 2024
10:15 Brussels, scans Kíncső Izsak's badge as a scanner would and saves an SVG."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from eventdesk.domain.clock import Clock
from eventdesk.domain.codes import seeded_code_factory
from eventdesk.services.attendees import search_people
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.services.demo import create_demo
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app

MOMENT = datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels"))


async def shoot(target: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        create_demo(db, code_factory=seeded_code_factory(2024))
        context = open_context(db, Settings(db=db, desk="Desk 1"), Clock.frozen(MOMENT))
        # a morning's queue already through the desk, so the figures are alive
        for minutes, query in enumerate(("Masselink", "Przeor", "Napier", "Remotti", "Garcés", "Nögel", "Capus")):
            person = search_people(context, query, min_chars=1)[0]
            context.clock = Clock.frozen(MOMENT - timedelta(minutes=8 - minutes, seconds=17 * minutes))
            check_in(context, person.badge_code, desk="Desk 1")
        context.clock = Clock.frozen(MOMENT)
        code = search_people(context, "Izsak", min_chars=1)[0].badge_code
        app = make_app(context, watch_store=False)
        async with app.run_test(size=(150, 44)) as pilot:
            screen = app.screen
            await pilot.press(*code, "enter")
            await screen.wait_idle()
            await pilot.pause(1.2)  # the badge preview appears once the desk pauses
            for widget in screen.query("Input"):
                widget.cursor_blink = False
            await pilot.pause()
            app.save_screenshot(filename=target.name, path=str(target.parent))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.svg").absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    asyncio.run(shoot(out))
    print(f"wrote {out}")
