"""Bulk writes of an attendee import: a file of 100,000 people goes in as prepared tuples straight
to the driver (``executemany`` on SQLite, ``COPY`` on PostgreSQL), not as ORM objects or
SQLAlchemy statements per row. The search index is kept in step with the same ``person_tokens``
as ``save_attendee`` uses, with each row's ``letters`` (``token_letters``). The import journal
(``ImportJournal``) keeps, batch by batch, what undoes a half-done import.

The import writes on a connection of its own (``BulkWriter``): between batches it takes no lock,
its batches commit with ``synchronous=NORMAL`` (no flush per batch) and its last transaction, the
one that publishes the import as finished, commits with the store's FULL, flushing every batch
before it; the WAL is checkpointed by the import between its batches, outside the write lock, so
that a desk's commit does not find thousands of the import's pages to copy."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: imports fall back on the journal's age
    fcntl = None  # type: ignore[assignment]
from sqlmodel import Session

from eventdesk.domain.clock import utcnow
from eventdesk.store import db
from eventdesk.store.attendees import TOKEN_FIELDS, person_tokens, token_letters
from eventdesk.store.models import Attendee


class StoredPerson(NamedTuple):
    """The columns of an attendee that an import reads and may change (between ``id`` and
    ``updated_at``: IMPORTED_FIELDS), and when they last changed (as the driver returns it:
    compared, never interpreted)."""

    id: int
    first_name: str
    last_name: str
    badge_name: str
    pronouns: str
    organisation: str
    role: str
    email: str
    country: str
    category: str
    status: str
    note: str
    badge_code: str
    source_ref: str | None
    updated_at: Any


IMPORTED_FIELDS: tuple[str, ...] = StoredPerson._fields[1:-1]
# Where each token field sits in a tuple of IMPORTED_FIELDS.
TOKEN_AT = tuple(IMPORTED_FIELDS.index(name) for name in TOKEN_FIELDS)
_CHUNK = 500  # ids per IN (...) list: well below SQLite's variable limit
IMPORT_LOCK_KEY = 0x65646B696D7074  # PostgreSQL advisory lock of a running attendee import
LOCK_RETRY_SECONDS = 0.025  # the import's step while another process holds SQLite's write lock
_PERSON_COLUMNS = ", ".join(IMPORTED_FIELDS)


def stored_people(session: Session) -> list[StoredPerson]:
    # On the driver's own cursor: 100,000 rows without a SQLAlchemy Row object each.
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(f"SELECT id, {_PERSON_COLUMNS}, updated_at FROM attendee")
        return list(map(StoredPerson._make, cursor.fetchall()))
    finally:
        cursor.close()


def revoked_code_owners(session: Session) -> dict[str, int]:
    """Revoked badge code -> the attendee whose badge it was."""
    return dict(session.connection().exec_driver_sql("SELECT code, attendee_id FROM revoked_code").fetchall())


def token_tuples(person_id: int, values: Sequence) -> list[tuple[str, int, int]]:
    """The ``attendee_token`` rows (token, person, letters) of a person given as a tuple of
    IMPORTED_FIELDS: ``token_rows`` as tuples, the form the driver takes without conversion."""
    tokens = person_tokens(*[values[at] for at in TOKEN_AT])
    letters = token_letters(tokens)
    return [(token, person_id, letters) for token in tokens]


def tokens_changed(before: Sequence, after: Sequence) -> bool:
    return any(before[at] != after[at] for at in TOKEN_AT)


class BulkWriter:
    """The import's own driver connection (taken out of the engine's pool: its settings during the
    import are not a desk's), with the few operations the import needs on either database."""

    def __init__(self, engine: Engine) -> None:
        self._pooled = engine.raw_connection()
        self.connection = self._pooled.driver_connection
        self._pooled.detach()  # closed, not returned to the pool, when the import ends
        self._database = engine.url.database
        self._lock_file: IO[bytes] | None = None
        self._dialect(engine.dialect)
        if self.sqlite:
            # No flush per batch (the last commit flushes them all), checkpoints by the import itself
            # between its batches, and room for the pages of a batch and of the indexes it touches.
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self._durable = False
            self.connection.execute("PRAGMA wal_autocheckpoint=0")
            self.connection.execute("PRAGMA cache_size=-65536")
            self.connection.execute("PRAGMA busy_timeout=0")  # see _take_write_lock

    def _dialect(self, dialect) -> None:
        self.sqlite = dialect.name == "sqlite"
        column_type = Attendee.__table__.c.updated_at.type
        self._stamp = column_type.bind_processor(dialect) or (lambda value: value)

    def hold_import_lock(self) -> bool | None:
        """Take the store's import lock, held until this writer is closed or its process dies:
        whether it was free (None: this store cannot tell, an SQLite database without a file).
        While an import holds it, its journal is alive; a journal left without it died half-way.
        SQLite: an exclusive ``flock`` on a file beside the database (never on the database itself:
        closing another descriptor of it would drop SQLite's own locks); PostgreSQL: a session
        advisory lock of the import's connection."""
        if not self.sqlite:
            return bool(self.execute("SELECT pg_try_advisory_lock(?)", (IMPORT_LOCK_KEY,))[0][0])
        if fcntl is None or not self._database or self._database == ":memory:":
            return None
        # Owner-only, as the database beside it (it holds nothing, but names the event's file).
        self._lock_file = open(  # noqa: SIM115 - held until release()
            f"{self._database}-import-lock",
            "a+b",
            opener=lambda path, flags: os.open(path, flags, 0o600),
        )
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            return False
        return True

    def now(self):
        """The current time as the driver stores it in a timestamp column."""
        return self._stamp(utcnow())

    def sql(self, text: str) -> str:
        return text if self.sqlite else text.replace("?", "%s")

    def begin(self, *, durable: bool = False) -> None:
        """Start a write transaction; on SQLite take the write lock now (see ``db.begin_write``).
        ``durable``: its commit is flushed to the disk before it returns, and every batch before it."""
        if self.sqlite:
            if durable != self._durable:  # SQLite takes the setting outside a transaction only
                level = db.SQLITE_SYNCHRONOUS if durable else "NORMAL"
                self.connection.execute(f"PRAGMA synchronous={level}")
                self._durable = durable
            self._take_write_lock()

    def _take_write_lock(self) -> None:
        """BEGIN IMMEDIATE, politely: the import does not wait in SQLite's busy handler (whose first
        steps of 1-5 ms would take the lock back the moment a desk releases it, while other
        waiters still sleep in longer steps); when the lock is taken it tries again a step later."""
        started = time.monotonic()
        while True:
            try:
                self.connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() - started >= db.WRITE_LOCK_WAIT_S:
                    raise
            time.sleep(LOCK_RETRY_SECONDS)

    def commit(self) -> None:
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def checkpoint(self) -> None:
        """Copy the WAL's pages into the database, outside any transaction (no write lock taken)."""
        if self.sqlite:
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def execute(self, text: str, params: Sequence = ()) -> list[tuple]:
        cursor = self.connection.execute(self.sql(text), params)
        return cursor.fetchall() if cursor.description else []

    def executemany(self, text: str, rows: Sequence[Sequence]) -> None:
        if not rows:
            return
        if self.sqlite:
            self.connection.executemany(text, rows)
        else:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.sql(text), rows)

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Many new rows: COPY on PostgreSQL, one prepared INSERT executed per row on SQLite."""
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def ids_in(self, text: str, ids: Sequence[int]) -> list[tuple]:
        """``text`` with ``{ids}`` as an IN list, run per chunk of ids; the rows of all chunks."""
        out: list[tuple] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            out.extend(self.execute(text.format(ids=", ".join("?" * len(chunk))), chunk))
        return out

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()  # PostgreSQL: the import lock goes with the session
        if self._lock_file is not None:
            self._lock_file.close()  # SQLite: the import lock goes with the descriptor


# --- the people and their search tokens ----------------------------------------------------------


def insert_rows(writer: BulkWriter, people: Sequence[tuple], tokens: Sequence[list[tuple]]) -> list[int]:
    """Insert ``people`` (tuples of IMPORTED_FIELDS) with their search tokens (``token_tuples`` made
    with person id 0, in order); their new ids, in order. Inside the writer's transaction."""
    if not people:
        return []
    if writer.sqlite:  # the write lock is held: the next ids are those SQLite would give
        first = writer.execute("SELECT coalesce(max(id), 0) + 1 FROM attendee")[0][0]
        ids = list(range(first, first + len(people)))
    else:
        ids = [
            row[0]
            for row in writer.execute(
                "SELECT nextval(pg_get_serial_sequence('attendee', 'id')) FROM generate_series(1, ?)", (len(people),)
            )
        ]
    now = writer.now()
    writer.copy(
        "attendee",
        ("id", *IMPORTED_FIELDS, "blocked", "walk_in", "created_at", "updated_at"),
        [(person_id, *person, False, False, now, now) for person_id, person in zip(ids, people)],
    )
    _insert_tokens(writer, ids, tokens)
    return ids


def _insert_tokens(writer: BulkWriter, ids: Sequence[int], tokens: Sequence[list[tuple]]) -> None:
    if not ids:
        return
    # In token order: the key's B-tree is filled page by page instead of at random places.
    rows = sorted((token, person_id, letters) for person_id, theirs in zip(ids, tokens) for token, _, letters in theirs)
    writer.copy("attendee_token", ("token", "attendee_id", "letters"), rows)


def _delete_tokens(writer: BulkWriter, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        writer.execute(f"DELETE FROM attendee_token WHERE attendee_id IN ({', '.join('?' * len(chunk))})", chunk)


def update_rows(writer: BulkWriter, changes: Sequence[tuple[int, dict]], tokens: dict[int, list[tuple]]) -> None:
    """Set the changed columns of people: ``changes`` (id, {column: new value}); ``tokens``: the
    new search tokens (``token_tuples``) of those whose token fields changed."""
    now = writer.now()
    by_columns: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for person_id, values in changes:
        by_columns[tuple(values)].append((*values.values(), now, person_id))
    for columns, rows in by_columns.items():
        assignments = ", ".join(f"{name} = ?" for name in (*columns, "updated_at"))
        writer.executemany(writer.sql(f"UPDATE attendee SET {assignments} WHERE id = ?"), rows)
    ids = list(tokens)
    _delete_tokens(writer, ids)
    _insert_tokens(writer, ids, [tokens[i] for i in ids])


def reindex(writer: BulkWriter, ids: Sequence[int]) -> None:
    """Rewrite the search tokens of ``ids`` from what the store holds now."""
    rows = writer.ids_in(f"SELECT id, {_PERSON_COLUMNS} FROM attendee WHERE id IN ({{ids}})", list(ids))
    _delete_tokens(writer, ids)
    _insert_tokens(writer, [row[0] for row in rows], [token_tuples(row[0], row[1:]) for row in rows])


def changed_since(writer: BulkWriter, seen: dict[int, object]) -> set[int]:
    """Of the people ``seen`` (id -> updated_at when read, as the driver gave it), those changed or deleted since."""
    now = dict(writer.ids_in("SELECT id, updated_at FROM attendee WHERE id IN ({ids})", list(seen)))
    return {i for i in seen if now.get(i) != seen[i]}


def delete_people(writer: BulkWriter, ids: Sequence[int]) -> None:
    """Remove people (and their search tokens) an unfinished import had added."""
    _delete_tokens(writer, ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        writer.execute(f"DELETE FROM attendee WHERE id IN ({', '.join('?' * len(chunk))})", chunk)


def revoke_codes(writer: BulkWriter, codes: Sequence[tuple[str, int]]) -> None:
    """Old badge codes (code, attendee id) that now answer ``revoked`` when scanned."""
    now = writer.now()
    writer.executemany(
        writer.sql("INSERT INTO revoked_code (code, attendee_id, revoked_at) VALUES (?, ?, ?)"),
        [(code, person_id, now) for code, person_id in codes],
    )


def unrevoke_codes(writer: BulkWriter, codes: Sequence[str]) -> None:
    writer.executemany(writer.sql("DELETE FROM revoked_code WHERE code = ?"), [(code,) for code in codes])


def bump_attendees(writer: BulkWriter) -> None:
    """``db.bump(session, "attendees")`` on the writer: other desks see the batch as it lands."""
    writer.execute(
        "INSERT INTO change (area, version) VALUES ('attendees', 1) "
        "ON CONFLICT (area) DO UPDATE SET version = change.version + 1"
    )


def record_import(writer: BulkWriter, desk: str, detail: str) -> None:
    """An audit entry for the import (counts only, no personal data)."""
    writer.execute(
        "INSERT INTO audit_entry (at, desk, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (writer.now(), desk, "import_attendees", "attendees", detail),
    )


# --- the journal of a running import --------------------------------------------------------

ImportRun = namedtuple("ImportRun", ("run", "written_at", "desk"))


def running_imports(writer: BulkWriter) -> list[ImportRun]:
    """The header rows of imports not finished (running now, or died half-way)."""
    rows = writer.execute("SELECT run, written_at, desk FROM import_journal WHERE batch = 0")
    return [ImportRun(run, _aware(at), desk) for run, at, desk in rows]


def _aware(value: datetime | str) -> datetime:
    """A timestamp as the driver returns it (SQLite: naive UTC text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def start_run(writer: BulkWriter, run: str, desk: str) -> None:
    writer.execute(
        "INSERT INTO import_journal (run, batch, written_at, desk, undo) VALUES (?, 0, ?, ?, '')",
        (run, writer.now(), desk),
    )


def journal_batch(
    writer: BulkWriter,
    run: str,
    batch: int,
    *,
    inserted: Sequence[int],
    updated: Sequence[dict],
    revoked: Sequence[str],
) -> None:
    """In the batch's own transaction: what undoes it (ids added, the former values of the columns
    changed, codes revoked), and the run's header touched (alive)."""
    now = writer.now()
    undo = json.dumps({"inserted": list(inserted), "updated": list(updated), "revoked": list(revoked)})
    writer.execute(
        "INSERT INTO import_journal (run, batch, written_at, desk, undo) VALUES (?, ?, ?, '', ?)",
        (run, batch, now, undo),
    )
    writer.execute("UPDATE import_journal SET written_at = ? WHERE run = ? AND batch = 0", (now, run))


def finish_run(writer: BulkWriter, run: str) -> None:
    writer.execute("DELETE FROM import_journal WHERE run = ?", (run,))


def undo_run(writer: BulkWriter, run: str) -> int:
    """Undo every batch an import wrote, newest first; the number of batches undone."""
    batches = writer.execute("SELECT undo FROM import_journal WHERE run = ? AND batch > 0 ORDER BY batch DESC", (run,))
    for (text,) in batches:
        undo = json.loads(text)
        unrevoke_codes(writer, undo["revoked"])
        restored = [(before.pop("id"), before) for before in undo["updated"]]
        update_rows(writer, restored, {})
        reindex(writer, [person_id for person_id, before in restored if set(before) & set(TOKEN_FIELDS)])
        delete_people(writer, undo["inserted"])
    finish_run(writer, run)
    return len(batches)


# --- for benchmarks and tests that build a big store -------------------------------------------


def insert_people(session: Session, people: Sequence[dict]) -> list[int]:
    """Insert ``people`` (dicts of IMPORTED_FIELDS) with their search tokens, in ``session``'s
    transaction; their new ids, in order."""
    writer = _SessionWriter(session)
    rows = [tuple(person[name] for name in IMPORTED_FIELDS) for person in people]
    return insert_rows(writer, rows, [token_tuples(0, row) for row in rows])


class _SessionWriter(BulkWriter):
    """A BulkWriter on the connection of a session's transaction (no settings of its own)."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.connection = connection.connection.driver_connection
        self._dialect(connection.dialect)
        self._durable = True
