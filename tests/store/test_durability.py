"""A check-in the desk has acknowledged is never lost: a real desk process is killed with SIGKILL at
random moments while a scanner feeds it, and every scan it printed is in the store afterwards."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from eventdesk.store.db import make_engine
from eventdesk.store.models import CheckinRecord

EVENTDESK = str(Path(sys.executable).with_name("eventdesk"))
KILLS = 20


def test_the_store_flushes_every_commit_to_disk(tmp_db):
    """synchronous=FULL in WAL mode: a commit is on the disk before the desk says Welcome (NORMAL
    would survive a crash of the process but may lose the last scans in a power cut)."""
    engine = make_engine(tmp_db)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def _desk_killed_while_scanning(db: str, codes: list[str], rng: random.Random) -> list[dict]:
    """Start `eventdesk checkin --from - --json`, feed it codes at scanner speed, SIGKILL it at a
    random moment after its first answer; return the answers it printed (acknowledged scans)."""
    desk = subprocess.Popen(
        [EVENTDESK, "checkin", "--from", "-", "--json", "--db", db, "--desk", "Kill desk"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    answers: list[dict] = []
    first = threading.Event()

    def read() -> None:
        for line in desk.stdout:
            try:
                answers.append(json.loads(line))
            except ValueError:  # the kill cut a line in half: that scan was not acknowledged
                break
            first.set()

    def feed() -> None:
        try:
            for code in codes:
                desk.stdin.write(code.encode() + b"\n")
                desk.stdin.flush()
                time.sleep(0.02)  # a scanner: a code, Enter, the next person
        except (BrokenPipeError, OSError):
            pass

    reader = threading.Thread(target=read, daemon=True)
    feeder = threading.Thread(target=feed, daemon=True)
    reader.start()
    feeder.start()
    assert first.wait(60), desk.stderr.read().decode()
    time.sleep(rng.uniform(0.0, 0.6))
    desk.send_signal(signal.SIGKILL)
    desk.wait()
    reader.join(5)
    feeder.join(5)
    try:
        desk.stdin.close()
    except OSError:  # the killed desk left unread codes in the pipe
        pass
    return list(answers)


@pytest.mark.timeout(900)  # twenty desk processes start on a machine that may be busy
def test_every_acknowledged_scan_survives_twenty_kills(demo_db, badge_codes):
    rng = random.Random(os.getpid())
    codes = badge_codes(demo_db)
    acknowledged: list[dict] = []
    position = 0
    for kill in range(KILLS):
        # Each desk gets its share of the codes not yet scanned: on a fast machine a desk answers its
        # whole backlog before the kill, and the last desks must still have codes to scan.
        share = max(1, min(200, (len(codes) - position) // (KILLS - kill)))
        answers = _desk_killed_while_scanning(demo_db, codes[position : position + share], rng)
        assert answers, f"kill {kill}: the desk answered nothing"
        acknowledged.extend(answers)
        position += len(answers) + 1  # the next desk starts after the last scan this one answered
        # The next process opens the store as it is: no recovery step, nothing to delete.
        raw = sqlite3.connect(demo_db)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"kill {kill}"
        raw.close()
        engine = make_engine(demo_db, create=False)
        with Session(engine) as session:
            stored = {r.id: r for r in session.exec(select(CheckinRecord).where(CheckinRecord.desk == "Kill desk"))}
        engine.dispose()
        for answer in acknowledged:
            record = stored.get(answer["record_id"])
            assert record is not None, f"kill {kill}: acknowledged scan {answer['code']} is lost"
            assert (record.nonce, record.code, record.result) == (answer["nonce"], answer["code"], answer["result"])
    assert len(acknowledged) >= KILLS
    assert {a["result"] for a in acknowledged} == {"ok"}  # every code fed once: each admitted once
