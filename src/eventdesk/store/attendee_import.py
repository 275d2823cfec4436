"""Bulk writes of an attendee import: a file of 100,000 people goes in as a few multi-row
statements per batch, not one flush per person. The search index is kept in step with the same
``attendee_tokens`` as ``save_attendee`` uses (its tokens may be computed before the write
transaction and handed in). The import journal (``ImportJournal``) keeps, batch by batch, what
undoes a half-done import."""

from __future__ import annotations

import json
from collections import namedtuple
from datetime import datetime
from types import SimpleNamespace
from typing import Iterable, Sequence

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.store import db
from eventdesk.store.attendees import attendee_tokens
from eventdesk.store.models import Attendee, AttendeeToken, AuditEntry, ImportJournal, RevokedCode

IMPORTED_FIELDS = ("first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "email", "country",
                   "category", "status", "note", "badge_code", "source_ref")
_CHUNK = 500  # ids per IN (...) list: well below SQLite's variable limit
# Core statements on the tables: the ORM's bulk path costs several times more per row.
_ATTENDEES = Attendee.__table__
_TOKENS = AttendeeToken.__table__


# The columns of an attendee that an import reads and may change, and when they last changed.
StoredPerson = namedtuple("StoredPerson", ("id", *IMPORTED_FIELDS, "updated_at"))


def stored_people(session: Session) -> list[StoredPerson]:
    columns = [Attendee.id] + [getattr(Attendee, name) for name in IMPORTED_FIELDS] + [Attendee.updated_at]
    return [StoredPerson._make(row) for row in session.exec(select(*columns)).all()]


def changed_since(session: Session, seen: dict[int, datetime]) -> set[int]:
    """Of the people ``seen`` (id -> updated_at when read), those changed or deleted since."""
    ids = list(seen)
    now = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        now.update(session.connection().execute(
            select(_ATTENDEES.c.id, _ATTENDEES.c.updated_at).where(_ATTENDEES.c.id.in_(chunk))).all())
    return {i for i in ids if now.get(i) != seen[i]}


def person_tokens(person: dict) -> list[str]:
    """The search tokens of a person given as a dict of IMPORTED_FIELDS."""
    return list(attendee_tokens(SimpleNamespace(**person)))


def revoked_code_owners(session: Session) -> dict[str, int]:
    """Revoked badge code -> the attendee whose badge it was."""
    return dict(session.exec(select(RevokedCode.code, RevokedCode.attendee_id)).all())


def _token_rows(people: Iterable[dict], tokens: Iterable[list[str]] | None) -> list[dict]:
    if tokens is None:
        tokens = (person_tokens(person) for person in people)
    return [{"token": token, "attendee_id": person["id"]} for person, theirs in zip(people, tokens) for token in theirs]


def insert_people(session: Session, people: Sequence[dict], tokens: Sequence[list[str]] | None = None) -> list[int]:
    """Insert ``people`` (dicts of IMPORTED_FIELDS) with their search tokens (``tokens``: theirs,
    in order, when computed beforehand); their new ids, in order."""
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
    _insert_tokens(session, [{**person, "id": new_id} for person, new_id in zip(people, ids)], tokens)
    return ids


def _insert_tokens(session: Session, people: Sequence[dict], tokens: Iterable[list[str]] | None) -> None:
    rows = _token_rows(people, tokens)
    if rows:
        # Plain strings and integers: straight to the driver, without SQLAlchemy's per-row work.
        connection = session.connection()
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(f"INSERT INTO {_TOKENS.name} (token, attendee_id) VALUES ({marker}, {marker})",
                                   [(row["token"], row["attendee_id"]) for row in rows])


def update_people(session: Session, people: Sequence[dict], tokens: Sequence[list[str]] | None = None) -> None:
    """Write the new state of ``people`` (dicts of ``id`` + IMPORTED_FIELDS) and rewrite their tokens
    (``tokens``: theirs, in order, when computed beforehand)."""
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
    _insert_tokens(session, people, tokens)


def delete_people(session: Session, ids: Sequence[int]) -> None:
    """Remove people (and their search tokens) an unfinished import had added."""
    connection = session.connection()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        connection.execute(delete(_TOKENS).where(_TOKENS.c.attendee_id.in_(chunk)))
        connection.execute(delete(_ATTENDEES).where(_ATTENDEES.c.id.in_(chunk)))


def unrevoke_codes(session: Session, codes: Sequence[str]) -> None:
    for start in range(0, len(codes), _CHUNK):
        session.connection().execute(delete(RevokedCode.__table__).where(RevokedCode.code.in_(codes[start:start + _CHUNK])))


def begin_write(session: Session) -> None:
    """On SQLite take the write lock now (BEGIN IMMEDIATE): a batch that first reads and then
    writes would otherwise fail when a desk wrote in between, instead of waiting its turn."""
    db.begin_write(session)  # waits its turn (with retries) instead of failing on a busy store


# --- the journal of a running import --------------------------------------------------------

_JOURNAL = ImportJournal.__table__


def running_imports(session: Session) -> list[ImportJournal]:
    """The header rows of imports not finished (running now, or died half-way)."""
    return list(session.exec(select(ImportJournal).where(ImportJournal.batch == 0)))


def start_run(session: Session, run: str, desk: str) -> None:
    session.connection().execute(insert(_JOURNAL), [{"run": run, "batch": 0, "written_at": utcnow(), "desk": desk,
                                                     "undo": ""}])


def journal_batch(session: Session, run: str, batch: int, *, inserted: Sequence[int], updated: Sequence[dict],
                  revoked: Sequence[str]) -> None:
    """In the batch's own transaction: what undoes it, and the run's header touched (alive)."""
    now = utcnow()
    connection = session.connection()
    undo = json.dumps({"inserted": list(inserted), "updated": list(updated), "revoked": list(revoked)})
    connection.execute(insert(_JOURNAL), [{"run": run, "batch": batch, "written_at": now, "desk": "", "undo": undo}])
    connection.execute(update(_JOURNAL).where(_JOURNAL.c.run == run, _JOURNAL.c.batch == 0).values(written_at=now))


def finish_run(session: Session, run: str) -> None:
    session.connection().execute(delete(_JOURNAL).where(_JOURNAL.c.run == run))


def undo_run(session: Session, run: str) -> int:
    """Undo every batch an import wrote, newest first; the number of batches undone."""
    batches = session.connection().execute(
        select(_JOURNAL.c.undo).where(_JOURNAL.c.run == run, _JOURNAL.c.batch > 0).order_by(_JOURNAL.c.batch.desc())).all()
    for (text,) in batches:
        undo = json.loads(text)
        unrevoke_codes(session, undo["revoked"])
        update_people(session, undo["updated"])
        delete_people(session, undo["inserted"])
    finish_run(session, run)
    return len(batches)


def revoke_codes(session: Session, codes: Sequence[tuple[str, int]]) -> None:
    """Old badge codes (code, attendee id) that now answer ``revoked`` when scanned."""
    if codes:
        now = utcnow()
        session.connection().execute(insert(RevokedCode.__table__), [{"code": c, "attendee_id": a, "revoked_at": now} for c, a in codes])


def record_import(session: Session, desk: str, detail: str) -> None:
    """An audit entry for the import (counts only, no personal data)."""
    session.add(AuditEntry(desk=desk, action="import_attendees", subject="attendees", detail=detail))
