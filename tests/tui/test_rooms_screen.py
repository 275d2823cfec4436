"""The room board on a small programme at a frozen moment: every room's now/next, progress, time
left and occupancy colours; clock ticks change cells without re-laying rows; a door scan and a
delay made by other processes show up by themselves."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from agenda_sample import at, build, sample_app, wait_for
from sqlmodel import select

from eventdesk.domain.clock import Clock
from eventdesk.services.agenda import BoardRow, RoomInfo
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.db import make_engine, session_scope
from eventdesk.store.models import CheckinList, CheckinRecord, Room
from eventdesk.tui.app import make_app
from eventdesk.tui.screens.rooms.screen import RoomsScreen, occupancy_cell
from eventdesk.tui.widgets.live_table import LiveTable


@pytest.fixture
def sample(tmp_db):
    return tmp_db, build(tmp_db)


def _app(db: str, moment=None, watch_store: bool = False):
    return sample_app(db, "rooms", moment, watch_store, desk="Operations")


async def _board(app, pilot) -> LiveTable:
    await wait_for(pilot, lambda: isinstance(app.screen, RoomsScreen) and app.screen.programme is not None)
    await pilot.pause()
    return app.screen.query_one("#board-table", LiveTable)


def room_key(app, name: str) -> str:
    room = next(r for r in app.screen.programme.rooms if r.name == name)
    return f"room:{room.id}"


async def test_every_room_with_now_next_progress_time_left_and_occupancy(sample):
    db, _ = sample
    app = _app(db)
    async with app.run_test(size=(180, 30)) as pilot:
        table = await _board(app, pilot)
        assert table.keys == [room_key(app, n) for n in ("Hemicycle", "Room A", "Room B")]
        a = room_key(app, "Room A")
        assert table.cell_text(a, "now") == "Green transition"
        assert table.cell_text(a, "left") == "25:00"
        assert table.cell_text(a, "next") == "11:45 Digital transition"
        assert table.cell_text(a, "progress").endswith(" 44%")
        assert table.cell_text(a, "people") == "2/40"
        b = room_key(app, "Room B")
        assert table.cell_text(b, "people") == "4/4 full"
        assert "red" in str(table.get_cell(b, "people").style)
        assert table.cell_text(room_key(app, "Hemicycle"), "next") == "13:30 Afternoon plenary"
        assert "3 of 3 rooms in session" in str(app.screen.query_one("#board-summary").render())

        app.context.clock.set(at(12, 10))  # lunch: Room B is free until 12:30, Room A overruns nothing
        await wait_for(pilot, lambda: table.cell_text(b, "now") == "free")
        assert table.cell_text(b, "next") == "12:30 Value chains"
        assert table.cell_text(a, "now") == "Digital transition"
        assert table.relays == 1  # ticks changed cells, never re-laid the rows


def test_occupancy_is_coloured_at_90_and_100_percent():
    def row(people: int) -> BoardRow:
        return BoardRow(RoomInfo(1, "Room", 50), people, None, None, None, None)

    assert str(occupancy_cell(row(44)).style) == ""
    assert "yellow" in str(occupancy_cell(row(45)).style)
    assert "red" in str(occupancy_cell(row(50)).style)
    assert "red" in str(occupancy_cell(row(61)).style)
    assert occupancy_cell(BoardRow(RoomInfo(1, "Foyer", None), 7, None, None, None, None)).plain == "7"


async def test_the_countdown_ticks_with_the_rehearsal_clock(sample):
    db, _ = sample
    context = open_context(db, Settings(db=db), Clock.rehearsal(at(11, 44, 0), speed=60))
    app = make_app(context, start_screen="rooms", watch_store=False)
    async with app.run_test(size=(180, 30)) as pilot:
        table = await _board(app, pilot)
        a = room_key(app, "Room A")
        # A minute per second: Green transition ends at 11:45 and Digital transition takes over.
        await wait_for(pilot, lambda: table.cell_text(a, "now") == "Digital transition", timeout=5)
        assert app.context.now() - at(11, 44) >= timedelta(minutes=1)


async def test_a_door_scan_and_a_delay_from_other_processes_appear_by_themselves(sample):
    db, ids = sample
    app = _app(db, watch_store=True)
    async with app.run_test(size=(180, 30)) as pilot:
        table = await _board(app, pilot)
        await wait_for(pilot, lambda: app._versions is not None)
        a = room_key(app, "Room A")

        other = make_engine(db)  # a door scanner at Room A, writing through its own engine
        with session_scope(other) as s:
            room = s.exec(select(Room).where(Room.name == "Room A")).one()
            door = s.exec(select(CheckinList).where(CheckinList.room_id == room.id)).one()
            s.add(CheckinRecord(nonce=uuid.uuid4().hex, code="X", list_id=door.id, direction="entry", result="ok"))
        other.dispose()
        await wait_for(pilot, lambda: table.cell_text(a, "people") == "3/40")

        done = subprocess.run(
            [sys.executable, "-m", "eventdesk", "agenda", "delay", str(ids["Green transition"]), "5", "--db", db],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        await wait_for(pilot, lambda: table.cell_text(a, "delay") == "+5 min")
        assert table.cell_text(a, "left") == "30:00"
        assert table.cell_text(a, "next") == "11:50 Digital transition (+5 min)"


async def test_the_board_only_app_reaches_no_other_screen(sample):
    from eventdesk.tui.board_app import BoardApp

    db, _ = sample
    app = BoardApp(open_context(db, Settings(db=db), Clock.frozen(at(11, 20))), watch_store=False)
    async with app.run_test(size=(180, 30)) as pilot:
        table = await _board(app, pilot)
        assert table.cell_text(room_key(app, "Room A"), "now") == "Green transition"
        for key in ("f2", "f3", "f5", "ctrl+p", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, RoomsScreen), key


async def test_demo_board_at_the_demo_moment(demo_db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    app = _app(demo_db, moment=datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels")))
    async with app.run_test(size=(220, 30)) as pilot:
        table = await _board(app, pilot)
        names = [r.name for r in app.screen.programme.rooms]
        assert names[:2] == ["Auditorium", "Europa"] and "Foyer" in names
        auditorium = room_key(app, "Auditorium")
        assert table.cell_text(auditorium, "now").startswith("Shaping the future of the EU Single Market")
        assert table.cell_text(auditorium, "left") == "15:00"
        assert table.cell_text(auditorium, "next").startswith("15:15 Green, digital and resilient through clusters")
        matchmaking = room_key(app, "Matchmaking area")
        assert table.cell_text(matchmaking, "left") == "2:05:00"
        europa = room_key(app, "Europa")
        assert table.cell_text(europa, "now") == "free"
        assert table.cell_text(europa, "next").startswith("11:00 Decarbonising energy-intensive industries")
        assert table.cell_text(europa, "people") == "0/200"


async def test_an_event_without_rooms_says_how_to_get_them(tmp_db):
    app = _app(tmp_db)
    async with app.run_test(size=(120, 20)) as pilot:
        await _board(app, pilot)
        await wait_for(pilot, lambda: "import agenda" in str(app.screen.query_one("#board-summary").render()))
