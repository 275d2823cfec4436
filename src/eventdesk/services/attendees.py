"""People: search (as served to the desk and to ``eventdesk attendees search``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session

from eventdesk.services.context import Context
from eventdesk.store.attendees import search_people_rows
from eventdesk.store.models import Attendee


@dataclass(frozen=True)
class Person:
    """An attendee as the desk sees it (a plain value, safe to hand to another thread)."""

    id: int
    first_name: str
    last_name: str
    organisation: str
    role: str
    email: str
    country: str
    category: str
    status: str
    blocked: bool
    note: str
    badge_code: str
    walk_in: bool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @classmethod
    def of(cls, attendee: Attendee) -> "Person":
        return cls(**{f: getattr(attendee, f) for f in cls.__dataclass_fields__})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["name"] = self.name
        return data


def search_people(context: Context, query: str, limit: int | None = None, min_chars: int | None = None) -> list[Person]:
    """The people matching ``query``; nothing below the minimum query length, so the search never
    turns into a browsable directory."""
    min_chars = context.settings.search_min_chars if min_chars is None else min_chars
    if len(query.strip()) < min_chars:
        return []
    with Session(context.engine) as session:
        hits = search_people_rows(session, query, limit or context.settings.search_limit)
        return [Person(**h.person) for h in hits]
