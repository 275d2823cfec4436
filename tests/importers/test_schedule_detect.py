"""Telling the schedule formats apart by their first bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventdesk.importers.detect import detect_format
from eventdesk.importers.schedule_model import ScheduleFileError


@pytest.mark.parametrize(
    "name, head, fmt",
    [
        ("schedule.xml", b'<?xml version="1.0"?>\n<schedule>', "frab"),
        ("export", b"\xef\xbb\xbf  <schedule>", "frab"),
        ("schedule.json", b'{"schedule": {}}', "c3voc"),
        ("programme.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0", "ics"),
        ("programme.txt", b"room;start;end;title\n", "csv"),
        ("programme", b"room\tstart\tduration\ttitle\n", "csv"),
    ],
)
def test_detects(name, head, fmt):
    assert detect_format(Path(name), head) == fmt


def test_unknown_content_asks_for_the_format():
    with pytest.raises(ScheduleFileError, match="--format"):
        detect_format(Path("mystery.bin"), b"\x89PNG\r\n")
