"""`eventdesk import agenda`: exit codes, the report, clear errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from eventdesk.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"


def run(*args: str):
    return CliRunner().invoke(main, ["import", "agenda", *args])


def test_import_into_a_fresh_path_creates_the_event(realdata, tmp_path):
    db = tmp_path / "fosdem.db"
    result = run(str(realdata / "schedules" / "fosdem-2026.xml"), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Created 'FOSDEM 2026' (Europe/Brussels)" in result.output
    assert "883 new" in result.output
    again = run(str(realdata / "schedules" / "fosdem-2026.xml"), "--db", str(db), "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert (report["event_created"], report["sessions_created"], report["sessions_unchanged"]) == (False, 0, 883)


def test_hostile_file_exits_1_with_a_clear_message(tmp_db):
    result = run(str(DATA / "billion-laughs.xml"), "--db", tmp_db)
    assert result.exit_code == 1
    assert "billion laughs" in result.output and "line 3" in result.output and "Nothing was imported" in result.output


def test_bad_csv_names_the_lines(tmp_db):
    result = run(str(DATA / "bad-rows.csv"), "--db", tmp_db)
    assert result.exit_code == 1
    assert "line 3" in result.output and "line 4" in result.output


def test_no_time_zone_for_a_new_database_asks_for_tz(realdata, tmp_path):
    result = run(str(realdata / "ics" / "pyconuk-2015.ics"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1 and "--tz" in result.output
    result = run(str(realdata / "ics" / "pyconuk-2015.ics"), "--db", str(tmp_path / "x.db"), "--tz", "Europe/London")
    assert result.exit_code == 0, result.output
    assert "Skipped 4 item(s): 4 × no SUMMARY (title)" in result.output


def test_usage_errors(tmp_db, tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTDESK_DB", raising=False)
    monkeypatch.delenv("EVENTDESK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./eventdesk.toml naming a database
    assert run(str(DATA / "quirks.xml")).exit_code == 1  # no --db and no EVENTDESK_DB
    missing = run(str(tmp_path / "nope.xml"), "--db", tmp_db)
    assert missing.exit_code == 1 and "No file at" in missing.output
    assert run(str(DATA / "quirks.xml"), "--db", tmp_db, "--format", "pdf").exit_code == 2
    wrong = run(str(DATA / "quirks.xml"), "--db", tmp_db, "--format", "c3voc")
    assert wrong.exit_code == 1 and "not valid JSON" in wrong.output
    zone = run(str(DATA / "programme-bom-tab.tsv"), "--db", tmp_db, "--tz", "Mars/Olympus")
    assert zone.exit_code == 1 and "Unknown time zone" in zone.output


def test_the_installed_command_reports_errors_on_stderr(tmp_db):
    completed = subprocess.run(
        [sys.executable, "-m", "eventdesk", "import", "agenda", str(DATA / "truncated.xml"), "--db", tmp_db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.startswith("eventdesk: truncated.xml is cut off (truncated)")
