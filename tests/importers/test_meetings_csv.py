"""Reading CSV files of meetings and of meeting requests; a bad row names its line."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from meetings_sample import MEETINGS_CSV

from eventdesk.importers.meetings_csv import MEETINGS, REQUESTS, MeetingsFileError, read_meetings_csv

BRUSSELS = ZoneInfo("Europe/Brussels")


def read(text: str, encoding: str = "utf-8", day: date | None = None):
    return read_meetings_csv(text.encode(encoding), BRUSSELS, day)


def test_sample_file_of_meetings():
    parsed = read_meetings_csv(MEETINGS_CSV, BRUSSELS)
    assert parsed.kind == MEETINGS
    assert len(parsed.rows) == 7
    first = parsed.rows[0]
    assert (first.line, first.table, first.a, first.b) == (2, 1, "ana@example.eu", "BEN0000000000000000000000B")
    assert first.start == datetime(2024, 5, 8, 10, 0, tzinfo=BRUSSELS)
    assert first.notes == "topic: Hydrogen valleys"
    assert parsed.rows[-1].notes == 'topic: Photonics "Lab" [2]'


def test_requests_file_has_no_times():
    parsed = read("Requester;Partner;Why\nana@example.eu;ben@example.eu;batteries\n\nc@x.eu;d@x.eu;\n")
    assert parsed.kind == REQUESTS
    assert [(r.line, r.a, r.b, r.notes) for r in parsed.rows] == [
        (2, "ana@example.eu", "ben@example.eu", "Why: batteries"),
        (4, "c@x.eu", "d@x.eu", ""),
    ]
    assert all(r.start is None and r.table is None for r in parsed.rows)


def test_cp1252_semicolons_times_with_a_date_column_and_table_labels():
    text = "Date;Time;End time;Table;Participant A;Participant B;Note\n08/05/2024;10:30;10:50;Table 12;a@x.eu;b@x.eu;Café\n"
    row = read(text, "cp1252").rows[0]
    assert row.start == datetime(2024, 5, 8, 10, 30, tzinfo=BRUSSELS)
    assert row.end == datetime(2024, 5, 8, 10, 50, tzinfo=BRUSSELS)
    assert row.table == 12 and row.notes == "Note: Café"


def test_a_bare_time_takes_the_given_day():
    row = read("start,table,a,b\n09:15,3,a@x.eu,b@x.eu\n", day=date(2024, 5, 8)).rows[0]
    assert row.start == datetime(2024, 5, 8, 9, 15, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "start,table,a,b\n2024-05-08 10:00,1,a@x.eu,b@x.eu\n2024-05-08 10:00,1,c@x.eu,d@x.eu\n",
            3,
            "table 1 at 10:00 is already used on line 2",
        ),
        ("start,table,a,b\n2024-05-08 10:00,1,a@x.eu,b@x.eu\nsoon,2,c@x.eu,d@x.eu\n", 3, "is not a date and time"),
        ("start,table,a,b\n2024-05-08 10:00,one,a@x.eu,b@x.eu\n", 2, "is not a table number"),
        ("start,table,a,b\n2024-05-08 10:00,1,a@x.eu,\n", 2, "participant B is empty"),
        ("a,b\nx@x.eu,X@x.eu\n", 2, "are the same"),
        (
            'start,table,a,b\n2024-05-08 10:00,1,a@x.eu,b@x.eu\n"2024-05-08 11:00","2","c@x\neu",d\n'
            "2024-05-08 12:00,1,e,e\n",
            5,
            "are the same",
        ),
    ],
)
def test_bad_rows_name_their_line(text, line, words):
    with pytest.raises(MeetingsFileError) as caught:
        read(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("name,organisation\nAna,X\n", "No column for participant A and participant B"),
        ("start,a,b\n2024-05-08 10:00,a@x.eu,b@x.eu\n", "needs both a slot start and a table"),
        ("a,b\n", "no rows"),
    ],
)
def test_unusable_files_say_what_to_do(text, words):
    with pytest.raises(MeetingsFileError, match=words):
        read(text)
