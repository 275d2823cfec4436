"""How long building the ECC 2024 demo takes (the first thing a new user waits for).

Each run builds the demo into a new temporary SQLite file, in this process, and reports the whole
create_demo call (migrations included) and its parts: planning the people (pure Python), writing
attendees with their search index, the agenda, and the matchmaking.

Run: python benchmarks/demo.py [--runs 5] [--quick] [--json]
(--json: demo_build_s, the median of the whole create_demo call)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import _bench

from eventdesk.services import demo


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="default 5, --quick 2")
    args = parser.parse_args()
    args.runs = args.runs or (2 if args.quick else 5)
    out = _bench.Output(args, "demo")
    _bench.quiet()

    phases: dict[str, list[float]] = {}

    def timed(name: str, function):
        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                phases.setdefault(name, []).append(time.perf_counter() - start)

        return wrapper

    demo.plan_people = timed("plan people (pure)", demo.plan_people)
    for name in ("_attendees", "_agenda", "_matchmaking"):
        setattr(demo._Builder, name, timed(f"write {name.strip('_')}", getattr(demo._Builder, name)))

    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            path = Path(folder) / f"demo-{run}.db"
            start = time.perf_counter()
            demo.create_demo(str(path))
            phases.setdefault("create_demo (total)", []).append(time.perf_counter() - start)

    out.print(f"ECC 2024 demo build, {args.runs} runs in one process (imports not counted)")
    out.print(f"{'phase':<24} {'first s':>8} {'median s':>9} {'max s':>7}")
    for name, values in phases.items():
        out.print(f"{name:<24} {values[0]:>8.3f} {statistics.median(values):>9.3f} {max(values):>7.3f}")
    out.figure("demo_build_s", statistics.median(phases["create_demo (total)"]))
    out.finish()


if __name__ == "__main__":
    main()
