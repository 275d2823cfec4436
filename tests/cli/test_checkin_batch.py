"""``eventdesk checkin --from FILE``: a scanner log or a paper list replayed through the same
service as a scan, one answer per line, each printed as soon as it is decided."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys

from click.testing import CliRunner
from sqlmodel import Session
from sqlmodel import select as sql_select

from eventdesk.cli import main
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, CheckinList, CheckinRecord

CODES = ["BATCH0000000000000000000001", "BATCH0000000000000000000002", "BATCH0000000000000000000003"]


def _people(db: str) -> list[str]:
    context = open_context(db)
    with context.session() as session:
        for number, code in enumerate(CODES, start=1):
            save_attendee(
                session,
                Attendee(
                    first_name=f"Person{number}",
                    last_name="Šermukšnytė",
                    organisation="AgriFood Lithuania",
                    badge_code=code,
                ),
            )
    return CODES


def _records(db: str) -> list[CheckinRecord]:
    with Session(open_context(db).engine) as session:
        return list(session.exec(sql_select(CheckinRecord).order_by(CheckinRecord.id)))


def _run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_a_file_of_codes_answers_one_json_line_per_code_and_goes_on_after_garbage(tmp_db, tmp_path):
    a, b, c = _people(tmp_db)
    log = tmp_path / "scanner.log"
    # CRLF line ends, a blank line, a scanner prefix, a garbage line, a repeat, a lower-case scan.
    log.write_bytes(f"{a}\r\n\r\n]Q1{b}\r\n%%garbage\xff line%%\r\n{a}\r\n   \n{c.lower()}\n".encode("latin-1"))
    done = _run("checkin", "--from", str(log), "--json", "--db", tmp_db, "--desk", "Desk 4")
    assert done.exit_code == 2, done.output  # one refused: the batch says so
    answers = [json.loads(line) for line in done.output.splitlines()]
    assert [x["result"] for x in answers] == ["ok", "ok", "unknown_code", "already_checked_in", "ok"]
    assert [x["code"] for x in answers[:2]] == [a, b]
    assert answers[3]["first_checkin_desk"] == "Desk 4" and answers[3]["person"]["name"] == "Person1 Šermukšnytė"
    assert answers[0]["badge_queued"] is True and answers[3]["badge_queued"] is False
    # Each line holds exactly what a single scan's --json answers (same keys).
    single = _run("checkin", a, "--json", "--db", tmp_db)
    assert set(json.loads(single.output)) == set(answers[0])
    assert len(_records(tmp_db)) == 6  # 5 lines + the single scan; failures recorded too


def test_every_line_admitted_exits_0_and_list_exit_desk_options_apply(tmp_db, tmp_path):
    a, b, _ = _people(tmp_db)
    log = tmp_path / "paper.txt"
    log.write_text(f"{a}\n{b}\n", encoding="utf-8")
    assert _run("checkin", "--from", str(log), "--db", tmp_db, "--desk", "Paper").exit_code == 0
    out = _run("checkin", "--from", str(log), "--exit", "--db", tmp_db, "--desk", "Paper")
    assert out.exit_code == 0 and out.output.count("ok: Goodbye (exit recorded)") == 2
    wrong_list = _run("checkin", "--from", str(log), "--list", "Nowhere", "--db", tmp_db)
    assert wrong_list.exit_code == 1 and "line 1" in wrong_list.output and "checkin lists" in wrong_list.output
    records = _records(tmp_db)
    assert [(r.direction, r.desk, r.result) for r in records] == [("entry", "Paper", "ok")] * 2 + [
        ("exit", "Paper", "ok")
    ] * 2


def test_a_batch_replayed_with_the_same_nonce_records_nothing_twice(tmp_db, tmp_path):
    """A desk killed halfway through a file re-runs it with the same --nonce: lines already
    recorded answer their first result again."""
    a, b, c = _people(tmp_db)
    log = tmp_path / "log.txt"
    log.write_text(f"{a}\n{b}\n", encoding="utf-8")
    assert _run("checkin", "--from", str(log), "--nonce", "run-1", "--db", tmp_db).exit_code == 0
    log.write_text(f"{a}\n{b}\n{c}\n", encoding="utf-8")
    again = _run("checkin", "--from", str(log), "--nonce", "run-1", "--json", "--db", tmp_db)
    answers = [json.loads(line) for line in again.output.splitlines()]
    assert [(x["result"], x["replayed"]) for x in answers] == [("ok", True), ("ok", True), ("ok", False)]
    assert again.exit_code == 0
    assert [r.nonce for r in _records(tmp_db)] == ["run-1:1", "run-1:2", "run-1:3"]


def test_standard_input_and_clear_errors(tmp_db, tmp_path):
    a, _, _ = _people(tmp_db)
    piped = _run("checkin", "--from", "-", "--db", tmp_db, input=f"{a}\nNOSUCHCODE\n")
    assert piped.exit_code == 2
    assert piped.output.splitlines()[0].startswith("ok: Welcome: Person1")
    assert piped.output.splitlines()[1].startswith("unknown_code")
    missing = _run("checkin", "--from", str(tmp_path / "absent.txt"), "--db", tmp_db)
    assert missing.exit_code == 1 and "Cannot read" in missing.output and "Traceback" not in missing.output
    neither = _run("checkin", "--db", tmp_db, "--json")
    assert neither.exit_code == 1 and "--from FILE" in neither.output
    both = _run("checkin", a, "--from", "-", "--db", tmp_db)
    assert both.exit_code == 1
    assert "--from" in _run("checkin", "--help").output and "Exit status" in _run("checkin", "scan", "--help").output


def _read_line(stream, timeout: float = 60.0) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "no answer came back for the line just written"
    return stream.readline().decode("utf-8")


def test_a_desk_process_fed_by_a_pipe_answers_each_line_before_the_next_arrives(tmp_db):
    """A real process reading standard input: each answer must come back while the writer still
    holds the next line (a buffered answer would leave this test waiting)."""
    a, b, c = _people(tmp_db)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout is a pipe: block-buffered
    process = subprocess.Popen(
        [sys.executable, "-m", "eventdesk", "checkin", "--from", "-", "--json", "--db", tmp_db, "--desk", "Pipe desk"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        answers = []
        for line in (a, "", b, "garbage!", a, c):
            process.stdin.write(f"{line}\n".encode())
            process.stdin.flush()
            if not line:
                continue  # a blank line answers nothing
            answers.append(json.loads(_read_line(process.stdout)))
            # The answer is recorded already, before the next line is even written.
            assert len(_records(tmp_db)) == len(answers)
        process.stdin.close()
        assert process.wait(timeout=60) == 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert [x["result"] for x in answers] == ["ok", "ok", "unknown_code", "already_checked_in", "ok"]
    assert answers[3]["first_checkin_desk"] == "Pipe desk"
    with Session(open_context(tmp_db).engine) as session:
        entrance = session.exec(sql_select(CheckinList)).first()
    assert all(x["list"] == entrance.name for x in answers)


def test_a_missing_database_driver_is_one_line_saying_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from eventdesk.cli import main\n"
        "main(['init', '--db', 'postgresql://postgres@127.0.0.1:1/x', '--name', 'x', '--tz', 'UTC',"
        " '--start', '2024-01-01', '--end', '2024-01-02'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and 'pip install "psycopg[binary]"' in lines[0]
