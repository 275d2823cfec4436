"""Which schedule format a file is, from its first bytes (the name only breaks ties)."""

from __future__ import annotations

from pathlib import Path

from eventdesk.importers.schedule_model import ScheduleFileError

FORMATS = ("frab", "c3voc", "ics", "csv")


def detect_format(path: Path, head: bytes) -> str:
    """``frab`` (schedule.xml), ``c3voc`` (schedule.json), ``ics`` or ``csv``."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    suffix = path.suffix.lower()
    if text.startswith(b"<"):
        return "frab"
    if text.startswith((b"{", b"[")):
        return "c3voc"
    if text[:15].upper() == b"BEGIN:VCALENDAR":
        return "ics"
    if suffix in (".csv", ".tsv", ".txt") or any(d in text.split(b"\n", 1)[0] for d in (b",", b";", b"\t")):
        return "csv"
    raise ScheduleFileError(
        f"Cannot tell what kind of schedule {path.name} is (not XML, JSON, iCalendar or CSV); "
        "name the format with --format frab|c3voc|ics|csv."
    )
