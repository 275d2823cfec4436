"""A programme kept in a spreadsheet: one row per session with room, start, end or duration,
title and speakers. Header names are matched leniently ("Start time", "Beginn", "Salle", ...);
UTF-8 (with or without BOM) or Windows-1252; comma, semicolon or tab.

A hand-made file with a bad row is refused as a whole, naming the lines to fix: importing the
rest would leave a programme that looks complete but is not. Without an id column, a row is
matched on re-import by room, start and title (a row whose time changed becomes a new session)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

from eventdesk.domain.text import fold
from eventdesk.importers.csv_text import UndecodableText, decode_text, sniff_delimiter
from eventdesk.importers.schedule_model import (
    ParsedEvent,
    ParsedSchedule,
    ParsedSpeaker,
    ScheduleFileError,
    event_type,
    local_moment,
    no_zone,
    one_line,
    parse_clock,
    parse_duration,
    parse_iso,
    unique_keys,
    zone_or_none,
)

# Folded header (letters and digits only) -> field.
HEADERS = {
    "room": ("room", "location", "venue", "hall", "stage", "salle", "raum", "saal", "sala", "roomname"),
    "date": ("date", "day", "datum", "jour", "fecha"),
    "start": (
        "start",
        "starts",
        "starttime",
        "startdate",
        "startdatetime",
        "begin",
        "begins",
        "beginn",
        "from",
        "time",
        "debut",
        "heure",
        "dtstart",
        "startat",
    ),
    "end": (
        "end",
        "ends",
        "endtime",
        "enddate",
        "enddatetime",
        "finish",
        "until",
        "to",
        "ende",
        "fin",
        "dtend",
        "endat",
    ),
    "duration": ("duration", "length", "minutes", "mins", "durationminutes", "durationmin", "dauer", "duree"),
    "title": (
        "title",
        "session",
        "sessiontitle",
        "talk",
        "talktitle",
        "name",
        "summary",
        "subject",
        "titel",
        "titre",
        "event",
    ),
    "speakers": (
        "speakers",
        "speaker",
        "presenters",
        "presenter",
        "persons",
        "people",
        "speakernames",
        "referenten",
        "intervenants",
        "moderator",
    ),
    "track": ("track", "stream", "theme", "topic", "category"),
    "type": ("type", "kind", "format", "sessiontype"),
    "id": ("id", "guid", "uid", "ref", "reference", "sessionid", "code", "key"),
    "description": ("description", "abstract", "summarytext", "details", "notes"),
}
_LOOKUP = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
MAX_ERRORS_SHOWN = 10


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text or ""))


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding it was read with (the shared CSV reading rules)."""
    try:
        return decode_text(data)
    except UndecodableText as error:
        raise ScheduleFileError(f"{name}: {error} Nothing was imported.") from None


def parse_schedule_csv(data: bytes, *, name: str = "the file", default_zone: str | None = None) -> ParsedSchedule:
    text, encoding = decode(data, name)
    delimiter = sniff_delimiter(next((line for line in text.splitlines() if line.strip()), ""))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ScheduleFileError(f"{name} is not readable CSV: {error} (line {reader.line_num}).") from None
    header_index = next((i for i, row in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if header_index is None:
        raise ScheduleFileError(f"{name} is empty.")
    columns: dict[str, int] = {}
    for position, heading in enumerate(rows[header_index]):
        field = _LOOKUP.get(_header_key(heading))
        if field and field not in columns:
            columns[field] = position
    missing = [f for f in ("title", "start") if f not in columns]
    if "end" not in columns and "duration" not in columns:
        missing.append("end or duration")
    if missing:
        raise ScheduleFileError(
            f"{name}: the header row (line {header_index + 1}) has no column for {', '.join(missing)}. "
            f"Columns found: {', '.join(h.strip() for h in rows[header_index] if h.strip()) or 'none'}. "
            "Name them e.g. room, start, end (or duration in minutes), title, speakers."
        )
    zone = zone_or_none(default_zone)
    if zone is None:
        raise no_zone(name)
    schedule = ParsedSchedule(format="csv")
    if not encoding.startswith("UTF-8"):
        schedule.warnings.append(f"the file is not UTF-8; it was read as {encoding}")
    data_rows = [(number, row) for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2)]
    day_first = _slash_date_order(data_rows, columns, name)
    errors: list[str] = []
    for line, row in data_rows:
        if not any(cell.strip() for cell in row):
            continue  # blank lines are layout, not sessions
        try:
            schedule.events.append(_row_event(row, columns, zone, day_first))
        except ValueError as error:
            errors.append(f"line {line}: {error}")
    if errors:
        shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise ScheduleFileError(
            f"{name} has {len(errors)} row(s) that cannot be read: {shown}{more}. "
            "Fix them and import again; nothing was imported."
        )
    unique_keys(schedule, "csv")
    return schedule.finish()


def _cell(row: list[str], columns: dict[str, int], field: str) -> str:
    position = columns.get(field)
    if position is None or position >= len(row):
        return ""
    return row[position].strip()


def _row_event(row: list[str], columns: dict[str, int], zone, day_first: bool | None) -> ParsedEvent:
    title = one_line(_cell(row, columns, "title"))
    if not title:
        raise ValueError("the title is empty")
    day = _cell(row, columns, "date")
    start = _moment(_cell(row, columns, "start"), day, zone, day_first, "start")
    end_text = _cell(row, columns, "end")
    duration_text = _cell(row, columns, "duration")
    if end_text:
        end = _moment(end_text, day or start.astimezone(zone).date().isoformat(), zone, day_first, "end", anchor=start)
    elif duration_text:
        duration = parse_duration(duration_text, bare_minutes=True)
        if duration is None:
            raise ValueError(f"duration '{duration_text}' is not minutes (45) or H:MM (0:45)")
        end = start + duration
    else:
        raise ValueError("neither end nor duration is given")
    if end < start:
        raise ValueError(f"the end {end:%H:%M} is before the start {start:%H:%M}")
    speakers_text = _cell(row, columns, "speakers")
    separators = r"[;|\n]" if re.search(r"[;|\n]", speakers_text) else r",|\s&\s|\s+and\s+"
    speakers = [ParsedSpeaker(one_line(n)) for n in re.split(separators, speakers_text) if one_line(n)]
    ident = _cell(row, columns, "id")
    room = one_line(_cell(row, columns, "room"))
    return ParsedEvent(
        title=title,
        start=start,
        end=end,
        room=room,
        key=f"csv:{ident}" if ident else f"csv:{room}|{start.astimezone(zone):%Y-%m-%dT%H:%M}|{fold(title)}",
        event_id=ident,
        type=event_type(_cell(row, columns, "type")),
        track=one_line(_cell(row, columns, "track")),
        speakers=speakers,
        description=_cell(row, columns, "description"),
    )


_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")
_DOT_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})")


def _slash_date_order(rows, columns, name: str) -> bool | None:
    """Is 05/06/2024 the 5th of June (True) or May 6th (False)? Decided once for the whole file
    from a date that can be read only one way; None when no row tells (then such dates are errors
    unless the two readings agree)."""
    day_first = month_first = False
    for _line, row in rows:
        for field in ("date", "start", "end"):
            match = _SLASH_DATE.match(_cell(row, columns, field))
            if match:
                a, b = int(match.group(1)), int(match.group(2))
                day_first |= a > 12
                month_first |= b > 12
    if day_first and month_first:
        raise ScheduleFileError(f"{name} mixes day/month and month/day dates; write dates as YYYY-MM-DD.")
    return True if day_first else False if month_first else None


def _date(text: str, day_first: bool | None) -> tuple[date, str]:
    """A date at the start of ``text`` and the rest of the text."""
    text = text.strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))), text[match.end() :]
    match = _DOT_DATE.match(text)
    if match:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1))), text[match.end() :]
    match = _SLASH_DATE.match(text)
    if match:
        a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if day_first is None and a != b:
            raise ValueError(
                f"the date '{match.group(0).strip()}' could be day/month or month/day; write it as YYYY-MM-DD"
            )
        day, month = (a, b) if day_first in (True, None) else (b, a)
        return date(year, month, day), text[match.end() :]
    raise ValueError(f"'{text}' does not start with a date (YYYY-MM-DD)")


def _moment(
    text: str, day_text: str, zone, day_first: bool | None, what: str, anchor: datetime | None = None
) -> datetime:
    """A start or end cell: a full date-time (ISO, with or without offset) or a clock time on the
    row's date. An end clock time earlier than the start means the session runs past midnight."""
    if not text:
        raise ValueError(f"the {what} is empty")
    full = parse_iso(text.replace(" ", "T", 1)) if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", text) else None
    if full is not None:
        return full if full.tzinfo is not None else full.replace(tzinfo=zone)
    clock = parse_clock(text)
    bare_clock = clock is not None
    try:
        if clock is None:
            day, rest = _date(text, day_first)
            clock = parse_clock(rest.strip(" T,")) if rest.strip(" T,") else None
            if clock is None:
                raise ValueError(f"the {what} '{text}' has no time of day (HH:MM)")
        else:
            if not day_text:
                raise ValueError(
                    f"the {what} '{text}' is a time without a date (add a date column or write 2024-05-08 09:00)"
                )
            day, _rest = _date(day_text, day_first)
    except ValueError as error:
        if "day is out of range" in str(error) or "month must be" in str(error):
            source = text if not bare_clock else day_text
            raise ValueError(f"'{source}' is not a real date") from None
        raise
    moment = local_moment(day, clock[0], clock[1], zone)
    if anchor is not None and bare_clock and moment < anchor:
        moment += timedelta(days=1)  # an end clock time before the start: past midnight
    return moment
