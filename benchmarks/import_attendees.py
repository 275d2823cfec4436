"""How long `eventdesk import attendees` takes on a big file, and what the desks feel meanwhile.

Three imports of the same 100,000 people into one SQLite database: a first import, a re-import
with nothing changed and a re-import with every row changed. Before them the database holds 2,000
other people (imported the same way) whose badges are scanned during every import by two real
processes started beside it behind a barrier:

- a desk: ``check_in()`` of those people's codes, one every 5 ms, as a busy entrance would;
  its latencies give ``scan_during_import_p95_ms`` (and the slowest scan, and failed scans);
- a lock probe: ``BEGIN IMMEDIATE; COMMIT`` every 2 ms; the longest wait for the write lock is
  ``import_lock_max_ms``, the longest time the import kept every other writer out.

    python benchmarks/import_attendees.py [--rows 100000] [--quick] [--json]
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import _bench
from _bench import percentile

FIRST = ["Kristina", "Jonas", "Kíncső", "Łukasz", "Ana", "Søren", "Zoë", "Mateo", "Ines", "Pieter"]
LAST = ["Šermukšnytė", "Novák", "Müller", "Ó Briain", "García", "Dubois", "Virtanen", "Rossi", "Janssens"]
ORGS = ["Cluster Alpha", "BioVale", "Smart Mobility Hub", "Agrifood Cluster", ""]
TICKETS = ["Conference pass", "Speaker", "Press", "Staff", "Matchmaking"]
EARLY = 2000


def write_file(path: Path, rows: int, seed: int, role: str, prefix: str = "person") -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("First name;Last name;E-mail;Company;Ticket type;Job title\r\n")
        for i in range(rows):
            out.write(
                f"{rng.choice(FIRST)};{rng.choice(LAST)};{prefix}{i}@example.org;{rng.choice(ORGS)};"
                f"{rng.choice(TICKETS)};{role}\r\n"
            )


def desk(db: str, codes: list[str], barrier, stop, results) -> None:
    """A desk scanning badges (a process of its own)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _bench  # noqa: F401  (this clone's src first)

    from eventdesk.logs import quiet_logging
    from eventdesk.services.checkin import check_in
    from eventdesk.services.context import open_context

    quiet_logging()
    context = open_context(db)
    check_in(context, codes[0])  # connections and caches warm, as at a desk already open
    times, failed = [], 0
    barrier.wait()
    n = 0
    while not stop.is_set():
        n += 1
        start = time.perf_counter()
        try:
            check_in(context, codes[n % len(codes)])
            times.append(time.perf_counter() - start)
        except Exception:  # noqa: BLE001 - a failed scan is counted, whatever failed it
            failed += 1
        time.sleep(0.005)
    context.engine.dispose()
    results.put(("desk", times, failed))


def lock_probe(db: str, barrier, stop, results) -> None:
    """How long a writer waits for SQLite's write lock (a process of its own)."""
    connection = sqlite3.connect(db, timeout=60, isolation_level=None)
    waits = []
    barrier.wait()
    start = None
    while not stop.is_set():
        start = start or time.perf_counter()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # still locked after 60 s: the same wait goes on
            continue
        waits.append(time.perf_counter() - start)
        start = None
        connection.execute("COMMIT")
        time.sleep(0.002)
    if start is not None:
        waits.append(time.perf_counter() - start)
    connection.close()
    results.put(("probe", waits, 0))


def timed_import(db: str, path: Path, codes: list[str]) -> dict:
    from eventdesk.services.context import open_context
    from eventdesk.services.import_attendees import import_attendees

    spawn = multiprocessing.get_context("spawn")
    barrier, stop, results = spawn.Barrier(3), spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(target=desk, args=(db, codes, barrier, stop, results)),
        spawn.Process(target=lock_probe, args=(db, barrier, stop, results)),
    ]
    for worker in workers:
        worker.start()
    context = open_context(db)
    barrier.wait()
    time.sleep(0.2)  # the desk's figures before the import starts count too
    start = time.perf_counter()
    summary = import_attendees(context, path)
    seconds = time.perf_counter() - start
    time.sleep(0.2)
    stop.set()
    got = {}
    for _ in workers:  # a wait cut at 60 s is recorded and the probe goes on: it answers soon after stop
        name, values, failed = results.get(timeout=600)
        got[name] = (values, failed)
    for worker in workers:
        worker.join()
    context.engine.dispose()
    scans, failed = got["desk"]
    waits, _ = got["probe"]
    return {
        "seconds": seconds,
        "counts": summary.counts,
        "scan_p95": percentile(scans, 0.95),
        "scan_max": max(scans, default=float("nan")),
        "scans": len(scans),
        "failed": failed,
        "lock_max": max(waits, default=float("nan")),
    }


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--rows", type=int, default=None, help="people in the file (default 100000, --quick 20000)")
    args = parser.parse_args()
    rows = args.rows or (20_000 if args.quick else 100_000)
    out = _bench.Output(args, "import_attendees")
    _bench.quiet()
    from sqlmodel import select

    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.services.import_attendees import import_attendees
    from eventdesk.store.models import Attendee

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.db")
        create_event(db, name="Bench", timezone="Europe/Brussels", start=date(2024, 5, 6), end=date(2024, 5, 8))
        early, first, changed = (Path(folder) / name for name in ("early.csv", "people.csv", "people-changed.csv"))
        write_file(early, EARLY, 9, "Early bird", prefix="early")
        write_file(first, rows, 1, "Manager")
        write_file(changed, rows, 1, "Director")
        context = open_context(db)
        import_attendees(context, early)
        with context.session() as session:
            codes = list(session.exec(select(Attendee.badge_code)))
        context.engine.dispose()
        results = [
            ("first import", timed_import(db, first, codes)),
            ("re-import, nothing changed", timed_import(db, first, codes)),
            ("re-import, every row changed", timed_import(db, changed, codes)),
        ]
    ms = 1000
    out.print(
        f"Importing {rows:,} people beside a desk scanning and a writer probing the lock "
        f"(targets: new <= 2 s, unchanged <= 1 s, lock <= 500 ms, scan p95 <= 50 ms)"
    )
    out.print(
        f"{'case':<30} {'seconds':>8} {'lock max ms':>12} {'scan p95 ms':>12} {'scan max ms':>12} "
        f"{'scans':>6} {'failed':>6}  result"
    )
    for name, r in results:
        out.print(
            f"{name:<30} {r['seconds']:>8.2f} {r['lock_max'] * ms:>12.1f} {r['scan_p95'] * ms:>12.1f} "
            f"{r['scan_max'] * ms:>12.1f} {r['scans']:>6} {r['failed']:>6}  {r['counts']}"
        )
    new, unchanged, all_changed = (r for _, r in results)
    out.figure("rows", rows)
    out.figure("import_100k_s", new["seconds"])
    out.figure("import_100k_unchanged_s", unchanged["seconds"])
    out.figure("import_100k_changed_s", all_changed["seconds"])
    out.figure("import_lock_max_ms", max(r["lock_max"] for _, r in results) * ms)
    out.figure("scan_during_import_p95_ms", max(r["scan_p95"] for _, r in results) * ms)
    out.figure("scans_failed_during_import", sum(r["failed"] for _, r in results))
    out.finish()


if __name__ == "__main__":
    main()
