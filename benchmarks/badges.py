"""Badge speed on the demo event (European Cluster Conference 2024, about 700 attendees).

- render + encode: one person's badge drawn (Pillow, Noto Sans, QR) and turned into the ESC/POS
  bytes a printer receives (GS v 0 raster + cut), per badge, p50/p95/max (target: at most 50 ms)
- render only and encode only, for comparison
- `eventdesk badges check` over every attendee, as a user runs it (a new process: start-up,
  imports and font loading included), and the service call alone

Run: python benchmarks/badges.py [--db demo.db] [--rounds 1] [--quick] [--json]
(--quick: the first 100 people, no ``badges check``; --json: badge_p95_ms, badges_check_s)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def row(label: str, values_ms: list[float]) -> str:
    return (
        f"{label:<34} {len(values_ms):>6} {statistics.median(values_ms):>9.1f} "
        f"{percentile(values_ms, 95):>9.1f} {max(values_ms):>9.1f}"
    )


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--db", help="an existing demo database (default: build one in a temporary folder)")
    parser.add_argument("--rounds", type=int, default=1, help="times each badge is rendered")
    args = parser.parse_args()
    out = _bench.Output(args, "badges")
    _bench.quiet()
    from sqlmodel import Session, select

    from eventdesk.printing.drivers.escpos import encode_raster
    from eventdesk.services.attendees import Person
    from eventdesk.services.context import open_context
    from eventdesk.services.printing import badge_layout, check_badges, render_person
    from eventdesk.store.models import Attendee

    folder = tempfile.TemporaryDirectory()
    db = args.db
    if db is None:
        from eventdesk.services.demo import create_demo

        db = str(Path(folder.name) / "demo.db")
        started = time.perf_counter()
        create_demo(db)
        out.print(f"built the demo in {time.perf_counter() - started:.1f} s")

    context = open_context(db)
    with Session(context.engine) as session:
        people = [Person.of(a) for a in session.exec(select(Attendee).order_by(Attendee.id))]
    if args.quick:
        people = people[:100]
    layout = badge_layout(context.settings)
    render_person(context, people[0])  # font loading happens once per process

    render_ms, encode_ms, both_ms, sizes = [], [], [], []
    for _ in range(args.rounds):
        for person in people:
            t0 = time.perf_counter()
            image = render_person(context, person).image
            t1 = time.perf_counter()
            data = encode_raster(image, context.settings)
            t2 = time.perf_counter()
            render_ms.append((t1 - t0) * 1000)
            encode_ms.append((t2 - t1) * 1000)
            both_ms.append((t2 - t0) * 1000)
            sizes.append(len(data))

    cli = None
    if not args.quick:
        started = time.perf_counter()
        report = check_badges(context)
        check_service_s = time.perf_counter() - started

        started = time.perf_counter()
        cli = subprocess.run(
            [sys.executable, "-m", "eventdesk", "badges", "check", "--db", db],
            capture_output=True,
            text=True,
            timeout=600,
            env=_bench.child_env(),
        )
        check_cli_s = time.perf_counter() - started

    out.print(
        f"Badges of the demo event: {len(people)} attendees, badge {layout.width} dots wide at {layout.dpi} dpi, "
        f"profile {context.settings.badge.profile}"
    )
    out.print()
    out.print(f"{'per badge (ms)':<34} {'badges':>6} {'p50':>9} {'p95':>9} {'max':>9}")
    out.print(row("render + encode (target <= 50)", both_ms))
    out.print(row("  render (Pillow, Noto Sans, QR)", render_ms))
    out.print(row("  encode (ESC/POS GS v 0 + cut)", encode_ms))
    out.print(
        f"{'bytes sent per badge':<34} {'':>6} {statistics.median(sizes):>9.0f} {percentile(sizes, 95):>9.0f} "
        f"{max(sizes):>9.0f}"
    )
    out.figure("badge_p95_ms", percentile(both_ms, 95))
    if cli is None:
        out.finish()
        return
    out.print()
    out.print(f"{'badges check over all attendees':<34} {'seconds':>9}")
    out.print(
        f"{'  eventdesk badges check (process)':<34} {check_cli_s:>9.2f}   exit {cli.returncode}, "
        f"{cli.stderr.strip().splitlines()[-1] if cli.stderr.strip() else ''}"
    )
    out.print(
        f"{'  check_badges() service call':<34} {check_service_s:>9.2f}   "
        f"{report.checked} badges, {len(report.problems)} problems"
    )
    out.figure("badges_check_s", check_cli_s)
    out.finish()
    folder.cleanup()


if __name__ == "__main__":
    main()
