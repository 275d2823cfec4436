"""Spreadsheet programmes: lenient headers, encodings and delimiters; a bad row refuses the file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventdesk.importers.schedule_csv import parse_schedule_csv
from eventdesk.importers.schedule_model import ScheduleFileError, parse_duration

DATA = Path(__file__).resolve().parents[1] / "data" / "schedules"
BRUSSELS = ZoneInfo("Europe/Brussels")


def parse(data: bytes, zone: str | None = "Europe/Brussels"):
    return parse_schedule_csv(data, name="programme.csv", default_zone=zone)


def test_tab_separated_with_bom_ids_durations_and_speakers():
    schedule = parse((DATA / "programme-bom-tab.tsv").read_bytes())
    assert [e.key for e in schedule.events] == ["csv:S1", "csv:S2", "csv:S3"]
    keynote, panel, hackathon = schedule.events
    assert keynote.start == datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS)
    assert keynote.duration == timedelta(minutes=45)  # "45": minutes
    assert panel.duration == timedelta(hours=1, minutes=30)  # "1:30"
    assert hackathon.duration == timedelta(hours=4)  # "4:00"
    assert [s.name for s in keynote.speakers] == ["Ana Lima", "Bo Chen"]
    assert [s.name for s in panel.speakers] == ["Carla Diaz", "Dev Rao"]
    assert keynote.track == "Main" and hackathon.room == "Hall 2"
    assert [d.isoformat() for d in schedule.days] == ["2024-05-07", "2024-05-08"]


def test_windows_1252_semicolons_french_headers_and_day_first_dates():
    schedule = parse((DATA / "programme-cp1252-semicolon.csv").read_bytes())
    assert any("cp1252" in w for w in schedule.warnings)
    coffee, opening, night = schedule.events
    assert coffee.title == "Café et croissants" and coffee.room == "Amphi A"
    assert coffee.start == datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS)  # 07/05: 13/05 shows days come first
    assert [s.name for s in opening.speakers] == ["Renée Dupont", "José García"]
    assert night.start == datetime(2024, 5, 13, 23, 30, tzinfo=BRUSSELS)
    assert night.end == datetime(2024, 5, 14, 0, 15, tzinfo=BRUSSELS)  # an end before the start: past midnight


def test_bad_rows_refuse_the_whole_file_naming_each_line():
    with pytest.raises(ScheduleFileError) as caught:
        parse((DATA / "bad-rows.csv").read_bytes())
    message = str(caught.value)
    assert "line 3" in message and "before the start" in message
    assert "line 4" in message and "'tomorrow'" in message
    assert "nothing was imported" in message


def test_ambiguous_slash_dates_are_refused_not_guessed():
    data = b"room,start,end,title\nA,05/06/2024 09:00,05/06/2024 10:00,Talk\n"
    with pytest.raises(ScheduleFileError, match=r"line 2: .*day/month or month/day"):
        parse(data)


def test_a_missing_column_is_named_with_the_columns_found():
    with pytest.raises(ScheduleFileError, match=r"no column for end or duration. Columns found: room, start, title"):
        parse(b"room,start,title\nA,2024-05-07 09:00,Talk\n")


def test_a_csv_needs_a_time_zone():
    with pytest.raises(ScheduleFileError, match="--tz"):
        parse(b"room,start,duration,title\nA,2024-05-07 09:00,30,Talk\n", zone=None)


def test_times_with_an_offset_keep_it():
    schedule = parse(b"room,start,end,title\nA,2024-05-07T07:00:00Z,2024-05-07T08:00:00Z,Talk\n")
    assert schedule.events[0].start.astimezone(BRUSSELS).strftime("%H:%M") == "09:00"


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("00:45", 45),
        ("0:45", 45),
        ("4:00", 240),
        ("1:30:00", 90),
        ("PT1H30M", 90),
        ("PT45M", 45),
    ],
)
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["soon", "", "1:75", "-0:30"])
def test_not_durations(text):
    assert parse_duration(text) is None


from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_names = (
    st.text(
        alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)
_rows = st.lists(
    st.tuples(_names, _names, st.integers(0, 60 * 24 * 3 - 1), st.integers(5, 300)), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None)
@given(
    rows=_rows, delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])
)
def test_whatever_a_spreadsheet_writes_reads_back(rows, delimiter, encoding):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["ID", "Room", "Start", "Duration (min)", "Title"])
    base = datetime(2024, 5, 7, 0, 0)
    for number, (room, title, minute, length) in enumerate(rows):
        writer.writerow([f"R{number}", room, f"{base + timedelta(minutes=minute):%Y-%m-%d %H:%M}", length, title])
    data = out.getvalue().encode(encoding)
    if encoding == "cp1252":  # bytes that also read as UTF-8 ("Ã©" is "é") are ambiguous by nature
        try:
            assume(data.decode("utf-8") == out.getvalue())
        except UnicodeDecodeError:
            pass
    schedule = parse(data)
    assert len(schedule.events) == len(rows)
    for event, (room, title, minute, length) in zip(schedule.events, rows):
        assert (event.room, event.title) == (room, title)
        assert event.start == (base + timedelta(minutes=minute)).replace(tzinfo=BRUSSELS)
        assert event.duration == timedelta(minutes=length)
