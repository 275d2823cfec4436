"""Import a programme from a schedule file (frab XML, schedule.json, iCalendar, CSV).

All or nothing: the file is read completely first (a hostile, truncated or bad file changes
nothing), then rooms, sessions and speakers are written in one transaction. Re-importing a file
updates the sessions it imported before (matched by ``Session.source_ref``) and keeps what was
recorded on site: delays (``shift_minutes``), status, started/ended times, chair, fixed end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from eventdesk.domain.clock import utcnow
from eventdesk.importers.detect import FORMATS, detect_format
from eventdesk.importers.schedule_model import ParsedEvent, ParsedSchedule, ScheduleFileError, zone_or_none
from eventdesk.services.context import Context, open_context
from eventdesk.services.events import ensure_main_entrance
from eventdesk.services.speakers import LinkReport, link_speakers
from eventdesk.settings import Settings
from eventdesk.store import sessions_import as store
from eventdesk.store.db import bump, current_event, database_url, sqlite_path
from eventdesk.store.models import AuditEntry, Event, Room
from eventdesk.store.models import Session as ProgrammeSession
from eventdesk.store.rows import saved_id

MAX_FILE_BYTES = 64 * 1024 * 1024  # a schedule is a few MB; anything far larger is not one


class AgendaImportError(Exception):
    """The file cannot be imported; nothing was written. The message says what to do."""


@dataclass
class AgendaImportReport:
    file: str
    format: str
    event_name: str
    timezone: str
    event_created: bool
    days: list[date]
    rooms: int
    rooms_created: int
    sessions_in_file: int
    sessions_created: int
    sessions_updated: int
    sessions_unchanged: int
    sessions_not_in_file: int
    sessions_cancelled: int
    speakers: int
    speaker_links: LinkReport = field(default_factory=LinkReport)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    skipped_examples: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict:
        data = asdict(self)
        data["days"] = [d.isoformat() for d in self.days]
        data["skipped_total"] = self.skipped_total
        return data

    def lines(self) -> list[str]:
        days = f"{len(self.days)} day(s)"
        if self.days:
            days += f", {self.days[0]:%Y-%m-%d} to {self.days[-1]:%Y-%m-%d}"
        verb = "Created" if self.event_created else "Imported into"
        out = [
            f"{verb} '{self.event_name}' ({self.timezone}) from {self.file} [{self.format}]: {days}.",
            f"Rooms: {self.rooms} ({self.rooms_created} new). Sessions: {self.sessions_in_file} in the file, "
            f"{self.sessions_created} new, {self.sessions_updated} updated, {self.sessions_unchanged} unchanged; "
            f"{self.speakers} speaker entries.",
        ]
        if self.sessions_cancelled:
            out.append(
                f"{self.sessions_cancelled} session(s) imported earlier are cancelled in this file; "
                "they were marked cancelled."
            )
        if self.sessions_not_in_file:
            out.append(
                f"{self.sessions_not_in_file} session(s) in the database are not in this file; "
                "they were left as they are."
            )
        if self.skipped:
            out.append(
                f"Skipped {self.skipped_total} item(s): "
                + "; ".join(f"{count} × {reason}" for reason, count in self.skipped.items())
            )
            out.extend(f"  e.g. {example}" for example in self.skipped_examples)
        if self.speakers:
            out.extend(self.speaker_links.lines())
        out.extend(f"Note: {warning}" for warning in self.warnings)
        return out


def _parser(fmt: str) -> Callable[..., ParsedSchedule]:
    from eventdesk.importers.c3voc_json import parse_c3voc_json
    from eventdesk.importers.frab_xml import parse_frab_xml
    from eventdesk.importers.ics import parse_ics
    from eventdesk.importers.schedule_csv import parse_schedule_csv

    return {"frab": parse_frab_xml, "c3voc": parse_c3voc_json, "ics": parse_ics, "csv": parse_schedule_csv}[fmt]


def read_schedule(path: str | Path, fmt: str = "auto", default_zone: str | None = None) -> ParsedSchedule:
    """Read and check the whole file; ``AgendaImportError`` says what is wrong with it."""
    path = Path(path)
    if fmt != "auto" and fmt not in FORMATS:
        raise AgendaImportError(f"Unknown format '{fmt}'; use auto, {', '.join(FORMATS)}.")
    if default_zone and zone_or_none(default_zone) is None:
        raise AgendaImportError(f"Unknown time zone '{default_zone}'; use a name like Europe/Brussels.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AgendaImportError(
                f"{path.name} is {size // 1_000_000} MB; a schedule file is far smaller. Nothing was imported."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise AgendaImportError(f"No file at {path}.") from None
    except IsADirectoryError:
        raise AgendaImportError(f"{path} is a folder; give the schedule file itself.") from None
    except PermissionError:
        raise AgendaImportError(f"{path} cannot be read (permission denied).") from None
    if not data.strip():
        raise AgendaImportError(f"{path.name} is empty. Nothing was imported.")
    try:
        chosen = detect_format(path, data[:4096]) if fmt == "auto" else fmt
        schedule = _parser(chosen)(data, name=path.name, default_zone=default_zone)
    except ScheduleFileError as error:
        raise AgendaImportError(str(error)) from None
    if not schedule.events:
        reasons = "; ".join(f"{n} × {r}" for r, n in schedule.skipped_by_reason().items())
        raise AgendaImportError(
            f"{path.name} holds no session that can be imported"
            + (f" (skipped: {reasons})" if reasons else "")
            + ". Nothing was imported."
        )
    return schedule


def _event_zone_of(db: str) -> str | None:
    """The time zone of the event already in ``db`` (None for a new or empty database)."""
    path = sqlite_path(database_url(db))
    if path is not None and not path.exists():
        return None
    context = open_context(db)
    try:
        with context.session() as session:
            event = current_event(session)
            return event.timezone if event else None
    finally:
        context.engine.dispose()


def import_agenda_file(
    db: str, path: str | Path, fmt: str = "auto", tz: str | None = None, settings: Settings | None = None
) -> AgendaImportReport:
    """What ``eventdesk import agenda`` does: read the file (local times without a zone are read
    in ``tz``, else in the zone of the database's event), then store it, creating the database
    and the event if there is none yet."""
    event_zone = _event_zone_of(db)
    schedule = read_schedule(path, fmt, tz or event_zone)
    if event_zone is None and not (schedule.timezone or tz):
        raise AgendaImportError(_no_zone_message(Path(path).name))
    context = open_context(db, settings, create=True)
    try:
        return store_schedule(context, schedule, source_name=Path(path).name, tz=tz)
    finally:
        context.engine.dispose()


def import_agenda(context: Context, path: str | Path, fmt: str = "auto", tz: str | None = None) -> AgendaImportReport:
    """Import into an open store (tests, the TUI)."""
    zone = tz
    if zone is None:
        with context.session() as session:
            event = current_event(session)
            zone = event.timezone if event else None
    schedule = read_schedule(path, fmt, zone)
    return store_schedule(context, schedule, source_name=Path(path).name, tz=tz)


def store_schedule(
    context: Context, schedule: ParsedSchedule, *, source_name: str, tz: str | None = None
) -> AgendaImportReport:
    """Write ``schedule`` in one transaction (see the module docstring)."""
    warnings = list(schedule.warnings)
    with context.session() as session:
        event = current_event(session)
        created = event is None
        if event is None:
            event = _new_event(schedule, source_name, tz)
            session.add(event)
            ensure_main_entrance(session)
        elif schedule.timezone and schedule.timezone != event.timezone:
            warnings.append(
                f"the file's time zone {schedule.timezone} differs from the event's {event.timezone}; "
                f"the times keep their moment and are shown in {event.timezone}"
            )
        if (
            schedule.days
            and not created
            and (schedule.days[0] < event.start_date or schedule.days[-1] > event.end_date)
        ):
            warnings.append(
                f"the file's days ({schedule.days[0]} to {schedule.days[-1]}) fall outside the "
                f"event's dates ({event.start_date} to {event.end_date})"
            )
        rooms, rooms_created = _store_rooms(session, schedule)
        counts = _store_sessions(session, schedule, rooms)
        links = link_speakers(session)  # speakers are people: the desk and the chair see them arrive
        session.add(
            AuditEntry(
                desk=context.desk,
                action="import agenda",
                subject=f"file:{source_name}",
                detail=f"format={schedule.format} created={counts['created']} "
                f"updated={counts['updated']} skipped={len(schedule.skipped)}",
            )
        )
        bump(session, "agenda")
        event_name, event_zone = event.name, event.timezone
    context._event = None  # the cached event may have been created just now
    skipped = dict(schedule.skipped_by_reason())
    return AgendaImportReport(
        file=source_name,
        format=schedule.format,
        event_name=event_name,
        timezone=event_zone,
        event_created=created,
        days=list(schedule.days),
        rooms=len(schedule.rooms),
        rooms_created=rooms_created,
        sessions_in_file=len(schedule.events),
        sessions_created=counts["created"],
        sessions_updated=counts["updated"],
        sessions_unchanged=counts["unchanged"],
        sessions_not_in_file=counts["not_in_file"],
        sessions_cancelled=counts["cancelled"],
        speakers=counts["speakers"],
        speaker_links=links,
        skipped=skipped,
        skipped_examples=[str(item) for item in schedule.skipped[:5]],
        warnings=warnings,
    )


def _no_zone_message(source_name: str) -> str:
    return (
        f"{source_name} names no time zone and the database holds no event yet; give the venue's time "
        "zone with --tz (e.g. --tz Europe/London). Nothing was imported."
    )


def _new_event(schedule: ParsedSchedule, source_name: str, tz: str | None) -> Event:
    zone = schedule.timezone or tz
    if not zone:
        raise AgendaImportError(_no_zone_message(source_name))
    local_days = schedule.days or sorted({e.start.astimezone(zone_or_none(zone)).date() for e in schedule.events})
    return Event(
        name=schedule.title or Path(source_name).stem,
        venue=schedule.venue,
        timezone=zone,
        start_date=local_days[0],
        end_date=local_days[-1],
    )


def _store_rooms(session, schedule: ParsedSchedule) -> tuple[dict[str, Room], int]:
    rooms = store.rooms_by_name(session)
    position = store.next_room_position(session)
    created = 0
    for parsed in schedule.rooms:
        room = rooms.get(parsed.name)
        if room is None:
            room = Room(name=parsed.name, capacity=parsed.capacity, position=position)
            position += 1
            created += 1
            session.add(room)
            rooms[parsed.name] = room
        elif parsed.capacity is not None and parsed.capacity != room.capacity:
            room.capacity = parsed.capacity
            session.add(room)
    session.flush()
    for parsed in schedule.rooms:
        store.ensure_room_list(session, rooms[parsed.name])
    return rooms, created


# Fields an import owns; everything else on a session belongs to the people on site.
_PLANNED = ("title", "type", "start", "end", "room_id", "track", "description")


def _planned_values(event: ParsedEvent, rooms: dict[str, Room]) -> dict:
    return {
        "title": event.title,
        "type": event.type,
        "start": event.start,
        "end": event.end,
        "room_id": rooms[event.room].id if event.room else None,
        "track": event.track,
        "description": event.description,
    }


def _store_sessions(session, schedule: ParsedSchedule, rooms: dict[str, Room]) -> dict[str, int]:
    existing = store.sessions_by_ref(session)
    total_before = store.count_sessions(session)
    now = utcnow()
    new_rows: list[tuple[dict, ParsedEvent]] = []
    matched: list[tuple[ProgrammeSession, ParsedEvent, bool]] = []
    for event in schedule.events:
        values = _planned_values(event, rooms)
        row = existing.get(event.key)
        if row is None:
            new_rows.append((values, event))
            continue
        planned_changed = any(getattr(row, name) != values[name] for name in _PLANNED)
        if planned_changed:
            for name in _PLANNED:
                setattr(row, name, values[name])
            row.updated_at = now
            session.add(row)
        matched.append((row, event, planned_changed))
    session.flush()
    # New sessions go in as one bulk insert: building ~900 ORM objects costs more than the file parse.
    ids = store.insert_sessions(
        session, [{**values, "source_ref": event.key, "updated_at": now} for values, event in new_rows]
    )
    wanted = {ids[event.key]: [(s.name, s.role) for s in event.speakers] for _, event in new_rows}
    current = store.speaker_names(session, [saved_id(row) for row, _, _ in matched])
    updated = 0
    for row, event, planned_changed in matched:
        people = [(s.name, s.role) for s in event.speakers]
        if current.get(saved_id(row)) != people:
            wanted[saved_id(row)] = people
            planned_changed = True
        updated += planned_changed
    store.replace_speakers(session, wanted)
    cancelled = 0
    for key in schedule.cancelled_keys:
        row = existing.get(key)
        if row is not None and row.status != "cancelled":
            row.status, row.updated_at = "cancelled", now
            session.add(row)
            cancelled += 1
    return {
        "created": len(new_rows),
        "updated": updated,
        "unchanged": len(matched) - updated,
        "cancelled": cancelled,
        "not_in_file": total_before - len(matched) - cancelled,
        "speakers": sum(len(e.speakers) for e in schedule.events),
    }
