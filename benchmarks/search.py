"""Search at festival scale: ``search_people`` (what the desk runs after each keystroke from the
third letter) over 100,000 and 1,000,000 people.

The people are those of benchmarks/checkin.py (accented European names, tens of thousands of
surnames, the seed speakers among them), written by the import's bulk writer with the search
index. Every query is typed letter by letter and each prefix from three letters on is one search,
as at the desk: short prefixes ("mar", "ano") match thousands of people, and two common words
("anna nowa", "garcia ro") are the slow ones.

Figures: ``search_p95_ms`` (at 100,000; the check-in benchmark measures the same through the
screen) and ``search_1m_p95_ms``, the service call's p95 over every keystroke, wall clock. Beside
them, per keystroke, the CPU time of the desk process (``search_cpu_p95_ms``,
``search_1m_cpu_p95_ms``) and how long it waited runnable for a core (``..._wait_p95_ms``, from
the kernel's schedstat): on a shared machine the wall figure is mostly that wait, and more so
back to back than with ``--pause MS`` between keystrokes as a person types (a process that slept
is given a core sooner than one that never stops). ``--postgres``
measures a PostgreSQL store instead (``search_pg_...``), with the server process's CPU per
keystroke when the server runs on this machine (``search_pg_server_cpu_p95_ms``).

A 1,000,000-person database takes minutes to build (a quarter of an hour on PostgreSQL):
``--keep DIR`` keeps the built SQLite databases there and reuses them on the next run; with
``--postgres`` it keeps the databases ``eventdesk_searchbench_SIZE`` on the server (delete them
after a schema change).

    python benchmarks/search.py [--sizes 100000,1000000] [--keep DIR] [--postgres] [--quick] [--json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import _bench
from _bench import percentile

QUERIES = [
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
    "maria",
    "ana",
    "jan novak",
    "petrovic",
    "tuscany hub",
    "marek przeor",
    "zsofia",
    "person12345@example.org",
]


def keystrokes(query: str) -> list[str]:
    return [query[:n] for n in range(3, len(query) + 1) if query[:n].strip() and not query[:n].endswith(" ")]


def _schedstat(path: str) -> tuple[float, float] | None:
    """(seconds on a CPU, seconds waiting runnable for one) of a thread or process, or None."""
    try:
        with open(path) as stat:
            on_cpu, waiting = stat.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def measure(url: str, rounds: int, pause: float = 0.0) -> dict[str, list[float]]:
    """Per keystroke: wall, this thread's CPU, its wait for a core, and (PostgreSQL on this
    machine) the server process's CPU."""
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context
    from eventdesk.store.attendees import ALL_LETTERS

    context = open_context(url)
    with context.engine.connect() as connection:
        unlettered = connection.exec_driver_sql(
            f"SELECT count(*) FROM attendee_token WHERE letters = {ALL_LETTERS}"
        ).scalar()
    if unlettered:
        print(
            f"  note: {unlettered:,} token rows were written without their letters (the import's writer does "
            "not make them with token_rows): multi-word searches probe those people one by one",
            file=sys.stderr,
        )
    search_people(context, "warm")
    server = None
    if context.engine.dialect.name == "postgresql":
        with context.engine.connect() as connection:  # the pool hands the search this same connection
            server = f"/proc/{connection.exec_driver_sql('SELECT pg_backend_pid()').scalar()}/schedstat"
        if _schedstat(server) is None:
            server = None
    figures: dict[str, list[float]] = {"wall": [], "cpu": [], "wait": [], "server": []}
    for _ in range(rounds):
        for query in QUERIES:
            for typed in keystrokes(query):
                if pause:
                    time.sleep(pause)
                # The wall clock spans the schedstat reads: a process is most often switched out on
                # the way back from a system call, and a wait met there is inside the wall figure.
                start = time.perf_counter()
                served, sched, cpu = (
                    server and _schedstat(server),
                    _schedstat("/proc/thread-self/schedstat"),
                    time.thread_time(),
                )
                search_people(context, typed)
                figures["cpu"].append(time.thread_time() - cpu)
                after = _schedstat("/proc/thread-self/schedstat")
                figures["wall"].append(time.perf_counter() - start)
                if sched and after:
                    figures["wait"].append(after[1] - sched[1])
                if served:
                    figures["server"].append(_schedstat(server)[0] - served[0])
    hits = search_people(context, "sermuksnyte")
    assert hits and hits[0].last_name == "Šermukšnytė-Alešiūnienė", "the seed speaker is found"
    assert search_people(context, "kincso izsak")[0].last_name == "Izsak", "two words find their person"
    context.engine.dispose()
    return figures


def _postgres_database(server: str, name: str, keep: bool):
    """A context manager giving the URL of database ``name`` (kept) or of a scratch one."""
    import contextlib

    if not keep:
        return _bench.scratch_postgres("eventdesk_searchbench")
    return contextlib.nullcontext(f"{server.rsplit('/', 1)[0] if server.count('/') > 2 else server}/{name}")


def _pg_has_people(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3) as connection:
            return bool(connection.execute("SELECT count(*) FROM attendee").fetchone()[0])
    except psycopg.Error:
        return False


def _vacuum(url: str) -> None:
    """What autovacuum does within a minute of a big import: a visibility map for index-only
    scans (without it every token read visits the table) and fresh statistics."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE attendee_token")
        connection.execute("VACUUM ANALYZE attendee")


def main() -> None:
    import os

    parser = _bench.parser(__doc__)
    parser.add_argument("--sizes", default=None, help="default 100000,1000000; --quick 20000")
    parser.add_argument("--rounds", type=int, default=3, help="times every keystroke is searched")
    parser.add_argument("--keep", type=Path, help="a folder where built databases are kept and reused")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="ms between keystrokes, as a person types (default 0: back to back)"
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a PostgreSQL store on $EVENTDESK_PG_URL's server (default the local one)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("20000" if args.quick else "100000,1000000")).split(",")]
    out = _bench.Output(args, "search")
    _bench.quiet()
    from checkin import build_database

    folder = tempfile.TemporaryDirectory()
    where = args.keep or Path(folder.name)
    where.mkdir(parents=True, exist_ok=True)
    server = os.environ.get("EVENTDESK_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/").rstrip("/")
    rows = []
    for size in sizes:
        built = 0.0
        if args.postgres:
            with _postgres_database(server, f"eventdesk_searchbench_{size}", args.keep is not None) as url:
                url = url.replace("postgresql://", "postgresql+psycopg://")
                if not _pg_has_people(url):
                    start = time.perf_counter()
                    build_database(url, size)
                    _vacuum(url)
                    built = time.perf_counter() - start
                figures = measure(url, 1 if args.quick else args.rounds, args.pause / 1000)
        else:
            path = where / f"search-{size}.db"
            if not path.exists():
                start = time.perf_counter()
                build_database(str(path) + ".part", size)
                Path(str(path) + ".part").rename(path)
                built = time.perf_counter() - start
            figures = measure(str(path), 1 if args.quick else args.rounds, args.pause / 1000)
        rows.append((size, built, figures, os.getloadavg()[0]))
        print(f"  {size:>9,} people measured", file=sys.stderr)
    folder.cleanup()
    store = "PostgreSQL" if args.postgres else "SQLite"
    out.print(
        f"Search as you type on {store}, every keystroke from the 3rd letter (ms; targets wall p95 <= 8 at "
        "100,000, <= 16 at 1,000,000); cpu: the desk process, wait: runnable without a core"
    )
    server_column = f" {'srv p95':>8}" if args.postgres else ""
    out.print(
        f"{'people':>10} {'build s':>8} {'searches':>9} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p95':>8} "
        f"{'wait p95':>9}{server_column} {'load':>5}"
    )
    for size, built, figures, load in rows:
        p95 = {name: percentile(values, 0.95) * 1000 for name, values in figures.items() if values}
        server_cell = f" {p95.get('server', float('nan')):>8.2f}" if args.postgres else ""
        out.print(
            f"{size:>10,} {built:>8.1f} {len(figures['wall']):>9} {percentile(figures['wall'], 0.5) * 1000:>7.2f} "
            f"{p95['wall']:>7.2f} {max(figures['wall']) * 1000:>7.2f} {p95['cpu']:>8.2f} "
            f"{p95.get('wait', float('nan')):>9.2f}{server_cell} {load:>5.1f}"
        )
        name = {100_000: "search", 1_000_000: "search_1m"}.get(size, f"search_{size}")
        if args.postgres:
            name = name.replace("search", "search_pg", 1)
        out.figure(f"{name}_p95_ms", p95["wall"])
        out.figure(f"{name}_cpu_p95_ms", p95["cpu"])
        if "wait" in p95:
            out.figure(f"{name}_wait_p95_ms", p95["wait"])
        if "server" in p95:
            out.figure(f"{name}_server_cpu_p95_ms", p95["server"])
    out.finish()


if __name__ == "__main__":
    main()
