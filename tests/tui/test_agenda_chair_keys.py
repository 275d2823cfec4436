"""The chair keys on the agenda screen: refusals say so in one line, an early start moves above
the now line at its real times, and a pull back that changes nothing says why."""

from __future__ import annotations

import pytest
from agenda_sample import at, build, sample_app, wait_for

from eventdesk.tui.screens.agenda.screen import AgendaScreen
from eventdesk.tui.textual_compat import notifications
from eventdesk.tui.widgets.live_table import LiveTable


@pytest.fixture
def sample(tmp_db):
    return tmp_db, build(tmp_db)


async def _ready(app, pilot) -> LiveTable:
    await wait_for(pilot, lambda: isinstance(app.screen, AgendaScreen) and app.screen.programme is not None)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one("#agenda-table", LiveTable)


def notes(app) -> str:
    return " | ".join(str(n.message) for n in notifications(app))


async def test_s_on_a_session_further_down_is_refused_and_the_running_one_stays(sample):
    db, ids = sample
    app = sample_app(db, "agenda")
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Green transition']}")
        await pilot.press("s")
        await wait_for(pilot, lambda: "Started 'Green transition'" in notes(app))
        table.select_key(f"s:{ids['Resilience']}")  # 14:00, two sessions ahead in Room A
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: "'Resilience' is not next in its room" in notes(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.cell_text(f"s:{ids['Green transition']}", "state") == "▶ now"
        assert table.cell_text(f"s:{ids['Resilience']}", "state") == ""


async def test_an_early_start_moves_above_the_now_line_with_its_real_times(sample):
    db, ids = sample
    app = sample_app(db, "agenda", at(12, 32))
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Skills']}")
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: table.cell_text(f"s:{ids['Skills']}", "state") == "▶ now")
        assert table.cell_text(f"s:{ids['Skills']}", "time") == "12:32–13:12"
        assert table.cell_text(f"s:{ids['Skills']}", "delay") == "-8 min"  # the detail spells "8 min early"
        keys = table.keys
        assert keys.index(f"s:{ids['Skills']}") < keys.index(f"now:{app.screen.programme.by_id[ids['Skills']].room_id}")
        assert "planned 12:40–13:20, 8 min early" in str(app.screen.query_one("#detail-meta").render())


async def test_minus_on_a_session_on_time_says_why_nothing_moved(sample):
    db, ids = sample
    app = sample_app(db, "agenda")
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{ids['Skills']}")
        await pilot.pause()
        await pilot.press("minus")
        await wait_for(pilot, lambda: "'Skills' already starts as planned" in notes(app))


async def test_the_day_after_then_s_is_refused_in_one_line(sample):
    db, ids = sample
    app = sample_app(db, "agenda", at(11, 20).replace(day=6))  # Monday: the sample's sessions are on Tuesday
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: f"s:{ids['Green transition']}" in table.keys)
        table.select_key(f"s:{ids['Green transition']}")
        await pilot.pause()
        await pilot.press("s")
        await wait_for(pilot, lambda: "'Green transition' is not today (Tue 07 May)" in notes(app))
        assert table.cell_text(f"s:{ids['Green transition']}", "state") == ""


async def test_a_delay_into_another_rooms_break_is_flagged_and_names_the_break(sample):
    db, ids = sample
    from sqlmodel import Session as DbSession

    from eventdesk.store.db import make_engine
    from eventdesk.store.models import Session

    engine = make_engine(db)
    with DbSession(engine) as s:  # a Room A workshop that ends 5 minutes before the Hemicycle's coffee
        room_a = s.get(Session, ids["Skills"]).room_id
        workshop = Session(title="Early workshop", start=at(9, 30), end=at(10, 25), room_id=room_a, source_ref="w")
        s.add(workshop)
        s.commit()
        workshop_id = workshop.id
    engine.dispose()
    app = sample_app(db, "agenda", at(9, 40))
    async with app.run_test(size=(160, 45)) as pilot:
        table = await _ready(app, pilot)
        table.select_key(f"s:{workshop_id}")
        await pilot.pause()
        await pilot.press("plus")  # ends 10:30, as the coffee starts: no flag yet
        await wait_for(pilot, lambda: table.cell_text(f"s:{workshop_id}", "delay") == "+5 min", timeout=10)
        assert table.cell_text(f"s:{workshop_id}", "flags") == ""
        await pilot.press("plus")
        await wait_for(pilot, lambda: table.cell_text(f"s:{workshop_id}", "flags") == "⚠ into a break", timeout=10)
        assert table.cell_text(f"s:{workshop_id}", "title").startswith("⚠ Early workshop")
        assert "1 session flagged" in str(app.screen.query_one("#agenda-day").render())
        await wait_for(
            pilot,
            lambda: "Coffee break in Hemicycle 10:30–11:00" in str(app.screen.query_one("#detail-flags").render()),
        )
