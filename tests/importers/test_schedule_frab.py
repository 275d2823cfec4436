"""frab / Pentabarf schedule.xml: real FOSDEM exports (new and old layout) and hand-made quirks."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventdesk.importers.frab_xml import parse_frab_xml
from eventdesk.importers.schedule_model import ScheduleFileError

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"
BRUSSELS = ZoneInfo("Europe/Brussels")


def by_title(schedule, title):
    [event] = [e for e in schedule.events if e.title == title]
    return event


def test_fosdem_2026_counts_and_times(realdata):
    schedule = parse_frab_xml((realdata / "schedules" / "fosdem-2026.xml").read_bytes(), name="fosdem-2026.xml")
    assert schedule.title == "FOSDEM 2026"
    assert schedule.timezone == "Europe/Brussels"
    assert len(schedule.events) == 883
    assert len(schedule.rooms) == 30
    assert [d.isoformat() for d in schedule.days] == ["2026-01-31", "2026-02-01"]
    assert schedule.skipped == []
    welcome = by_title(schedule, "Welcome to FOSDEM 2026")
    assert welcome.start.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 1, 31, 9, 30)
    assert welcome.duration == timedelta(minutes=20)
    assert welcome.room == "Janson"
    assert welcome.key == "9c3ebb8c-7716-5130-b9fe-ff8544f5636d"
    assert [s.name for s in welcome.speakers] == ["FOSDEM Staff"]
    assert welcome.type == "maintrack" and welcome.track == "Main Track"
    [sunday] = [e for e in schedule.events if e.key == "e4f532c2-ab4f-5f47-a75f-dd785cddbe2b"]  # id 7772
    assert sunday.start.astimezone(BRUSSELS).replace(tzinfo=None) == datetime(2026, 2, 1, 17, 0)
    assert sunday.duration == timedelta(minutes=50) and sunday.room == "Janson"
    closing = [e for e in schedule.events if e.title.lower().startswith("closing fosdem")]
    assert closing and closing[0].start.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") == "2026-02-01 17:50"
    assert len({e.key for e in schedule.events}) == 883


def test_fosdem_2007_old_layout_reads_local_times_in_the_given_zone(realdata):
    data = (realdata / "schedules" / "fosdem-2007-pentabarf.xml").read_bytes()
    schedule = parse_frab_xml(data, name="fosdem-2007.xml", default_zone="Europe/Brussels")
    assert schedule.timezone is None  # the file names none; the zone came from outside
    assert len(schedule.events) == 215
    assert len(schedule.rooms) == 18
    assert [d.isoformat() for d in schedule.days] == ["2007-02-25", "2007-02-26"]
    aiglx = by_title(schedule, "AIGLX")
    assert aiglx.start == datetime(2007, 2, 25, 15, 0, tzinfo=BRUSSELS)
    assert aiglx.duration == timedelta(minutes=45)
    assert aiglx.room == "Chavanne" and aiglx.key == "frab:0"
    assert [s.name for s in aiglx.speakers] == ["Kristian Høgsberg"]
    assert "<p>" not in aiglx.description and "AIGLX" in aiglx.description
    bacula = by_title(schedule, "Bacula")
    assert bacula.start == datetime(2007, 2, 26, 12, 0, tzinfo=BRUSSELS) and bacula.room == "Janson"


def test_old_layout_without_a_zone_is_refused_rather_than_guessed(realdata):
    data = (realdata / "schedules" / "fosdem-2007-pentabarf.xml").read_bytes()
    with pytest.raises(ScheduleFileError, match="--tz"):
        parse_frab_xml(data, name="fosdem-2007.xml")


def test_quirks_four_hour_duration_duplicate_ids_and_past_midnight():
    schedule = parse_frab_xml((DATA / "quirks.xml").read_bytes(), name="quirks.xml")
    assert schedule.title == "Quirks Camp 2024" and schedule.venue == "Field, Ghent"
    assert len(schedule.events) == 4
    assert [(i.where, i.reason) for i in schedule.skipped] == [("event 102", "duration 'soon' is not H:MM")]
    workshop = schedule.events[0]
    assert workshop.title == "Workshop with a folded title"
    assert workshop.duration == timedelta(hours=4)  # written "4:00"
    assert workshop.room == "Tent & Stage"
    assert workshop.description == "Bring tools."
    assert [s.name for s in workshop.speakers] == ["Ann Ó Briain", "Bea"]
    same_id = schedule.events[1]
    assert same_id.event_id == workshop.event_id == "100"
    assert same_id.key != workshop.key  # the guids tell them apart
    assert same_id.end.astimezone(BRUSSELS) == datetime(2024, 8, 11, 0, 45, tzinfo=BRUSSELS)
    night = by_title(schedule, "After midnight without a date element")
    assert night.start == datetime(2024, 8, 11, 1, 30, tzinfo=BRUSSELS)  # before day_change: the next date
    utc = by_title(schedule, "Given in UTC")
    assert utc.start.astimezone(BRUSSELS).strftime("%H:%M") == "21:00"
    assert schedule.warnings == []  # 19:00Z is the 21:00 its <start> says


def test_repeated_ids_without_guids_get_distinct_keys_and_a_warning():
    schedule = parse_frab_xml(
        (DATA / "old-layout-dup-ids.xml").read_bytes(), name="old.xml", default_zone="Europe/Brussels"
    )
    keys = [e.key for e in schedule.events]
    assert len(set(keys)) == 3
    assert keys[2] == "frab:6"
    assert keys[0].startswith("frab:5@") and keys[1].startswith("frab:5@")
    assert any("share their id" in w for w in schedule.warnings)
    assert schedule.events[2].duration == timedelta(hours=1)  # "1:00"


@pytest.mark.parametrize("name, entity", [("billion-laughs.xml", "'lol'"), ("external-entity.xml", "/etc/passwd")])
def test_hostile_xml_is_refused_naming_the_problem_and_line(name, entity):
    with pytest.raises(ScheduleFileError) as caught:
        parse_frab_xml((DATA / name).read_bytes(), name=name)
    message = str(caught.value)
    assert name in message and entity in message and "line 3" in message
    assert "Nothing was imported" in message


def test_truncated_xml_is_refused_with_its_line():
    with pytest.raises(ScheduleFileError, match=r"truncated.*line 18"):
        parse_frab_xml((DATA / "truncated.xml").read_bytes(), name="truncated.xml")


def test_a_real_export_cut_in_the_middle_is_refused(realdata):
    data = (realdata / "schedules" / "fosdem-2026.xml").read_bytes()
    with pytest.raises(ScheduleFileError, match="cut off"):
        parse_frab_xml(data[: len(data) // 2], name="fosdem-2026.xml")


def test_other_xml_is_not_taken_for_a_schedule():
    with pytest.raises(ScheduleFileError, match="<html>"):
        parse_frab_xml(b"<html><body>Schedule</body></html>", name="page.xml")
