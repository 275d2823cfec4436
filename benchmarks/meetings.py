"""Meeting tables: the time to schedule 1,000 requests among 200 people into 20 slots x 60 tables
(target: at most 2 s) and the refresh time of the meetings screen with 60 tables.

Scheduling is measured twice: the pure scheduler (``domain.scheduling.schedule``) and the whole
``eventdesk meetings schedule`` use case (read requests, plan, write 1,000 meetings). 5 % of the
person-slots are unavailable; the requests are random pairs (seeded).

The screen holds 20 slots x 60 tables, every table booked, on the real MeetingsScreen driven
headless. Measured:

- store read: ``load_board`` (every slot, table and meeting with both people)
- first fill: both grids, the no-show list and the side panel from an empty screen
- tick, nothing changed: the once-a-second recompute + keyed diff
- tick, every table changed: all 60 meetings flagged as probable no-shows at once
- refresh after a scan: the whole path (store read + diff) another desk's write takes

Run: python benchmarks/meetings.py [--runs 5] [--quick] [--json]
(--json: schedule_s, the use case's median, and meetings_refresh_ms, the refresh after a scan)
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import _bench

from eventdesk.domain.clock import Clock
from eventdesk.domain.scheduling import Request, schedule
from eventdesk.services import meetings as service
from eventdesk.services.context import open_context
from eventdesk.services.events import create_event
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, Meeting, MeetingRequest, Unavailability

ZONE = ZoneInfo("Europe/Brussels")
DAY = date(2024, 5, 8)
PEOPLE, REQUESTS, SLOTS, TABLES = 200, 1000, 20, 60
TARGET_S = 2.0


def random_requests(rng: random.Random) -> list[tuple[int, int]]:
    pairs: set[frozenset] = set()
    out = []
    while len(out) < REQUESTS:
        a, b = rng.sample(range(PEOPLE), 2)
        if frozenset((a, b)) not in pairs:
            pairs.add(frozenset((a, b)))
            out.append((a, b))
    return out


def random_unavailable(rng: random.Random) -> list[tuple[int, int]]:
    return [(p, s) for p in range(PEOPLE) for s in range(SLOTS) if rng.random() < 0.05]


def bench_domain(runs: int) -> tuple[list[float], int]:
    rng = random.Random(2024)
    requests = [Request(i, a, b) for i, (a, b) in enumerate(random_requests(rng))]
    unavailable = random_unavailable(rng)
    times, placed = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        plan = schedule(requests, list(range(SLOTS)), list(range(TABLES)), unavailable=unavailable)
        times.append(time.perf_counter() - start)
        placed = len(plan.placed)
    return times, placed


def new_store(folder: str, name: str):
    path = str(Path(folder) / f"{name}.db")
    create_event(path, name="Benchmark Conference", timezone="Europe/Brussels", start=DAY, end=DAY)
    context = open_context(path, clock=Clock.frozen(datetime.combine(DAY, clock_time(8), tzinfo=ZONE)))
    service.ensure_grid(context, day=DAY, first=clock_time(9), count=SLOTS, minutes=20, tables=TABLES)
    with context.session() as session:
        ids = [
            save_attendee(
                session,
                Attendee(
                    first_name=f"Person{n}",
                    last_name="Šermukšnytė",
                    organisation=f"Cluster {n % 37}",
                    email=f"p{n}@example.eu",
                    badge_code=f"BENCH{n:021d}",
                ),
            ).id
            for n in range(PEOPLE)
        ]
    return context, ids


def bench_service(folder: str, runs: int) -> tuple[list[float], int]:
    times, placed = [], 0
    for run in range(runs):
        context, ids = new_store(folder, f"schedule-{run}")
        rng = random.Random(2024)
        pairs = random_requests(rng)
        unavailable = random_unavailable(rng)
        board = service.load_board(context)
        with context.session() as session:
            session.add_all(MeetingRequest(attendee_a_id=ids[a], attendee_b_id=ids[b]) for a, b in pairs)
            session.add_all(Unavailability(attendee_id=ids[p], slot_id=board.slots[s].id) for p, s in unavailable)
        start = time.perf_counter()
        summary = service.schedule_requests(context)
        times.append(time.perf_counter() - start)
        placed = len(summary.placed)
        context.engine.dispose()
    return times, placed


def full_house(folder: str):
    """20 slots x 60 tables, every table booked (people rotate so nobody is double-booked)."""
    context, ids = new_store(folder, "screen")
    board = service.load_board(context)
    table_ids = {}
    from sqlmodel import Session, select

    from eventdesk.store.models import MeetingTable

    with Session(context.engine) as session:
        table_ids = {t.number: t.id for t in session.exec(select(MeetingTable))}
    with context.session() as session:
        for s, slot in enumerate(board.slots):
            for t in range(TABLES):
                a = (t + s) % PEOPLE
                b = (t + s + 100) % PEOPLE
                session.add(
                    Meeting(slot_id=slot.id, table_id=table_ids[t + 1], attendee_a_id=ids[a], attendee_b_id=ids[b])
                )
    return context, board.slots


async def bench_screen(folder: str, runs: int) -> dict[str, list[float]]:
    from eventdesk.tui.app import make_app
    from eventdesk.tui.screens.meetings.screen import MeetingsScreen

    context, slots = full_house(folder)
    context.clock.set(slots[3].start + timedelta(minutes=1))
    app = make_app(context, start_screen="meetings", watch_store=False)
    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "store read (load_board)",
            "first fill (empty screen)",
            "tick, nothing changed",
            "tick, every table changed",
            "refresh after a scan (read + diff)",
        )
    }
    async with app.run_test(size=(160, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingsScreen)
        for run in range(runs):
            start = time.perf_counter()
            board = service.load_board(context)
            rows["store read (load_board)"].append(time.perf_counter() - start)
            for grid in screen.query("MeetingGrid, NoShowList"):
                grid.clear()
            context.clock.set(slots[3].start + timedelta(minutes=1))
            start = time.perf_counter()
            screen._show_board(board)
            rows["first fill (empty screen)"].append(time.perf_counter() - start)
            await pilot.pause()
            start = time.perf_counter()
            screen.tick()
            rows["tick, nothing changed"].append(time.perf_counter() - start)
            context.clock.set(slots[3].start + timedelta(minutes=context.settings.no_show_minutes + 1))
            start = time.perf_counter()
            screen.tick()
            rows["tick, every table changed"].append(time.perf_counter() - start)
            await pilot.pause()
            service.scan(context, f"BENCH{(run + 3) % PEOPLE:021d}")
            start = time.perf_counter()
            screen._show_board(service.load_board(context))
            rows["refresh after a scan (read + diff)"].append(time.perf_counter() - start)
            await pilot.pause()
    return rows


def line(label: str, values: list[float], target: float | None = None) -> str:
    best, median = min(values) * 1000, statistics.median(values) * 1000
    verdict = "" if target is None else ("  ok" if median <= target * 1000 else "  OVER TARGET")
    return f"{label:<44} {median:>9.1f} {best:>9.1f}{verdict}"


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="default 5, --quick 2")
    args = parser.parse_args()
    args.runs = args.runs or (2 if args.quick else 5)
    out = _bench.Output(args, "meetings")
    _bench.quiet()
    with tempfile.TemporaryDirectory() as folder:
        domain, placed_domain = bench_domain(args.runs)
        whole, placed_whole = bench_service(folder, max(1, args.runs // 2))
        screen = asyncio.run(bench_screen(folder, args.runs))
    out.print(
        f"Scheduling {REQUESTS} requests among {PEOPLE} people into {SLOTS} slots x {TABLES} tables "
        f"(target ≤ {TARGET_S:g} s)"
    )
    out.print(f"{'':<44} {'median ms':>9} {'best ms':>9}")
    out.print(line(f"scheduler (pure), {placed_domain} placed", domain, TARGET_S))
    out.print(line(f"schedule use case (read+plan+write), {placed_whole} placed", whole, TARGET_S))
    out.print()
    out.print(f"Meetings screen, {TABLES} tables per slot, {SLOTS} slots ({SLOTS * TABLES} meetings)")
    out.print(f"{'':<44} {'median ms':>9} {'best ms':>9}")
    for label, values in screen.items():
        out.print(line(label, values))
    out.figure("schedule_s", statistics.median(whole))
    out.figure("meetings_refresh_ms", statistics.median(screen["refresh after a scan (read + diff)"]) * 1000)
    out.finish()


if __name__ == "__main__":
    main()
