"""How long importing FOSDEM 2026 (883 sessions, 30 rooms, ~1,100 speaker entries) takes into a
fresh database (target: at most 2 s), split into its parts, plus a re-import with nothing changed
and the whole `eventdesk import agenda` command as a new process. Prints a table.

    python benchmarks/agenda_import.py [--runs 5] [--file PATH] [--quick] [--json]

The file comes from the shared real data beside the clone (``../shared/realdata/schedules/``, or
$EVENTDESK_REALDATA); without it the script says where it looked and stops.
(--json: fosdem_import_s, fosdem_reimport_s, fosdem_cli_s, medians of the runs)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench

from eventdesk.services.context import open_context
from eventdesk.services.import_agenda import import_agenda_file, read_schedule, store_schedule

DEFAULT_FILE = "schedules/fosdem-2026.xml"
TARGET_S = 2.0


CPU: dict[str, list[float]] = {}


def timed(func) -> tuple[float, object]:
    """Wall-clock seconds of ``func()``; the CPU seconds of this process go to ``LAST_CPU`` (the
    machine is shared: CPU time shows the cost when other work slows the wall clock)."""
    global LAST_CPU
    cpu, start = time.process_time(), time.perf_counter()
    result = func()
    LAST_CPU = time.process_time() - cpu
    return time.perf_counter() - start, result


LAST_CPU = 0.0


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--runs", type=int, default=None, help="default 5, --quick 1")
    parser.add_argument("--file", type=Path, default=None, help=f"default: {DEFAULT_FILE} of the shared real data")
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.quick else 5)
    if args.file is None:
        args.file = _bench.realdata_file(DEFAULT_FILE)
    elif not args.file.is_file():
        sys.exit(f"{args.file} is missing")
    out = _bench.Output(args, "agenda_import")
    _bench.quiet()

    rows: dict[str, list[float]] = {
        k: []
        for k in (
            "read + check the file",
            "create + migrate the database",
            "write rooms, sessions, speakers",
            "whole import into a fresh database",
            "re-import, nothing changed",
            "CLI as a new process (fresh db)",
        )
    }
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            seconds, schedule = timed(lambda: read_schedule(args.file))
            rows["read + check the file"].append(seconds)
            CPU.setdefault("read + check the file", []).append(LAST_CPU)
            seconds, context = timed(lambda: open_context(str(Path(folder) / "parts.db"), create=True))
            rows["create + migrate the database"].append(seconds)
            CPU.setdefault("create + migrate the database", []).append(LAST_CPU)
            seconds, _ = timed(lambda c=context, s=schedule: store_schedule(c, s, source_name=args.file.name))
            rows["write rooms, sessions, speakers"].append(seconds)
            CPU.setdefault("write rooms, sessions, speakers", []).append(LAST_CPU)
            context.engine.dispose()

            fresh = str(Path(folder) / "fresh.db")
            seconds, report = timed(lambda f=fresh: import_agenda_file(f, args.file))
            rows["whole import into a fresh database"].append(seconds)
            CPU.setdefault("whole import into a fresh database", []).append(LAST_CPU)
            seconds, again = timed(lambda f=fresh: import_agenda_file(f, args.file))
            rows["re-import, nothing changed"].append(seconds)
            CPU.setdefault("re-import, nothing changed", []).append(LAST_CPU)
            assert again.sessions_unchanged == report.sessions_created

            cli_db = str(Path(folder) / "cli.db")
            seconds, done = timed(
                lambda db=cli_db: subprocess.run(
                    [sys.executable, "-m", "eventdesk", "import", "agenda", str(args.file), "--db", db],
                    capture_output=True,
                    text=True,
                    env=_bench.child_env(),
                )
            )
            assert done.returncode == 0, done.stderr
            rows["CLI as a new process (fresh db)"].append(seconds)

    out.print(
        f"{args.file.name}: {report.sessions_created} sessions, {report.rooms} rooms, {report.speakers} speaker "
        f"entries, {len(report.days)} days; {args.runs} runs; target for a fresh import <= {TARGET_S:.1f} s"
    )
    out.print()
    out.print(f"{'step':<40} {'median s':>9} {'best s':>9} {'worst s':>9} {'CPU s':>7}")
    out.print("-" * 78)
    for name, values in rows.items():
        cpu = f"{statistics.median(CPU[name]):>7.3f}" if name in CPU else f"{'-':>7}"
        out.print(f"{name:<40} {statistics.median(values):>9.3f} {min(values):>9.3f} {max(values):>9.3f} {cpu}")
    median = statistics.median(rows["whole import into a fresh database"])
    out.print()
    out.print(
        f"fresh import: {median:.3f} s median -> {'within' if median <= TARGET_S else 'OVER'} the {TARGET_S:.1f} s target"
    )
    out.figure("fosdem_import_s", median)
    out.figure("fosdem_reimport_s", statistics.median(rows["re-import, nothing changed"]))
    out.figure("fosdem_cli_s", statistics.median(rows["CLI as a new process (fresh db)"]))
    out.finish()


if __name__ == "__main__":
    main()
