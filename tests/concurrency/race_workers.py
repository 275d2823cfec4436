"""Desk processes racing each other: ``run_together``/``run_each`` start real processes (spawn)
that wait at one Barrier, and what each racing desk does (module-level functions, which spawned
processes import by this module's name: a name no other test folder uses, unlike ``conftest``).
Each desk opens its own context (engine, connections) after it starts."""

from __future__ import annotations

import multiprocessing
import queue
import time

import pytest

# How long a whole race may take before the test says which desk hung (8 spawned interpreters
# importing eventdesk on 2 shared cores take a while).
RACE_TIMEOUT_S = 240


def run_together(target, per_process_args: list[tuple], timeout: float = RACE_TIMEOUT_S) -> list:
    """Start ``target(barrier, *args)`` in one spawned process per args tuple; every process waits
    at the barrier before its first decision. Returns each process's result, in order."""
    return run_each([(target, args) for args in per_process_args], timeout)


def run_each(calls: list[tuple], timeout: float = RACE_TIMEOUT_S) -> list:
    """``run_together`` for processes doing different things: ``[(target, args), ...]``."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(calls))
    answers = context.Queue()
    processes = [
        context.Process(target=_child, args=(index, answers, target, barrier, args), daemon=True)
        for index, (target, args) in enumerate(calls)
    ]
    for process in processes:
        process.start()
    results: dict[int, object] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(results) < len(processes):
            try:
                index, ok, value = answers.get(timeout=1)
            except queue.Empty:
                dead = {
                    i: p.exitcode for i, p in enumerate(processes) if i not in results and p.exitcode not in (None, 0)
                }
                if dead:
                    pytest.fail(f"desk processes died without an answer (index: exit code): {dead}")
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"desks {sorted(set(range(len(processes))) - set(results))} gave no answer within {timeout} s"
                    )
                continue
            if not ok:
                pytest.fail(f"desk process {index} failed:\n{value}")
            results[index] = value
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    return [results[i] for i in range(len(processes))]


def _child(index, answers, target, barrier, args) -> None:
    import traceback

    try:
        answers.put((index, True, target(barrier, *args)))
    except BaseException:  # noqa: BLE001 - the parent reports it
        barrier.abort()
        answers.put((index, False, traceback.format_exc()))


def open_desk(url: str, desk: str, **settings):
    from eventdesk.logs import tame_escpos_import

    tame_escpos_import()
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings

    return open_context(url, Settings(db=url, desk=desk, **settings))


def scan_codes(barrier, url: str, desk: str, codes: list[str]) -> list[dict]:
    """Check every code in at this desk, as fast as the desk can; the answers as dicts."""
    from eventdesk.services.checkin import check_in

    context = open_desk(url, desk)
    context.event()
    barrier.wait()
    answers = [check_in(context, code).as_dict() for code in codes]
    context.engine.dispose()
    return answers


def register_walk_ins(barrier, url: str, desk: str, count: int) -> list[dict]:
    from eventdesk.services.checkin import WalkIn, register_walk_in

    context = open_desk(url, desk)
    context.event()
    barrier.wait()
    answers = [
        register_walk_in(context, WalkIn("Walk", f"In {desk} {n}", "Ad hoc Cluster")).as_dict() for n in range(count)
    ]
    context.engine.dispose()
    return answers


def book_meeting(
    barrier, url: str, desk: str, now_iso: str, person_a: str, person_b: str, slot_id: int, table: int
) -> tuple[str, str]:
    """("booked", "") or ("refused", the reason the desk shows)."""
    from datetime import datetime

    from eventdesk.domain.clock import Clock
    from eventdesk.services.meetings import BookingRefused, book

    context = open_desk(url, desk)
    context.clock = Clock.frozen(datetime.fromisoformat(now_iso))
    context.event()
    barrier.wait()
    try:
        book(context, person_a, person_b, slot_id, table)
        outcome = ("booked", "")
    except BookingRefused as refused:
        outcome = ("refused", str(refused))
    context.engine.dispose()
    return outcome


def delay_session(barrier, url: str, desk: str, session_id: int, minutes: int) -> str:
    from eventdesk.services.agenda import delay

    context = open_desk(url, desk)
    context.event()
    barrier.wait()
    message = delay(context, session_id, minutes).message
    context.engine.dispose()
    return message


def print_queue(barrier, url: str, desk: str, printer_url: str) -> list[int]:
    """Run this desk's print worker on the shared printer until the queue is empty; the ids of
    the jobs this desk printed."""
    import threading
    import time

    from eventdesk.services.print_workers import start_workers
    from eventdesk.store import print_jobs
    from eventdesk.store.db import session_scope

    context = open_desk(url, desk, printers={"badge-1": printer_url}, default_printer="badge-1")
    context.event()
    printed: list[int] = []
    lock = threading.Lock()

    def report(job) -> None:
        if job.state == "printed":
            with lock:
                printed.append(job.job_id)

    barrier.wait()
    workers = start_workers(context, report=report, poll_seconds=0.05)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the queue is shared: wait until nobody has work left
            with session_scope(context.engine) as session:
                if not print_jobs.jobs(session, states=print_jobs.OPEN_STATES, limit=1):
                    break
            time.sleep(0.1)
    finally:
        workers.stop()
    context.engine.dispose()
    return printed


def undo_rounds(barrier, url: str, desks: list[str]) -> list[dict]:
    """Round after round: undo the last check-in of that round's desk."""
    from eventdesk.services.checkin import undo_last

    context = open_desk(url, desks[0])
    context.event()
    undone = []
    for desk in desks:
        barrier.wait()
        undone.append({"desk": desk, "record_id": undo_last(context, desk=desk).record_id})
    context.engine.dispose()
    return undone


def rescan_rounds(barrier, url: str, desk: str, codes: list[str]) -> list[dict]:
    """Round after round: scan that round's code again at this desk."""
    from eventdesk.services.checkin import check_in

    context = open_desk(url, desk)
    context.event()
    answers = []
    for code in codes:
        barrier.wait()
        answers.append(check_in(context, code).as_dict())
    context.engine.dispose()
    return answers


# -- a store held locked for longer than SQLite's busy timeout -----------------------------------

# The children shrink the busy timeout so that a lock held for a second outlasts several of them.
SHORT_BUSY_TIMEOUT_MS = 200


def hold_write_lock(barrier, path: str, seconds: float) -> float:
    """Take the SQLite file's write lock, let the others start, keep it ``seconds`` (a desk whose
    commit is slow: a loaded disk under synchronous=FULL), release it. Returns the monotonic time
    of the release (the same clock in every process of this machine)."""
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE change SET version = version WHERE 0")
    barrier.wait()
    time.sleep(seconds)  # the condition under test (a long holder), not a way to order the others
    connection.execute("COMMIT")
    released = time.monotonic()
    connection.close()
    return released


def write_while_locked(barrier, path: str, action: str, subject) -> tuple[str, float]:
    """One desk action that writes, started while another process holds the lock: (its outcome,
    the monotonic time it finished)."""
    from eventdesk.store import db

    db.BUSY_TIMEOUT_MS = SHORT_BUSY_TIMEOUT_MS
    context = open_desk(
        path, f"Desk {action}", printers={"badge-1": "preview:///nonexistent"}, default_printer="badge-1"
    )
    context.event()
    barrier.wait()
    if action == "no-show":
        from eventdesk.services.meetings import confirm_no_show

        outcome = confirm_no_show(context, subject).state
    elif action == "meeting scan":
        from eventdesk.services.meetings import scan

        outcome = scan(context, subject).outcome
    elif action == "queue badge":
        from eventdesk.services.printing import queue_badge

        outcome = queue_badge(context, subject).state
    elif action == "check-in":
        from eventdesk.services.checkin import check_in

        outcome = check_in(context, subject).result
    else:
        raise ValueError(action)
    finished = time.monotonic()
    context.engine.dispose()
    return outcome, finished


# -- desks started together on a store made by an older eventdesk -------------------------------


def _migration_steps() -> list[str]:
    """The migration steps this process will run, as Alembic logs them ("Running upgrade A -> B")."""
    import logging

    ran: list[str] = []

    class Steps(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message.startswith("Running upgrade"):
                ran.append(message.split(",")[0].removeprefix("Running upgrade ").strip())

    steps = logging.getLogger("alembic.runtime.migration")
    steps.setLevel(logging.INFO)
    steps.addHandler(Steps())
    return ran


def start_on_older_store(barrier, url: str, desk: str, codes: list[str]) -> dict:
    """Start a desk (``open_context``, as ``eventdesk run`` does) at the same moment as the others,
    then scan ``codes``: the migration steps this desk ran, the revision the store was at once the
    desk was up, and the desk's answers."""
    from eventdesk.services.checkin import check_in
    from eventdesk.store import migrate

    ran = _migration_steps()
    barrier.wait()
    context = open_desk(url, desk)
    revision = migrate.stamped_revision(context.engine)
    answers = [check_in(context, code).as_dict() for code in codes]
    context.engine.dispose()
    return {"ran": ran, "revision": revision, "answers": answers}


def scan_at_the_door_on_older_store(barrier, url: str, desk: str, data_dir: str, codes: list[str]) -> dict:
    """``start_on_older_store`` for a door scanner on a server: ``eventdesk checkin`` opens the
    store through the desk's offline fallback (which goes offline when the server does not answer
    in time), and its answers must come from the server."""
    from eventdesk.logs import tame_escpos_import

    tame_escpos_import()
    from eventdesk.services.offline.desk import open_for_command
    from eventdesk.settings import Settings
    from eventdesk.store import migrate

    ran = _migration_steps()
    barrier.wait()
    scanner = open_for_command(Settings(db=url, desk=desk, data_dir=data_dir), desk)
    revision = migrate.stamped_revision(scanner.context.engine)
    answers = [scanner.check_in(code).as_dict() for code in codes]
    scanner.stop()
    scanner.context.engine.dispose()
    return {"ran": ran, "revision": revision, "answers": answers}
