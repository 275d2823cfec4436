"""CSV of meetings (slot start, table, participant A and B) or of meeting requests (just A and B).

People are named by e-mail or badge code; the service resolves them. Columns this module does not
know are kept, as "header: value" notes on the meeting. Reading is all or nothing: the first bad
row raises ``MeetingsFileError`` naming its line, and nothing is imported.

Recognised headers (case, accents, spaces and punctuation ignored):

- slot start: ``slot``, ``start``, ``slot start``, ``time``, ``start time``, ``datetime``
  (a date and time, or a time with a separate ``date`` column or the day given by the caller);
- slot end (optional): ``end``, ``slot end``, ``end time``;
- table: ``table``, ``table number``, ``table no``;
- participants: ``participant a`` / ``participant b``, ``a`` / ``b``, ``person a`` / ``person b``,
  ``email a`` / ``email b``, ``code a`` / ``code b``, ``requester`` / ``partner`` ...
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from eventdesk.domain.text import fold
from eventdesk.importers.csv_text import UndecodableText, decode_text, sniff_delimiter

MEETINGS = "meetings"
REQUESTS = "requests"

_ALIASES = {
    "start": {
        "slot",
        "start",
        "slot_start",
        "slot_time",
        "time",
        "start_time",
        "starts",
        "begin",
        "datetime",
        "date_time",
        "start_datetime",
        "meeting_start",
        "meeting_time",
    },
    "end": {"end", "slot_end", "end_time", "ends", "meeting_end"},
    "date": {"date", "day", "slot_date", "meeting_date"},
    "table": {"table", "table_number", "table_no", "table_nr", "tableno", "table_id", "meeting_table"},
    "a": {
        "a",
        "participant_a",
        "person_a",
        "attendee_a",
        "email_a",
        "code_a",
        "badge_a",
        "badge_code_a",
        "participant_1",
        "participant1",
        "person_1",
        "requester",
        "requester_email",
        "from",
    },
    "b": {
        "b",
        "participant_b",
        "person_b",
        "attendee_b",
        "email_b",
        "code_b",
        "badge_b",
        "badge_code_b",
        "participant_2",
        "participant2",
        "person_2",
        "partner",
        "partner_email",
        "requested",
        "to",
    },
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")


class MeetingsFileError(Exception):
    """A file that cannot be imported; ``line`` is the 1-based line of the bad row (if any)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


@dataclass(frozen=True)
class MeetingRow:
    line: int
    a: str  # e-mail or badge code, as written
    b: str
    start: datetime | None = None  # timezone-aware; None in a file of requests
    end: datetime | None = None
    table: int | None = None
    notes: str = ""


@dataclass
class MeetingsFile:
    kind: str  # MEETINGS or REQUESTS
    rows: list[MeetingRow] = field(default_factory=list)


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header)).strip("_")


def read_meetings_csv(source: str | Path | bytes, zone: ZoneInfo, day: date | None = None) -> MeetingsFile:
    """Parse ``source`` (a path, or the file's bytes). Naive times are read in ``zone``; a time
    without a date takes the ``date`` column, else ``day``."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        text, _encoding = decode_text(data)
    except UndecodableText as error:
        raise MeetingsFileError(str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    try:
        headers = next(reader)
    except StopIteration:
        raise MeetingsFileError("The file is empty; it needs a header line and one row per meeting.") from None
    columns: dict[str, int] = {}
    extras: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        key = _header_key(header)
        role = next((r for r, names in _ALIASES.items() if key in names), None)
        if role is not None and role not in columns:
            columns[role] = index
        elif header.strip():
            extras.append((index, header.strip()))
    missing = [label for role, label in (("a", "participant A"), ("b", "participant B")) if role not in columns]
    if missing:
        raise MeetingsFileError(
            f"No column for {' and '.join(missing)} in the header line ({', '.join(h for h in headers if h)}); "
            "name them e.g. 'participant_a' and 'participant_b' (an e-mail or a badge code each).",
            1,
        )
    has_start, has_table = "start" in columns, "table" in columns
    if has_start != has_table:
        raise MeetingsFileError(
            "A file of meetings needs both a slot start and a table column; a file of requests has neither.", 1
        )
    kind = MEETINGS if has_start else REQUESTS
    result = MeetingsFile(kind)
    seen_tables: dict[tuple[datetime, int], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        row = _row(cells, line, columns, extras, kind, zone, day)
        if row.table is not None and row.start is not None:
            first = seen_tables.setdefault((row.start, row.table), line)
            if first != line:
                raise MeetingsFileError(
                    f"table {row.table} at {row.start.astimezone(zone):%H:%M} is already used on line {first}.", line
                )
        result.rows.append(row)
    if not result.rows:
        raise MeetingsFileError("The file has a header but no rows.")
    return result


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _row(cells, line, columns, extras, kind, zone, day) -> MeetingRow:
    a, b = _cell(cells, columns["a"]), _cell(cells, columns["b"])
    for value, label in ((a, "participant A"), (b, "participant B")):
        if not value:
            raise MeetingsFileError(f"{label} is empty; give an e-mail or a badge code.", line)
    if a.casefold() == b.casefold():
        raise MeetingsFileError(f"participant A and B are the same ({a}).", line)
    notes = "; ".join(f"{header}: {_cell(cells, i)}" for i, header in extras if _cell(cells, i))
    if kind == REQUESTS:
        return MeetingRow(line, a, b, notes=notes)
    date_text = _cell(cells, columns.get("date"))
    start = _moment(_cell(cells, columns["start"]), date_text, zone, day, line, "slot start")
    end_text = _cell(cells, columns.get("end"))
    end = (
        _moment(end_text, date_text or start.astimezone(zone).date().isoformat(), zone, day, line, "slot end")
        if end_text
        else None
    )
    if end is not None and end <= start:
        raise MeetingsFileError(f"the slot ends ({end_text}) before it starts.", line)
    table_text = _cell(cells, columns["table"])
    digits = re.fullmatch(r"\D{0,12}?(\d{1,5})", table_text)
    if not digits:
        raise MeetingsFileError(f"table '{table_text}' is not a table number.", line)
    return MeetingRow(line, a, b, start, end, int(digits.group(1)), notes)


def _moment(text: str, date_text: str, zone: ZoneInfo, day: date | None, line: int, label: str) -> datetime:
    if not text:
        raise MeetingsFileError(f"{label} is empty.", line)
    try:
        moment: datetime | None = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _day_and_time(text, date_text, day)
    if moment is None:
        raise MeetingsFileError(
            f"{label} '{text}' is not a date and time; write it like 2024-05-08 10:30 (or a time with a date column).",
            line,
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _day_and_time(text: str, date_text: str, day: date | None) -> datetime | None:
    parts = text.split()
    if len(parts) == 2:
        found_day, found_time = _parse_date(parts[0]), _parse_time(parts[1])
    else:
        found_day, found_time = (_parse_date(date_text) if date_text else day), _parse_time(text)
    if found_day is None or found_time is None:
        return None
    return datetime.combine(found_day, found_time)


def _parse_date(text: str) -> date | None:
    found = _first_format(text, _DATE_FORMATS)
    return found.date() if found else None


def _parse_time(text: str) -> time | None:
    found = _first_format(text, _TIME_FORMATS)
    return found.time() if found else None


def _first_format(text: str, formats: tuple[str, ...]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
