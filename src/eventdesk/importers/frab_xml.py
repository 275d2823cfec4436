"""frab / Pentabarf ``schedule.xml``: days with rooms with events (frab, pretalx, FOSDEM), and
the old Pentabarf layout where events sit directly under each day and name their room.

Outside XML is parsed with defusedxml: no entity expansion, no external entities or DTDs being
fetched. A hostile or truncated file raises ``ScheduleFileError`` and nothing is imported."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from eventdesk.importers.schedule_model import (
    NIGHT_ENDS,
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
    use_zone,
)


def parse_xml_safely(data: bytes, name: str) -> Element:
    """The root element of ``data``, or ``ScheduleFileError`` saying what is wrong and where."""
    # defusedxml checks the declarations in its (pure Python) parser; the C TreeBuilder builds the
    # tree, much faster than the pure Python one (docs/decisions.md, agenda import).
    parser = DefusedXMLParser(target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as error:
        line = getattr(getattr(parser, "parser", None), "CurrentLineNumber", None)
        where = f" at line {line}" if line else ""
        entity = getattr(error, "name", None)
        target = getattr(error, "sysid", None)
        what = f"the XML entity '{entity}'" if entity else "an XML document type or external reference"
        if target:
            what += f" pointing at {target}"
        raise ScheduleFileError(
            f"{name} declares {what}{where}. Files with entity declarations are refused: they can expand to "
            'gigabytes ("billion laughs") or read other files (external entities). Export the schedule '
            "again from its source. Nothing was imported."
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (None, None))
        problem = str(error).split(":")[0]
        what = (
            "is cut off (truncated)"
            if "no element found" in problem or "unclosed token" in problem
            else "is not well-formed XML"
        )
        raise ScheduleFileError(
            f"{name} {what}: {problem} at line {line}, column {column}. Nothing was imported."
        ) from None


_TAG = re.compile(r"<[^>]+>")


def strip_html(text: str | None) -> str:
    """Descriptions arrive as (escaped) HTML; keep their words, lose the markup."""
    if not text:
        return ""
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _text(element: Element | None, tag: str) -> str:
    if element is None:
        return ""
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def parse_frab_xml(data: bytes, *, name: str = "the file", default_zone: str | None = None) -> ParsedSchedule:
    root = parse_xml_safely(data, name)
    if root.tag != "schedule":
        raise ScheduleFileError(
            f"{name} is XML but not a frab/Pentabarf schedule (its root element is <{root.tag}>, expected <schedule>)."
        )
    schedule = ParsedSchedule(format="frab")
    conference = root.find("conference")
    schedule.title = one_line(_text(conference, "title")) or one_line(_text(conference, "acronym"))
    schedule.venue = one_line(", ".join(p for p in (_text(conference, "venue"), _text(conference, "city")) if p))
    zone = use_zone(schedule, _text(conference, "time_zone_name"), default_zone)
    day_change = parse_clock(_text(conference, "day_change")) or (0, 0)
    rollover_before = min(day_change, NIGHT_ENDS)

    mismatched = 0
    for day in root.findall("day"):
        day_date = _day_date(day)
        if day_date is None:
            for _ in day.iter("event"):
                schedule.skip("its day has no valid date", f"day {day.get('index') or '?'}")
            continue
        if day_date not in schedule.days:
            schedule.days.append(day_date)
        for room_element in day.findall("room"):
            room_name = one_line(room_element.get("name"))
            if room_name:
                schedule.room_named(room_name)
            for element in room_element.findall("event"):
                mismatched += _read_event(schedule, element, day_date, room_name, zone, rollover_before, name)
        for element in day.findall("event"):  # the old Pentabarf layout
            mismatched += _read_event(schedule, element, day_date, "", zone, rollover_before, name)
    if mismatched:
        schedule.warnings.append(
            f"{mismatched} events give a <date> whose clock time differs from their <start>; the full "
            "<date> (with its offset) was used"
        )
    schedule.days.sort()
    unique_keys(schedule, "frab")
    return schedule.finish()


def _day_date(day: Element) -> date | None:
    text = (day.get("date") or "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        start = parse_iso(day.get("start"))
        return start.date() if start else None


def _read_event(
    schedule: ParsedSchedule,
    element: Element,
    day_date: date,
    room_name: str,
    zone,
    rollover_before: tuple[int, int],
    name: str,
) -> int:
    """Append one event (or a skip); 1 when its <date> and <start> disagree, else 0."""
    event_id = (element.get("id") or "").strip()
    where = f"event {event_id}" if event_id else f"an event on {day_date}"
    title = one_line(_text(element, "title"))
    if not title:
        schedule.skip("no title", where)
        return 0
    clock = parse_clock(_text(element, "start"))
    full = parse_iso(_text(element, "date"))
    mismatch = 0
    if full is not None and full.tzinfo is not None:
        start = full
        shown = full.astimezone(zone) if zone is not None else full
        if clock is not None and (shown.hour, shown.minute) != clock:
            mismatch = 1
    elif zone is None:
        raise no_zone(name)
    elif full is not None:
        start = full.replace(tzinfo=zone)
    elif clock is not None:
        event_day = day_date + timedelta(days=1) if clock < rollover_before else day_date
        start = local_moment(event_day, clock[0], clock[1], zone)
    else:
        schedule.skip(f"start '{_text(element, 'start')}' is not a time", where)
        return 0
    duration_text = _text(element, "duration")
    duration = parse_duration(duration_text)
    if duration is None:
        schedule.skip(f"duration '{duration_text}' is not H:MM", where)
        return 0
    room = one_line(_text(element, "room")) or room_name
    speakers = [ParsedSpeaker(one_line(p.text)) for p in element.iter("person") if one_line(p.text)]
    track = one_line(_text(element, "track"))
    description = strip_html(_text(element, "abstract")) or strip_html(_text(element, "description"))
    schedule.events.append(
        ParsedEvent(
            title=title,
            start=start,
            end=start + duration,
            room=room,
            key=(element.get("guid") or "").strip(),
            event_id=event_id,
            type=event_type(_text(element, "type")),
            track=track,
            speakers=speakers,
            description=description,
        )
    )
    return mismatch
