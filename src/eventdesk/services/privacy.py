"""Data protection: forget one person, export everything about one person, purge everybody after
the event. Figures stay (check-in times, categories, meeting states); names, organisations,
e-mails, notes and badge previews go; the audit says who erased whom (by id) at which desk."""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from eventdesk.printing.devices import parse_printer_url
from eventdesk.services.attendees import resolve_attendee
from eventdesk.services.backup import backup_folder, event_slug
from eventdesk.services.context import Context
from eventdesk.store import personal, print_jobs
from eventdesk.store.attendees import add_audit
from eventdesk.store.db import bump, database_url, sqlite_path
from eventdesk.store.rows import saved_id

# The folder the demo prints its badges into unless a printer is configured (beside the database).
DEMO_BADGES_FOLDER = "eventdesk-demo-badges"
# What printing.drivers.preview.save_preview names a badge: <stamp>-<kind>-<job id>.png
PREVIEW_NAME = re.compile(r"^\d{8}T\d{12}-(badge|slip|test)-(\d+)\.png$")


class PrivacyError(Exception):
    """A request that cannot be carried out; the message says why and what to do."""


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown user"


def preview_folders(context: Context) -> list[Path]:
    """Folders that may hold badge previews: configured preview:// printers and the demo's folder."""
    folders = [
        Path(parse_printer_url(url).path).expanduser()
        for url in context.settings.printers.values()
        if url.startswith("preview://")
    ]
    db = context.settings.db or ""
    path = sqlite_path(database_url(db)) if db else None
    folders.append((path.parent if path is not None else Path.cwd()) / DEMO_BADGES_FOLDER)
    return [f for f in dict.fromkeys(folders) if f.is_dir()]


def _previews(context: Context, jobs: set[tuple[str, int]] | None) -> list[Path]:
    """Preview PNGs of those print jobs (None: every preview)."""
    found = []
    for folder in preview_folders(context):
        for path in folder.iterdir():
            match = PREVIEW_NAME.match(path.name)
            if match and (jobs is None or (match.group(1), int(match.group(2))) in jobs):
                found.append(path)
    return found


@dataclass(frozen=True)
class Forgotten:
    attendee_id: int
    revoked_code: str
    previews_deleted: int
    jobs_cancelled: int


def describe(context: Context, text: str) -> tuple[int, str]:
    """(id, name) of ATTENDEE, for the confirmation question."""
    with context.session() as session:
        attendee = resolve_attendee(session, text)
        if attendee.forgotten_at is not None:
            raise PrivacyError(f"Attendee {attendee.id} was already forgotten on {attendee.forgotten_at:%Y-%m-%d}.")
        return saved_id(attendee), attendee.name


def forget(context: Context, text: str) -> Forgotten:
    """Erase one person's personal data (ATTENDEE: code, id, e-mail or unique name)."""
    with context.session() as session:
        attendee = resolve_attendee(session, text)
        if attendee.forgotten_at is not None:
            raise PrivacyError(f"Attendee {attendee.id} was already forgotten on {attendee.forgotten_at:%Y-%m-%d}.")
        return _forget(context, session, attendee)


def _forget(context: Context, session, attendee) -> Forgotten:
    jobs = set(personal.print_job_ids(session, attendee.id))
    files = {Path(p) for p in personal.print_job_files(session, attendee.id)}
    cancelled = print_jobs.cancel_unprinted_badges(session, attendee.id)
    code = personal.erase_person(session, attendee, datetime.now(UTC))
    add_audit(
        session,
        desk=context.desk,
        action="attendee.forget",
        subject=f"attendee:{attendee.id}",
        detail=f"personal data erased, badge code revoked, by {_operator()}",
    )
    bump(session, "attendees")
    deleted = 0
    # The files the jobs recorded (whichever process printed them, wherever it was configured to),
    # then previews named after the jobs in the folders this process knows (jobs printed before
    # the paths were recorded).
    for path in files | set(_previews(context, jobs)):
        try:
            path.unlink()
        except OSError:  # gone already, or out of this user's reach: nothing deleted here
            continue
        deleted += 1
    return Forgotten(attendee.id, code, deleted, cancelled)


def export(context: Context, text: str) -> dict:
    """Everything the store holds about one person (a subject access request)."""
    with context.session() as session:
        attendee = resolve_attendee(session, text)
        record = personal.person_record(session, attendee)
    record["event"] = context.event().name
    record["exported_at"] = datetime.now(UTC).isoformat()
    return record


@dataclass(frozen=True)
class Purged:
    people: int
    previews_deleted: int
    backups_deleted: int


def purge_plan(context: Context, before: date) -> int:
    """How many people a purge --before ``before`` erases; refuses during the event."""
    event = context.event()
    if before <= event.end_date:
        raise PrivacyError(
            f"{context.event().name} runs until {event.end_date}: purge is for after the event "
            f"(--before a date after {event.end_date}); to erase one person use "
            "'eventdesk attendees forget ATTENDEE'."
        )
    with context.session() as session:
        return len(personal.people_registered_before(session, _start_of(context, before)))


def _start_of(context: Context, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=context.zone())


def purge(context: Context, before: date) -> Purged:
    """Erase the personal data of everyone registered before ``before`` (after the event), empty
    the badge previews and delete this event's backups (they hold the same names)."""
    purge_plan(context, before)
    with context.session() as session:
        people = personal.people_registered_before(session, _start_of(context, before))
        previews_of_people = sum(_forget(context, session, attendee).previews_deleted for attendee in people)
        add_audit(
            session,
            desk=context.desk,
            action="store.purge",
            subject="attendees",
            detail=f"{len(people)} people erased (registered before {before}), by {_operator()}",
        )
    previews = _previews(context, None)
    for path in previews:
        path.unlink(missing_ok=True)
    folder = backup_folder(context.settings, context.settings.db or "")
    backups = (
        [p for p in folder.glob(f"{event_slug(context.event().name)}-*") if p.is_file()] if folder.is_dir() else []
    )
    for path in backups:
        path.unlink(missing_ok=True)
    return Purged(len(people), previews_of_people + len(previews), len(backups))
