"""The meetings commands: import, schedule, unavailable, usage, slip and export."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from meetings_sample import MEETINGS_CSV, add_people, at

from eventdesk.cli import main
from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result


def test_import_usage_and_export(tmp_db, tmp_path):
    add_people(open_context(tmp_db, clock=Clock.frozen(at(9))))
    imported = run("import", "meetings", str(MEETINGS_CSV), "--db", tmp_db)
    assert imported.exit_code == 0, imported.output
    assert "Imported 7 meetings (0 already there), 3 new slots, 3 new tables." in imported.output
    usage = run("meetings", "usage", "--db", tmp_db)
    assert "Wed 08 May 10:00–10:30     3 in use     0 free" in usage.output
    out = tmp_path / "out.csv"
    exported = run("export", "meetings", "-o", str(out), "--db", tmp_db, "--now", "2024-05-08T12:00")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 7 and rows[0]["name_a"] == "Ana Šermukšnytė" and rows[0]["state"] == "scheduled"
    # the export reads back as the same meetings: nothing new
    again = run("import", "meetings", str(out), "--db", tmp_db)
    assert "Imported 0 meetings (7 already there)" in again.output


def test_a_bad_file_fails_naming_the_line(tmp_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("slot_start,table,participant_a,participant_b\n2024-05-08 10:00,1,x@example.eu,\n", encoding="utf-8")
    result = run("import", "meetings", str(bad), "--db", tmp_db)
    assert result.exit_code == 1
    assert "line 2: participant B is empty" in result.output and "Nothing was imported" in result.output


def test_schedule_requests_into_a_new_grid(tmp_db, tmp_path):
    add_people(open_context(tmp_db, clock=Clock.frozen(at(9))))
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "participant_a,participant_b\nana@example.eu,chen@example.cn\n"
        "ana@example.eu,dara@example.ie\nana@example.eu,eve@example.uk\n",
        encoding="utf-8",
    )
    assert "Imported 3 meeting requests" in run("import", "meetings", str(requests), "--db", tmp_db).output
    too_late = run("meetings", "schedule", "--db", tmp_db, "--first", "10:00", "--slots", "2", "--tables", "5")
    assert too_late.exit_code == 1 and "plan ahead of the day with --now" in too_late.output
    marked = run("meetings", "unavailable", "eve@example.uk", "10:00", "--db", tmp_db)
    assert marked.exit_code == 0, marked.output
    result = run("meetings", "schedule", "--db", tmp_db, "--now", "2024-05-08T08:00")
    assert result.exit_code == 0, result.output
    assert "Placed 2 meetings; 1 request could not be placed." in result.output
    assert "not placed: Ana Šermukšnytė with " in result.output


def test_the_desk_actions_from_the_command_line(tmp_db):
    add_people(open_context(tmp_db, clock=Clock.frozen(at(9))))
    run("import", "meetings", str(MEETINGS_CSV), "--db", tmp_db)
    now = ["--db", tmp_db, "--now", "2024-05-08T10:07"]
    scanned = run("meetings", "scan", "ANA0000000000000000000000A", *now)
    assert scanned.output.strip() == "present: Ana Šermukšnytė, 10:00 table 1 with Ben Okafor (one_present)"
    assert run("meetings", "free", *now).output.strip() == "10:00–10:30: 0 free"
    assert (
        run("meetings", "no-show", "3", *now).output.strip()
        == "No-show confirmed (Chen Wei and Dara Ó Briain): table 3 is free."
    )
    assert run("meetings", "free", *now).output.strip() == "10:00–10:30: 1 free: 3"
    refused = run("meetings", "book", "eve@example.uk", "ana@example.eu", "--table", "3", *now)
    assert refused.exit_code == 1
    assert "Not booked: Ana Šermukšnytė already has a meeting at 10:00 (table 1 with Ben Okafor)." in refused.output
    booked = run("meetings", "book", "eve@example.uk", "finn@example.dk", "--table", "3", "--slot", "10:30", *now)
    assert booked.output.strip() == "Booked table 3 at 10:30: Eve Walker with Finn Larsen."
    assert "No meeting slot starts at 08 May 09:45" in run("meetings", "free", "--slot", "09:45", *now).output


def test_standby_lists_the_people_left_waiting_in_a_slot(tmp_db):
    import json

    add_people(open_context(tmp_db, clock=Clock.frozen(at(9))))
    run("import", "meetings", str(MEETINGS_CSV), "--db", tmp_db)
    now = ["--db", tmp_db, "--now", "2024-05-08T10:07"]
    run("meetings", "scan", "ANA0000000000000000000000A", *now)
    run("meetings", "scan", "CHEN0000000000000000000000", *now)
    confirmed = run("meetings", "no-show", "1", *now).output.strip()
    assert confirmed.startswith("No-show confirmed (Ben Okafor): Ana Šermukšnytė stays at table 1, which is half-free")
    run("meetings", "no-show", "3", *now)
    listed = run("meetings", "standby", "10:00", "--json", *now)
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert [(c["name"], c["kind"], c["table"]) for c in data["candidates"]] == [
        ("Ana Šermukšnytė", "left_waiting", 1),
        ("Chen Wei", "left_waiting", 3),
    ]
    text = run("meetings", "standby", "now", *now).output
    assert "10:00–10:30: 2 stand-by partners" in text and "Chen Wei (Shenzhen Batteries)" in text
    booked = run("meetings", "book", "ana@example.eu", "chen@example.cn", "--table", "1", *now)
    assert booked.output.strip() == "Booked table 1 at 10:00: Ana Šermukšnytė with Chen Wei."
    assert json.loads(run("meetings", "standby", "10:00", "--json", *now).output)["candidates"] == []
