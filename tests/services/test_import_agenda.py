"""Importing a programme into the store: counts and times of every real file, the event created
from the file, door lists per room, all-or-nothing refusals, re-import keeping on-site delays."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from eventdesk.services.context import open_context
from eventdesk.services.import_agenda import AgendaImportError, import_agenda, import_agenda_file
from eventdesk.store.models import Change, CheckinList, Event, Room, SessionSpeaker
from eventdesk.store.models import Session as ProgrammeSession

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"
BRUSSELS = ZoneInfo("Europe/Brussels")


def count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def agenda_version(engine) -> int:
    with Session(engine) as session:
        change = session.get(Change, "agenda")
        return change.version if change else 0


def session_titled(engine, title) -> ProgrammeSession:
    with Session(engine) as session:
        return session.exec(select(ProgrammeSession).where(ProgrammeSession.title == title)).one()


# file, --tz, sessions, rooms, days, (title, local start in the event's zone)
REAL_FILES = [
    ("schedules/fosdem-2026.xml", None, 883, 30, 2, ("Welcome to FOSDEM 2026", "2026-01-31 09:30")),
    ("schedules/fosdem-2007-pentabarf.xml", "Europe/Brussels", 215, 18, 2, ("Bacula", "2007-02-26 12:00")),
    ("schedules/pretalx-democon.schedule.json", None, 36, 2, 3, ("Focused 5thgeneration hardware", "2020-12-14 08:00")),
    ("schedules/frab-camp2019.schedule.json", None, 79, 2, 5, ("Achtung, Datenpannen!", "2019-08-22 23:00")),
    ("schedules/hub-schedule-v2.json", None, 2, 5, 4, ("38C3: Opening Ceremony", "2024-12-27 10:30")),
    ("ics/pyconuk-2015.ics", "Europe/London", 158, 11, 4, ("Opening Plenary", "2015-09-18 09:30")),
]


@pytest.mark.parametrize("name, tz, sessions, rooms, days, sample", REAL_FILES, ids=[r[0] for r in REAL_FILES])
def test_every_real_file_imports_into_a_new_database(realdata, tmp_path, name, tz, sessions, rooms, days, sample):
    db = str(tmp_path / "new.db")
    report = import_agenda_file(db, realdata / name, tz=tz)
    assert report.event_created
    assert (report.sessions_created, report.rooms, len(report.days)) == (sessions, rooms, days)
    context = open_context(db)
    assert count(context.engine, ProgrammeSession) == sessions
    assert count(context.engine, Room) == rooms
    event = context.event()
    assert (event.end_date - event.start_date).days + 1 == days
    zone = ZoneInfo(event.timezone)
    title, local_start = sample
    with Session(context.engine) as session:
        starts = [
            s.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            for s in session.exec(select(ProgrammeSession).where(ProgrammeSession.title == title))
        ]
    assert local_start in starts


def test_new_database_gets_the_event_entrance_and_a_door_list_per_room(realdata, tmp_path):
    db = str(tmp_path / "fosdem.db")
    import_agenda_file(db, realdata / "schedules" / "fosdem-2026.xml")
    context = open_context(db)
    event = context.event()
    assert (event.name, event.timezone) == ("FOSDEM 2026", "Europe/Brussels")
    assert (event.start_date.isoformat(), event.end_date.isoformat()) == ("2026-01-31", "2026-02-01")
    with Session(context.engine) as session:
        lists = session.exec(select(CheckinList)).all()
        rooms = session.exec(select(Room)).all()
    assert [lst.kind for lst in lists].count("entrance") == 1
    door_rooms = {lst.room_id for lst in lists if lst.kind == "room"}
    assert door_rooms == {room.id for room in rooms}
    welcome = session_titled(context.engine, "Welcome to FOSDEM 2026")
    assert welcome.start == datetime(2026, 1, 31, 8, 30, tzinfo=UTC)  # stored as UTC, aware
    assert welcome.source_ref == "9c3ebb8c-7716-5130-b9fe-ff8544f5636d"
    with Session(context.engine) as session:
        names = session.exec(select(SessionSpeaker.name).where(SessionSpeaker.session_id == welcome.id)).all()
    assert names == ["FOSDEM Staff"]
    assert agenda_version(context.engine) >= 1


def test_room_capacities_are_stored(realdata, tmp_path):
    db = str(tmp_path / "hub.db")
    import_agenda_file(db, realdata / "schedules" / "hub-schedule-v2.json")
    with Session(open_context(db).engine) as session:
        capacities = {room.name: room.capacity for room in session.exec(select(Room))}
    assert capacities["Saal 1"] == 3025 and capacities["Stage HUFF"] is None


def test_reimport_updates_sessions_and_keeps_what_was_recorded_on_site(tmp_db, tmp_path):
    context = open_context(tmp_db)
    source = tmp_path / "quirks.xml"
    shutil.copy(DATA / "quirks.xml", source)
    first = import_agenda(context, source)
    assert first.sessions_created == 4 and not first.event_created
    workshop = session_titled(context.engine, "Workshop with a folded title")
    started = datetime(2024, 8, 10, 8, 7, tzinfo=UTC)
    with context.session() as session:  # on site: a delay, the chair started it
        row = session.get(ProgrammeSession, workshop.id)
        row.shift_minutes, row.status, row.started_at, row.chair = 10, "running", started, "Zoë Chair"
        session.add(row)
    version = agenda_version(context.engine)

    changed = (
        source.read_text(encoding="utf-8")
        .replace("Workshop   with", "Hands-on workshop with")
        .replace(
            "<date>2024-08-10T10:00:00+02:00</date>\n        <start>10:00</start>",
            "<date>2024-08-10T10:30:00+02:00</date>\n        <start>10:30</start>",
        )
    )
    source.write_text(changed, encoding="utf-8")
    second = import_agenda(context, source)
    assert (second.sessions_created, second.sessions_updated, second.sessions_unchanged) == (0, 1, 3)
    assert count(context.engine, ProgrammeSession) == 4
    with Session(context.engine) as session:
        row = session.get(ProgrammeSession, workshop.id)
    assert row.title == "Hands-on workshop with a folded title"
    assert row.start == datetime(2024, 8, 10, 8, 30, tzinfo=UTC)
    assert (row.shift_minutes, row.status, row.started_at, row.chair) == (10, "running", started, "Zoë Chair")
    assert agenda_version(context.engine) == version + 1
    third = import_agenda(context, source)
    assert (third.sessions_created, third.sessions_updated, third.sessions_unchanged) == (0, 0, 4)
    assert count(context.engine, SessionSpeaker) == 2


def test_reimport_of_a_real_file_creates_no_duplicates(realdata, tmp_path):
    db = str(tmp_path / "camp.db")
    path = realdata / "schedules" / "frab-camp2019.schedule.json"
    import_agenda_file(db, path)
    again = import_agenda_file(db, path)
    assert not again.event_created
    assert (again.sessions_created, again.sessions_unchanged, again.rooms_created) == (0, 79, 0)
    engine = open_context(db).engine
    assert count(engine, ProgrammeSession) == 79
    assert count(engine, CheckinList) == 1 + 2  # the entrance and one door list per room


@pytest.mark.parametrize(
    "name", ["billion-laughs.xml", "external-entity.xml", "truncated.xml", "truncated.json", "bad-rows.csv"]
)
def test_a_bad_file_imports_nothing(tmp_db, name):
    context = open_context(tmp_db)
    version = agenda_version(context.engine)
    with pytest.raises(AgendaImportError, match="(?i)nothing was imported"):
        import_agenda(context, DATA / name)
    assert count(context.engine, ProgrammeSession) == 0
    assert count(context.engine, Room) == 0
    assert agenda_version(context.engine) == version


def test_a_bad_file_does_not_even_create_a_new_database(tmp_path):
    db = tmp_path / "never.db"
    with pytest.raises(AgendaImportError, match="line 3"):
        import_agenda_file(str(db), DATA / "billion-laughs.xml")
    assert not db.exists()


def test_a_file_without_zone_into_a_new_database_asks_for_tz(realdata, tmp_path):
    db = tmp_path / "pycon.db"
    with pytest.raises(AgendaImportError, match="--tz"):
        import_agenda_file(str(db), realdata / "ics" / "pyconuk-2015.ics")
    assert not db.exists()


def test_old_layout_into_an_existing_event_uses_its_zone_and_says_when_days_differ(realdata, tmp_db):
    context = open_context(tmp_db)  # Test Conference, Europe/Brussels, May 2024
    report = import_agenda(context, realdata / "schedules" / "fosdem-2007-pentabarf.xml")
    assert report.sessions_created == 215 and report.timezone == "Europe/Brussels"
    assert any("outside the event's dates" in w for w in report.warnings)
    aiglx = session_titled(context.engine, "AIGLX")
    assert aiglx.start.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2007-02-25 15:00"
    with Session(context.engine) as session:
        assert session.exec(select(Event)).one().name == "Test Conference"  # the event is not renamed


def test_csv_into_an_existing_event(tmp_db):
    context = open_context(tmp_db)
    report = import_agenda(context, DATA / "programme-bom-tab.tsv")
    assert report.format == "csv" and report.sessions_created == 3 and report.rooms_created == 2
    keynote = session_titled(context.engine, "Keynote")
    assert keynote.start.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2024-05-07 09:00"
    assert keynote.source_ref == "csv:S1"


def test_skipped_items_are_reported_with_reasons(tmp_db):
    report = import_agenda(open_context(tmp_db), DATA / "quirks.xml")
    assert report.skipped == {"duration 'soon' is not H:MM": 1}
    assert report.skipped_examples == ["event 102: duration 'soon' is not H:MM"]
    assert any("Skipped 1 item(s)" in line for line in report.lines())


def test_a_session_cancelled_in_a_later_export_is_marked_cancelled(tmp_db, tmp_path):
    context = open_context(tmp_db)
    source = tmp_path / "zoned.ics"
    original = (DATA / "zoned.ics").read_bytes()
    source.write_bytes(original)
    import_agenda(context, source)
    source.write_bytes(
        original.replace(b"UID:floating-2@example.org\r\n", b"UID:floating-2@example.org\r\nSTATUS:CANCELLED\r\n")
    )
    report = import_agenda(context, source)
    assert report.sessions_cancelled == 1 and report.sessions_not_in_file == 0
    assert session_titled(context.engine, "Floating time, read in the calendar zone").status == "cancelled"
    assert (
        session_titled(
            context.engine, "A title folded over two lines, as RFC 5545 allows for long content lines"
        ).status
        == "scheduled"
    )
