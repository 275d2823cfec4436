"""`eventdesk import attendees`: what an organiser sees, and the exit codes a script relies on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventdesk.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "attendees"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_import_then_search(tmp_db: str, realdata: Path) -> None:
    result = run("import", "attendees", str(realdata / "attendees" / "pretix-checkinlist-export.csv"), "--db", tmp_db)
    assert result.exit_code == 0, result.output
    assert "pretix check-in list export, UTF-8, delimiter ',': 2 people." in result.stdout
    assert "2 added, 0 updated, 0 unchanged." in result.stdout
    found = run("attendees", "search", "Zulu", "--db", tmp_db)
    assert "ggsngqtnmhx74jswjngw3fk8pfwz2a7k" in found.stdout


def test_summary_holds_counts_not_people(tmp_db: str, realdata: Path) -> None:
    result = run("import", "attendees", str(realdata / "attendees" / "eventbrite-attendee-report.csv"), "--db", tmp_db)
    assert result.exit_code == 0
    for personal in ("Doe", "Bloggs", "jdoe", "Company1Name"):
        assert personal not in result.output


def test_reimport_counts_unchanged(tmp_db: str, realdata: Path) -> None:
    path = str(realdata / "attendees" / "eventbrite-attendee-report.csv")
    run("import", "attendees", path, "--db", tmp_db)
    again = run("import", "attendees", path, "--db", tmp_db)
    assert again.exit_code == 0 and "0 added, 0 updated, 3 unchanged." in again.stdout


def test_broken_row_exits_1_with_the_line_on_stderr(tmp_db: str) -> None:
    result = run("import", "attendees", str(DATA / "broken-row-line-7.csv"), "--db", tmp_db)
    assert result.exit_code == 1
    assert "line 7: no name (first name and last name are both empty)" in result.stderr
    assert result.stdout == ""
    assert "Nobody matches" in run("attendees", "search", "Berg", "--db", tmp_db).stderr


def test_dry_run_says_what_would_happen(tmp_db: str) -> None:
    result = run("import", "attendees", str(DATA / "full-name-bom-tab.csv"), "--dry-run", "--db", tmp_db)
    assert result.exit_code == 0
    assert "Dry run, nothing written. Would be: 3 added, 0 updated, 0 unchanged." in result.stdout
    assert run("attendees", "search", "Kovács", "--db", tmp_db).exit_code == 1


def test_forced_format_that_does_not_fit(tmp_db: str) -> None:
    result = run("import", "attendees", str(DATA / "full-name-bom-tab.csv"), "--format", "pretix", "--db", tmp_db)
    assert result.exit_code == 1 and "not a pretix check-in list export" in result.stderr


def test_database_from_environment_and_missing_event(tmp_path: Path) -> None:
    missing = run(
        "import", "attendees", str(DATA / "full-name-bom-tab.csv"), env={"EVENTDESK_DB": str(tmp_path / "none.db")}
    )
    assert missing.exit_code == 1 and "eventdesk init" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_missing_file_is_a_usage_error(tmp_db: str, tmp_path: Path) -> None:
    result = run("import", "attendees", str(tmp_path / "nope.csv"), "--db", tmp_db)
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_help() -> None:
    result = run("import", "attendees", "--help")
    assert result.exit_code == 0 and "--dry-run" in result.stdout and "All or nothing" in result.stdout


def test_real_process(tmp_db: str, realdata: Path) -> None:
    env = {**os.environ, "EVENTDESK_DB": tmp_db}
    command = [sys.executable, "-m", "eventdesk", "import", "attendees"]
    ok = subprocess.run(
        [*command, str(realdata / "attendees" / "eventbrite-attendee-report.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "3 added, 0 updated, 0 unchanged." in ok.stdout
    assert ok.stderr == ""  # no progress bar off a terminal, no log lines
    bad = subprocess.run(
        [*command, str(DATA / "broken-row-line-7.csv")], capture_output=True, text=True, env=env, timeout=120
    )
    assert bad.returncode == 1
    assert "line 7: no name" in bad.stderr and bad.stdout == ""


def test_tito_file_with_map_then_export_imports_back_unchanged(tmp_db: str, tmp_path: Path) -> None:
    tito = tmp_path / "tito.csv"
    tito.write_text(
        "Number,Ticket,Ticket Company Name,Ticket Job Title,Pronouns,"
        "What name would you like printed on your badge?,Order Reference\n"
        "1,Speaker,Klynge Nord,CEO,she/her,Maria de la Cruz,ORD-1\n",
        encoding="utf-8",
    )
    refused = run("import", "attendees", str(tito), "--db", tmp_db)
    assert refused.exit_code == 1 and "--map name=" in refused.output
    dry = run(
        "import",
        "attendees",
        str(tito),
        "--db",
        tmp_db,
        "--dry-run",
        "--map",
        "name=What name would you like printed on your badge?",
    )
    assert dry.exit_code == 0
    assert "first_name: Maria | last_name: de la Cruz | pronouns: she/her" in dry.output
    done = run(
        "import",
        "attendees",
        str(tito),
        "--db",
        tmp_db,
        "--map",
        "name=What name would you like printed on your badge?",
    )
    assert "1 added" in done.output
    exported = tmp_path / "out.csv"
    assert run("export", "attendees", "--db", tmp_db, "-o", str(exported)).exit_code == 0
    assert oct(os.stat(exported).st_mode & 0o777) == "0o600"
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("First name,Last name,Badge Name,Pronouns,")
    assert lines[1].startswith("Maria,de la Cruz,,she/her,Klynge Nord,CEO,")
    again = run("import", "attendees", str(exported), "--db", tmp_db)
    assert "0 added, 0 updated, 1 unchanged" in again.output


def test_map_needs_field_equals_column(tmp_db: str, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Name\nAnn Lee\n", encoding="utf-8")
    result = run("import", "attendees", str(path), "--db", tmp_db, "--map", "name")
    assert result.exit_code != 0 and "FIELD=COLUMN" in result.output


@pytest.mark.parametrize(
    "text, columns",
    [
        (
            '"Order code","Attendee name","Product","Secret","E-mail","Company"\n'
            '"A1","Maria Rossi","Speaker ticket","s3cr3tone","maria@example.org","Uni"\n',
            "name <- 'Attendee name'; email <- 'E-mail'; organisation <- 'Company'; "
            "category (from the product) <- 'Product'; code <- 'Secret'",
        ),
        (
            "Order #,First Name,Last Name,Email,Ticket Type,Attendee #,Attendee Status\n"
            "1,Ann,A,a@example.org,General Admission,11,Attending\n",
            "first_name <- 'First Name'; last_name <- 'Last Name'; email <- 'Email'; "
            "category (from the ticket type) <- 'Ticket Type'; status <- 'Attendee Status'; key <- 'Attendee #'",
        ),
    ],
    ids=["pretix", "eventbrite"],
)
def test_dry_run_shows_the_columns_used_for_pretix_and_eventbrite_exports(
    tmp_db: str, tmp_path: Path, text: str, columns: str
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(text, encoding="utf-8")
    result = run("import", "attendees", str(export), "--dry-run", "--db", tmp_db)
    assert result.exit_code == 0, result.output
    assert f"Columns used: {columns}." in result.stdout
