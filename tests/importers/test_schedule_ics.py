"""iCalendar programmes: PyCon UK 2015 (UTC times, folded lines, real gaps) and a zoned file."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventdesk.importers.ics import parse_ics
from eventdesk.importers.schedule_model import ScheduleFileError

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"
LONDON = ZoneInfo("Europe/London")
PARIS = ZoneInfo("Europe/Paris")


def test_pyconuk_2015(realdata):
    schedule = parse_ics((realdata / "ics" / "pyconuk-2015.ics").read_bytes(), name="pyconuk-2015.ics")
    assert schedule.title == "PyCon UK 2015 Schedule"
    assert schedule.timezone is None  # the file gives UTC instants and no zone name
    # 162 VEVENTs: four have an empty SUMMARY and are skipped with that reason.
    assert len(schedule.events) == 158
    assert schedule.skipped_by_reason() == Counter({"no SUMMARY (title)": 4})
    assert len(schedule.rooms) == 11
    assert [d.isoformat() for d in schedule.days] == ["2015-09-18", "2015-09-19", "2015-09-20", "2015-09-21"]
    [plenary] = [e for e in schedule.events if e.title == "Opening Plenary" and e.start.day == 18]
    # The printed programme says Friday 09:30 in Coventry; the file says 08:30Z.
    assert plenary.start.astimezone(LONDON).replace(tzinfo=None) == datetime(2015, 9, 18, 9, 30)
    assert plenary.duration == timedelta(hours=1) and plenary.room == "PythonAnywhere Room (CC1.3)"
    [social] = [e for e in schedule.events if e.title.startswith("The Friday Night Charity Social")]
    assert social.start.astimezone(LONDON).strftime("%a %H:%M") == "Fri 19:30"
    assert social.end == social.start  # no DTEND/DURATION: RFC 5545 says it ends when it starts
    assert any("neither DTEND nor DURATION" in w for w in schedule.warnings)
    # One UID is used by two different talks: both are kept, under distinct keys.
    assert len({e.key for e in schedule.events}) == 158
    assert any("repeat the guid" in w for w in schedule.warnings)
    keynote = [e for e in schedule.events if e.title.startswith("Keynote: Van Lindberg")][0]
    assert keynote.title == "Keynote: Van Lindberg, PSF Chair"  # "\," unescaped


def test_zoned_calendar_with_folded_lines_floating_time_and_skips():
    schedule = parse_ics((DATA / "zoned.ics").read_bytes(), name="zoned.ics")
    assert (schedule.title, schedule.timezone) == ("Zoned Calendar", "Europe/Paris")
    folded, floating = schedule.events
    assert folded.title == "A title folded over two lines, as RFC 5545 allows for long content lines"
    assert folded.start == datetime(2024, 5, 7, 9, 30, tzinfo=PARIS)
    assert folded.end == datetime(2024, 5, 7, 10, 15, tzinfo=PARIS)
    assert folded.room == "Amphi Turing" and folded.track == "Science"
    assert [s.name for s in folded.speakers] == ["Grace Hopper"]
    assert floating.start == datetime(2024, 5, 7, 14, 0, tzinfo=PARIS)  # floating: the calendar's zone
    assert floating.duration == timedelta(minutes=50)
    assert schedule.skipped_by_reason() == Counter(
        {"all-day entry (DTSTART is a date, no time)": 1, "STATUS:CANCELLED": 1}
    )


def test_truncated_calendar_is_refused(realdata):
    data = (realdata / "ics" / "pyconuk-2015.ics").read_bytes()
    with pytest.raises(ScheduleFileError, match="truncated"):
        parse_ics(data[: len(data) // 2], name="pyconuk-2015.ics")


def test_floating_times_without_any_zone_are_refused():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240507T090000\r\n"
        b"DTEND:20240507T100000\r\nSUMMARY:Floating\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(ScheduleFileError, match="--tz"):
        parse_ics(data, name="floating.ics")
    schedule = parse_ics(data, name="floating.ics", default_zone="Europe/London")
    assert schedule.events[0].start == datetime(2024, 5, 7, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize("line", [b"DTSTART:20240507T093000Z", b"DTEND:20240507T110000Z"])
def test_a_duplicated_time_line_is_refused_by_event_and_property(line):
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240507T090000Z\r\n"
        b"DTEND:20240507T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Twice\r\n" + line + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    name = line.split(b":")[0].decode()
    with pytest.raises(ScheduleFileError, match=f"event 1 cannot be read: {name} appears 2 times"):
        parse_ics(data, name="twice.ics")
