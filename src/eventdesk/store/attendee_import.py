"""Bulk writes of an attendee import: a file of 100,000 people goes in as a few multi-row
statements, not one flush per person. The search index is kept in step with the same
``attendee_tokens`` as ``save_attendee`` uses."""

from __future__ import annotations

from collections import namedtuple
from types import SimpleNamespace
from typing import Iterable, Sequence

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.store.attendees import attendee_tokens
from eventdesk.store.models import Attendee, AttendeeToken, AuditEntry, RevokedCode

IMPORTED_FIELDS = ("first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "email", "country",
                   "category", "status", "note", "badge_code", "source_ref")
_CHUNK = 500  # ids per IN (...) list: well below SQLite's variable limit
# Core statements on the tables: the ORM's bulk path costs several times more per row.
_ATTENDEES = Attendee.__table__
_TOKENS = AttendeeToken.__table__


# The columns of an attendee that an import reads and may change.
StoredPerson = namedtuple("StoredPerson", ("id", *IMPORTED_FIELDS))


def stored_people(session: Session) -> list[StoredPerson]:
    columns = [Attendee.id] + [getattr(Attendee, name) for name in IMPORTED_FIELDS]
    return [StoredPerson._make(row) for row in session.exec(select(*columns)).all()]


def revoked_code_owners(session: Session) -> dict[str, int]:
    """Revoked badge code -> the attendee whose badge it was."""
    return dict(session.exec(select(RevokedCode.code, RevokedCode.attendee_id)).all())


def _token_rows(people: Iterable[dict]) -> list[dict]:
    return [{"token": token, "attendee_id": person["id"]}
            for person in people for token in attendee_tokens(SimpleNamespace(**person))]


def insert_people(session: Session, people: Sequence[dict]) -> list[int]:
    """Insert ``people`` (dicts of IMPORTED_FIELDS) with their search tokens; their new ids, in order."""
    if not people:
        return []
    now = utcnow()
    values = [{**person, "blocked": False, "walk_in": False, "created_at": now, "updated_at": now} for person in people]
    connection = session.connection()
    # A plain multi-row insert, then the new ids by badge code: RETURNING would cost twice the time.
    newest = connection.execute(select(func.max(_ATTENDEES.c.id))).scalar() or 0
    connection.execute(insert(_ATTENDEES), values)
    new_ids = dict(connection.execute(select(_ATTENDEES.c.badge_code, _ATTENDEES.c.id).where(_ATTENDEES.c.id > newest)).all())
    ids = [new_ids[person["badge_code"]] for person in people]
    _insert_tokens(session, ({**person, "id": new_id} for person, new_id in zip(people, ids)))
    return ids


def _insert_tokens(session: Session, people: Iterable[dict]) -> None:
    tokens = _token_rows(people)
    if tokens:
        session.connection().execute(insert(_TOKENS), tokens)


def update_people(session: Session, people: Sequence[dict]) -> None:
    """Write the new state of ``people`` (dicts of ``id`` + IMPORTED_FIELDS) and rewrite their tokens."""
    if not people:
        return
    now = utcnow()
    connection = session.connection()
    statement = (update(_ATTENDEES).where(_ATTENDEES.c.id == bindparam("person_id"))
                 .values({name: bindparam(name) for name in (*IMPORTED_FIELDS, "updated_at")}))
    connection.execute(statement, [{**{k: v for k, v in person.items() if k != "id"}, "person_id": person["id"],
                                    "updated_at": now} for person in people])
    ids = [person["id"] for person in people]
    for start in range(0, len(ids), _CHUNK):
        connection.execute(delete(_TOKENS).where(_TOKENS.c.attendee_id.in_(ids[start:start + _CHUNK])))
    _insert_tokens(session, people)


def revoke_codes(session: Session, codes: Sequence[tuple[str, int]]) -> None:
    """Old badge codes (code, attendee id) that now answer ``revoked`` when scanned."""
    if codes:
        now = utcnow()
        session.connection().execute(insert(RevokedCode.__table__), [{"code": c, "attendee_id": a, "revoked_at": now} for c, a in codes])


def record_import(session: Session, desk: str, detail: str) -> None:
    """An audit entry for the import (counts only, no personal data)."""
    session.add(AuditEntry(desk=desk, action="import_attendees", subject="attendees", detail=detail))
