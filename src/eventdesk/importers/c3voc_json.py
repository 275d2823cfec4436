"""c3voc ``schedule.json``: version 1 (days -> rooms -> events, as pretalx and frab export it) and
version 2 (a flat event list with ISO start/end, rooms with type and capacity, as the hub
exports it). Real exports rarely validate strictly, so fields are read leniently."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from eventdesk.importers.frab_xml import strip_html
from eventdesk.importers.schedule_model import (
    NIGHT_ENDS,
    ParsedEvent,
    ParsedSchedule,
    ParsedSpeaker,
    ScheduleFileError,
    event_type,
    local_moment,
    no_zone,
    offset_text,
    one_line,
    parse_clock,
    parse_duration,
    parse_iso,
    positive_int,
    unique_keys,
    use_zone,
)

CANCELLED_STATES = {"canceled", "cancelled", "withdrawn", "rejected", "deleted"}


def load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ScheduleFileError(
            f"{name} is not UTF-8 text (byte {error.start}); schedule.json files are UTF-8. Nothing was imported."
        ) from None
    except json.JSONDecodeError as error:
        cut = error.pos >= len(data.rstrip()) - 1
        what = "is cut off (truncated)" if cut else "is not valid JSON (or is cut off)"
        raise ScheduleFileError(
            f"{name} {what}: {error.msg} at line {error.lineno}, column {error.colno}. Nothing was imported."
        ) from None


def parse_c3voc_json(data: bytes, *, name: str = "the file", default_zone: str | None = None) -> ParsedSchedule:
    document = load_json(data, name)
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("schedule"), dict)
        or not isinstance(document["schedule"].get("conference"), dict)
    ):
        raise ScheduleFileError(f"{name} is JSON but not a schedule.json (no schedule.conference object).")
    body = document["schedule"]
    conference = body["conference"]
    schedule = ParsedSchedule(format="c3voc")
    schedule.title = one_line(conference.get("title") or conference.get("acronym") or "")
    zone = use_zone(schedule, conference.get("time_zone_name"), default_zone)
    rooms_by_guid: dict[str, str] = {}
    for room in _list(conference.get("rooms")):
        if isinstance(room, dict) and one_line(room.get("name")):
            parsed = schedule.room_named(one_line(room.get("name")))
            parsed.capacity = positive_int(room.get("capacity"))
            if room.get("guid"):
                rooms_by_guid[str(room["guid"])] = parsed.name
    tracks_by_slug = {
        t.get("slug"): one_line(t.get("name"))
        for t in _list(conference.get("tracks"))
        if isinstance(t, dict) and t.get("slug")
    }
    for day in _list(conference.get("days")):
        day_date = _date(day.get("date")) if isinstance(day, dict) else None
        if day_date and day_date not in schedule.days:
            schedule.days.append(day_date)

    reader = _EventReader(schedule, zone, name)
    if isinstance(body.get("events"), list):  # version 2
        for raw in body["events"]:
            reader.read(raw, None, rooms_by_guid=rooms_by_guid, tracks_by_slug=tracks_by_slug)
    for day in _list(conference.get("days")):  # version 1
        if not isinstance(day, dict) or not isinstance(day.get("rooms"), dict):
            continue
        day_date = _date(day.get("date"))
        for room_name, events in day["rooms"].items():
            if one_line(room_name):
                schedule.room_named(one_line(room_name))
            for raw in _list(events):
                if day_date is None:
                    schedule.skip("its day has no valid date", f"day {day.get('index', '?')}")
                    continue
                reader.read(raw, day_date, room_name=one_line(room_name))
    reader.report()
    schedule.days.sort()
    unique_keys(schedule, "c3voc")
    return schedule.finish()


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class _EventReader:
    def __init__(self, schedule: ParsedSchedule, zone, name: str) -> None:
        self.schedule, self.zone, self.name = schedule, zone, name
        self.offset_mismatch: dict[str, int] = {}
        self.clock_mismatch = 0

    def read(
        self,
        raw: Any,
        day_date: date | None,
        *,
        room_name: str = "",
        rooms_by_guid: dict[str, str] | None = None,
        tracks_by_slug: dict[Any, str] | None = None,  # keyed by the JSON's slug values
    ) -> None:
        schedule = self.schedule
        if not isinstance(raw, dict):
            schedule.skip("not an event object", f"day {day_date}" if day_date else "events")
            return
        event_id = str(raw.get("id") or raw.get("code") or "").strip()
        where = f"event {event_id}" if event_id else f"event '{one_line(raw.get('title'))[:40]}'"
        title = one_line(raw.get("title"))
        if not title:
            schedule.skip("no title", where)
            return
        state = str(raw.get("state") or "").strip().lower()
        if state in CANCELLED_STATES:
            schedule.skip(f"marked {state} in the file", where)
            schedule.cancelled_keys.append(str(raw.get("guid") or "").strip() or f"c3voc:{event_id}")
            return
        start = self._start(raw, day_date, where)
        if start is None:
            return
        end = parse_iso(raw.get("end")) if isinstance(raw.get("end"), str) else None
        if end is not None and end.tzinfo is None:
            end = end.replace(tzinfo=start.tzinfo)
        if end is None:
            duration = parse_duration(raw.get("duration") if isinstance(raw.get("duration"), str) else None)
            if duration is None:
                schedule.skip(f"duration '{raw.get('duration')}' is not H:MM and no end is given", where)
                return
            end = start + duration
        if end < start:
            schedule.skip("ends before it starts", where)
            return
        room = raw.get("room")
        if isinstance(room, dict):
            room = room.get("name") or (rooms_by_guid or {}).get(str(room.get("guid")), "")
        room = one_line(room) or room_name
        track = raw.get("track")
        if isinstance(track, dict):
            track = track.get("name") or (tracks_by_slug or {}).get(track.get("slug")) or track.get("slug")
        people = _list(raw.get("persons")) + _list(raw.get("participants"))
        speakers = []
        for person in people:
            if isinstance(person, dict):
                person_name = one_line(
                    person.get("public_name") or person.get("full_public_name") or person.get("name")
                )
                role = str(person.get("role") or "").lower()
            else:
                person_name, role = one_line(person), ""
            if person_name:
                speakers.append(ParsedSpeaker(person_name, "" if role == "speaker" else role))
        description = strip_html(raw.get("abstract") if isinstance(raw.get("abstract"), str) else "") or strip_html(
            raw.get("description") if isinstance(raw.get("description"), str) else ""
        )
        schedule.events.append(
            ParsedEvent(
                title=title,
                start=start,
                end=end,
                room=room,
                key=str(raw.get("guid") or "").strip(),
                event_id=event_id,
                type=event_type(raw.get("type")),
                track=one_line(track),
                speakers=speakers,
                description=description,
            )
        )

    def _start(self, raw: dict, day_date: date | None, where: str) -> datetime | None:
        full = parse_iso(raw.get("date")) or parse_iso(raw.get("start") if day_date is None else None)
        clock = parse_clock(raw.get("start") if isinstance(raw.get("start"), str) else None)
        if full is not None and full.tzinfo is not None:
            # The offset written with the time is the instant; a zone name that disagrees with it
            # is reported, not silently applied (pretalx has exported "+01:00" under "UTC").
            if self.zone is not None and full.astimezone(self.zone).utcoffset() != full.utcoffset():
                key = offset_text(full)
                self.offset_mismatch[key] = self.offset_mismatch.get(key, 0) + 1
            elif day_date is not None and clock is not None:
                shown = full.astimezone(self.zone) if self.zone is not None else full
                self.clock_mismatch += (shown.hour, shown.minute) != clock
            return full
        if self.zone is None:
            raise no_zone(self.name, "Europe/Berlin")
        if full is not None:
            return full.replace(tzinfo=self.zone)
        if clock is not None and day_date is not None:
            event_day = day_date + timedelta(days=1) if clock < NIGHT_ENDS else day_date
            return local_moment(event_day, clock[0], clock[1], self.zone)
        self.schedule.skip(f"start '{raw.get('start')}' is not a time", where)
        return None

    def report(self) -> None:
        zone_name = self.zone.key if self.zone is not None else "?"
        for offset, count in self.offset_mismatch.items():
            self.schedule.warnings.append(
                f"{count} events carry the offset {offset}, which is not the offset of the file's time zone "
                f"{zone_name} at that moment; the times were taken with their own offset and shown in {zone_name}"
            )
        if self.clock_mismatch:
            self.schedule.warnings.append(
                f"{self.clock_mismatch} events give a 'date' whose clock time differs from their 'start'; "
                "the full 'date' (with its offset) was used"
            )
