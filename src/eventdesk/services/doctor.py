"""Ready before the doors open: one check per thing that can block the desk, each with a verdict
(ok / warn / fail) and one line saying what was found and what to do. ``eventdesk doctor`` and
the Printers screen run the same checks."""

from __future__ import annotations

import os
import stat
import time as clock
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eventdesk.domain.agenda import SPEAKER_CLASH
from eventdesk.services.agenda import day_programme, event_days
from eventdesk.services.backup import backup_folder, last_backup
from eventdesk.services.context import Context
from eventdesk.services.printing import TEST_CODE, check_badges, configured_printers, test_badge
from eventdesk.services.privacy import DEMO_BADGES_FOLDER
from eventdesk.services.storage import store_path
from eventdesk.store import migrate
from eventdesk.store.backup import sqlite_integrity
from eventdesk.store.db import ping
from eventdesk.store.doctor import double_bookings
from eventdesk.store.filesystem import room_at

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str  # ok | warn | fail
    detail: str
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.verdict != FAIL for c in self.checks)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


def _timed(name: str, run) -> Check:
    started = clock.monotonic()
    try:
        verdict, detail = run()
    except Exception as error:  # noqa: BLE001 - a check that breaks is a failed check, not a crash
        verdict, detail = FAIL, f"{type(error).__name__}: {error}"
    return Check(name, verdict, detail, round(clock.monotonic() - started, 3))


def check_store(context: Context):
    path = store_path(context)
    if path is None:
        ping(context.engine)
        return OK, f"PostgreSQL at {context.engine.url.render_as_string(hide_password=True)} answers"
    problems = sqlite_integrity(path)
    if problems:
        return FAIL, f"{path}: {problems[0]} (restore the newest backup: eventdesk restore FILE --db ... --force)"
    return OK, f"{path}: integrity ok"


def check_schema(context: Context):
    current, head = migrate.current_revision(context.engine), migrate.head_revision()
    if current != head:
        return FAIL, f"schema {current}, this eventdesk expects {head}: open the store once with this version"
    return OK, f"schema {current} is current"


def check_file_mode(context: Context):
    path = store_path(context)
    if path is None:
        return OK, "PostgreSQL: access is the server's (pg_hba.conf)"
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return FAIL, f"{path} is mode {mode:o}: others can read 700 people's data; chmod 600 {path}"
    return OK, f"{path} is mode {mode:o} (owner only)"


def check_printer(context: Context, name: str, url: str, print_test: bool):
    from eventdesk.printing.devices import PrinterError, print_image
    from eventdesk.printing.status import check_health

    health = check_health(url, context.settings)
    if not health.ok and health.state != "unknown":
        return FAIL, f"printer {name} ({url}): {health.state}: {health.detail}"
    detail = f"printer {name} ({url}): {health.state}" + (f" ({health.detail})" if health.detail else "")
    if print_test:
        rendered = test_badge(context, context.settings, name)
        decoded = _decode_qr(rendered.image)
        if decoded is not None and decoded != TEST_CODE:
            return FAIL, f"printer {name}: the test badge's QR code reads '{decoded}', not '{TEST_CODE}'"
        try:
            where = print_image(url, rendered.drawn(), context.settings, name="test")
        except PrinterError as error:
            return FAIL, str(error)
        detail += f"; test badge printed ({where})" + ("" if decoded is None else ", its QR code decodes back")
    return (OK if health.ok else WARN), detail


def _decode_qr(image) -> str | None:
    try:
        import zxingcpp
    except ImportError:
        return None
    found = zxingcpp.read_barcodes(image.convert("L"))
    return found[0].text if found else ""


def check_no_printer(context: Context):
    path = store_path(context)
    folder = (path.parent if path is not None else Path.cwd()) / DEMO_BADGES_FOLDER
    return OK, (
        f"no printer configured: badges are written as PNG files into {folder} "
        "(add [printers] to eventdesk.toml for a real printer)"
    )


def check_badges_fit(context: Context, render: bool = True):
    found = check_badges(context, render=render)
    if found.problems:
        names = ", ".join(f"attendee {p.attendee_id}" for p in found.problems[:5])
        install = "; ".join(found.install)
        return WARN, (
            f"{len(found.problems)} of {found.checked} badges have missing letters or shrunk names "
            f"({names}…): 'eventdesk badges check' lists them"
            + (f"; for the missing letters install {install}" if install else "")
        )
    if render:
        return OK, f"{found.checked} badges render with every letter at a readable size"
    return OK, (
        f"{found.checked} badges have a glyph for every letter and the name at a readable size "
        "(measured; --badges draws each badge too)"
    )


def check_agenda(context: Context):
    overlaps, clashes = 0, 0
    examples = []
    for day in event_days(context):
        programme = day_programme(context, day)
        for room_id, sessions in programme.by_room.items():
            live = [s for s in sessions if not s.slot.cancelled and room_id is not None]
            for a, b in zip(live, live[1:]):
                if b.slot.effective_start < a.slot.effective_end:
                    overlaps += 1
                    examples.append(f"{a.room_name} {a.local_start(context.zone()):%a %H:%M}")
        clashes += sum(1 for flags in programme.flags.values() if SPEAKER_CLASH in flags)
    if not overlaps and not clashes:
        return OK, "no sessions overlap in a room, no speaker is in two rooms at once"
    return WARN, (
        f"{overlaps} overlaps in a room"
        + (f" ({', '.join(examples[:3])})" if examples else "")
        + f", {clashes} sessions with a double-booked speaker: see F3 Agenda (flags)"
    )


def check_meetings(context: Context):
    with context.session() as session:
        found = double_bookings(session)
    tables, people = len(found["tables"]), len(found["people"])
    if tables or people:
        return FAIL, f"{tables} tables and {people} people booked twice in one slot: fix with F5 Meetings"
    return OK, "no table or person is booked twice in a slot"


def check_clock(context: Context):
    event = context.event()
    now = datetime.now(UTC)
    local = now.astimezone(context.zone())
    machine_zone = datetime.now().astimezone().tzname()
    days_to_go = (event.start_date - local.date()).days
    where = f"machine clock {local:%Y-%m-%d %H:%M} in {event.timezone} (machine zone {machine_zone})"
    if local.date() > event.end_date + timedelta(days=1):
        return WARN, f"{where}: after the event ({event.end_date}); is the clock right?"
    if days_to_go > 30:
        return WARN, f"{where}: {days_to_go} days before the event ({event.start_date}); is the clock right?"
    return OK, f"{where}: the event is {event.start_date} to {event.end_date}"


def check_disk(context: Context):
    path = store_path(context)
    room = room_at(path.parent if path is not None else Path.cwd())
    where = str(room.folder) + (f" (on {room.mount_point})" if room.mount_point not in (None, room.folder) else "")
    if room.full:
        return FAIL, (
            f"only {room.free / 1e6:.0f} MB free in {where}: the desk needs {room.needed / 1e6:.0f} MB "
            "for scans, badges and backups; free some room or move the store"
        )
    if room.low:
        return (
            WARN,
            f"{room.free / 1e6:.0f} MB free in {where}: room runs low (the desk needs {room.needed / 1e6:.0f} MB)",
        )
    return OK, f"{room.free / 1e9:.1f} GB free in {where}"


def check_backups(context: Context):
    settings = context.settings
    folder = backup_folder(settings, settings.db or "")
    if settings.backup_every_minutes <= 0:
        return WARN, "backups are off ([backup] every_minutes = 0): run 'eventdesk backup' by hand"
    probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), folder)
    if not os.access(probe, os.W_OK):
        return FAIL, f"cannot write backups into {folder}"
    newest = last_backup(context)
    last = f"; last {newest.taken_at.astimezone(context.zone()):%a %H:%M}" if newest else "; none taken yet"
    return OK, (f"every {settings.backup_every_minutes} min into {folder}, keeping {settings.backup_keep}" + last)


def run_checks(context: Context, print_test: bool = False, badges: bool = False) -> Report:
    """Every check; printers are asked in parallel (each within the printer timeout)."""
    checks = [
        _timed("store", lambda: check_store(context)),
        _timed("migrations", lambda: check_schema(context)),
        _timed("file mode", lambda: check_file_mode(context)),
    ]
    printers = configured_printers(context.settings)
    if printers:
        with ThreadPoolExecutor(max_workers=min(8, len(printers))) as pool:
            futures = [
                pool.submit(_timed, f"printer {name}", lambda n=name, u=url: check_printer(context, n, u, print_test))
                for name, url in printers
            ]
            checks += [f.result() for f in futures]
    else:
        checks.append(_timed("printers", lambda: check_no_printer(context)))
    # Every name is checked by default (glyphs and name size, measured); --badges also draws each badge.
    checks.append(_timed("badges", lambda: check_badges_fit(context, render=badges)))
    checks += [
        _timed("agenda", lambda: check_agenda(context)),
        _timed("meetings", lambda: check_meetings(context)),
        _timed("clock", lambda: check_clock(context)),
        _timed("disk", lambda: check_disk(context)),
        _timed("backups", lambda: check_backups(context)),
    ]
    return Report(tuple(checks))
