"""A small programme for the agenda tests (importable from every test: pytest puts tests/ on the
path for the root conftest). Tuesday 7 May 2024, Europe/Brussels:

    Hemicycle (300)  09:00 Opening 09:30 Keynote 10:30 Coffee 11:00 Plenary panel 12:00
                     13:30 Afternoon plenary 14:30 Closing (fixed end) 15:30
    Room A (40)      11:00 Green transition 11:45 Digital transition 12:30 | 12:40 Skills 13:20 |
                     14:00 Resilience 15:00
    Room B (4)       11:00 Funding clusters 12:00 | 12:30 Value chains 13:00

Ana Šermukšnytė speaks in "Digital transition" (A) and "Value chains" (B).
Door scans: Room A 3 in, 1 out (2 inside); Room B 4 in (full)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from eventdesk.store.models import CheckinList, CheckinRecord, Room, Session, SessionSpeaker

BRUSSELS = ZoneInfo("Europe/Brussels")
DAY = (2024, 5, 7)


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(*DAY, hh, mm, ss, tzinfo=BRUSSELS)


PROGRAMME = {
    "Hemicycle": (
        300,
        [
            ("Opening", "09:00", "09:30", {"type": "plenary", "chair": "Kíncső Horváth"}),
            ("Keynote: clusters and competitiveness", "09:30", "10:30", {"speakers": ["Marta López"]}),
            ("Coffee break", "10:30", "11:00", {"type": "break"}),
            ("Plenary panel", "11:00", "12:00", {"type": "panel", "speakers": ["Jan Peeters", "Marta López"]}),
            ("Afternoon plenary", "13:30", "14:30", {}),
            ("Closing", "14:30", "15:30", {"fixed_end": True}),
        ],
    ),
    "Room A": (
        40,
        [
            ("Green transition", "11:00", "11:45", {"chair": "Pieter de Vries", "speakers": ["Olga Novak"]}),
            ("Digital transition", "11:45", "12:30", {"speakers": ["Ana Šermukšnytė"]}),
            ("Skills", "12:40", "13:20", {}),
            ("Resilience", "14:00", "15:00", {}),
        ],
    ),
    "Room B": (
        4,
        [
            ("Funding clusters", "11:00", "12:00", {}),
            ("Value chains", "12:30", "13:00", {"speakers": ["Ana Sermuksnyte"]}),
        ],
    ),
}


def _time(text: str) -> datetime:
    hh, mm = text.split(":")
    return at(int(hh), int(mm))


def add_programme(db) -> dict[str, int]:
    """Rooms, sessions and door scans; returns session ids by title."""
    ids: dict[str, int] = {}
    for position, (room_name, (capacity, sessions)) in enumerate(PROGRAMME.items()):
        room = Room(name=room_name, capacity=capacity, position=position)
        db.add(room)
        db.flush()
        for title, start, end, extra in sessions:
            extra = dict(extra)
            speakers = extra.pop("speakers", [])
            session = Session(
                title=title, start=_time(start), end=_time(end), room_id=room.id, source_ref=f"sample-{title}", **extra
            )
            db.add(session)
            db.flush()
            ids[title] = session.id
            for n, name in enumerate(speakers):
                db.add(SessionSpeaker(session_id=session.id, position=n, name=name))
        door = CheckinList(name=f"Door {room_name}", kind="room", room_id=room.id)
        db.add(door)
        db.flush()
        scans = {"Room A": ["entry", "entry", "entry", "exit"], "Room B": ["entry"] * 4}.get(room_name, [])
        for direction in scans:
            db.add(CheckinRecord(nonce=uuid.uuid4().hex, code="X", list_id=door.id, direction=direction, result="ok"))
    return ids


def build(db_path: str) -> dict[str, int]:
    from eventdesk.store.db import make_engine, session_scope

    engine = make_engine(db_path)
    with session_scope(engine) as db:
        ids = add_programme(db)
    engine.dispose()
    return ids


def sample_app(db: str, screen: str, moment: datetime | None = None, watch_store: bool = False, desk: str = "Desk 1"):
    """The real app on ``db`` at a frozen moment (11:20 on the sample day by default)."""
    from eventdesk.domain.clock import Clock
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings
    from eventdesk.tui.app import make_app

    context = open_context(db, Settings(db=db, desk=desk), Clock.frozen(moment or at(11, 20)))
    return make_app(context, start_screen=screen, watch_store=watch_store)


async def wait_for(pilot, condition, timeout: float = 3.0) -> None:
    """Let the app run in short steps until ``condition()`` holds (at most ``timeout`` seconds)."""
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    assert condition(), f"the screen did not reach the expected state within {timeout} s"
