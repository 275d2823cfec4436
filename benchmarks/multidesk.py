"""Several desks on one PostgreSQL store: check-in throughput, latency and exactly-once admission.

An event of 10,000 people. For 1, 2, 4 and 8 desks, that many processes (spawn) each open their
own context (as ``eventdesk run --desk "Desk N"`` does), wait at a barrier, then scan 1,000 codes
each through ``services.checkin.check_in`` as fast as they can: 900 codes of their own and 100
that every desk scans too (10% overlap, shuffled into the desk's queue), so the same person is
often decided about at several desks at once. Before each run the record and the print queue are
emptied: every person starts outside.

Figures per number of desks: scans/s in total (all scans / the wall time from the barrier to the
last desk's last answer), p50/p95 of one scan (the service call, committed), people admitted
more than once (valid entries in the store), scans lost (a scan that raised, or an answer without
its record in the store), and SQL statements per scan (counted at desk 1; BEGIN/COMMIT not
counted), and the CPU time one scan costs the desk process and its server process (load-independent:
on a machine shared with other work the wall-clock figures fall, these do not). Targets on a
2-core machine: >= 500 scans/s at 8 desks, 0 twice, 0 lost.

The server is $EVENTDESK_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/); a
database is created for the run and dropped after it.

    python benchmarks/multidesk.py [--desks 1,2,4,8] [--scans 1000] [--quick] [--json]
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import random
import statistics
import time

import _bench

PEOPLE = 10_000
OVERLAP = 0.10


def open_desk(url: str, desk: str):
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings

    return open_context(url, Settings(db=url, desk=desk))


def build_event(url: str, people: int) -> list[str]:
    """An event with ``people`` attendees (bulk insert); their badge codes."""
    from datetime import date

    from sqlalchemy import insert

    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.events import create_event
    from eventdesk.store.db import make_engine
    from eventdesk.store.models import Attendee

    create_event(
        url,
        name="Multidesk Benchmark Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 7),
        end=date(2024, 5, 8),
    )
    new_code = seeded_code_factory(11)
    rows = [
        dict(
            first_name=f"Person {n}",
            last_name="Šermukšnytė",
            organisation="Bench Cluster",
            category="participant",
            badge_code=new_code(),
        )
        for n in range(people)
    ]
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(Attendee), rows)
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return [row["badge_code"] for row in rows]


def queues(codes: list[str], desks: int, scans: int, seed: int) -> list[list[str]]:
    """Each desk's codes: its own ``scans * 0.9`` plus ``scans * 0.1`` that every desk scans."""
    rng = random.Random(seed)
    pool = codes[:]
    rng.shuffle(pool)
    shared_count = int(scans * OVERLAP)
    shared, rest = pool[:shared_count], pool[shared_count:]
    own = scans - shared_count
    if own * desks > len(rest):
        raise SystemExit(f"{desks} desks x {own} own codes need more than {len(codes)} people")
    made = []
    for desk in range(desks):
        mine = rest[desk * own : (desk + 1) * own] + shared
        rng.shuffle(mine)
        made.append(mine)
    return made


def desk(url: str, name: str, codes: list[str], count_statements: bool, barrier, results) -> None:
    _bench.quiet()
    from eventdesk.services.checkin import check_in  # imported before the barrier: the first scan pays no import

    context = open_desk(url, name)
    context.event()
    statements = [0]
    if count_statements:
        # Counted at the driver (the scan runs its statements on the DBAPI connection, below
        # SQLAlchemy's events); the pool's liveness ping at checkout (";", after a second idle) is not counted.
        import psycopg

        execute = psycopg.Cursor.execute

        def counted(cursor, query, *args, **kwargs):
            text = query if isinstance(query, str) else str(query)
            word = text.lstrip().split(None, 1)[0].upper() if text.strip() else ""
            if word not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE") and text.strip() != ";":
                statements[0] += 1
            return execute(cursor, query, *args, **kwargs)

        psycopg.Cursor.execute = counted
    with context.engine.connect() as connection:  # the pool's connection is open before the start
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    answers, failures = [], 0
    barrier.wait()
    started = time.monotonic()
    cpu, server = time.process_time(), backend_cpu_s(backend)
    for code in codes:
        before = time.monotonic()
        try:
            result = check_in(context, code)
        except Exception as error:  # noqa: BLE001 - counted as lost, the run goes on
            failures += 1
            print(f"{name}: {type(error).__name__}: {error}")
            continue
        answers.append((code, result.result, result.record_id, time.monotonic() - before))
    finished = time.monotonic()
    cpu, server = time.process_time() - cpu, backend_cpu_s(backend) - server
    context.engine.dispose()
    results.put((name, started, finished, answers, failures, statements[0], cpu, server))


def backend_cpu_s(pid: int) -> float:
    """CPU seconds the server process serving this desk used so far (a server on this machine:
    /proc; NaN elsewhere). The desk's pool keeps that one connection for the whole run."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset(url: str) -> None:
    from eventdesk.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        # CASCADE: tables that point at the scans (the offline desks' upload notes) are emptied too.
        connection.exec_driver_sql("TRUNCATE checkin_record, print_job RESTART IDENTITY CASCADE")
    engine.dispose()


def store_figures(url: str) -> tuple[int, int]:
    """(records in the store, people with more than one valid entry)."""
    from eventdesk.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        records = connection.exec_driver_sql("SELECT count(*) FROM checkin_record").scalar_one()
        twice = connection.exec_driver_sql(
            "SELECT count(*) FROM (SELECT attendee_id FROM checkin_record WHERE result = 'ok' AND "
            "direction = 'entry' AND annulled_at IS NULL GROUP BY attendee_id HAVING count(*) > 1) AS t"
        ).scalar_one()
    engine.dispose()
    return records, twice


def run(url: str, codes: list[str], desks: int, scans: int) -> dict:
    reset(url)
    spawn = mp.get_context("spawn")
    barrier, results = spawn.Barrier(desks), spawn.Queue()
    plan = queues(codes, desks, scans, seed=desks)
    processes = [
        spawn.Process(target=desk, args=(url, f"Desk {n + 1}", plan[n], n == 0, barrier, results)) for n in range(desks)
    ]
    for process in processes:
        process.start()
    done = []
    while len(done) < desks:
        try:
            done.append(results.get(timeout=5))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                for process in processes:
                    process.kill()
                raise SystemExit("A desk process failed (its error is above).") from None
    for process in processes:
        process.join(30)
    start = min(d[1] for d in done)
    end = max(d[2] for d in done)
    latencies = [a[3] * 1000 for d in done for a in d[3]]
    answered = sum(len(d[3]) for d in done)
    records, twice = store_figures(url)
    record_ids = {a[2] for d in done for a in d[3]}
    lost = sum(d[4] for d in done) + (answered - len(record_ids)) + max(0, answered - records)
    first = next(d for d in done if d[0] == "Desk 1")
    return {
        "desks": desks,
        "scans": answered + sum(d[4] for d in done),
        "scans_per_s": answered / (end - start),
        "p50_ms": statistics.median(latencies),
        "p95_ms": _bench.percentile(latencies, 0.95),
        "twice": twice,
        "lost": lost,
        "statements_per_scan": first[5] / max(1, len(first[3])),
        "ok": sum(1 for d in done for a in d[3] if a[1] == "ok"),
        "desk_cpu_ms": sum(d[6] for d in done) * 1000 / max(1, answered),
        "server_cpu_ms": sum(d[7] for d in done) * 1000 / max(1, answered),
    }


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--desks", default=None, help="desk processes per run (default 1,2,4,8; --quick 1,2)")
    parser.add_argument("--scans", type=int, default=None, help="scans per desk (default 1000; --quick 200)")
    args = parser.parse_args()
    counts = [int(n) for n in (args.desks or ("1,2" if args.quick else "1,2,4,8")).split(",")]
    scans = args.scans or (200 if args.quick else 1000)
    out = _bench.Output(args, "multidesk")
    _bench.quiet()
    with _bench.scratch_postgres("eventdesk_multidesk_bench") as url:
        codes = build_event(url, PEOPLE if not args.quick else 2_000)
        out.print(
            f"{len(codes):,} people; each desk scans {scans:,} codes ({OVERLAP:.0%} scanned by every desk); "
            "targets at 8 desks: >= 500 scans/s, 0 twice, 0 lost"
        )
        out.print(
            f"{'desks':>5} {'scans/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'admitted twice':>15} {'lost':>5} "
            f"{'statements/scan':>16} {'CPU ms/scan: desk':>18} {'server':>7}"
        )
        for count in counts:
            figures = run(url, codes, count, scans)
            out.print(
                f"{count:>5} {figures['scans_per_s']:>9.0f} {figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} "
                f"{figures['twice']:>15} {figures['lost']:>5} {figures['statements_per_scan']:>16.2f} "
                f"{figures['desk_cpu_ms']:>18.2f} {figures['server_cpu_ms']:>7.2f}"
            )
            for key in (
                "scans_per_s",
                "p50_ms",
                "p95_ms",
                "twice",
                "lost",
                "statements_per_scan",
                "desk_cpu_ms",
                "server_cpu_ms",
            ):
                out.figure(f"multidesk_{count}_{key}", figures[key])
        for key in ("scans_per_s", "p50_ms", "p95_ms", "twice", "lost"):
            out.figure(f"multidesk_{key}", figures[key])
    out.finish()


if __name__ == "__main__":
    main()
