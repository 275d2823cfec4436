"""Reconciliation: the people a desk admitted while offline whom the server, knowing every desk's
scans, refused on upload (mostly: admitted at another desk meanwhile), with both desks and times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from eventdesk.services.attendees import Person
from eventdesk.services.context import Context
from eventdesk.store import offline as server


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
        return {
            "person": self.person.as_dict(),
            "list": self.list_name,
            "offline_desk": self.offline_desk,
            "offline_at": self.offline_at.isoformat(),
            "other_desk": self.other_desk,
            "other_at": self.other_at.isoformat() if self.other_at else None,
            "server_result": self.server_result,
            "admitted_twice": self.admitted_twice,
            "badge_printed_offline": self.badge_printed_offline,
            "uploaded_at": self.uploaded_at.isoformat(),
            "record_id": self.record_id,
        }


def conflicts(context: Context) -> list[Conflict]:
    """Every open conflict, oldest scan first (an undone scan is no conflict any more)."""
    found = []
    with Session(context.engine) as session:
        for row in server.offline_conflicts(session):
            others = [r for r in server.valid_entries(session, row.attendee_id, row.list_id) if r.id != row.record_id]
            other = others[0] if others else None
            found.append(
                Conflict(
                    person=Person(**row.person),
                    list_name=row.list_name,
                    offline_desk=row.desk,
                    offline_at=row.scanned_at,
                    other_desk=other.desk if other else None,
                    other_at=other.scanned_at if other else None,
                    server_result=row.server_result,
                    badge_printed_offline=row.badge_printed,
                    uploaded_at=row.uploaded_at,
                    record_id=row.record_id,
                )
            )
    return found
