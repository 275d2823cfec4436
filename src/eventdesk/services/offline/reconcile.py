"""Reconciliation: the people a desk admitted while offline whom the server, knowing every desk's
scans, refused on upload (mostly: admitted at another desk meanwhile), with both desks and times,
and what every desk last reported about its link (for the Desks screen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from eventdesk.services.attendees import Person
from eventdesk.services.context import Context
from eventdesk.store import offline as server

# A desk that has not reported for this long is shown as offline.
SILENT_AFTER = timedelta(seconds=15)


@dataclass(frozen=True)
class Conflict:
    """One person admitted at two desks (or admitted offline though the server refuses them)."""

    person: Person
    list_name: str
    offline_desk: str
    offline_at: datetime  # when the offline desk admitted them
    other_desk: str | None  # the admission the server counts
    other_at: datetime | None
    server_result: str  # already_checked_in, blocked, cancelled, revoked, not_on_list
    badge_printed_offline: bool
    uploaded_at: datetime
    record_id: int

    @property
    def admitted_twice(self) -> bool:
        return self.server_result == "already_checked_in"

    def as_dict(self) -> dict:
        return {"person": self.person.as_dict(), "list": self.list_name, "offline_desk": self.offline_desk,
                "offline_at": self.offline_at.isoformat(), "other_desk": self.other_desk,
                "other_at": self.other_at.isoformat() if self.other_at else None,
                "server_result": self.server_result, "admitted_twice": self.admitted_twice,
                "badge_printed_offline": self.badge_printed_offline, "uploaded_at": self.uploaded_at.isoformat(),
                "record_id": self.record_id}


def conflicts(context: Context) -> list[Conflict]:
    """Every open conflict, oldest scan first (an undone scan is no conflict any more)."""
    found = []
    with Session(context.engine) as session:
        for row in server.offline_conflicts(session):
            others = [r for r in server.valid_entries(session, row.attendee_id, row.list_id) if r.id != row.record_id]
            other = others[0] if others else None
            found.append(Conflict(
                person=Person(**row.person), list_name=row.list_name, offline_desk=row.desk,
                offline_at=row.scanned_at, other_desk=other.desk if other else None,
                other_at=other.scanned_at if other else None, server_result=row.server_result,
                badge_printed_offline=row.badge_printed, uploaded_at=row.uploaded_at, record_id=row.record_id))
    return found


@dataclass(frozen=True)
class DeskLinkReport:
    """What a desk last told the server: when, and how many offline scans it still held."""

    desk: str
    seen_at: datetime
    waiting: int
    offline_scans_uploaded: int
    last_upload_at: datetime | None
    online: bool  # reported within SILENT_AFTER

    def as_dict(self) -> dict:
        return {"desk": self.desk, "seen_at": self.seen_at.isoformat(), "waiting": self.waiting,
                "offline_scans_uploaded": self.offline_scans_uploaded, "online": self.online,
                "last_upload_at": self.last_upload_at.isoformat() if self.last_upload_at else None}


def desk_links(context: Context, now: datetime | None = None) -> dict[str, DeskLinkReport]:
    """Every desk's last report, by desk name. A desk reports every few seconds while it reaches
    the server, with the offline scans its journal still holds; one that stopped reporting is
    offline (its journal then waits on its own machine; it tells the count when it is back)."""
    now = now or context.now()
    with Session(context.engine) as session:
        rows = server.desk_links(session)
    return {r.desk: DeskLinkReport(r.desk, r.seen_at, r.waiting, r.offline_scans_uploaded, r.last_upload_at,
                                   online=now - r.seen_at <= SILENT_AFTER) for r in rows}
