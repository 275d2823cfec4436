"""Speakers are people: linked to attendees at import (e-mail, then accent-folded full name in any
order), by hand, and in the demo; the desk tells a scanned speaker where to go; the chair sees who
has arrived."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlmodel import Session, select

from eventdesk.cli import main
from eventdesk.domain.clock import Clock
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.services.import_agenda import import_agenda
from eventdesk.services.speakers import relink_speakers, speaker_arrivals
from eventdesk.settings import Settings
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, SessionSpeaker
from eventdesk.store.models import Session as Programme

BRUSSELS = ZoneInfo("Europe/Brussels")
SCHEDULE = Path(__file__).resolve().parents[1] / "data" / "schedules" / "programme-bom-tab.tsv"
MONDAY_1245 = datetime(2024, 5, 6, 12, 45, tzinfo=BRUSSELS)


def add_people(context, people: list[tuple[str, str, str]]) -> dict[str, Attendee]:
    found = {}
    with context.session() as session:
        for number, (first, last, email) in enumerate(people):
            found[f"{first} {last}"] = save_attendee(
                session, Attendee(first_name=first, last_name=last, email=email, badge_code=f"SPKR{number:022d}")
            )
    return found


def links(context) -> dict[str, int | None]:
    with Session(context.engine) as session:
        return {s.name: s.attendee_id for s in session.exec(select(SessionSpeaker))}


def test_the_import_links_speakers_by_folded_name_and_lists_the_ambiguous_and_unmatched(tmp_db):
    context = open_context(tmp_db)
    people = add_people(
        context,
        [
            ("ANA", "LÍMA", ""),
            ("Chen", "Bo", ""),  # accents and order ignored
            ("Carla", "Díaz", ""),
            ("Carla", "Diaz", "other@example.org"),
        ],
    )
    report = import_agenda(context, SCHEDULE, "csv")
    linked = links(context)
    assert linked["Ana Lima"] == people["ANA LÍMA"].id
    assert linked["Bo Chen"] == people["Chen Bo"].id
    assert linked["Carla Diaz"] is None and linked["Dev Rao"] is None
    assert report.speaker_links.linked == 2
    assert report.speaker_links.ambiguous == ["Carla Diaz"]
    assert report.speaker_links.unmatched == ["Dev Rao"]
    text = "\n".join(report.lines())
    assert "match several people" in text and "Carla Diaz" in text and "Dev Rao" in text


def test_speakers_imported_before_their_attendees_are_linked_later_and_by_hand(tmp_db):
    context = open_context(tmp_db)
    import_agenda(context, SCHEDULE, "csv")
    assert set(links(context).values()) == {None}
    people = add_people(context, [("Dev", "Rao", "dev@example.org"), ("Carla", "Díaz", ""), ("Carla", "Diaz", "")])
    assert relink_speakers(context).linked == 1  # Dev Rao; the two Carlas stay for a person to decide
    with Session(context.engine) as session:
        panel = session.exec(select(Programme).where(Programme.title == "Panel")).one()
    runner = CliRunner()
    done = runner.invoke(
        main, ["agenda", "link", str(panel.id), "carla diaz", people["Carla Díaz"].badge_code, "--db", tmp_db]
    )
    assert done.exit_code == 0, done.output
    assert "is now Carla Díaz" in done.output
    assert links(context)["Carla Diaz"] == people["Carla Díaz"].id
    refused = runner.invoke(main, ["agenda", "link", str(panel.id), "Nobody Here", "1", "--db", tmp_db])
    assert refused.exit_code == 1 and "Its speakers: 1. Carla Diaz; 2. Dev Rao" in refused.output


def test_every_named_speaker_of_the_demo_is_linked(demo_db):
    context = open_context(demo_db)
    with Session(context.engine) as session:
        speakers = session.exec(select(SessionSpeaker)).all()
        assert len(speakers) > 60
        assert all(s.attendee_id is not None for s in speakers)
        named = {s.name: session.get(Attendee, s.attendee_id).name for s in speakers}
    assert named["Kíncső Izsak"] == "Kíncső Izsak"
    assert relink_speakers(context).unmatched == []


def _demo_person(context, name: str) -> Attendee:
    with Session(context.engine) as session:
        return session.exec(select(Attendee).where(Attendee.last_name == name)).one()


def test_a_speaker_scanned_at_the_desk_is_told_where_and_when_they_speak(demo_db):
    context = open_context(demo_db, Settings(db=demo_db), Clock.frozen(MONDAY_1245))
    izsak = _demo_person(context, "Izsak")
    result = check_in(context, izsak.badge_code)
    assert result.ok and [s.title for s in result.speaking][:1] == [
        "Session I: Presentation of Insights on Cluster Policy in the EU"
    ]
    line = result.speaking[0].line(context.zone(), result.scanned_at)
    assert line == (
        "Speaker: Session I: Presentation of Insights on Cluster Policy in the EU at 13:25 in Auditorium (in 40 min)"
    )
    participant = check_in(context, _first_participant(context).badge_code)
    assert participant.ok and participant.speaking == ()


def _first_participant(context) -> Attendee:
    with Session(context.engine) as session:
        return session.exec(select(Attendee).where(Attendee.category == "participant")).first()


def test_the_command_line_takes_the_rehearsal_clock_and_answers_as_the_desk(demo_db):
    context = open_context(demo_db)
    izsak = _demo_person(context, "Izsak")
    done = CliRunner().invoke(
        main, ["checkin", izsak.badge_code, "--db", demo_db, "--now", "2024-05-06T12:45", "--json"]
    )
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output)
    scanned = datetime.fromisoformat(answer["scanned_at"])
    assert datetime(2024, 5, 6, 12, 45, tzinfo=BRUSSELS) <= scanned < datetime(2024, 5, 6, 12, 46, tzinfo=BRUSSELS)
    assert answer["speaking"][0]["room"] == "Auditorium"
    text = CliRunner().invoke(main, ["checkin", izsak.badge_code, "--db", demo_db, "--now", "2024-05-06T12:50"])
    assert "already_checked_in" in text.output


def test_agenda_now_tells_which_speakers_have_arrived(demo_db):
    context = open_context(demo_db, Settings(db=demo_db), Clock.frozen(MONDAY_1245))
    check_in(context, _demo_person(context, "Izsak").badge_code)
    done = CliRunner().invoke(main, ["agenda", "now", "--at", "2024-05-06T13:30", "--db", demo_db, "--json"])
    assert done.exit_code == 0, done.output
    auditorium = next(r for r in json.loads(done.output)["rooms"] if r["room"] == "Auditorium")
    arrival = {a["name"]: a for a in auditorium["now"]["speaker_arrival"]}
    assert arrival["Kíncső Izsak"]["checked_in"] is True
    assert arrival["Kíncső Izsak"]["checked_in_at"].startswith("2024-05-06T12:45")
    assert arrival["Jan-Philipp Kramer"]["checked_in"] is False
    # Arrival is of today: the next morning nobody of Monday counts as here.
    tuesday = speaker_arrivals(context, [auditorium["now"]["id"]], datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS))
    assert all(a.arrived_at is None for a in tuesday[auditorium["now"]["id"]])
