"""A desk on PostgreSQL that loses the server: what the offline fallback costs and how fast it is.

One desk (services.offline.OfflineDesk, as the app runs it) reaches the server through a TCP
proxy on 127.0.0.1 (tests/offline_sample.py) that the script cuts. Figures:

- ``online_p50_ms`` / ``online_p95_ms``: a scan through the desk while the server answers (the
  deadline guard and the copy kept in the desk's offline copy included), beside ``direct_p50_ms``, the
  same scan through services.checkin.check_in alone;
- ``snapshot_s``: refreshing the desk's copy of the event (every 30 s in the background);
- ``offline_p50_ms`` / ``offline_p95_ms``: a scan decided from the desk's offline copy, server gone;
- ``black_hole_first_s``: the first scan after the proxy went silent (the 2 s deadline), and
  ``black_hole_next_ms`` the next one;
- ``upload_per_s``: offline scans uploaded per second when the server is back.

The server is $EVENTDESK_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/); a
database is created for the run and dropped after it.

    python benchmarks/offline.py [--people 2000] [--scans 300] [--quick] [--json]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

import _bench

sys.path.insert(0, str(_bench.REPO / "tests"))


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, _bench.percentile(samples, 0.95) * 1000


def build_event(url: str, people: int) -> list[str]:
    from datetime import date

    from sqlalchemy import insert

    from eventdesk.domain.codes import new_badge_code
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store.models import Attendee

    create_event(
        url, name="Offline Benchmark", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(url)
    codes = [new_badge_code() for _ in range(people)]
    with context.session() as session:
        session.execute(
            insert(Attendee),
            [
                {"first_name": f"P{i}", "last_name": f"N{i}", "badge_code": code, "category": "participant"}
                for i, code in enumerate(codes)
            ],
        )
    context.engine.dispose()
    return codes


def run(url: str, people: int, scans: int, out: _bench.Output) -> None:
    from offline_sample import TcpProxy

    from eventdesk.services.checkin import check_in
    from eventdesk.services.context import open_context
    from eventdesk.services.offline import start_desk
    from eventdesk.settings import Settings

    codes = build_event(url, people)
    proxy = TcpProxy()
    data_dir = tempfile.mkdtemp(prefix="eventdesk-offline-bench-")
    try:
        via_proxy = proxy.url(url.rsplit("/", 1)[1])
        context = open_context(via_proxy, Settings(db=via_proxy, desk="Desk A", data_dir=data_dir))
        desk = start_desk(context, background=False)
        started = time.perf_counter()
        desk.refresh()
        snapshot_s = time.perf_counter() - started
        direct_context = open_context(url, Settings(db=url, desk="Desk B"))
        direct, online = [], []
        for code in codes[:scans]:
            started = time.perf_counter()
            check_in(direct_context, code, desk="Desk B")
            direct.append(time.perf_counter() - started)
        for code in codes[scans : 2 * scans]:
            started = time.perf_counter()
            desk.check_in(code)
            online.append(time.perf_counter() - started)

        proxy.cut()
        offline = []
        for code in codes[2 * scans : 3 * scans]:
            started = time.perf_counter()
            assert desk.check_in(code).offline
            offline.append(time.perf_counter() - started)
        proxy.restore()
        assert desk.link.probe()
        started = time.perf_counter()
        report = desk.upload()
        upload_s = time.perf_counter() - started
        assert report.waiting == 0 and len(report.uploaded) == scans

        proxy.black_hole()
        started = time.perf_counter()
        assert desk.check_in(codes[3 * scans]).offline
        black_first = time.perf_counter() - started
        started = time.perf_counter()
        assert desk.check_in(codes[3 * scans + 1]).offline
        black_next = time.perf_counter() - started
        proxy.restore()
        desk.stop()
        direct_context.engine.dispose()
    finally:
        proxy.close()

    d50, d95 = _ms(direct)
    o50, o95 = _ms(online)
    f50, f95 = _ms(offline)
    out.print(f"Offline desk, {people} people, {scans} scans per phase")
    out.print(f"{'phase':<34} {'p50 ms':>8} {'p95 ms':>8}")
    out.print(f"{'online, check_in alone':<34} {d50:>8.2f} {d95:>8.2f}")
    out.print(f"{'online, through the offline desk':<34} {o50:>8.2f} {o95:>8.2f}")
    out.print(f"{'offline, from the offline copy':<34} {f50:>8.2f} {f95:>8.2f}")
    out.print(
        f"snapshot of the event: {snapshot_s:.2f} s; upload: {scans / upload_s:.0f} scans/s; "
        f"black hole: first scan answered in {black_first:.2f} s, the next in {black_next * 1000:.1f} ms"
    )
    for name, value in (
        ("direct_p50_ms", d50),
        ("direct_p95_ms", d95),
        ("online_p50_ms", o50),
        ("online_p95_ms", o95),
        ("offline_p50_ms", f50),
        ("offline_p95_ms", f95),
        ("snapshot_s", snapshot_s),
        ("upload_per_s", scans / upload_s),
        ("black_hole_first_s", black_first),
        ("black_hole_next_ms", black_next * 1000),
    ):
        out.figure(name, value)


def main() -> None:
    args_parser = _bench.parser(__doc__)
    args_parser.add_argument("--people", type=int, default=2000)
    args_parser.add_argument("--scans", type=int, default=300)
    args = args_parser.parse_args()
    _bench.quiet()
    people, scans = (300, 50) if args.quick else (args.people, args.scans)
    out = _bench.Output(args, "offline")
    with _bench.scratch_postgres("eventdesk_offline_bench") as url:
        run(url, people, scans, out)
    out.finish()


if __name__ == "__main__":
    main()
