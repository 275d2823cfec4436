"""Desks racing each other: real processes (spawn) started together behind a Barrier, each with
its own ``open_context``, against a real SQLite file and the real PostgreSQL server."""

from __future__ import annotations

import multiprocessing
import queue
from datetime import date

import pytest

pytestmark = pytest.mark.postgres

# How long a whole race may take before the test says which desk hung (8 spawned interpreters
# importing eventdesk on 2 shared cores take a while).
RACE_TIMEOUT_S = 240


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """An empty event (Test Conference, Europe/Brussels, 6-8 May 2024) in a SQLite file or in a
    fresh PostgreSQL database."""
    from eventdesk.services.events import create_event

    url = str(tmp_path / "event.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    create_event(url, name="Test Conference", timezone="Europe/Brussels",
                 start=date(2024, 5, 6), end=date(2024, 5, 8), venue="Brussels")
    return url


def run_together(target, per_process_args: list[tuple], timeout: float = RACE_TIMEOUT_S) -> list:
    """Start ``target(barrier, *args)`` in one spawned process per args tuple; every process waits
    at the barrier before its first decision. Returns each process's result, in order."""
    return run_each([(target, args) for args in per_process_args], timeout)


def run_each(calls: list[tuple], timeout: float = RACE_TIMEOUT_S) -> list:
    """``run_together`` for processes doing different things: ``[(target, args), ...]``."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(calls))
    answers = context.Queue()
    processes = [context.Process(target=_child, args=(index, answers, target, barrier, args), daemon=True)
                 for index, (target, args) in enumerate(calls)]
    for process in processes:
        process.start()
    results: dict[int, object] = {}
    try:
        while len(results) < len(processes):
            try:
                index, ok, value = answers.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"desks {sorted(set(range(len(processes))) - set(results))} gave no answer "
                            f"within {timeout} s")
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
