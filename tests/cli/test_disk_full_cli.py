"""A full disk under the store is reported as a full disk (which one, how much room the desk
needs), never as a bad --db; doctor warns before it happens. Run on a real full file system: a
2 MB tmpfs (root only; skipped where mounting is not permitted)."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from eventdesk.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "attendees"


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _fill(folder: Path, leave: int) -> None:
    """Write a filler file until only about ``leave`` bytes stay free."""
    usage = os.statvfs(folder)
    free = usage.f_bavail * usage.f_frsize
    with open(folder / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_batch_that_fills_the_disk_says_the_disk_is_full_and_where(small_disk, tmp_path):
    db = str(small_disk / "event.db")
    assert (
        _run(
            "init",
            "--db",
            db,
            "--name",
            "Full Disk",
            "--tz",
            "Europe/Brussels",
            "--start",
            "2024-05-07",
            "--end",
            "2024-05-08",
        ).exit_code
        == 0
    )
    assert _run("import", "attendees", str(DATA / "full-name-bom-tab.csv"), "--db", db).exit_code == 0
    codes = tmp_path / "codes.txt"
    codes.write_text("".join(f"UNKNOWN{i:04d}-{'X' * 60}\n" for i in range(400)), encoding="utf-8")
    _fill(small_disk, 200_000)
    result = _run("checkin", "--from", str(codes), "--db", db)
    assert result.exit_code == 1
    assert "stopped at line" in result.stderr
    assert f"The disk is full: {small_disk} has" in result.stderr
    assert "the desk needs at least 200 MB there" in result.stderr
    assert "Check --db" not in result.stderr
    doctor = _run("doctor", "--db", db, "--json")
    assert '"name": "disk"' in doctor.output and f"free in {small_disk}: the desk needs 200 MB" in doctor.output
