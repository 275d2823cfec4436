"""The state of a store in one object, for ``eventdesk status`` and scripts: the event, people by
status and category, check-ins per list, inside now, sessions, meetings, print jobs, the last
backup and the schema version."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session

from eventdesk.services.backup import last_backup
from eventdesk.services.checkin_figures import ListFigures, list_figures
from eventdesk.services.context import Context
from eventdesk.store import migrate
from eventdesk.store import status as store

WAITING = ("pending", "printing")


@dataclass(frozen=True)
class StoreStatus:
    event: dict
    attendees: dict  # {"total", "by_status": {...}, "by_category": {...}}
    lists: list[ListFigures]
    inside_now: int  # on the main entrance list (the building)
    sessions: dict[str, int]
    meetings: dict[str, int]
    print_jobs: dict  # {"waiting", "failed", "by_state"}
    last_backup: dict | None  # {"path", "taken_at"}
    schema: dict  # {"revision", "head", "current"}
    at: datetime

    def as_dict(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        if self.last_backup:
            data["last_backup"] = {**self.last_backup, "taken_at": self.last_backup["taken_at"].isoformat()}
        return data


def store_status(context: Context) -> StoreStatus:
    event = context.event()
    with Session(context.engine) as session:
        people = store.attendees_by_status_and_category(session)
        sessions = store.sessions_by_status(session)
        meetings = store.meetings_by_state(session)
        jobs = store.print_jobs_by_state(session)
    by_status: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for (status, category), count in sorted(people.items()):
        by_status[status] = by_status.get(status, 0) + count
        by_category[category] = by_category.get(category, 0) + count
    lists = list_figures(context)
    entrance = next((f for f in lists if f.kind == "entrance"), None)
    backup = last_backup(context)
    revision, head = migrate.current_revision(context.engine), migrate.head_revision()
    return StoreStatus(
        event={
            "name": event.name,
            "venue": event.venue,
            "timezone": event.timezone,
            "start": event.start_date.isoformat(),
            "end": event.end_date.isoformat(),
        },
        attendees={
            "total": sum(people.values()),
            "by_status": by_status,
            "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))),
        },
        lists=lists,
        inside_now=entrance.inside_now if entrance else 0,
        sessions=dict(sorted(sessions.items())),
        meetings=dict(sorted(meetings.items())),
        print_jobs={
            "waiting": sum(jobs.get(s, 0) for s in WAITING),
            "failed": jobs.get("failed", 0),
            "by_state": dict(sorted(jobs.items())),
        },
        last_backup={"path": str(backup.path), "taken_at": backup.taken_at} if backup else None,
        schema={"revision": revision, "head": head, "current": revision == head},
        at=context.now(),
    )
