"""A whole event day, compressed: three desk processes and a chairs/matchmaking process replay
8 May 2024 of the demo on a rehearsal clock, against one SQLite store.

- Desks 1 and 2 (main entrance): 697 people arrive along a realistic curve (80% between 8:30 and
  9:30), a few scanned twice at both desks (the second must be refused); badges print on a fake
  TCP printer per desk that now and then refuses connections, stalls or hangs up mid-job.
- Desk 3: the door lists of every room (entries before a session, some exits after) and the
  matchmaking desk (presence scans for meetings: most pairs come, some halves and some no-shows).
- The ops process: chairs delay a few sessions by 5-10 minutes; no-shows are confirmed.

At the end it prints: scans, admitted twice (0), lost (0: every scan a desk acknowledged is in the
store), print jobs lost (0: queued and neither printed nor failed, or marked printed without the
printer having the whole job), exceptions logged (0), and each desk's RSS at start and end.

The start RSS is taken once a desk is warm: 50 steps done and, at an entrance, 20 badges printed,
after it drew ``WARM_UP_BADGES`` badges before the day (see there: drawing badges raises a
process's RSS by about 7% over the first 300 and then not at all; without the warm-up the whole
compressed day of a printing desk fell inside that one-time rise).

Run: python benchmarks/soak.py [--minutes 5] [--quick] [--json]
"""

from __future__ import annotations

import multiprocessing as mp
import random
import re
import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import _bench

ZONE = ZoneInfo("Europe/Brussels")
DAY_START = datetime(2024, 5, 8, 8, 0, tzinfo=ZONE)
DAY_END = datetime(2024, 5, 8, 16, 30, tzinfo=ZONE)
PRINTER_TIMEOUT_S = 1.0


# -- a printer that misbehaves now and then ------------------------------------------------------


class FlakyPrinter:
    """An ESC/POS printer on 127.0.0.1 that answers status requests, counts complete jobs (those
    ending in a cut), and per connection sometimes hangs up at once, stalls (reads nothing for
    longer than the desk's timeout, then goes on), or drops the job half-way; now and then it refuses connections for a few seconds."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.complete_jobs = 0
        self.connections = 0
        self.misbehaved = {"hang up": 0, "stall": 0, "drop mid-job": 0, "refused": 0}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.listener = self._listen(0)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(8)
        listener.settimeout(0.2)
        return listener

    def _accept(self) -> None:
        refuse_until = 0.0
        while not self.stopping.is_set():
            if time.monotonic() < refuse_until:
                time.sleep(0.05)
                continue
            if self.listener is None:
                self.listener = self._listen(self.port)
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
                roll = self.rng.random()
            if roll < 0.03:  # switched off for a moment: connections refused
                conn.close()
                self.listener.close()
                self.listener = None
                refuse_until = time.monotonic() + 2.0
                self.misbehaved["refused"] += 1
                continue
            mode = "ok" if roll < 0.88 else "hang up" if roll < 0.92 else "stall" if roll < 0.96 else "drop mid-job"
            if mode != "ok":
                self.misbehaved[mode] += 1
            threading.Thread(target=self._serve, args=(conn, mode), daemon=True).start()

    def _serve(self, conn: socket.socket, mode: str) -> None:
        received = bytearray()
        conn.settimeout(5)
        try:
            if mode == "hang up":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            if mode == "stall":  # busy: reads nothing for longer than the desk waits, then goes on
                time.sleep(PRINTER_TIMEOUT_S * 2.5)
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                received += chunk
                if mode == "drop mid-job" and len(received) > 2000:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if b"\x10\x04" in chunk:
                    conn.sendall(b"\x12")
        except OSError:
            pass
        finally:
            conn.close()
            if mode in ("ok", "stall"):  # a stalled printer goes on reading: its jobs arrive late
                with self.lock:
                    self.complete_jobs += received.count(b"\x1dV")

    def stop(self) -> None:
        self.stopping.set()
        if self.listener is not None:
            self.listener.close()


# -- the day's timeline --------------------------------------------------------------------------


def build_timeline(db: str, seed: int) -> dict[str, list[tuple[float, str, str, str]]]:
    """Per process, (event seconds after DAY_START, action, code or id, list) sorted by time."""
    from sqlmodel import Session, select

    from eventdesk.store.db import make_engine
    from eventdesk.store.models import Attendee, CheckinList, Meeting, MeetingSlot
    from eventdesk.store.models import Session as Talk

    rng = random.Random(seed)
    engine = make_engine(db)
    with Session(engine) as session:
        people = list(session.exec(select(Attendee).where(Attendee.status == "active")))
        lists = {c.room_id: c.name for c in session.exec(select(CheckinList)) if c.room_id is not None}
        talks = [
            t
            for t in session.exec(select(Talk))
            if DAY_START <= t.start.astimezone(ZONE) < DAY_END
            and t.room_id in lists
            and t.type not in ("break", "registration")
        ]
        meetings = list(session.exec(select(Meeting, MeetingSlot).join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)))
    engine.dispose()
    codes = {p.id: p.badge_code for p in people}
    at = lambda moment: (moment - DAY_START).total_seconds()  # noqa: E731
    desks: dict[str, list] = {"Desk 1": [], "Desk 2": [], "Desk 3": [], "ops": []}
    arrival: dict[int, float] = {}
    for person in people:
        if rng.random() < 0.8:
            when = rng.uniform(at(DAY_START.replace(hour=8, minute=30)), at(DAY_START.replace(hour=9, minute=30)))
        else:
            when = rng.uniform(0, at(DAY_START.replace(hour=14)))
        arrival[person.id] = when
        desk = rng.choice(["Desk 1", "Desk 2"])
        desks[desk].append((when, "entry", person.badge_code, "Main entrance"))
        if rng.random() < 0.02:  # scanned again at the other desk moments later: must be refused
            other = "Desk 2" if desk == "Desk 1" else "Desk 1"
            desks[other].append((when + rng.uniform(0.5, 20), "entry", person.badge_code, "Main entrance"))
    for talk in talks:
        start = at(talk.start.astimezone(ZONE))
        present = [p for p, t in arrival.items() if t < start]
        audience = rng.sample(present, min(len(present), rng.randint(20, 90)))
        for person_id in audience:
            desks["Desk 3"].append((start - rng.uniform(0, 600), "door", codes[person_id], lists[talk.room_id]))
            if rng.random() < 0.3:
                end = at(talk.end.astimezone(ZONE))
                desks["Desk 3"].append((end + rng.uniform(0, 120), "exit", codes[person_id], lists[talk.room_id]))
        if rng.random() < 0.25:  # a chair runs late
            desks["ops"].append((start + 60, "delay", str(talk.id), str(rng.choice([5, 10]))))
    for meeting, slot in meetings:
        start = at(slot.start.astimezone(ZONE))
        if not (0 <= start < at(DAY_END)):
            continue
        roll = rng.random()
        arrivals = (
            [meeting.attendee_a_id, meeting.attendee_b_id]
            if roll < 0.85
            else [meeting.attendee_a_id]
            if roll < 0.93
            else []
        )
        for person_id in arrivals:
            if person_id in codes:
                desks["Desk 3"].append((start + rng.uniform(-60, 180), "meeting", codes[person_id], ""))
        if len(arrivals) < 2:
            desks["ops"].append((start + 7 * 60, "no_show", str(meeting.id), ""))
    return {name: sorted(events) for name, events in desks.items()}


# -- one desk process ----------------------------------------------------------------------------


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# Badges a printing desk draws (not prints) before the day: its resident memory grows by about 7%
# over the first 300 badges drawn (FreeType's glyph caches, the allocator's arenas; tracemalloc
# sees no Python object growing) and stays flat from there to 700. Measured without this warm-up,
# each printing desk's whole day (~350 badges) fell inside it and read as +15-21% "growth".
WARM_UP_BADGES = 300


def warm_up(context) -> None:
    from sqlmodel import Session, select

    from eventdesk.services.attendees import Person
    from eventdesk.services.printing import render_person
    from eventdesk.store.models import Attendee

    with Session(context.engine) as session:
        people = [Person.of(a) for a in session.exec(select(Attendee).order_by(Attendee.id).limit(WARM_UP_BADGES))]
    for person in people:
        render_person(context, person)


def desk_process(
    name: str,
    db: str,
    events,
    printer_url: str | None,
    speed: float,
    barrier,
    results,
    log_dir,
    trace_memory: bool = False,
) -> None:
    import tracemalloc

    if trace_memory:
        tracemalloc.start(8)
    from eventdesk.domain.clock import Clock
    from eventdesk.logs import log_to_file, quiet_logging

    quiet_logging()
    log_path = Path(log_dir) / f"{name.replace(' ', '-').lower()}.log"
    log_to_file(log_path, "INFO")
    import logging

    from eventdesk.services.agenda import AgendaError, delay
    from eventdesk.services.checkin import check_in
    from eventdesk.services.context import open_context
    from eventdesk.services.meetings import MeetingsError, confirm_no_show
    from eventdesk.services.meetings import scan as meeting_scan
    from eventdesk.services.print_workers import start_workers, stop_workers
    from eventdesk.services.status import store_status
    from eventdesk.settings import Settings

    log = logging.getLogger("soak")
    printers = {"badge": printer_url} if printer_url else {}
    settings = Settings(
        db=db,
        desk=name,
        printers=printers,
        default_printer="badge" if printer_url else None,
        printer_timeout_s=PRINTER_TIMEOUT_S,
    )
    context = open_context(db, settings)
    workers = start_workers(context, poll_seconds=0.1, backoff=(0.5, 1.0, 2.0), max_attempts=8) if printer_url else None
    if printer_url:
        warm_up(context)
    acknowledged, outcomes, exceptions, lag = [], {}, 0, 0.0
    rss_start = None
    barrier.wait()
    real_start = time.monotonic()
    context.clock = Clock.rehearsal(DAY_START, speed)
    for number, (when, action, subject, list_name) in enumerate(events):
        due = real_start + when / speed
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            lag = max(lag, -pause)
        try:
            if action in ("entry", "door", "exit"):
                result = check_in(
                    context, subject, list_name=list_name, direction="exit" if action == "exit" else "entry"
                )
                acknowledged.append((result.record_id, result.code, result.result))
                outcome = result.result
            elif action == "meeting":
                outcome = meeting_scan(context, subject).outcome
            elif action == "delay":
                try:
                    delay(context, int(subject), int(list_name))
                    outcome = "delayed"
                except AgendaError:
                    outcome = "delay refused"
            else:
                try:
                    confirm_no_show(context, int(subject))
                    outcome = "no-show confirmed"
                except MeetingsError:
                    outcome = "no-show not confirmed (someone came)"
        except Exception:
            exceptions += 1
            log.exception("soak step %s (%s) failed", number, action)
            outcome = "exception"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if (
            rss_start is None
            and number >= 50
            and number % 10 == 0
            and (workers is None or store_status(context).print_jobs["by_state"].get("printed", 0) >= 20)
        ):
            rss_start = rss_kb()  # warm: 50 steps done and (at an entrance) 20 badges rendered and printed
            snapshot = tracemalloc.take_snapshot() if trace_memory else None
    # Let the print queue finish what the day queued (retries included): a compressed day queues
    # badges faster than any printer prints them. Give up only when nothing moved for a minute.
    drain_started = time.monotonic()
    last, still_since = None, time.monotonic()
    while workers is not None and time.monotonic() - still_since < 60:
        jobs = store_status(context).print_jobs["by_state"]
        waiting = jobs.get("pending", 0) + jobs.get("printing", 0)
        if not waiting:
            break
        if waiting != last:
            last, still_since = waiting, time.monotonic()
        time.sleep(0.5)
    drained_s = time.monotonic() - drain_started
    if workers is not None:
        stop_workers(context)
    grown = []
    if trace_memory and rss_start is not None:
        import gc

        gc.collect()
        for stat in tracemalloc.take_snapshot().compare_to(snapshot, "traceback")[:5]:
            frames = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in stat.traceback][-4:]
            grown.append(f"{stat.size_diff / 1024:+.0f} kB in {stat.count_diff:+d} blocks at {' < '.join(frames)}")
    lines = log_path.read_text().splitlines()
    errors = [line for line in lines if " ERROR " in line or " CRITICAL " in line]
    causes = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Timeout)\b", line)]
    results.put(
        {
            "desk": name,
            "acknowledged": acknowledged,
            "outcomes": outcomes,
            "exceptions": exceptions,
            "errors_logged": len(errors),
            "error_lines": errors[:3] + causes[:3],
            "drained_s": round(drained_s, 1),
            "rss_start_kb": rss_start or rss_kb(),
            "rss_end_kb": rss_kb(),
            "max_lag_s": round(lag, 3),
            "steps": len(events),
            "grown": grown,
        }
    )


# -- the whole day -------------------------------------------------------------------------------


def store_figures(db: str, acknowledged: list[tuple[int, str, str]], printers: list[FlakyPrinter]) -> dict:
    from sqlalchemy import func
    from sqlmodel import Session, select

    from eventdesk.store.db import make_engine
    from eventdesk.store.models import CheckinList, CheckinRecord, PrintJob

    engine = make_engine(db)
    with Session(engine) as session:
        entrance = session.exec(select(CheckinList).where(CheckinList.name == "Main entrance")).one()
        twice = session.exec(
            select(CheckinRecord.attendee_id)
            .where(
                CheckinRecord.list_id == entrance.id,
                CheckinRecord.result == "ok",
                CheckinRecord.direction == "entry",
                CheckinRecord.annulled_at.is_(None),
            )
            .group_by(CheckinRecord.attendee_id)
            .having(func.count() > 1)
        ).all()
        stored = {r.id: (r.code, r.result) for r in session.exec(select(CheckinRecord))}
        jobs = dict(session.exec(select(PrintJob.state, func.count()).group_by(PrintJob.state)).all())
    engine.dispose()
    lost = sum(1 for record_id, code, result in acknowledged if stored.get(record_id) != (code, result))
    received = sum(p.complete_jobs for p in printers)
    stuck = jobs.get("pending", 0) + jobs.get("printing", 0)
    return {
        "admitted_twice": len(twice),
        "lost": lost,
        "records": len(stored),
        "jobs": sum(jobs.values()),
        "jobs_printed": jobs.get("printed", 0),
        "jobs_failed": jobs.get("failed", 0),
        "jobs_stuck": stuck,
        "jobs_received_by_printers": received,
        "jobs_lost": stuck + max(0, jobs.get("printed", 0) - received),
    }


def collect(results, processes, timeout: float) -> list[dict]:
    """Every desk's report; a desk that died stops the soak at once (the others would wait at the
    barrier for ever)."""
    import queue

    reports, deadline = [], time.monotonic() + timeout
    while len(reports) < len(processes):
        try:
            reports.append(results.get(timeout=2))
        except queue.Empty:
            dead = [p.name for p in processes if p.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                for process in processes:
                    process.kill()
                raise SystemExit(
                    f"soak stopped: {', '.join(dead) or 'a desk'} "
                    f"{'died (its traceback is above)' if dead else 'gave no report in time'}"
                ) from None
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = _bench.parser(__doc__)
    parser.add_argument("--minutes", type=float, default=None, help="real minutes for the day (default 5; --quick 1.5)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="tracemalloc in each desk: print what grew between the start and end RSS (slower)",
    )
    args = parser.parse_args(argv)
    out = _bench.Output(args, "soak")
    _bench.quiet()
    minutes = args.minutes or (1.5 if args.quick else 5.0)
    speed = (DAY_END - DAY_START).total_seconds() / (minutes * 60)
    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.demo import create_demo

    with tempfile.TemporaryDirectory(prefix="eventdesk-soak-") as folder:
        db = str(Path(folder) / "soak.db")
        create_demo(db, code_factory=seeded_code_factory(args.seed))
        timeline = build_timeline(db, args.seed)
        printers = {"Desk 1": FlakyPrinter(args.seed + 1), "Desk 2": FlakyPrinter(args.seed + 2)}
        spawn = mp.get_context("spawn")
        barrier = spawn.Barrier(len(timeline))
        results = spawn.Queue()
        processes = [
            spawn.Process(
                target=desk_process,
                name=name,
                args=(
                    name,
                    db,
                    events,
                    printers[name].url if name in printers else None,
                    speed,
                    barrier,
                    results,
                    folder,
                    args.trace_memory,
                ),
            )
            for name, events in timeline.items()
        ]
        print(
            f"  replaying {DAY_START:%d %b %H:%M}-{DAY_END:%H:%M} in {minutes:g} min (x{speed:.0f}): "
            f"{sum(len(e) for e in timeline.values())} steps",
            file=sys.stderr,
        )
        started = time.monotonic()
        for process in processes:
            process.start()
        reports = collect(results, processes, timeout=minutes * 60 + 600)
        for process in processes:
            process.join(30)
        elapsed = time.monotonic() - started
        for printer in printers.values():
            printer.stop()
        acknowledged = [a for r in reports for a in r["acknowledged"]]
        figures = store_figures(db, acknowledged, list(printers.values()))
    reports.sort(key=lambda r: r["desk"])
    scans = len(acknowledged)
    exceptions = sum(r["exceptions"] + r["errors_logged"] for r in reports)
    out.print()
    out.print(
        f"Soak: {DAY_START:%a %d %b %Y %H:%M}-{DAY_END:%H:%M} replayed in {elapsed / 60:.1f} min, "
        "3 desk processes + chairs/matchmaking, one SQLite store, two flaky TCP printers"
    )
    rows = [
        ("scans (acknowledged)", scans),
        ("admitted twice", figures["admitted_twice"]),
        ("lost (acknowledged, not in the store)", figures["lost"]),
        (
            "print jobs queued / printed / failed after retries",
            f"{figures['jobs']} / {figures['jobs_printed']} / {figures['jobs_failed']}",
        ),
        ("print jobs lost", figures["jobs_lost"]),
        ("exceptions logged", exceptions),
    ]
    for label, value in rows:
        out.print(f"  {label:<52} {value}")
    for r in reports:
        for line in r["error_lines"]:
            out.print(f"  {r['desk']} logged: {line[:200]}")
    drained = max(r["drained_s"] for r in reports)
    out.print(f"  {'print queue drained after the day (s)':<52} {drained:.0f}")
    misbehaved = {k: sum(p.misbehaved[k] for p in printers.values()) for k in next(iter(printers.values())).misbehaved}
    out.print(f"  {'printer misbehaviour (connections)':<52} " + ", ".join(f"{n} {k}" for k, n in misbehaved.items()))
    out.print()
    out.print(
        f"  {'desk':<8} {'steps':>6} {'RSS start MB':>13} {'RSS end MB':>11} {'growth':>7} {'max lag s':>10}  outcomes"
    )
    for r in reports:
        growth = (r["rss_end_kb"] - r["rss_start_kb"]) / r["rss_start_kb"] * 100 if r["rss_start_kb"] else 0.0
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(r["outcomes"].items(), key=lambda kv: -kv[1]))
        out.print(
            f"  {r['desk']:<8} {r['steps']:>6} {r['rss_start_kb'] / 1024:>13.1f} {r['rss_end_kb'] / 1024:>11.1f} "
            f"{growth:>6.1f}% {r['max_lag_s']:>10.2f}  {outcomes}"
        )
        out.figure(f"rss_growth_pct_{r['desk'].replace(' ', '_').lower()}", growth)
    for r in reports:
        for line in r["grown"]:
            out.print(f"  {r['desk']} grew: {line}")
    out.figure("scans", scans)
    out.figure("admitted_twice", figures["admitted_twice"])
    out.figure("lost", figures["lost"])
    out.figure("jobs_lost", figures["jobs_lost"])
    out.figure("jobs_failed", figures["jobs_failed"])
    out.figure("exceptions_logged", exceptions)
    out.finish()
    return 0 if not (figures["admitted_twice"] or figures["lost"] or figures["jobs_lost"] or exceptions) else 1


if __name__ == "__main__":
    raise SystemExit(main())
