"""``eventdesk checkin``: the same service as the desk, for scripts."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlmodel import Session, select

from eventdesk.cli import main
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, CheckinRecord


def _person(db: str) -> str:
    context = open_context(db)
    with context.session() as session:
        person = save_attendee(
            session,
            Attendee(
                first_name="Kíncső",
                last_name="Izsak",
                organisation="Technopolis",
                category="speaker",
                badge_code="CODE0000000000000000000001",
            ),
        )
        return person.badge_code


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_checkin_scan_then_already_checked_in(tmp_db):
    code = _person(tmp_db)
    first = _run("checkin", "]Q1" + code, "--db", tmp_db, "--desk", "Desk 7")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("ok: Welcome: Kíncső Izsak (Technopolis, speaker); badge queued")
    again = _run("checkin", code, "--db", tmp_db, "--json")
    assert again.exit_code == 2
    data = json.loads(again.output)
    assert data["result"] == "already_checked_in" and data["first_checkin_desk"] == "Desk 7"
    assert data["person"]["name"] == "Kíncső Izsak"


def test_checkin_nonce_exit_undo_and_lists(tmp_db):
    code = _person(tmp_db)
    assert _run("checkin", code, "--db", tmp_db, "--nonce", "n1").exit_code == 0
    replay = _run("checkin", code, "--db", tmp_db, "--nonce", "n1")
    assert replay.exit_code == 0 and "recorded once" in replay.output
    assert _run("checkin", code, "--db", tmp_db, "--exit").output.startswith("ok: Goodbye")
    undone = _run("checkin", "undo", "--db", tmp_db)
    assert undone.exit_code == 0 and "Annulled the exit of Kíncső Izsak" in undone.output
    lists = _run("checkin", "lists", "--db", tmp_db)
    assert "Main entrance" in lists.output and "everybody" in lists.output
    figures = _run("checkin", "figures", "--db", tmp_db, "--json")
    assert json.loads(figures.output)["checkin_list"]["inside_now"] == 1
    with Session(open_context(tmp_db).engine) as session:
        assert len(session.exec(select(CheckinRecord)).all()) == 2


def test_checkin_errors_say_what_to_do(tmp_db):
    _person(tmp_db)
    unknown = _run("checkin", "NOSUCHCODE", "--db", tmp_db)
    assert unknown.exit_code == 2 and unknown.output.startswith("unknown_code")
    no_list = CliRunner().invoke(main, ["checkin", "NOSUCHCODE", "--db", tmp_db, "--list", "Nowhere"])
    assert no_list.exit_code == 1 and "eventdesk checkin lists" in no_list.output
    nothing = CliRunner().invoke(main, ["checkin", "undo", "--db", tmp_db])
    assert nothing.exit_code == 1 and "Nothing to undo" in nothing.output
    assert "--exit" in _run("checkin", "scan", "--help").output
    assert "undo" in _run("checkin", "--help").output


def test_a_scan_into_a_full_room_is_recorded_and_says_room_full(tmp_db):
    from eventdesk.store.models import CheckinList, Room

    code = _person(tmp_db)
    with open_context(tmp_db).session() as session:
        room = Room(name="Salon", capacity=1)
        session.add(room)
        session.flush()
        session.add(CheckinList(name="Salon door", kind="room", room_id=room.id))
    said = _run("checkin", code, "--db", tmp_db, "--list", "Salon door")
    assert said.exit_code == 0, said.output
    assert "Room full: 1 of 1" in said.output.splitlines()[0]
    out = _run("checkin", code, "--db", tmp_db, "--list", "Salon door", "--exit", "--json")
    data = json.loads(out.output)
    assert (data["result"], data["occupancy"], data["capacity"], data["room_full"]) == ("ok", 0, 1, False)


def test_the_badge_of_a_forgotten_person_says_the_data_was_erased(tmp_db):
    code = _person(tmp_db)
    assert _run("attendee", "forget", code, "--yes", "--db", tmp_db).exit_code == 0
    scan = _run("checkin", code, "--db", tmp_db)
    assert scan.exit_code == 2
    assert scan.output == f"forgotten: Data erased: this person's details were deleted at their request: {code}\n"
