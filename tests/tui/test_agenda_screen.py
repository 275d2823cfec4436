"""The live agenda on a small programme at a frozen moment: now/next, the chair's countdown, one
key per chair action, day switching, and a delay made by another process showing up by itself."""

from __future__ import annotations

import subprocess
import sys

import pytest
from agenda_sample import at, build, sample_app, wait_for
from sqlmodel import Session as DbSession
from sqlmodel import select

from eventdesk.store.models import Session
from eventdesk.tui.screens.agenda.screen import AgendaScreen
from eventdesk.tui.textual_compat import rendered_lines
from eventdesk.tui.widgets.live_table import LiveTable


@pytest.fixture
def sample(tmp_db):
    return tmp_db, build(tmp_db)


def _app(db: str, moment=None, watch_store: bool = False):
    return sample_app(db, "agenda", moment, watch_store, desk="Chair laptop")


async def _ready(app, pilot) -> LiveTable:
    await wait_for(pilot, lambda: isinstance(app.screen, AgendaScreen) and app.screen.programme is not None)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one("#agenda-table", LiveTable)


def cell(table: LiveTable, session_id: int, column: str) -> str:
    return table.cell_text(f"s:{session_id}", column)


def shifts(db: str) -> dict[str, int]:
    from eventdesk.store.db import make_engine

    engine = make_engine(db)
    with DbSession(engine) as s:
        result = {row.title: row.shift_minutes for row in s.exec(select(Session))}
    engine.dispose()
    return result


async def test_now_next_and_the_chairs_countdown_at_a_frozen_moment(sample):
    db, ids = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        assert cell(table, ids["Plenary panel"], "state") == "▶ now"
        assert cell(table, ids["Green transition"], "state") == "▶ now"
        assert cell(table, ids["Coffee break"], "state") == "past"
        assert cell(table, ids["Digital transition"], "state") == ""
        keys = table.keys
        # The now line of Room A sits between the running session and the next one.
        room_a_line = keys.index(f"now:{app.screen.programme.rooms[1].id}")
        assert keys[room_a_line - 1] == f"s:{ids['Green transition']}"
        assert keys[room_a_line + 1] == f"s:{ids['Digital transition']}"
        assert "now 11:20" in table.cell_text(keys[room_a_line], "time")
        # The cursor opens on a running session; its countdown is large and its successor named.
        assert app.screen.selected_session.title == "Plenary panel"
        assert str(app.screen.query_one("#detail-countdown").value) == "40:00"
        assert "left" in str(app.screen.query_one("#detail-caption").render())
        assert "13:30 Afternoon plenary" in str(app.screen.query_one("#detail-next").render())
        assert "Jan Peeters, Marta López" in str(app.screen.query_one("#detail-meta").render())

        app.context.clock.set(at(11, 35, 30))
        await wait_for(pilot, lambda: app.screen.query_one("#detail-countdown").value == "24:30")


async def test_plus_five_moves_exactly_the_sessions_it_should_and_minus_five_undoes_it(sample):
    db, ids = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Green transition']}")
        await pilot.press("plus")
        await wait_for(pilot, lambda: cell(table, ids["Digital transition"], "delay") == "+5 min")
        assert shifts(db) == {**dict.fromkeys(ids, 0), "Green transition": 5, "Digital transition": 5}
        # Green transition runs at this moment (11:20): it keeps its start and ends 5 minutes later.
        assert cell(table, ids["Green transition"], "time") == "11:00–11:50"
        assert cell(table, ids["Green transition"], "delay") == "+5 min"
        assert cell(table, ids["Digital transition"], "time") == "11:50–12:35"
        assert cell(table, ids["Skills"], "time") == "12:40–13:20"
        assert cell(table, ids["Value chains"], "flags") == "⚠ speaker clash"  # Ana is in Room A until 12:35
        table.select_key(f"s:{ids['Value chains']}")
        await wait_for(
            pilot,
            lambda: "also in Room A 11:50: Digital transition" in str(app.screen.query_one("#detail-flags").render()),
        )
        table.select_key(f"s:{ids['Green transition']}")
        await pilot.pause()
        assert app.screen.selected_session.title == "Green transition"  # the cursor stays

        await pilot.press("minus")
        await wait_for(pilot, lambda: cell(table, ids["Digital transition"], "delay") == "")
        assert set(shifts(db).values()) == {0}
        assert cell(table, ids["Value chains"], "flags") == ""


async def test_start_and_cancel_keys(sample):
    db, ids = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Skills']}")
        await pilot.press("c")
        await wait_for(pilot, lambda: cell(table, ids["Skills"], "state") == "cancelled")
        assert "cancelled" in str(app.screen.query_one("#detail-caption").render())
        await pilot.press("c")
        await wait_for(pilot, lambda: cell(table, ids["Skills"], "state") == "")

        table.select_key(f"s:{ids['Digital transition']}")
        await pilot.press("s")  # started early: it holds Room A, Green is ended
        await wait_for(pilot, lambda: cell(table, ids["Digital transition"], "state") == "▶ now")
        assert cell(table, ids["Green transition"], "state") == "ended"


async def test_brackets_switch_days(sample):
    db, _ = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(app, pilot)
        day = app.screen.query_one("#agenda-day")
        assert "Tuesday 07 May 2024" in str(day.render())
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "Wednesday 08 May 2024" in str(day.render()))
        assert "no sessions" in str(day.render())
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_for(pilot, lambda: "Monday 06 May 2024" in str(day.render()))
        await pilot.press("t")
        await wait_for(pilot, lambda: "Tuesday 07 May 2024" in str(day.render()))


async def test_a_delay_set_by_another_process_appears_without_a_key_press(sample):
    db, ids = sample
    app = _app(db, watch_store=True)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        await wait_for(pilot, lambda: app._versions is not None)  # the app has read the versions once
        done = subprocess.run(
            [sys.executable, "-m", "eventdesk", "agenda", "delay", str(ids["Skills"]), "10", "--db", db],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await wait_for(pilot, lambda: cell(table, ids["Skills"], "delay") == "+10 min", timeout=3.0)
        assert cell(table, ids["Skills"], "time") == "12:50–13:30"


# --- the demo event (European Cluster Conference 2024) -------------------------------------------


def _titled(app, title: str) -> int:
    return next(s.id for s in app.screen.programme.sessions if s.title == title)


async def test_demo_agenda_now_next_and_plus_five_at_a_frozen_moment(demo_db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app = _app(demo_db, moment=datetime(2024, 5, 7, 10, 5, tzinfo=ZoneInfo("Europe/Brussels")))
    async with app.run_test(size=(180, 50)) as pilot:
        table = await _ready(app, pilot)
        keynote = _titled(app, "Keynote: clusters as engines of EU competitiveness")
        value_chains = _titled(app, "Pan-European value chains: attracting and maximising investment")
        opening = _titled(app, "Opening: clusters for a competitive Single Market")
        report = _titled(app, "Reporting back: takeaways of day one")
        assert cell(table, keynote, "state") == "▶ now"
        assert cell(table, opening, "state") == "past"
        assert app.screen.selected_session.id == keynote
        assert app.screen.query_one("#detail-countdown").value == "25:00"
        assert "10:30 Pan-European value chains" in str(app.screen.query_one("#detail-next").render())

        await pilot.press("plus")  # the Keynote runs late: the value-chains panel moves, the afternoon does not
        await wait_for(pilot, lambda: cell(table, value_chains, "delay") == "+5 min")
        moved = {title: minutes for title, minutes in shifts(demo_db).items() if minutes}
        assert moved == {
            "Keynote: clusters as engines of EU competitiveness": 5,
            "Pan-European value chains: attracting and maximising investment": 5,
        }
        assert cell(table, value_chains, "time") == "10:35–11:20"
        assert cell(table, report, "time") == "17:15–17:45"
        assert app.screen.query_one("#detail-countdown").value == "30:00"


async def test_titles_take_the_room_of_an_empty_flags_column(demo_db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app = _app(demo_db, moment=datetime(2024, 5, 7, 10, 5, tzinfo=ZoneInfo("Europe/Brussels")))
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(app, pilot)
        shown = "\n".join(rendered_lines(app.screen))
        assert "Pan-European value chains: attracting and maximising investment" in shown


async def test_the_cursor_steps_over_room_headers_and_now_lines(sample):
    db, ids = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Green transition']}")
        await pilot.pause()
        await pilot.press("down")  # the now line of Room A lies between Green and Digital
        await wait_for(pilot, lambda: app.screen.selected_session.title == "Digital transition")
        await pilot.press("up")
        await wait_for(pilot, lambda: app.screen.selected_session.title == "Green transition")
        await pilot.press("up")  # over the Room A header to the Hemicycle's last session
        await wait_for(pilot, lambda: app.screen.selected_session.title == "Closing")


async def test_the_palette_offers_the_chair_actions_of_the_chosen_session(sample):
    db, ids = sample
    app = _app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Skills']}")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Delay 'Skills' by 5 minutes" in titles and "Mark 'Skills' started" in titles
        delay = next(c for c in app.get_system_commands(app.screen) if c.title == "Delay 'Skills' by 5 minutes")
        delay.callback()
        await wait_for(pilot, lambda: cell(table, ids["Skills"], "delay") == "+5 min")


async def test_the_chair_sees_the_talks_inside_a_block(demo_db):
    """Session 2 part 1 of the associations meeting holds four strategy talks: the chair reads
    them (and who gives them) in the detail pane."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app = _app(demo_db, moment=datetime(2024, 5, 6, 14, 40, tzinfo=ZoneInfo("Europe/Brussels")))
    async with app.run_test(size=(180, 50)) as pilot:
        await _ready(app, pilot)
        assert app.screen.selected_session.title == "Session 2 – part 1: Strategy Talks"
        meta = str(app.screen.query_one("#detail-meta").render())
        assert "Green Industrial Solutions – How Cluster Policy Can Support the Transformation Process" in meta
        assert "Lukas Nögel" in meta and "Chair: Jitka Vocaskova" in meta
