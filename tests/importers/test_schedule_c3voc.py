"""c3voc schedule.json v1 (pretalx, frab) and v2 (hub): real exports and hand-made quirks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventdesk.importers.c3voc_json import parse_c3voc_json
from eventdesk.importers.schedule_model import ScheduleFileError

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"
BERLIN = ZoneInfo("Europe/Berlin")


def load(realdata, name):
    return parse_c3voc_json((realdata / "schedules" / name).read_bytes(), name=name)


def by_title(schedule, title):
    [event] = [e for e in schedule.events if e.title == title]
    return event


def test_pretalx_democon_v1(realdata):
    schedule = load(realdata, "pretalx-democon.schedule.json")
    assert (schedule.title, schedule.timezone) == ("DemoCon", "UTC")
    assert len(schedule.events) == 36
    assert [r.name for r in schedule.rooms] == ["Gray Room", "Tan Room"]
    assert [d.isoformat() for d in schedule.days] == ["2020-12-14", "2020-12-15", "2020-12-16"]
    first = by_title(schedule, "Focused 5thgeneration hardware")
    # The file writes "2020-12-14T09:00:00+01:00" under time_zone_name "UTC": the written instant is
    # kept (08:00 UTC) and the disagreement is reported, not silently resolved.
    assert first.start.astimezone(UTC) == datetime(2020, 12, 14, 8, 0, tzinfo=UTC)
    assert first.duration == timedelta(minutes=30)
    assert first.room == "Gray Room" and first.key == "8079583e-8321-506c-95af-fd2903a5f075"
    assert [s.name for s in first.speakers] == ["Brian Robinson"]
    assert any("+01:00" in w and "UTC" in w for w in schedule.warnings)


def test_frab_camp2019_v1_with_a_session_past_midnight(realdata):
    schedule = load(realdata, "frab-camp2019.schedule.json")
    assert (schedule.title, schedule.timezone) == ("Chaos Communication Camp 2019", "Europe/Berlin")
    assert len(schedule.events) == 79
    assert [r.name for r in schedule.rooms] == ["Curie", "Meitner"]
    assert len(schedule.days) == 5 and schedule.days[0].isoformat() == "2019-08-21"
    opening = by_title(schedule, "Opening Ceremony")
    assert opening.start == datetime(2019, 8, 21, 11, 0, tzinfo=BERLIN)
    assert [s.name for s in opening.speakers] == ["jinxx", "smtw"]
    late = by_title(schedule, "Achtung, Datenpannen!")
    assert late.start == datetime(2019, 8, 22, 23, 0, tzinfo=BERLIN)
    assert late.end == datetime(2019, 8, 23, 0, 30, tzinfo=BERLIN)  # runs past midnight
    assert late.room == "Meitner" and late.key == "ed4b6c75-14f4-49fe-a11e-3762bd6b54e3"
    assert schedule.warnings == [] and schedule.skipped == []


def test_hub_v2_flat_events_and_room_capacities(realdata):
    schedule = load(realdata, "hub-schedule-v2.json")
    assert (schedule.title, schedule.timezone) == ("38C3", "Europe/Berlin")
    assert {r.name: r.capacity for r in schedule.rooms} == {
        "Saal 1": 3025,
        "Saal GLITCH": 1160,
        "Saal ZIGZAG": 965,
        "Stage HUFF": None,
        "Stage YELL": None,
    }
    assert len(schedule.events) == 2
    assert [d.isoformat() for d in schedule.days] == ["2024-12-27", "2024-12-28", "2024-12-29", "2024-12-30"]
    opening = by_title(schedule, "38C3: Opening Ceremony")
    assert opening.start == datetime(2024, 12, 27, 10, 30, tzinfo=BERLIN)
    assert opening.end == datetime(2024, 12, 27, 11, 0, tzinfo=BERLIN)
    assert opening.room == "Saal 1" and opening.type == "other"
    assert [s.name for s in opening.speakers] == ["Gabriela Bogk", "Aline Blankertz", "Senficon"]
    night = [e for e in schedule.events if e.key == "b1740c2f-0c44-5f1b-89ed-456a9eecf0b8"][0]
    assert night.start == datetime(2024, 12, 28, 0, 15, tzinfo=BERLIN)
    assert night.room == "Saal ZIGZAG" and night.track == "Hardware & Making"


def test_quirks_no_guid_night_start_withdrawn_and_missing_duration():
    schedule = parse_c3voc_json((DATA / "quirks-v1.json").read_bytes(), name="quirks-v1.json")
    assert {r.name: r.capacity for r in schedule.rooms} == {"Saal A": 250, "Saal B": None}
    assert [e.key for e in schedule.events] == ["c3voc:1", "c0ffee00-0000-0000-0000-000000000002"]
    first, night = schedule.events
    assert first.duration == timedelta(minutes=45) and [s.name for s in first.speakers] == ["Dana", "Eli"]
    assert night.start == datetime(2024, 5, 8, 2, 15, tzinfo=BERLIN)  # a night hour belongs to the next date
    assert schedule.skipped_by_reason() == {
        "marked withdrawn in the file": 1,
        "duration '' is not H:MM and no end is given": 1,
    }


def test_truncated_json_is_refused_with_its_line():
    with pytest.raises(ScheduleFileError, match=r"truncated.json .*line 9"):
        parse_c3voc_json((DATA / "truncated.json").read_bytes(), name="truncated.json")


def test_json_that_is_no_schedule_is_refused():
    with pytest.raises(ScheduleFileError, match="not a schedule.json"):
        parse_c3voc_json(b'{"attendees": []}', name="people.json")
