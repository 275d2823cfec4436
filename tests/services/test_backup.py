"""Backups while desks keep scanning, and restores that give back the same store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventdesk.cli import main
from eventdesk.services.backup import BackupError, last_backup, restore_backup, store_counts, take_backup
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.settings import Settings

EVENTDESK = str(Path(sys.executable).with_name("eventdesk"))


def _context(db: str, **settings):
    return open_context(db, Settings(db=db, **settings))


def test_a_restore_gives_the_same_counts_and_the_copy_is_private_and_named(demo_db, tmp_path, badge_codes):
    context = _context(demo_db)
    for code in badge_codes(demo_db)[:25]:
        check_in(context, code)
    original = store_counts(demo_db)
    assert original["checkin_record"] == 25
    done = take_backup(context, to=tmp_path / "copies", now=datetime(2024, 5, 8, 8, 15, tzinfo=UTC))
    assert done.path.name == "european-cluster-conference-2024-20240508T081500Z.db"
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600  # it holds 700 people's names
    assert not Path(f"{done.path}-wal").exists()  # one self-contained file
    restored = restore_backup(done.path, str(tmp_path / "restored.db"))
    assert restored.counts == original
    assert stat.S_IMODE(restored.target.stat().st_mode) == 0o600
    # The restored store opens and answers like the original: the 25 are already in.
    again = check_in(_context(str(restored.target)), badge_codes(demo_db)[0])
    assert again.result == "already_checked_in"


def test_the_default_folder_is_beside_the_store_and_the_newest_k_are_kept(demo_db):
    context = _context(demo_db)
    folder = Path(demo_db).parent / "demo-backups"
    taken = [
        take_backup(context, keep=3, now=datetime(2024, 5, 8, 8, minute, tzinfo=UTC)) for minute in range(0, 50, 10)
    ]
    assert all(t.path.parent == folder for t in taken)
    assert sorted(p.name for p in folder.iterdir()) == [t.path.name for t in taken[-3:]]
    assert taken[-1].removed == (taken[1].path,)
    assert last_backup(context).path == taken[-1].path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_restore_refuses_a_damaged_copy_and_an_existing_store_without_force(demo_db, tmp_path, badge_codes):
    context = _context(demo_db)
    good = take_backup(context, to=tmp_path).path
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096  # a page overwritten
    damaged.write_bytes(bytes(data))
    target = tmp_path / "target.db"
    with pytest.raises(BackupError, match="cannot be restored"):
        restore_backup(damaged, str(target))
    assert not target.exists()  # nothing was written
    restore_backup(good, str(target))
    check_in(_context(str(target)), badge_codes(demo_db)[0])
    before = store_counts(str(target))
    with pytest.raises(BackupError, match="add --force"):
        restore_backup(good, str(target))
    assert store_counts(str(target)) == before
    # With --force the store is the copy again (its WAL from the scan above is not replayed over it).
    assert restore_backup(good, str(target), force=True).counts == store_counts(demo_db)
    raw = sqlite3.connect(target)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_the_commands_say_where_the_copy_is_and_refuse_in_one_line(demo_db, tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--db", demo_db, "--to", str(tmp_path / "b")])
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"Backup written: {tmp_path / 'b'}/european-cluster-conference-2024-")
    copy = next((tmp_path / "b").iterdir())
    refused = runner.invoke(main, ["restore", str(copy), "--db", demo_db])
    assert refused.exit_code == 1
    assert "exists and holds a store; add --force" in refused.output
    assert "Traceback" not in refused.output
    done = runner.invoke(main, ["restore", str(copy), "--db", str(tmp_path / "new.db")])
    assert done.exit_code == 0 and "697 attendees" in done.output and "Integrity ok" in done.output


def test_a_backup_taken_while_another_process_scans_is_consistent(demo_db, tmp_path, badge_codes):
    codes = badge_codes(demo_db)
    desk = subprocess.Popen(
        [EVENTDESK, "checkin", "--from", "-", "--json", "--db", demo_db, "--desk", "Desk 9"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    answered = []

    def read() -> None:
        for line in desk.stdout:
            answered.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def feed() -> None:
        for code in codes[:400]:
            desk.stdin.write(code.encode() + b"\n")
            time.sleep(0.005)
        desk.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    deadline = time.monotonic() + 60
    while not answered and time.monotonic() < deadline:
        time.sleep(0.05)
    context = _context(demo_db)
    copies = []
    while desk.poll() is None and len(copies) < 4:
        copies.append(
            take_backup(context, to=tmp_path / "during", now=datetime(2024, 5, 8, 9, len(copies), tzinfo=UTC)).path
        )
        time.sleep(0.2)
    desk.wait(120)
    reader.join(5)
    assert desk.returncode == 0, desk.stderr.read().decode()
    assert copies, "the desk finished before a copy was taken"
    seen = []
    for copy in copies:
        raw = sqlite3.connect(copy)
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = [row[0] for row in raw.execute("SELECT id FROM checkin_record ORDER BY id")]
        # A snapshot: every scan up to its newest is in it, each with its badge job; none half-written.
        assert ids == list(range(1, len(ids) + 1))
        jobs = raw.execute("SELECT count(*) FROM print_job").fetchone()[0]
        assert jobs == len(ids)
        assert raw.execute("SELECT count(*) FROM attendee").fetchone()[0] == 697
        raw.close()
        seen.append(len(ids))
    assert seen == sorted(seen)
    assert store_counts(demo_db)["checkin_record"] == 400


def test_postgresql_is_copied_with_pg_dump(pg_url, tmp_path):
    from datetime import date

    from eventdesk.services.events import create_event

    create_event(
        pg_url,
        name="Gdańsk Summit",
        timezone="Europe/Warsaw",
        start=date(2024, 6, 3),
        end=date(2024, 6, 4),
        venue="Gdańsk",
    )
    context = _context(pg_url)
    if not any(Path(p, "pg_dump").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        with pytest.raises(BackupError, match="apt install postgresql-client"):
            take_backup(context, to=tmp_path)
        return
    done = take_backup(context, to=tmp_path)
    assert done.path.name.startswith("gdansk-summit-") and done.path.suffix == ".pgdump"
    assert stat.S_IMODE(done.path.stat().st_mode) == 0o600
    listing = subprocess.run(["pg_restore", "--list", str(done.path)], capture_output=True, text=True)
    assert listing.returncode == 0 and "TABLE DATA public checkin_record" in listing.stdout


def test_eventdesk_restore_writes_a_postgresql_dump_back_into_the_store(pg_url, tmp_path):
    from datetime import date

    from eventdesk.services.events import create_event
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    if not all(shutil.which(p) for p in ("pg_dump", "pg_restore")):
        pytest.skip("the PostgreSQL client (pg_dump, pg_restore) is not installed")
    create_event(
        pg_url,
        name="Gdańsk Summit",
        timezone="Europe/Warsaw",
        start=date(2024, 6, 3),
        end=date(2024, 6, 4),
        venue="Gdańsk",
    )
    context = _context(pg_url)
    with context.session() as db:
        save_attendee(db, Attendee(first_name="Zoë", last_name="Łukasiewicz", badge_code="GDN-0001"))
    done = take_backup(context, to=tmp_path)
    check_in(context, "GDN-0001")  # after the backup: the restore takes it away
    context.engine.dispose()
    assert store_counts(pg_url)["checkin_record"] == 1
    runner = CliRunner()
    refused = runner.invoke(main, ["restore", str(done.path), "--db", pg_url])
    assert refused.exit_code == 1 and "holds a store; add --force" in refused.output
    restored = runner.invoke(main, ["restore", str(done.path), "--db", pg_url, "--force"])
    assert restored.exit_code == 0, restored.output
    assert "1 attendees, 0 scans" in restored.output and "+psycopg" not in restored.output
    assert store_counts(pg_url)["checkin_record"] == 0 and store_counts(pg_url)["attendee"] == 1
    into_sqlite = runner.invoke(main, ["restore", str(done.path), "--db", str(tmp_path / "new.db")])
    assert into_sqlite.exit_code == 1 and "restores into a PostgreSQL store" in into_sqlite.output
