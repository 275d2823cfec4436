"""Check-in desk speed at 1,000, 10,000 and 100,000 attendees.

Builds each database by bulk insert (people with accented European names, the seed speakers
among them), then measures on the real App, driven headless as a scanner would drive it:

- scan: from the Enter of a scan to its result on the banner, committed (p50/p95)
- paint: from the Enter of a scan to the frame that shows its result, as Textual renders it for a
  terminal (the headless driver is made to render and write its frames; the first frame into which
  the banner was rendered after the answer ends the measure)
- search: from the keystroke that completes a query to the results in the list (p50/p95), and the
  CPU time the process (all its threads) used meanwhile (``search_screen_cpu_p95_ms``: what a busy machine
  skews least), and to the first frame written with the new results (``search_paint_p95_ms``;
  keystrokes whose answer was the list already shown draw nothing and are not counted)
- the SQL statements one scan costs (BEGIN/COMMIT not counted)
- the service call alone (check_in / search_people), for comparison, and the CPU time one
  check_in() costs the process (``service_cpu_ms``, the median: less skewed by a busy machine than the
  wall clock)

The app's database has half of the people checked in already (late in the day), so the figures
the screen re-reads beside the scans cost what they will cost on site.

Run: python benchmarks/checkin.py [--sizes 1000,10000,100000] [--scans 200] [--quick] [--json]
(--json: the figures of the largest size, see benchmarks/README.md)
     ... --durability: only the scan with SQLite synchronous=NORMAL and with FULL (the store's choice)
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date
from pathlib import Path

import _bench
from _bench import percentile
from sqlalchemy import event, insert

SEED_SPEAKERS = [
    ("Kristina", "Šermukšnytė-Alešiūnienė", "AgriFood Lithuania", "speaker"),
    ("Kíncső", "Izsak", "Technopolis", "speaker"),
    ("Lukas", "Nögel", "VDI/VDE Innovation + Technology GmbH", "speaker"),
    ("Carolina", "Garcés", "Mobile Heights", "speaker"),
    ("Marek", "Przeor", "DG GROW, European Commission", "speaker"),
]
FIRST = [
    "Anna",
    "Jan",
    "Maria",
    "Piotr",
    "Sofia",
    "Lukas",
    "Elena",
    "Jonas",
    "Ines",
    "Marek",
    "Zsófia",
    "Björn",
    "Chloé",
    "Mateusz",
    "Ana",
    "Tomás",
    "Greta",
    "Nikolaos",
    "Eva",
    "Dragan",
    "Åsa",
    "Jiří",
    "Aoife",
    "Mihai",
    "Laura",
    "Pauline",
    "Hervé",
    "Ola",
    "Birgit",
    "Glenda",
]
LAST = [
    "Müller",
    "Nowak",
    "García",
    "Rossi",
    "Dubois",
    "Novák",
    "Horváth",
    "Jansen",
    "Popescu",
    "Kowalski",
    "Papadopoulos",
    "Silva",
    "Petrović",
    "Nielsen",
    "Virtanen",
    "Ó Briain",
    "Bērziņš",
    "Kazlauskas",
    "Tamm",
    "Schmidt",
    "Fernández",
    "Łukasiewicz",
    "Øberg",
    "Zeller",
    "Capus",
    "Svedin",
    "Grandjean",
    "Hobbs",
    "Besnard",
    "Cosnita",
    "Weidel",
    "Boratynski",
    "Remotti",
]
ORGS = ["Cluster", "Network", "Agency", "Institute", "GmbH", "Association", "Platform", "Hub"]
PLACES = ["Vojvodina", "Baltic", "Alpine", "Danube", "Nordic", "Iberian", "Flanders", "Silesia", "Tuscany"]
CATEGORIES = ["participant"] * 8 + ["speaker", "press", "staff"]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ner",
    "vic",
    "sen",
    "ber",
    "tin",
    "go",
    "ra",
    "du",
    "lé",
    "sch",
    "wa",
    "ño",
    "ski",
    "ová",
    "ič",
    "ter",
    "man",
    "ari",
    "po",
    "hel",
    "zu",
    "ek",
    "an",
    "ös",
    "ri",
    "ço",
    "las",
]


def surname(rng: random.Random) -> str:
    """A common surname one time in three, else a made-up one: a real list of 100,000 people has
    tens of thousands of different surnames, not thirty."""
    if rng.random() < 0.33:
        return rng.choice(LAST)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def people(size: int, seed: int = 7) -> list[dict]:
    """``size`` people (the seed speakers first) as the columns an import writes."""
    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.store.attendee_import import IMPORTED_FIELDS

    rng = random.Random(seed)
    new_code = seeded_code_factory(seed)
    made = [dict(first_name=f, last_name=last, organisation=o, category=c) for f, last, o, c in SEED_SPEAKERS]
    while len(made) < size:
        made.append(
            dict(
                first_name=rng.choice(FIRST),
                last_name=surname(rng),
                organisation=f"{rng.choice(PLACES)} {rng.choice(ORGS)}",
                category=rng.choice(CATEGORIES),
            )
        )
    made = made[:size]
    for number, person in enumerate(made, start=1):
        person.update({field: "" for field in IMPORTED_FIELDS if field not in person})  # new columns too
        person.update(badge_code=new_code(), email=f"person{number}@example.org", status="active", source_ref=None)
    return made


def build_database(path: str, size: int, seed: int = 7) -> list[str]:
    """A migrated database with ``size`` attendees (ids 1..size), written with the search index by
    the import's own bulk writer; returns their badge codes (seed speakers first)."""
    from sqlmodel import Session

    from eventdesk.services.events import create_event
    from eventdesk.store.attendee_import import insert_people
    from eventdesk.store.db import make_engine

    create_event(
        path,
        name="Benchmark Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 7),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    engine = make_engine(path)
    made = people(size, seed)
    with Session(engine) as session:
        for start in range(0, len(made), 20_000):
            insert_people(session, made[start : start + 20_000])
        session.commit()
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return [person["badge_code"] for person in made]


class StatementCounter:
    """Counts the SQL statements SQLite runs (BEGIN/COMMIT/ROLLBACK and PRAGMAs not counted), at the
    driver: the scan runs its statements on the DBAPI connection, below SQLAlchemy's events."""

    def __init__(self, engine) -> None:
        self.count = 0
        self.engine = engine
        event.listen(engine, "connect", self._traced)
        engine.dispose()  # the pool's connections are made again, traced

    def _traced(self, dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(self._seen)

    def _seen(self, statement: str) -> None:
        word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if word not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE", "--"):
            self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "connect", self._traced)


def check_in_half(path: str, size: int) -> None:
    """Record an entry for the second half of the people, as late in the day: the figures the
    screen re-reads beside every scan then have real work to do."""
    import uuid
    from datetime import datetime, timedelta

    from eventdesk.store.db import make_engine
    from eventdesk.store.models import CheckinRecord

    start = datetime(2024, 5, 7, 7, 0, tzinfo=UTC)
    rows = [
        dict(
            nonce=uuid.uuid4().hex,
            code=f"PRE{number}",
            attendee_id=number,
            list_id=1,
            direction="entry",
            result="ok",
            desk=f"Desk {number % 8}",
            scanned_at=start + timedelta(seconds=number * 0.3),
        )
        for number in range(size // 2 + 1, size + 1)
    ]
    engine = make_engine(path)
    with engine.begin() as connection:
        connection.execute(insert(CheckinRecord), rows)
    engine.dispose()


def measure_services(path: str, codes: list[str], scans: int) -> dict[str, float]:
    from eventdesk.services.attendees import search_people
    from eventdesk.services.checkin import check_in
    from eventdesk.services.context import open_context

    context = open_context(path)
    counter = StatementCounter(context.engine)
    rng = random.Random(1)
    scan_times, scan_cpu, statements = [], [], []
    for code in rng.sample(codes, min(scans, len(codes))):
        before = counter.count
        cpu, start = time.process_time(), time.perf_counter()
        check_in(context, code)
        scan_times.append(time.perf_counter() - start)
        scan_cpu.append(time.process_time() - cpu)  # what the neighbours skew least
        statements.append(counter.count - before)
    search_times = []
    queries = [
        "sermuksnyte",
        "SERMUKS",
        "kincso izsak",
        "izsak k",
        "nogel",
        "muller",
        "anna nowak",
        "cluster",
        "kowal",
        "garcia ro",
        "bjorn",
        "lukasiewicz",
    ]
    for _ in range(max(1, scans // len(queries))):
        for query in queries:
            start = time.perf_counter()
            search_people(context, query)
            search_times.append(time.perf_counter() - start)
    counter.close()
    context.engine.dispose()
    return {
        "svc_scan_p50": percentile(scan_times, 0.5),
        "svc_scan_p95": percentile(scan_times, 0.95),
        "svc_search_p50": percentile(search_times, 0.5),
        "svc_search_p95": percentile(search_times, 0.95),
        "statements": max(statements),
        "svc_scan_cpu": percentile(scan_cpu, 0.5),
    }


def painting_driver(driver_class):
    """The headless driver made to render every frame as a terminal driver would (the compositor's
    update turned into escape sequences) and to note when each frame is written."""

    class PaintingDriver(driver_class):
        frames: list[tuple[float, int, int]] = []  # (monotonic time written, results painted, searches listed)
        screen = None
        painted = 0  # the screen's results_shown when the banner was last rendered into a frame
        listed = 0  # the screen's searches_shown when the results list was last rendered into a frame

        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            if self.screen is not None and len(data) > 40:  # not the bare begin/end-sync markers
                self.frames.append((time.monotonic(), self.painted, self.listed))

    return PaintingDriver


def when_rendered(widget, note) -> None:
    """Call ``note()`` whenever ``widget`` is rendered for a frame."""
    render_lines = widget.render_lines

    def noted(crop):
        note()
        return render_lines(crop)

    widget.render_lines = noted


async def measure_app(path: str, codes: list[str], scans: int) -> dict[str, float]:
    """Drive the real check-in screen headless: keys go through the driver like a terminal's, the
    scanner's from a thread of their own."""
    from textual import events

    from eventdesk.services.context import open_context
    from eventdesk.tui.app import make_app
    from eventdesk.tui.screens.checkin.screen import CheckinScreen
    from eventdesk.tui.textual_compat import app_driver

    context = open_context(path)
    app = make_app(context, watch_store=False)
    rng = random.Random(2)
    scan_times, paint_times, search_times, search_cpu, search_paint = [], [], [], [], []
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckinScreen)
        await screen.figures_ready()
        driver = app_driver(app)
        driver.__class__ = painting_driver(type(driver))
        driver.screen = screen
        # A frame counts as showing the answer only if the banner was rendered into it after the
        # answer was committed (the compositor calls render_lines only for what it paints): a frame
        # written just after the commit but before the banner's repaint request reached the screen
        # would otherwise be counted.
        when_rendered(screen.banner, lambda: setattr(driver, "painted", screen.results_shown))
        when_rendered(screen.results, lambda: setattr(driver, "listed", screen.searches_shown))
        frames = driver.frames

        def send(key: str, char: str | None) -> None:
            key_event = events.Key(key, char)
            key_event.set_sender(app)
            driver.send_message(key_event)

        def scanner(code: str) -> float:
            """A USB scanner: a key every millisecond, Enter last. Sent from a thread, as a terminal
            driver's input thread does: a slow frame of the app does not stretch the burst (keys
            sent from the app's own loop waited for every frame, and a stretched burst looked
            typed by hand, which starts searches)."""
            for ch in code:
                send(ch, ch)
                time.sleep(0.001)
            enter_at = time.monotonic()
            send("enter", "\r")
            return enter_at

        for code in rng.sample(codes, min(scans, len(codes))):
            seen = screen.results_shown
            frames.clear()
            enter_at = await asyncio.to_thread(scanner, code)
            while screen.results_shown == seen:
                await asyncio.sleep(0.0005)
            scan_times.append(screen.last_result_latency)
            while not any(shown > seen for _, shown, _ in frames):
                await asyncio.sleep(0.0005)
            paint_times.append(next(at for at, shown, _ in frames if shown > seen) - enter_at)
            await pilot.pause()
        queries = [
            "sermuksnyte",
            "kincso izsak",
            "izsak k",
            "nogel",
            "muller",
            "anna nowak",
            "kowal",
            "garcia ro",
            "bjorn",
        ]
        for _ in range(max(1, scans // (3 * len(queries)))):
            for query in queries:
                for ch in query:  # a person typing: one key every 80 ms; results after each from 3 letters
                    seen = screen.searches_shown
                    frames.clear()
                    cpu, sent_at = time.process_time(), time.monotonic()
                    send(ch if ch != " " else "space", ch)
                    await asyncio.sleep(0.08)
                    if screen.searches_shown != seen:
                        search_times.append(screen.last_search_latency)
                        search_cpu.append(screen.last_search_shown_cpu - cpu)
                        # An answer identical to the list shown draws nothing: only the others count.
                        listed_at = next((at for at, _, listed in frames if listed > seen), None)
                        if listed_at is not None:
                            search_paint.append(listed_at - sent_at)
                send("escape", None)  # clear the box
                await asyncio.sleep(0.1)
    context.engine.dispose()
    return {
        "ui_scan_p50": percentile(scan_times, 0.5),
        "ui_scan_p95": percentile(scan_times, 0.95),
        "paint_p50": percentile(paint_times, 0.5),
        "paint_p95": percentile(paint_times, 0.95),
        "ui_search_p50": percentile(search_times, 0.5),
        "ui_search_p95": percentile(search_times, 0.95),
        "ui_search_cpu_p50": percentile(search_cpu, 0.5),
        "ui_search_cpu_p95": percentile(search_cpu, 0.95),
        "ui_search_paint_p50": percentile(search_paint, 0.5),
        "ui_search_paint_p95": percentile(search_paint, 0.95),
    }


def measure_durability(folder: str, size: int, scans: int) -> dict[str, dict[str, float]]:
    """The scan through the service with each SQLite synchronous setting: NORMAL (a commit survives a
    crash of the process) and FULL, the store's choice (it also survives a power cut: one fsync of
    the WAL per commit)."""
    from eventdesk.store import db

    chosen = db.SQLITE_SYNCHRONOUS
    figures = {}
    try:
        for mode in ("NORMAL", chosen):
            db.SQLITE_SYNCHRONOUS = mode
            path = str(Path(folder) / f"durability-{mode}-{size}.db")
            codes = build_database(path, size)
            figures[mode] = measure_services(path, codes, scans)
    finally:
        db.SQLITE_SYNCHRONOUS = chosen
    return figures


def print_durability(out, rows: list[tuple[int, dict[str, dict[str, float]]]]) -> None:
    from eventdesk.store.db import SQLITE_SYNCHRONOUS

    out.print()
    out.print(f"Durability: one scan through check_in (ms), SQLite synchronous NORMAL vs {SQLITE_SYNCHRONOUS} (chosen)")
    header = f"{'attendees':>10} | {'mode':>7} {'scan p50':>9} {'scan p95':>9}"
    out.print(header)
    out.print("-" * len(header))
    for size, by_mode in rows:
        for mode, f in by_mode.items():
            out.print(f"{size:>10,} | {mode:>7} {f['svc_scan_p50'] * 1000:9.2f} {f['svc_scan_p95'] * 1000:9.2f}")
    size, by_mode = rows[-1]
    out.figure("attendees", size)
    for mode, f in by_mode.items():
        out.figure(f"service_p50_ms_{mode.lower()}", f["svc_scan_p50"] * 1000)
        out.figure(f"service_p95_ms_{mode.lower()}", f["svc_scan_p95"] * 1000)
        out.figure(f"service_cpu_ms_{mode.lower()}", f["svc_scan_cpu"] * 1000)
    out.finish()


def main(argv: list[str] | None = None) -> int:
    parser = _bench.parser(__doc__)
    parser.add_argument("--sizes", default=None, help="attendee counts, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--scans", type=int, default=None, help="scans per size (default 200)")
    parser.add_argument("--no-app", action="store_true", help="Only measure the service calls.")
    parser.add_argument(
        "--durability",
        action="store_true",
        help="Only the scan with SQLite synchronous=NORMAL and with the store's choice (FULL).",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("10000" if args.quick else "1000,10000,100000")).split(",")]
    scans = args.scans or (60 if args.quick else 200)
    out = _bench.Output(args, "checkin")
    _bench.quiet()
    if args.durability:
        with tempfile.TemporaryDirectory() as folder:
            print_durability(out, [(size, measure_durability(folder, size, scans)) for size in sizes])
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = str(Path(folder) / f"bench-{size}.db")
            start = time.perf_counter()
            codes = build_database(path, size)
            built = time.perf_counter() - start
            figures = measure_services(path, codes, scans)
            if not args.no_app:
                fresh = str(Path(folder) / f"bench-{size}-app.db")
                build_database(fresh, size)
                check_in_half(fresh, size)
                figures.update(asyncio.run(measure_app(fresh, codes[: size // 2], scans)))
            rows.append((size, built, figures))
            print(f"  {size:>7,} attendees measured", file=sys.stderr)

    ms = lambda v: f"{v * 1000:6.1f}"  # noqa: E731
    out.print()
    out.print(
        "Check-in desk (ms; targets at 100,000: scan p95 <= 4, paint p95 <= 20, check_in() p95 <= 0.6, search p95 <= 8)"
    )
    header = (
        f"{'attendees':>10} {'build s':>8} | {'scan p50':>8} {'scan p95':>8} {'paint p95':>9} | {'search p50':>10} "
        f"{'search p95':>10} {'cpu p95':>7} | {'stmts/scan':>10} | {'svc scan p95':>12} {'svc search p95':>14}"
    )
    out.print(header)
    out.print("-" * len(header))
    for size, built, f in rows:
        ui = "ui_scan_p50" in f
        dash = "     -"
        out.print(
            f"{size:>10,} {built:8.1f} | "
            f"{ms(f['ui_scan_p50']) if ui else dash:>8} {ms(f['ui_scan_p95']) if ui else dash:>8} "
            f"{ms(f['paint_p95']) if ui else dash:>9} | "
            f"{ms(f['ui_search_p50']) if ui else dash:>10} {ms(f['ui_search_p95']) if ui else dash:>10} "
            f"{ms(f['ui_search_cpu_p95']) if ui else dash:>7} | "
            f"{f['statements']:>10} | {ms(f['svc_scan_p95']):>12} {ms(f['svc_search_p95']):>14}"
        )
    size, _, f = rows[-1]
    out.figure("attendees", size)
    out.figure("statements_per_scan", f["statements"])
    out.figure("service_p95_ms", f["svc_scan_p95"] * 1000)
    out.figure("service_cpu_ms", f["svc_scan_cpu"] * 1000)
    out.figure("service_search_p95_ms", f["svc_search_p95"] * 1000)
    if "ui_scan_p50" in f:
        out.figure("scan_p95_ms", f["ui_scan_p95"] * 1000)
        out.figure("paint_p95_ms", f["paint_p95"] * 1000)
        out.figure("search_p95_ms", f["ui_search_p95"] * 1000)
        out.figure("search_screen_cpu_p95_ms", f["ui_search_cpu_p95"] * 1000)
        out.figure("search_paint_p95_ms", f["ui_search_paint_p95"] * 1000)
    out.finish()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
