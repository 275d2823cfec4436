"""The command line: help everywhere, a new empty event, clear errors on stderr."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from click.testing import CliRunner

from eventdesk.cli import main


def _all_commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _all_commands(command, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    commands = list(_all_commands(main))
    assert ("demo",) in commands and ("init",) in commands and ("attendees", "search") in commands
    for path in commands:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_init_creates_a_private_empty_event(tmp_path):
    db = tmp_path / "new.db"
    result = CliRunner().invoke(
        main,
        [
            "init",
            "--db",
            str(db),
            "--name",
            "Cluster Summit",
            "--tz",
            "Europe/Prague",
            "--start",
            "2025-09-26",
            "--end",
            "2025-09-27",
        ],
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    from eventdesk.services.context import open_context

    event = open_context(str(db)).event()
    assert (event.name, event.timezone, str(event.start_date)) == ("Cluster Summit", "Europe/Prague", "2025-09-26")


def test_init_refuses_an_unknown_time_zone_on_stderr(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventdesk",
            "init",
            "--db",
            str(tmp_path / "x.db"),
            "--name",
            "X",
            "--tz",
            "Europe/Atlantis",
            "--start",
            "2025-01-01",
            "--end",
            "2025-01-02",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Europe/Atlantis" in result.stderr and result.stdout == ""


def test_a_missing_database_is_explained(tmp_path):
    result = CliRunner().invoke(main, ["attendees", "search", "x", "--db", str(tmp_path / "absent.db")])
    assert result.exit_code != 0
    assert "eventdesk init" in result.output


def test_the_database_comes_from_the_environment(tmp_db):
    result = CliRunner().invoke(main, ["attendees", "search", "nobody", "--json"], env={"EVENTDESK_DB": tmp_db})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "[]"


def test_a_file_that_is_no_database_gets_one_clear_line(tmp_path):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("shopping list\n" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "eventdesk", "attendees", "search", "x", "--db", str(not_a_db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "The database could not be used" in result.stderr and "Traceback" not in result.stderr


def test_outside_text_reaches_the_terminal_without_escape_sequences(tmp_db):
    from eventdesk.domain.codes import new_badge_code
    from eventdesk.services.context import open_context
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    with open_context(tmp_db).session() as session:
        save_attendee(
            session, Attendee(first_name="Eve\x1b]0;pwned\x07", last_name="Mallory", badge_code=new_badge_code())
        )
    result = CliRunner().invoke(main, ["attendees", "search", "mallory", "--db", tmp_db])
    assert result.exit_code == 0
    assert "Mallory" in result.output and "\x1b" not in result.output and "\x07" not in result.output
