"""The agenda, the room board and the meeting desk at 80×24, 100×30, 160×45 and 220×60: what a
chair, operations and the meetings desk read first stays on screen, whole."""

from __future__ import annotations

import pytest
from agenda_sample import at as agenda_at
from agenda_sample import build as build_agenda
from agenda_sample import sample_app, wait_for
from meetings_sample import at as meetings_at
from meetings_sample import meetings  # noqa: F401

from eventdesk.tui.app import make_app
from eventdesk.tui.screens.meetings.grid import MeetingGrid
from eventdesk.tui.widgets.live_table import LiveTable

SIZES = [(80, 24), (100, 30), (160, 45), (220, 60)]


def widths(table: LiveTable) -> dict[str, int]:
    return {str(column.key.value): column.width for column in table.columns.values()}


def fits(table: LiveTable, screen_width: int) -> bool:
    """Every column lies inside the screen: nothing needs a sideways scroll."""
    return table.region.x + sum(c.get_render_width(table) for c in table.columns.values()) <= screen_width


@pytest.mark.parametrize("size", SIZES)
async def test_agenda_titles_keep_thirty_characters_and_the_detail_collapses_below_120(tmp_db, size):
    build_agenda(tmp_db)
    app = sample_app(tmp_db, "agenda", agenda_at(11, 20))
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "programme", None) is not None)
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#agenda-table", LiveTable)
        await wait_for(pilot, lambda: fits(table, size[0]))
        columns = widths(table)
        assert columns["title"] >= 30
        assert {"time", "state", "delay"} <= set(columns)
        assert ("flags" in columns) == (size[0] >= 100)
        detail = screen.query_one("#agenda-detail")
        assert screen.has_class("-stacked") == (size[0] < 120)
        assert detail.region.width > 0 and detail.region.height > 0
        assert detail.region.y > table.region.y if size[0] < 120 else detail.region.x > table.region.x
        assert screen.query_one("#detail-countdown").region.height == 3  # the countdown is visible


@pytest.mark.parametrize("size", SIZES)
async def test_the_room_board_keeps_time_left_delay_people_and_next(tmp_db, size):
    build_agenda(tmp_db)
    app = sample_app(tmp_db, "rooms", agenda_at(9, 1, 15))  # the Opening has 28:45 left
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one("#board-table", LiveTable)
        await wait_for(pilot, lambda: table.row_count > 0 and fits(table, size[0]))
        columns = widths(table)
        assert {"room", "now", "left", "delay", "people", "next"} <= set(columns)
        assert ("progress" in columns) == (size[0] >= 140)
        hemicycle = next(k for k in table.keys)
        assert table.cell_text(hemicycle, "left") == "28:45"
        assert columns["left"] >= len("-1:05:09")  # an hour-long overrun still fits whole


@pytest.mark.parametrize("size", SIZES)
async def test_the_meeting_desk_keeps_person_b_and_the_state(meetings, size):
    meetings.clock.set(meetings_at(10, 7))
    app = make_app(meetings, start_screen="meetings", watch_store=False)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "board", None) is not None)
        screen = app.screen
        grid = screen.query_one("#meetings-now", MeetingGrid)
        await wait_for(pilot, lambda: grid.row_count > 0 and fits(grid, size[0]))
        columns = widths(grid)
        assert {"table", "a", "b", "state"} <= set(columns)
        assert columns["state"] >= len("⚠ probable no-show")
        assert ("org_a" in columns) == (size[0] >= 160)
        assert screen.has_class("-narrow") == (size[0] < 130)
        no_shows = screen.query_one("#meetings-no-shows")
        assert no_shows.region.height > 0  # F6's list is on screen at every size
        assert grid.row_text("1").endswith("⚠ probable no-show")
