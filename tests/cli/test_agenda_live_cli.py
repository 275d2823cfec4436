"""The live-agenda commands as a script uses them: what runs now, chair actions, clear errors."""

from __future__ import annotations

import json

import pytest
from agenda_sample import build
from click.testing import CliRunner

from eventdesk.cli import main


@pytest.fixture
def sample(tmp_db):
    return tmp_db, build(tmp_db)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_agenda_now_prints_every_room_at_a_moment(sample):
    db, _ = sample
    result = run("agenda", "now", "--db", db, "--at", "2024-05-07T11:20")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Tue 07 May 2024 11:20 (Europe/Brussels)"
    assert lines[2].split() == [
        "Room",
        "A",
        "11:00-11:45",
        "Green",
        "transition",
        "(25:00",
        "left)",
        "next",
        "11:45",
        "Digital",
        "transition",
    ]


def test_agenda_now_json_and_a_delay_with_a_negative_number(sample):
    db, ids = sample
    assert run("agenda", "delay", str(ids["Green transition"]), "10", "--db", db).exit_code == 0
    result = run("agenda", "delay", str(ids["Green transition"]), "-5", "--db", db)
    assert result.exit_code == 0, result.output
    assert "-5 min (now +5 min)" in result.output
    data = json.loads(run("agenda", "now", "--db", db, "--at", "2024-05-07T11:20+02:00", "--json").output)
    room_a = next(r for r in data["rooms"] if r["room"] == "Room A")
    assert room_a["now"]["delay_minutes"] == 5
    assert room_a["now"]["start"] == "2024-05-07T11:05:00+02:00"
    assert room_a["now"]["seconds_left"] == 30 * 60
    assert room_a["next"]["title"] == "Digital transition" and room_a["next"]["delay_minutes"] == 5


def test_chair_commands_and_their_errors(sample):
    db, ids = sample
    moment = "2024-05-07T12:38"
    assert (
        "Started 'Skills' 2 min early" in run("agenda", "start", str(ids["Skills"]), "--db", db, "--now", moment).output
    )
    assert (
        "Ended 'Skills' at 13:00"
        in run("agenda", "end", str(ids["Skills"]), "--db", db, "--now", "2024-05-07T13:00").output
    )
    # Another day's session is refused in one line, and nothing changes.
    other_day = CliRunner().invoke(
        main, ["agenda", "start", str(ids["Resilience"]), "--db", db, "--now", "2026-01-05T14:00"]
    )
    assert other_day.exit_code == 1 and "is not today (Tue 07 May)" in other_day.output
    assert "Cancelled 'Resilience'" in run("agenda", "cancel", str(ids["Resilience"]), "--db", db).output
    refused = CliRunner().invoke(main, ["agenda", "delay", str(ids["Resilience"]), "5", "--db", db])
    assert refused.exit_code == 1
    assert "cancelled; reinstate it" in refused.output
    missing = CliRunner().invoke(main, ["agenda", "start", "999", "--db", db])
    assert missing.exit_code == 1 and "no session #999" in missing.output


def test_board_needs_now_for_speed(sample):
    db, _ = sample
    result = CliRunner().invoke(main, ["board", "--db", db, "--speed", "60"])
    assert result.exit_code == 1
    assert "--speed needs --now" in result.output
