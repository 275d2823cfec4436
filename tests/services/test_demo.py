"""The European Cluster Conference 2024 demo: what a chair, the desk and the meeting hosts rely on.

The expectations below are written from the seeds (../shared/seeds/), not read from the fixture
files, so a wrong fixture fails here."""

from __future__ import annotations

import os
import stat
import unicodedata
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, text
from sqlmodel import Session as DbSession
from sqlmodel import select

from eventdesk.domain.codes import seeded_code_factory
from eventdesk.services.demo import create_demo, demo_exists, load_fixture, plan_people
from eventdesk.services.events import EventError
from eventdesk.store.attendees import search_attendees
from eventdesk.store.db import make_engine
from eventdesk.store.models import (
    Attendee,
    CheckinList,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Room,
    Session,
    SessionSpeaker,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
MEETING_TRACK = "ECCP Meeting of the European Cluster Associations and Networks"

# Seed 004, "06 May 2024, Brussels": (start, end, title).
AGENDA_6_MAY = [
    ("12:30", "13:00", "Registration"),
    ("13:00", "13:25", "Welcome"),
    ("13:25", "14:05", "Session I: Presentation of Insights on Cluster Policy in the EU"),
    ("14:05", "14:30", "Cluster Action for Ecosystem Innovation Network (CAFEIN)"),
    ("14:30", "15:20", "Session 2 – part 1: Strategy Talks"),
    ("15:20", "16:10", "Session 2 – part 2: Strategy Talks"),
    ("16:10", "16:30", "Networking Coffee"),
    ("16:30", "17:50", "Session 3: World-café style parallel discussions"),
    ("17:50", "18:00", "Conclusions and next steps"),
]

# Seed 004: every named speaker of 6 May with the role and organisation the agenda gives, and the
# agenda point. Names in their real spelling (seed 001 for Kristina Šermukšnytė-Alešiūnienė).
SPEAKERS_6_MAY = [
    (
        "Kristina Šermukšnytė-Alešiūnienė",
        "Master of the Ceremony",
        "European Cluster Collaboration Platform / AgriFood Lithuania DIH",
        "Welcome",
    ),
    (
        "Jakub Boratynski",
        "Director of the “Networks and Governance” Directorate",
        "DG GROW, European Commission",
        "Welcome",
    ),
    (
        "Birgit Weidel",
        "Head of Department “Innovation Ecosystems, SMP/Entrepreneurship and Consumers”",
        "EISMEA, European Commission",
        "Welcome",
    ),
    (
        "Antonio Novo Guerrero",
        "President of the European Cluster Alliance (ECA)",
        "European Cluster Alliance (ECA)",
        "Welcome",
    ),
    (
        "Jan-Philipp Kramer",
        "Team Leader 'Data & Policy'",
        "ECCP",
        "Session I: Presentation of Insights on Cluster Policy in the EU",
    ),
    (
        "Kíncső Izsak",
        "Project leader",
        "Technopolis",
        "Session I: Presentation of Insights on Cluster Policy in the EU",
    ),
    (
        "Pauline Capus",
        "Director",
        "AFPC - Association Française des Pôles de Compétitivité",
        "Cluster Action for Ecosystem Innovation Network (CAFEIN)",
    ),
    (
        "Carolina Garcés",
        "Project Manager Innovation & Internationalisation",
        "Clusters of Sweden/ Mobile Heights",
        "Cluster Action for Ecosystem Innovation Network (CAFEIN)",
    ),
    (
        "Monika Antonowicz",
        "Expert",
        "Polish Agency for Enterprise Development",
        "Cluster Action for Ecosystem Innovation Network (CAFEIN)",
    ),
    (
        "Lukas Nögel",
        "Consultant",
        "VDI/VDE Innovation + Technology GmbH, Go-clusters",
        "Session 2 – part 1: Strategy Talks",
    ),
    (
        "Bruno Grandjean",
        "President",
        "EACN – European Automotive Cluster Network",
        "Session 2 – part 1: Strategy Talks",
    ),
    ("Ola Svedin", "Chairman of the Board", "Clusters of Sweden", "Session 2 – part 1: Strategy Talks"),
    ("Daniel Cosnita", "President", "Romanian Cluster Association - CLUSTERO", "Session 2 – part 1: Strategy Talks"),
    ("Jitka Vocaskova", "Policy officer", "DG Grow/Cluster Team", "Session 2 – part 1: Strategy Talks"),
    (
        "Pauline Capus",
        "Director",
        "AFPC - Association Française des Pôles de Compétitivité",
        "Session 2 – part 2: Strategy Talks",
    ),
    (
        "Hervé Floch",
        "President",
        "AFPC - Association Française des Pôles de Compétitivité",
        "Session 2 – part 2: Strategy Talks",
    ),
    (
        "Sebastian Rynkiewicz",
        "Member of the Council of the Polish Clusters Association, President of EVOLUMA Industrial Cluster",
        "EVOLUMA Industrial Cluster",
        "Session 2 – part 2: Strategy Talks",
    ),
    ("John Hobbs", "Director, V-LINC Cluster Research Group", "TCI Network", "Session 2 – part 2: Strategy Talks"),
    ("Lisa Besnard", "EU and International Project Manager", "France Clusters", "Session 2 – part 2: Strategy Talks"),
    ("Marta Batalla-Masana", "Policy officer", "DG Grow/Cluster Team", "Session 2 – part 2: Strategy Talks"),
    ("Marek Przeor", "Team Leader - Cluster Policy", "DG GROW, European Commission", "Conclusions and next steps"),
]

# Seed 001 (and 002 for Uwe Pfeil, Lee Gibson): the attendee's own organisation.
SEED_PEOPLE = {
    "Mariella Masselink": ("DG GROW, European Commission", "speaker"),
    "Marek Przeor": ("DG GROW, European Commission", "speaker"),
    "Carolina Garcés": ("Mobile Heights", "speaker"),
    "Glenda Napier": ("Energy Cluster Denmark", "speaker"),
    "Kristina Šermukšnytė-Alešiūnienė": ("AgriFood Lithuania", "speaker"),
    "Susana Remotti": ("PROPLAST Italy", "speaker"),
    "Uwe Pfeil": ("Cluster Mobility & Logistics", "speaker"),
    "Lee Gibson": ("European Cluster Collaboration Platform (ECCP)", "organiser"),
}


@pytest.fixture
def store(demo_db: str):
    engine = make_engine(demo_db, create=False)
    with DbSession(engine) as session:
        yield session
    engine.dispose()


def attendee_named(session: DbSession, full_name: str) -> Attendee:
    matches = [a for a in session.exec(select(Attendee)).all() if a.name == full_name]
    assert len(matches) == 1, f"{full_name}: {len(matches)} attendees"
    return matches[0]


def local(value: datetime) -> datetime:
    return value.astimezone(BRUSSELS)


def sessions_of_day(session: DbSession, day: date) -> list[Session]:
    rows = session.exec(select(Session).order_by(Session.start, Session.id)).all()
    return [s for s in rows if local(s.start).date() == day]


def test_event_is_the_european_cluster_conference_in_brussels(store):
    event = store.exec(select(Event)).one()
    assert (event.name, event.venue, event.timezone) == (
        "European Cluster Conference 2024",
        "Brussels",
        "Europe/Brussels",
    )
    assert (event.start_date, event.end_date) == (date(2024, 5, 6), date(2024, 5, 8))


def test_6_may_agenda_has_the_seed_times_in_brussels_time(store):
    day = sessions_of_day(store, date(2024, 5, 6))
    got = [(local(s.start).strftime("%H:%M"), local(s.end).strftime("%H:%M"), s.title) for s in day]
    assert got == AGENDA_6_MAY
    assert all(s.track == MEETING_TRACK for s in day)
    # 12:30 in Brussels in May is 10:30 UTC (CEST), whatever the seed's "CET" label says.
    assert day[0].start == datetime(2024, 5, 6, 10, 30, tzinfo=ZoneInfo("UTC"))


def test_every_6_may_speaker_is_on_their_agenda_point_with_the_seed_role(store):
    titles = {s.id: s.title for s in sessions_of_day(store, date(2024, 5, 6))}
    rows = store.exec(select(SessionSpeaker).where(SessionSpeaker.session_id.in_(titles))).all()
    on_agenda = {(r.name, r.role, r.organisation, titles[r.session_id]) for r in rows}
    for expected in SPEAKERS_6_MAY:
        assert expected in on_agenda, expected
    for row in rows:  # every speaker row is linked to the attendee of that name
        assert row.attendee_id is not None
        assert store.get(Attendee, row.attendee_id).name == row.name


def test_6_may_talks_and_facilitators_are_visible_to_the_chair(store):
    by_title = {s.title: s for s in sessions_of_day(store, date(2024, 5, 6))}
    assert by_title["Session 2 – part 1: Strategy Talks"].chair == "Jitka Vocaskova"
    assert by_title["Session 2 – part 2: Strategy Talks"].chair == "Marta Batalla-Masana"
    part1 = by_title["Session 2 – part 1: Strategy Talks"].description
    assert "Integrated Ecosystems: Example of Romania (Daniel Cosnita)" in part1
    assert (
        "Green Industrial Solutions – How Cluster Policy Can Support the Transformation Process (Lukas Nögel)" in part1
    )
    part2 = by_title["Session 2 – part 2: Strategy Talks"].description
    assert "Pôles de Compétitivité Label as a Facilitator for SMEs (Pauline Capus, Hervé Floch)" in part2
    assert "Improving Skills & HR competencies" in part2
    assert "European Monitor of Industrial Ecosystems (EMI)" in by_title[AGENDA_6_MAY[2][2]].description
    conclusions = store.exec(
        select(SessionSpeaker).where(SessionSpeaker.session_id == by_title["Conclusions and next steps"].id)
    ).all()
    assert [c.name for c in conclusions] == ["Marek Przeor"]


def test_no_html_entities_or_tags_left_in_agenda_text(store):
    for s in store.exec(select(Session)).all():
        for value in (s.title, s.description, s.chair):
            assert "&amp;" not in value and "<b>" not in value and "&#" not in value, value
    for r in store.exec(select(SessionSpeaker)).all():
        assert "&amp;" not in r.role + r.organisation


def test_every_person_named_in_the_seeds_is_an_attendee(store):
    for name, _role, _organisation, _title in SPEAKERS_6_MAY:
        person = attendee_named(store, name)
        assert person.category == "speaker"
        assert person.badge_code and len(person.badge_code) == 26
    for name, (organisation, category) in SEED_PEOPLE.items():
        person = attendee_named(store, name)
        assert (person.organisation, person.category) == (organisation, category), name
    kristina = attendee_named(store, "Kristina Šermukšnytė-Alešiūnienė")
    assert (kristina.role, kristina.country, kristina.email) == (
        "General Director",
        "LT",
        "kristina.sermuksnyte-alesiuniene@agrifood.example",
    )
    assert attendee_named(store, "Lukas Nögel").email == "lukas.noegel@vdivde-it.example"


def test_seed_speakers_also_speak_at_the_conference(store):
    closing = store.exec(
        select(Session).where(Session.title == "Green, digital and resilient through clusters: the way forward")
    ).one()
    panel = {r.name for r in store.exec(select(SessionSpeaker).where(SessionSpeaker.session_id == closing.id))}
    assert panel == {
        "Mariella Masselink",
        "Carolina Garcés",
        "Glenda Napier",
        "Kristina Šermukšnytė-Alešiūnienė",
        "Susana Remotti",
    }
    assert closing.chair == "Marek Przeor"


def test_about_700_attendees_from_26_countries_with_their_diacritics(store):
    people = store.exec(select(Attendee)).all()
    assert 680 <= len(people) <= 700
    countries = {p.country for p in people}
    assert len(countries) == 26
    assert countries >= {"LT", "PL", "CZ", "HU", "RO", "DE", "FR", "ES", "PT", "SE", "HR", "SI", "GR", "RS", "UA"}
    assert all(len(c) == 2 and c.isupper() for c in countries)
    accented = [p for p in people if any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", p.name))]
    assert len(accented) > 100
    names = " ".join(p.name.lower() for p in people)
    for language, letters in {
        "Polish": "ąćęłńśźż",
        "Czech": "ěřů",
        "Lithuanian": "ėįųū",
        "Hungarian": "őű",
        "Romanian": "ăâîșț",
        "Latvian": "āēīņļķ",
        "German": "äöüß",
        "Nordic": "øåæ",
        "Spanish": "ñ",
        "Portuguese": "ãõ",
        "Croatian and Serbian": "đ",
    }.items():
        assert any(letter in names for letter in letters), language
    assert len({p.email for p in people}) == len(people)
    assert all(p.email.isascii() and p.email.count("@") == 1 for p in people)
    assert all(p.email.endswith(".example") for p in people)
    assert len({p.badge_code for p in people}) == len(people)


def test_categories_match_the_seed_figures(store):
    counts = dict(store.exec(select(Attendee.category, func.count()).group_by(Attendee.category)).all())
    assert counts["speaker"] == 56
    assert counts["press"] == 10 and counts["staff"] == 15 and counts["organiser"] == 10
    assert counts["participant"] == sum(counts.values()) - 91


def test_every_speaker_speaks_and_nobody_is_on_two_stages_at_once(store):
    speakers = store.exec(select(Attendee).where(Attendee.category == "speaker")).all()
    rows = store.exec(select(SessionSpeaker, Session).join(Session, Session.id == SessionSpeaker.session_id)).all()
    assert {a.id for a in speakers} <= {r.attendee_id for r, _ in rows}
    by_person: dict[int, list[Session]] = {}
    for row, session in rows:
        by_person.setdefault(row.attendee_id, []).append(session)
    for sessions in by_person.values():
        sessions.sort(key=lambda s: s.start)
        for earlier, later in zip(sessions, sessions[1:]):
            assert earlier.end <= later.start or earlier.id == later.id, (earlier.title, later.title)


def test_conference_runs_three_tracks_in_parallel_rooms(store):
    rooms = {r.id: r for r in store.exec(select(Room)).all()}
    assert rooms and all(r.capacity for r in rooms.values())
    assert max(r.capacity for r in rooms.values() if r.name != "Foyer") == 700
    conference = sessions_of_day(store, date(2024, 5, 7)) + sessions_of_day(store, date(2024, 5, 8))
    assert {s.track for s in conference} >= {"Green Transition", "Digital Transition", "Resilience Building"}
    assert {s.type for s in conference} >= {
        "registration",
        "plenary",
        "talk",
        "panel",
        "break",
        "workshop",
        "matchmaking",
    }
    green = [s for s in conference if s.track == "Green Transition"]
    digital = {(s.start, rooms[s.room_id].name) for s in conference if s.track == "Digital Transition"}
    assert any(s.start in {start for start, _ in digital} for s in green)
    for s in conference:  # no room holds two sessions at once
        overlapping = [
            o for o in conference if o.room_id == s.room_id and o.id != s.id and o.start < s.end and s.start < o.end
        ]
        assert not overlapping, (s.title, [o.title for o in overlapping])
    assert all(time(8) <= local(s.start).time() and local(s.end).time() <= time(20) for s in conference)


def test_check_in_lists_for_entrance_session_rooms_and_matchmaking(store):
    lists = {c.name: c for c in store.exec(select(CheckinList)).all()}
    assert lists["Main entrance"].kind == "entrance"
    assert lists["Matchmaking area"].kind == "meetings"
    session_rooms = {
        store.get(Room, s.room_id).name
        for s in store.exec(select(Session)).all()
        if s.type not in ("registration", "break", "matchmaking")
    }
    for name in session_rooms:
        assert lists[name].kind == "room" and store.get(Room, lists[name].room_id).name == name


def test_170_people_meet_in_at_least_800_meetings_nobody_and_no_table_double_booked(store):
    meetings = store.exec(select(Meeting)).all()
    assert len(meetings) >= 800
    assert {m.state for m in meetings} == {"scheduled"}
    people = {m.attendee_a_id for m in meetings} | {m.attendee_b_id for m in meetings}
    assert len(people) == 170
    categories = {store.get(Attendee, i).category for i in people}
    assert categories == {"participant"}
    assert all(m.attendee_a_id != m.attendee_b_id for m in meetings)
    connection = store.connection()
    double_people = connection.execute(
        text(
            "SELECT slot_id, person, COUNT(*) FROM ("
            " SELECT slot_id, attendee_a_id AS person FROM meeting UNION ALL"
            " SELECT slot_id, attendee_b_id FROM meeting) GROUP BY slot_id, person HAVING COUNT(*) > 1"
        )
    ).all()
    assert double_people == []
    double_tables = connection.execute(
        text("SELECT slot_id, table_id FROM meeting GROUP BY slot_id, table_id HAVING COUNT(*) > 1")
    ).all()
    assert double_tables == []
    pairs = [frozenset((m.attendee_a_id, m.attendee_b_id)) for m in meetings]
    assert len(set(pairs)) == len(pairs)


def test_meeting_tables_slots_and_requests(store):
    numbers = sorted(t.number for t in store.exec(select(MeetingTable)).all())
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 40
    slots = store.exec(select(MeetingSlot).order_by(MeetingSlot.start)).all()
    assert all(local(s.start).date() == date(2024, 5, 8) for s in slots)
    assert {int((s.end - s.start).total_seconds()) for s in slots} == {20 * 60}
    assert all(a.end <= b.start for a, b in zip(slots, slots[1:]))
    requests = store.exec(select(MeetingRequest)).all()
    assert len(requests) >= 800
    meetings = {m.id: m for m in store.exec(select(Meeting)).all()}
    placed = [r for r in requests if r.meeting_id is not None]
    assert len(placed) == len(meetings)
    for r in placed:
        m = meetings[r.meeting_id]
        assert {r.attendee_a_id, r.attendee_b_id} == {m.attendee_a_id, m.attendee_b_id}
    assert all(r.unplaced_reason for r in requests if r.meeting_id is None)


def test_search_finds_kristina_by_her_name_with_or_without_accents(store):
    for query in ("Šermukšnytė", "sermuksnyte", "Kristina Alešiūnienė"):
        hits = search_attendees(store, query)
        assert [h.attendee.name for h in hits][:1] == ["Kristina Šermukšnytė-Alešiūnienė"], query


def test_same_seed_gives_the_same_people_and_codes(demo_db: str, tmp_path: Path):
    again = tmp_path / "again.db"
    create_demo(str(again), code_factory=seeded_code_factory(2024))

    def people(db: str):
        engine = make_engine(db, create=False)
        with DbSession(engine) as session:
            rows = [
                (a.first_name, a.last_name, a.organisation, a.email, a.country, a.category, a.badge_code)
                for a in session.exec(select(Attendee).order_by(Attendee.id))
            ]
            meetings = [
                (m.slot_id, m.table_id, m.attendee_a_id, m.attendee_b_id)
                for m in session.exec(select(Meeting).order_by(Meeting.id))
            ]
        engine.dispose()
        return rows, meetings

    assert people(demo_db) == people(str(again))
    assert plan_people(load_fixture()).everybody() == plan_people(load_fixture()).everybody()


def test_badge_codes_come_from_the_code_factory(tmp_path: Path):
    issued = []

    def factory() -> str:
        issued.append(seeded_code_factory(len(issued))())
        return issued[-1]

    path = tmp_path / "codes.db"
    create_demo(str(path), code_factory=factory)
    engine = make_engine(str(path), create=False)
    with DbSession(engine) as session:
        codes = {a.badge_code for a in session.exec(select(Attendee))}
    engine.dispose()
    assert codes == set(issued)


def test_database_file_is_private_and_demo_exists_says_so(tmp_path: Path):
    path = tmp_path / "private.db"
    assert demo_exists(str(path)) is False
    assert not path.exists()  # asking does not create the file
    create_demo(str(path), code_factory=seeded_code_factory(1))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert demo_exists(str(path)) is True
    with pytest.raises(EventError, match="already holds"):
        create_demo(str(path), code_factory=seeded_code_factory(1))


def test_demo_exists_is_false_for_an_empty_database(tmp_path: Path):
    path = tmp_path / "empty.db"
    make_engine(str(path)).dispose()  # an empty file, no tables
    assert demo_exists(str(path)) is False


def test_fixture_files_hold_26_countries_with_names_and_organisations():
    fixture = load_fixture()
    weights = fixture.config["people"]["country_weights"]
    assert set(fixture.names) == set(weights) == set(fixture.organisations)
    assert len(weights) == 26
    for country, names in fixture.names.items():
        assert len(names.female) >= 10 and len(names.male) >= 10 and len(names.surnames) >= 20, country
        for name in names.female + names.male + names.surnames:
            assert name == unicodedata.normalize("NFC", name) and name.strip() == name, (country, name)
        assert len(set(names.surnames)) == len(names.surnames), country
        assert len(fixture.organisations[country]) >= 5, country


def test_greedy_placement_never_double_books_and_places_what_fits():
    import random

    from eventdesk.services.demo import place_requests, plan_requests

    for tables, at_least in ((15, 110), (6, 60)):  # plenty of tables; tables the bottleneck (10 x 6)
        requests = plan_requests(random.Random(7), participants=30, count=120, max_per_person=8, topics=["x"])
        assert len(requests) == 120
        place_requests(requests, slots=10, tables=tables)
        placed = [r for r in requests if r.slot is not None]
        assert len(placed) >= at_least
        assert_not_double_booked(placed, tables)


def assert_not_double_booked(placed, tables: int) -> None:
    seen_people, seen_tables = set(), set()
    for r in placed:
        assert 1 <= r.table <= tables
        for key in ((r.slot, r.a), (r.slot, r.b)):
            assert key not in seen_people
            seen_people.add(key)
        assert (r.slot, r.table) not in seen_tables
        seen_tables.add((r.slot, r.table))
