"""People: search (as served to the desk and to ``eventdesk attendees search``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session

from eventdesk.services.context import Context
from eventdesk.store.attendees import (
    all_attendees,
    by_code,
    by_email,
    get_attendee,
    search_attendees,
    search_people_rows,
)
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
    badge_name: str = ""  # the name the person is called by; empty: first + last name
    pronouns: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def called(self) -> str:
        """The name on the badge and the banner: the badge name, else first + last name."""
        return self.badge_name.strip() or self.name

    @classmethod
    def of(cls, attendee: Attendee) -> Person:
        return cls(**{f: getattr(attendee, f) for f in cls.__dataclass_fields__})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["name"] = self.name
        data["called"] = self.called
        return data


def search_people(context: Context, query: str, limit: int | None = None, min_chars: int | None = None) -> list[Person]:
    """The people matching ``query``; nothing below the minimum query length, so the search never
    turns into a browsable directory."""
    min_chars = context.settings.search_min_chars if min_chars is None else min_chars
    if len(query.strip()) < min_chars:
        return []
    # Read-only and per keystroke: no transaction to begin and roll back (two round trips on PostgreSQL).
    with context.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        hits = search_people_rows(connection, query, limit or context.settings.search_limit)
    return [Person(**h.person) for h in hits]


class PersonNotFound(LookupError):
    """ATTENDEE names nobody, or several people; the message says what to type instead."""


def resolve_attendee(session: Session, text: str) -> Attendee:
    """ATTENDEE as typed on a command line or at a desk: a badge code (any case), an attendee id,
    an e-mail, or a name that matches exactly one person (an exact full name wins over prefixes)."""
    text = text.strip()
    if not text:
        raise PersonNotFound("Name a person: a badge code, an attendee id, an e-mail or a name.")
    attendee = by_code(session, text)
    if attendee is None and text.isdigit():
        attendee = get_attendee(session, int(text))
    if attendee is not None:
        return attendee
    if "@" in text:
        found = by_email(session, text)
        if len(found) == 1:
            return found[0]
        if found:
            raise PersonNotFound(f"Several people have the e-mail {text}; use the badge code.")
        raise PersonNotFound(f"Nobody has the e-mail {text}.")
    hits = search_attendees(session, text, limit=10)
    exact = [h for h in hits if h.rank == 0]
    if len(hits) == 1 or len(exact) == 1:
        return (exact or hits)[0].attendee
    if not hits:
        raise PersonNotFound(f"Nobody matches '{text}'.")
    listed = "; ".join(f"{h.attendee.name} ({h.attendee.badge_code})" for h in hits[:5])
    more = " …" if len(hits) > 5 else ""
    raise PersonNotFound(f"'{text}' matches {len(hits)} people: {listed}{more}. Use the badge code.")


# Headers that ``eventdesk import attendees`` recognises, so an exported file imports back unchanged.
EXPORT_COLUMNS = (
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("Badge Name", "badge_name"),
    ("Pronouns", "pronouns"),
    ("Organisation", "organisation"),
    ("Role", "role"),
    ("Email", "email"),
    ("Country", "country"),
    ("Category", "category"),
    ("Status", "status"),
    ("Note", "note"),
    ("Code", "badge_code"),
)


def export_attendees_csv(context: Context) -> str:
    """Every attendee as CSV (UTF-8), badge name and pronouns included; importing it again
    changes nothing."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for header, _ in EXPORT_COLUMNS])
    with Session(context.engine) as session:
        for attendee in all_attendees(session):
            writer.writerow([getattr(attendee, name) for _, name in EXPORT_COLUMNS])
    return out.getvalue()
