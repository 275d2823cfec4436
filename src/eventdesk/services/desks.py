"""The desks at a glance, for operations: every desk seen in the last hours, whether it is online
(its app wrote a heartbeat in the last ``ONLINE_WITHIN``), its last scan, its pace over the last
ten minutes, how many offline scans wait in its journal, and its printers' health and queue.

Each open app calls ``beat`` every ``HEARTBEAT_SECONDS``; the Desks screen and ``eventdesk desks``
call ``desks_overview``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import overload

from sqlmodel import Session

from eventdesk import __version__
from eventdesk.domain.checkin import seconds_per_attendee
from eventdesk.domain.clock import utcnow
from eventdesk.services.context import Context
from eventdesk.store import desks as store
from eventdesk.store.print_jobs import counts_by_printer

HEARTBEAT_SECONDS = 10.0
ONLINE_WITHIN = timedelta(seconds=35)  # three heartbeats missed: offline
SEEN_WITHIN = timedelta(hours=12)  # "seen in the last hours": today's desks, not last year's
PACE_WINDOW = timedelta(minutes=10)
# Fewer successful check-ins than this in the window give no seconds per attendee: two scans
# seconds apart say nothing about the queue.
MIN_PACE_CHECKINS = 3


@dataclass(frozen=True)
class DeskPace:
    """A desk's pace over the last ``PACE_WINDOW``, every list: the check-in screen and the Desks
    screen show these same figures."""

    scans_per_minute: float  # every scan, failures included
    seconds_per_attendee: float | None  # median between successful check-ins; None on too few


def desk_pace(scans: Iterable[tuple[datetime, str]]) -> DeskPace:
    """The pace of one desk's (time, result) scans of the last ``PACE_WINDOW``."""
    scans = list(scans)
    ok_times = [at.timestamp() for at, result in scans if result == "ok"]
    per_attendee = seconds_per_attendee(ok_times) if len(ok_times) >= MIN_PACE_CHECKINS else None
    return DeskPace(len(scans) / (PACE_WINDOW.total_seconds() / 60), per_attendee)


def pace_of(session: Session, desk: str, now: datetime) -> DeskPace:
    return desk_pace((_aware(at), result) for _, at, result in store.scans_since(session, now - PACE_WINDOW, now, desk))


@dataclass(frozen=True)
class PrinterState:
    name: str
    url: str
    health: str  # online | offline | cover open | paper out | unknown
    detail: str = ""
    waiting: int = 0  # pending or printing jobs
    failed: int = 0


@dataclass(frozen=True)
class DeskState:
    desk: str
    online: bool
    last_seen: datetime | None  # the app's last heartbeat (None: only its scans are known)
    last_scan_at: datetime | None
    scans_per_minute: float  # every scan of the last ten minutes, failures included
    seconds_per_attendee: float | None  # median between successful check-ins
    journal_waiting: int | None  # offline scans not yet uploaded; None when unknown
    app_version: str = ""
    printers: tuple[PrinterState, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("last_seen", "last_scan_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["printers"] = [asdict(p) for p in self.printers]
        return data


def beat(
    context: Context,
    printers: list[dict] | None = None,
    started_at: datetime | None = None,
    journal_waiting: int | None = None,
) -> None:
    """Say that this desk's app is alive: ``printers`` is a list of {name, url, health, detail};
    ``journal_waiting`` the offline scans of this desk not yet uploaded (None when it keeps no
    journal)."""
    now = utcnow()
    with context.session() as session:
        store.save_heartbeat(
            session,
            desk=context.desk,
            seen_at=now,
            started_at=started_at or now,
            app_version=__version__,
            printers=json.dumps(printers or [], ensure_ascii=False),
            journal_waiting=journal_waiting,
        )


def _printers(raw: str, counts: dict[tuple[str, str], int]) -> tuple[PrinterState, ...]:
    try:
        printers = json.loads(raw or "[]")
    except ValueError:
        return ()
    states = []
    for printer in printers if isinstance(printers, list) else []:
        if not isinstance(printer, dict):
            continue
        name, url = str(printer.get("name", "")), str(printer.get("url", ""))
        keys = {name, url} | ({""} if printer.get("default") else set())

        def count(*wanted: str, keys: set[str] = keys) -> int:  # this printer's keys, bound now
            return sum(counts.get((key, state), 0) for key in keys for state in wanted)

        states.append(
            PrinterState(
                name=name,
                url=url,
                health=str(printer.get("health") or "unknown"),
                detail=str(printer.get("detail") or ""),
                waiting=count("pending", "printing"),
                failed=count("failed"),
            )
        )
    return tuple(states)


@overload
def _aware(value: datetime | str) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value

    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def desks_overview(context: Context, now: datetime | None = None) -> list[DeskState]:
    """Every desk seen in the last hours (by heartbeat, or by its scans on the event clock)."""
    wall = utcnow()
    now = now or context.now()
    with Session(context.engine) as session:
        beats = {b.desk: b for b in store.heartbeats_since(session, wall - SEEN_WITHIN)}
        last_scans = {d: _aware(at) for d, at in store.last_scans_since(session, now - SEEN_WITHIN).items()}
        recent = store.scans_since(session, now - PACE_WINDOW, now)
        counts = counts_by_printer(session) if beats else {}
    per_desk: dict[str, list[tuple[datetime, str]]] = {}
    for desk, at, result in recent:
        per_desk.setdefault(desk, []).append((_aware(at), result))
    states = []
    for desk in sorted(set(beats) | set(last_scans), key=str.casefold):
        heartbeat = beats.get(desk)
        pace = desk_pace(per_desk.get(desk, []))
        journal = heartbeat.journal_waiting if heartbeat is not None else None
        states.append(
            DeskState(
                desk=desk,
                online=heartbeat is not None and wall - heartbeat.last_seen <= ONLINE_WITHIN,
                last_seen=heartbeat.last_seen if heartbeat else None,
                last_scan_at=last_scans.get(desk),
                scans_per_minute=pace.scans_per_minute,
                seconds_per_attendee=pace.seconds_per_attendee,
                journal_waiting=journal,
                app_version=heartbeat.app_version if heartbeat else "",
                printers=_printers(heartbeat.printers, counts) if heartbeat else (),
            )
        )
    return states
