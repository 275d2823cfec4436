"""iCalendar (``.ics``): each VEVENT is a session, its LOCATION the room. Folded lines, TZID
parameters, VTIMEZONE blocks and UTC times are handled by the ``icalendar`` package; floating
(zone-less) times are read in the event's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar

from eventdesk.importers.frab_xml import strip_html
from eventdesk.importers.schedule_model import (
    ParsedEvent,
    ParsedSchedule,
    ParsedSpeaker,
    ScheduleFileError,
    event_type,
    no_zone,
    one_line,
    unique_keys,
    use_zone,
)


def parse_ics(data: bytes, *, name: str = "the file", default_zone: str | None = None) -> ParsedSchedule:
    text = data.lstrip(b"\xef\xbb\xbf").strip()
    if not text.upper().startswith(b"BEGIN:VCALENDAR"):
        raise ScheduleFileError(f"{name} is not an iCalendar file (it does not start with BEGIN:VCALENDAR).")
    if not text.upper().endswith(b"END:VCALENDAR"):
        raise ScheduleFileError(
            f"{name} is cut off (truncated): it does not end with END:VCALENDAR. Nothing was imported."
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError) as error:
        raise ScheduleFileError(f"{name} is not a readable iCalendar file: {error}. Nothing was imported.") from None
    schedule = ParsedSchedule(format="ics")
    schedule.title = one_line(calendar.get("X-WR-CALNAME") or calendar.get("NAME") or "")
    zone = use_zone(schedule, str(calendar.get("X-WR-TIMEZONE") or ""), default_zone)

    without_end = 0
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        try:
            without_end += _read_event(schedule, component, number, zone, name)
        except ValueError as error:  # icalendar reads a property only when asked: a broken DTEND, a bad date
            raise ScheduleFileError(
                f"{name}: event {number} cannot be read: {one_line(str(error))[:200]}. Nothing was imported."
            ) from None
    if without_end:
        schedule.warnings.append(
            f"{without_end} events have neither DTEND nor DURATION; as RFC 5545 says, "
            "they were imported ending when they start (set their end on site if needed)"
        )
    unique_keys(schedule, "ics")
    return schedule.finish()


def _read_event(schedule: ParsedSchedule, component, number: int, zone, name: str) -> int:
    """Add one VEVENT to ``schedule`` (or skip it, saying why); 1 when it had no end."""
    no_end = 0
    uid = str(component.get("UID") or "").strip()
    where = _where(component, number)
    title = one_line(component.get("SUMMARY"))
    if not title:
        schedule.skip("no SUMMARY (title)", where)
        return 0
    if str(component.get("STATUS") or "").upper() == "CANCELLED":
        schedule.skip("STATUS:CANCELLED", where)
        if uid:
            schedule.cancelled_keys.append(uid)
        return 0
    if component.get("RRULE") is not None:
        schedule.skip("repeating event (RRULE) is not a programme item", where)
        return 0
    start_prop = _single(component, "DTSTART")
    start = start_prop.dt if start_prop is not None else None
    if start is None:
        schedule.skip("no DTSTART", where)
        return 0
    if not isinstance(start, datetime):
        schedule.skip("all-day entry (DTSTART is a date, no time)", where)
        return 0
    if start.tzinfo is None:
        if zone is None:
            raise no_zone(name, "Europe/London")
        start = start.replace(tzinfo=zone)
    end = _end(component, start)
    if end is None:
        no_end = 1  # RFC 5545 3.6.1: such an event ends when it starts
        end = start
    if end < start:
        schedule.skip("DTEND is before DTSTART", where)
        return 0
    categories = component.get("CATEGORIES")
    track = ""
    if categories is not None:
        values = categories if isinstance(categories, list) else [categories]
        track = ", ".join(str(c) for v in values for c in getattr(v, "cats", [v]))
    speakers = [ParsedSpeaker(one_line(_cn(a))) for a in _as_list(component.get("ATTENDEE")) if one_line(_cn(a))]
    schedule.events.append(
        ParsedEvent(
            title=title,
            start=start,
            end=end,
            room=one_line(component.get("LOCATION")),
            key=uid,
            event_id=uid,
            type=event_type(None),
            track=one_line(track),
            speakers=speakers,
            description=strip_html(str(component.get("DESCRIPTION") or "")),
        )
    )
    return no_end


def _where(component, number: int) -> str:
    """How a person finds an entry in the file: its number, then its title or else when and where."""
    summary = one_line(component.get("SUMMARY"))[:40]
    start = component.get("DTSTART")
    start = None if isinstance(start, list) else start
    when = f"{start.dt:%Y-%m-%d %H:%M}" if start is not None and isinstance(start.dt, datetime) else ""
    detail = summary or ", ".join(p for p in (when, one_line(component.get("LOCATION"))) if p)
    return f"VEVENT {number}" + (f" ({detail})" if detail else "")


def _end(component, start: datetime) -> datetime | None:
    end_prop = _single(component, "DTEND")
    if end_prop is not None:
        end = end_prop.dt
        if isinstance(end, datetime):
            return end if end.tzinfo is not None else end.replace(tzinfo=start.tzinfo)
        if isinstance(end, date):
            return None
    duration = _single(component, "DURATION")
    if duration is not None and isinstance(duration.dt, timedelta):
        return start + duration.dt
    return None


def _single(component, name: str):
    """A property RFC 5545 allows once per event; twice (a duplicated line) is no guess to make."""
    value = component.get(name)
    if isinstance(value, list):
        raise ValueError(f"{name} appears {len(value)} times")
    return value


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _cn(attendee) -> str:
    params = getattr(attendee, "params", {}) or {}
    return str(params.get("CN") or "")
