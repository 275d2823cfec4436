"""What every schedule importer hands to the import service: plain values, no SQL.

Times are aware datetimes (the instant is what counts; the service stores them as UTC).
Anything an importer leaves out is a ``SkippedItem`` with the reason, so the person importing
sees it; problems that make the whole file untrustworthy raise ``ScheduleFileError``."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ScheduleFileError(Exception):
    """The file cannot be imported at all; the message names the problem (and line if known)."""


@dataclass
class ParsedRoom:
    name: str
    capacity: int | None = None


@dataclass
class ParsedSpeaker:
    name: str
    role: str = ""


@dataclass
class ParsedEvent:
    title: str
    start: datetime  # aware
    end: datetime  # aware, >= start
    room: str = ""
    key: str = ""  # guid, else "<format>:<id>": the Session.source_ref
    event_id: str = ""  # the id inside the file, for messages
    type: str = "talk"
    track: str = ""
    speakers: list[ParsedSpeaker] = field(default_factory=list)
    description: str = ""

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass
class SkippedItem:
    reason: str
    where: str = ""  # "line 12", "event 8376", "day 2026-01-31"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


@dataclass
class ParsedSchedule:
    format: str  # frab | c3voc | ics | csv
    title: str = ""
    timezone: str | None = None  # IANA name the file gives (None: the file names none)
    venue: str = ""
    days: list[date] = field(default_factory=list)
    rooms: list[ParsedRoom] = field(default_factory=list)
    events: list[ParsedEvent] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Keys of items the file marks cancelled: a session imported earlier under one is cancelled too.
    cancelled_keys: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str = "") -> None:
        self.skipped.append(SkippedItem(reason, where))

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(item.reason for item in self.skipped)

    def room_named(self, name: str) -> ParsedRoom:
        """The room called ``name``, added (in file order) when first seen."""
        for room in self.rooms:
            if room.name == name:
                return room
        room = ParsedRoom(name)
        self.rooms.append(room)
        return room

    def finish(self) -> ParsedSchedule:
        """Rooms named by events but not listed, keys made unique, days filled in from the events."""
        for event in self.events:
            if event.room:
                self.room_named(event.room)
        if not self.days and self.events:
            zone = zone_or_none(self.timezone)
            self.days = sorted({(e.start.astimezone(zone) if zone else e.start).date() for e in self.events})
        return self


# --- small parsing helpers shared by the importers ---------------------------------------------

_DURATION = re.compile(r"^\s*(?:(\d+)\s*:\s*)?(\d{1,2})\s*:\s*(\d{1,2})\s*$")  # [D:]H:MM (also 4:00, 0:45)
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I)
_MINUTES = re.compile(r"^\s*(\d+)\s*(?:m|min|mins|minutes)?\s*$", re.I)


def parse_duration(text: str | None, *, bare_minutes: bool = False) -> timedelta | None:
    """ "00:45", "4:00", "1:30:00" (H:MM:SS when three parts have a short last part), "PT45M";
    with ``bare_minutes`` also "45" and "45 min". None when not a duration."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        hours, minutes, seconds = (int(p) for p in parts)  # HH:MM:SS as frab writes day_change
        if minutes < 60 and seconds < 60:
            return timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return None
    match = _DURATION.match(text)
    if match:
        days, hours, minutes = int(match.group(1) or 0), int(match.group(2)), int(match.group(3))
        if minutes >= 60:
            return None
        return timedelta(days=days, hours=hours, minutes=minutes)
    match = _ISO_DURATION.match(text)
    if match and any(match.groups()):
        d, h, m, s = (int(g or 0) for g in match.groups())
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    if bare_minutes:
        match = _MINUTES.match(text)
        if match:
            return timedelta(minutes=int(match.group(1)))
    return None


_CLOCK = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*$")


def parse_clock(text: str | None) -> tuple[int, int] | None:
    """ "9:00", "09:00", "09:00:00", "9.30", "9h30" -> (hour, minute)."""
    if not text:
        return None
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 date-time ("Z" accepted); naive when the text has no offset. None if not one."""
    if not text or not isinstance(text, str):
        return None
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError:
        return None


def zone_or_none(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


# Before this hour a clock time is "night" and may belong to the next calendar date of its day.
NIGHT_ENDS = (6, 0)


def use_zone(schedule: ParsedSchedule, zone_name: object, default_zone: str | None) -> ZoneInfo | None:
    """The zone local times of the file are read in: the file's own (recorded on ``schedule``),
    else ``default_zone`` (the event's, or --tz). An unknown name in the file is reported."""
    text = zone_name.strip() if isinstance(zone_name, str) else ""
    zone = zone_or_none(text)
    if text and zone is None:
        schedule.warnings.append(f"the time zone '{text}' of the file is unknown; it was ignored")
    if zone is not None:
        schedule.timezone = zone.key
        return zone
    return zone_or_none(default_zone)


def no_zone(name: str, example: str = "Europe/Brussels") -> ScheduleFileError:
    return ScheduleFileError(
        f"{name} names no time zone for its local times; give one with --tz (e.g. --tz {example})."
    )


def offset_text(moment: datetime) -> str:
    return moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:] if moment.utcoffset() is not None else ""


def local_moment(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """``day hour:minute`` as a wall-clock time in ``zone``; a time that falls into a DST gap or
    fold takes the first reading (fold=0), as a printed programme means."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def one_line(value: object) -> str:
    """Titles and names on one line (files sometimes carry newlines and runs of spaces)."""
    return " ".join(str(value).split()) if value is not None else ""


def positive_int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def event_type(value: object, default: str = "talk") -> str:
    text = one_line(value).lower()
    return text or default


def unique_keys(schedule: ParsedSchedule, fmt: str) -> None:
    """Give every event a stable ``key``: its guid where the file has one, else "<fmt>:<id>".
    Ids that repeat inside the file (some exports reuse them; the guids differ) cannot name a
    session on their own: those get start and room added, and a warning says so."""
    counts = Counter(e.event_id for e in schedule.events if not e.key and e.event_id)
    repeated = 0
    for event in schedule.events:
        if event.key:
            continue
        if event.event_id and counts[event.event_id] == 1:
            event.key = f"{fmt}:{event.event_id}"
        else:
            repeated += 1
            ident = event.event_id or "-"
            event.key = f"{fmt}:{ident}@{event.start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%MZ}@{event.room}"
    if repeated:
        schedule.warnings.append(
            f"{repeated} event(s) have no guid and share their id with another event (or have no id); they "
            "are matched on re-import by id, start and room (a moved one is imported as a new session)"
        )
    seen: Counter[str] = Counter()
    for event in schedule.events:  # same guid twice: the later one would overwrite the first
        seen[event.key] += 1
        if seen[event.key] > 1:
            event.key = f"{event.key}#{seen[event.key]}"
    doubles = sum(n - 1 for n in seen.values() if n > 1)
    if doubles:
        schedule.warnings.append(
            f"{doubles} event(s) repeat the guid of another event; they were kept apart by their order in the file"
        )
