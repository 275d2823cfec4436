"""Search at festival scale: ``search_people`` (what the desk runs after each keystroke from the
third letter) over 100,000 and 1,000,000 people.

The people are those of benchmarks/checkin.py (accented European names, tens of thousands of
surnames, the seed speakers among them), written by the import's bulk writer with the search
index. Every query is typed letter by letter and each prefix from three letters on is one search,
as at the desk: short prefixes ("mar", "ano") match thousands of people and are the slow ones.

Figures: ``search_p95_ms`` (at 100,000; the check-in benchmark measures the same through the
screen) and ``search_1m_p95_ms``, the service call's p95 over every keystroke.

A 1,000,000-person database takes minutes to build: ``--keep DIR`` keeps the built databases
there and reuses them on the next run (delete them after a schema change).

    python benchmarks/search.py [--sizes 100000,1000000] [--keep DIR] [--quick] [--json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import _bench
from _bench import percentile

QUERIES = ["sermuksnyte", "SERMUKS", "kincso izsak", "izsak k", "nogel", "muller", "anna nowak", "cluster",
           "kowal", "garcia ro", "bjorn", "lukasiewicz", "maria", "ana", "jan novak", "petrovic", "tuscany hub",
           "marek przeor", "zsofia", "person12345@example.org"]


def keystrokes(query: str) -> list[str]:
    return [query[:n] for n in range(3, len(query) + 1) if query[:n].strip() and not query[:n].endswith(" ")]


def measure(path: str, rounds: int) -> tuple[list[float], int]:
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context

    context = open_context(path)
    search_people(context, "warm")
    times, found = [], 0
    for _ in range(rounds):
        for query in QUERIES:
            for typed in keystrokes(query):
                start = time.perf_counter()
                hits = search_people(context, typed)
                times.append(time.perf_counter() - start)
                found += bool(hits)
    hits = search_people(context, "sermuksnyte")
    assert hits and hits[0].last_name == "Šermukšnytė-Alešiūnienė", "the seed speaker is found"
    context.engine.dispose()
    return times, found


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--sizes", default=None, help="default 100000,1000000; --quick 20000")
    parser.add_argument("--rounds", type=int, default=3, help="times every keystroke is searched")
    parser.add_argument("--keep", type=Path, help="a folder where built databases are kept and reused")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("20000" if args.quick else "100000,1000000")).split(",")]
    out = _bench.Output(args, "search")
    _bench.quiet()
    from checkin import build_database

    folder = tempfile.TemporaryDirectory()
    where = args.keep or Path(folder.name)
    where.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sizes:
        path = where / f"search-{size}.db"
        built = 0.0
        if not path.exists():
            start = time.perf_counter()
            build_database(str(path) + ".part", size)
            Path(str(path) + ".part").rename(path)
            built = time.perf_counter() - start
        times, found = measure(str(path), 1 if args.quick else args.rounds)
        rows.append((size, built, times, found))
        print(f"  {size:>9,} people measured", file=sys.stderr)
    folder.cleanup()
    out.print("Search as you type, every keystroke from the 3rd letter (ms; targets p95 <= 8 at 100,000, "
              "<= 16 at 1,000,000)")
    out.print(f"{'people':>10} {'build s':>8} {'searches':>9} {'p50':>7} {'p95':>7} {'max':>7}")
    for size, built, times, found in rows:
        out.print(f"{size:>10,} {built:>8.1f} {len(times):>9} {percentile(times, 0.5) * 1000:>7.2f} "
                  f"{percentile(times, 0.95) * 1000:>7.2f} {max(times) * 1000:>7.2f}")
        if size == 100_000:
            out.figure("search_p95_ms", percentile(times, 0.95) * 1000)
        elif size == 1_000_000:
            out.figure("search_1m_p95_ms", percentile(times, 0.95) * 1000)
        else:
            out.figure(f"search_{size}_p95_ms", percentile(times, 0.95) * 1000)
    out.finish()


if __name__ == "__main__":
    main()
