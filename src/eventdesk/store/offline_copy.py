"""The desk's own SQLite file: a snapshot of what a check-in decision needs (people, codes, revoked
codes, lists, each person's state on each list) and the journal of the scans this desk decided
while the server was unreachable. One file per event and desk in the user's data folder, mode 0600
(it holds names). Plain ``sqlite3``: it must open and answer when nothing else does."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eventdesk.domain.codes import code_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS person (
    id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, organisation TEXT, role TEXT, email TEXT,
    country TEXT, category TEXT, status TEXT, blocked INTEGER, note TEXT, badge_code TEXT UNIQUE,
    walk_in INTEGER, badge_queued INTEGER NOT NULL DEFAULT 0,
    words TEXT NOT NULL DEFAULT '');  -- folded search words, space-separated (search while offline)
CREATE TABLE IF NOT EXISTS revoked_code (code TEXT PRIMARY KEY, person_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS checkin_list (id INTEGER PRIMARY KEY, name TEXT UNIQUE, kind TEXT, categories TEXT);
-- Each person's state on each list: the server's at the snapshot, then this desk's own scans.
CREATE TABLE IF NOT EXISTS state (
    person_id INTEGER NOT NULL, list_id INTEGER NOT NULL, last_direction TEXT, last_at TEXT,
    first_entry_at TEXT, first_entry_desk TEXT, PRIMARY KEY (person_id, list_id));
CREATE TABLE IF NOT EXISTS journal (
    nonce TEXT PRIMARY KEY, desk TEXT NOT NULL, code TEXT NOT NULL, list_name TEXT NOT NULL,
    direction TEXT NOT NULL, scanned_at TEXT NOT NULL, result TEXT NOT NULL, person_id INTEGER,
    badge_printed INTEGER NOT NULL DEFAULT 0, uploaded_at TEXT, server_result TEXT,
    state_before TEXT);  -- the person's state on the list before this scan (JSON): an undo restores it
CREATE INDEX IF NOT EXISTS ix_journal_waiting ON journal (uploaded_at, scanned_at);
-- A code is found whatever its case (domain.codes.code_key).
CREATE INDEX IF NOT EXISTS ix_person_code_lower ON person (lower(badge_code));
CREATE INDEX IF NOT EXISTS ix_revoked_code_lower ON revoked_code (lower(code));
"""

PERSON_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "organisation",
    "role",
    "email",
    "country",
    "category",
    "status",
    "blocked",
    "note",
    "badge_code",
    "walk_in",
)


@dataclass(frozen=True)
class LocalList:
    id: int
    name: str
    kind: str
    categories: str


@dataclass(frozen=True)
class LocalLookup:
    """What the snapshot and the journal know about a code on a list (as ``store.checkins.CodeRow``)."""

    person: dict | None
    revoked: bool
    last_direction: str | None
    first_entry_at: datetime | None
    first_entry_desk: str | None
    badge_queued: bool


@dataclass(frozen=True)
class JournalEntry:
    nonce: str
    desk: str
    code: str
    list_name: str
    direction: str
    scanned_at: datetime
    result: str
    person_id: int | None
    badge_printed: bool
    uploaded_at: datetime | None = None
    server_result: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the server answered, to be written into the file in one go."""

    event: dict  # name, timezone, start_date, end_date (ISO strings)
    people: list[dict]  # PERSON_FIELDS + badge_queued
    revoked: list[tuple[str, int]]
    lists: list[LocalList]
    # person, list, last direction, its time, first entry time, its desk (today's valid scans)
    states: list[tuple[int, int, str | None, datetime | None, datetime | None, str | None]]
    taken_at: datetime


def _words(person: dict) -> str:
    from eventdesk.domain.text import search_tokens

    tokens = search_tokens(
        person["first_name"],
        person["last_name"],
        person["organisation"],
        (person["email"] or "").split("@")[0],
        person["badge_code"],
    )
    return " " + " ".join(sorted(tokens)) + " "


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def create_private(path: Path) -> None:
    """The file (and its folder) readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class OfflineCopy:
    """The local file of one desk. Thread-safe (one connection behind a lock); several processes
    of the same desk may open it (SQLite's own locking, WAL)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        create_private(self.path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=5, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(journal)")}
        if "state_before" not in columns:  # a copy made before undo worked offline
            self._db.execute("ALTER TABLE journal ADD COLUMN state_before TEXT")
        for suffix in ("-wal", "-shm"):  # SQLite creates them with the umask's mode
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- meta ---------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, **values: str) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )

    # --- snapshot -----------------------------------------------------------------------------

    def replace_snapshot(self, snapshot: Snapshot) -> None:
        """Write a fresh snapshot, then lay this desk's scans that the server has not seen yet
        (the waiting journal) over it again."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("person", "revoked_code", "checkin_list", "state"):
                    db.execute(f"DELETE FROM {table}")
                db.executemany(
                    f"INSERT INTO person ({', '.join(PERSON_FIELDS)}, badge_queued, words) "
                    f"VALUES ({', '.join('?' * (len(PERSON_FIELDS) + 2))})",
                    [
                        tuple(p[f] for f in PERSON_FIELDS) + (int(bool(p.get("badge_queued"))), _words(p))
                        for p in snapshot.people
                    ],
                )
                db.executemany("INSERT OR REPLACE INTO revoked_code (code, person_id) VALUES (?, ?)", snapshot.revoked)
                db.executemany(
                    "INSERT INTO checkin_list (id, name, kind, categories) VALUES (?, ?, ?, ?)",
                    [(li.id, li.name, li.kind, li.categories) for li in snapshot.lists],
                )
                db.executemany(
                    "INSERT INTO state (person_id, list_id, last_direction, last_at, first_entry_at, "
                    "first_entry_desk) VALUES (?, ?, ?, ?, ?, ?)",
                    [(p, li, d, _ts(last_at), _ts(at), desk) for p, li, d, last_at, at, desk in snapshot.states],
                )
                waiting = self._entries("WHERE uploaded_at IS NULL ORDER BY scanned_at")
                for entry in waiting:
                    self._apply(entry)
                meta = {"event_" + k: v for k, v in snapshot.event.items()}
                meta["snapshot_at"] = snapshot.taken_at.isoformat()
                meta["people"] = str(len(snapshot.people))
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    list(meta.items()),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def has_snapshot(self) -> bool:
        return "snapshot_at" in self.meta()

    def list_by_name(self, name: str) -> LocalList | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, kind, categories FROM checkin_list WHERE name = ?", (name,)
            ).fetchone()
        return LocalList(*row) if row else None

    def lookup(self, code: str, list_id: int, day_start: datetime) -> LocalLookup:
        """The person behind ``code`` (as scanned, then whatever its case; or a revoked code) and
        their state on the list since ``day_start`` (presence ends at the night boundary)."""
        columns = ", ".join(f"p.{f}" for f in PERSON_FIELDS)
        folded = code_key(code)
        with self._lock:
            row = None
            revoked = False
            for join, column in (
                ("person p", "p.badge_code"),
                ("revoked_code r JOIN person p ON p.id = r.person_id", "r.code"),
            ):
                row = (
                    self._db.execute(
                        f"SELECT {columns}, p.badge_queued FROM {join} WHERE {column} = ?", (code,)
                    ).fetchone()
                    or self._db.execute(
                        f"SELECT {columns}, p.badge_queued FROM {join} WHERE lower({column}) = ? ORDER BY p.id LIMIT 1",
                        (folded,),
                    ).fetchone()
                )
                if row:
                    revoked = column == "r.code"
                    break
            if row is None:
                return LocalLookup(None, False, None, None, None, False)
            person = dict(zip(PERSON_FIELDS, row[:-1]))
            person["blocked"] = bool(person["blocked"])
            person["walk_in"] = bool(person["walk_in"])
            state = self._db.execute(
                "SELECT last_direction, last_at, first_entry_at, first_entry_desk FROM state "
                "WHERE person_id = ? AND list_id = ?",
                (person["id"], list_id),
            ).fetchone()
        last, last_at, first_at, first_desk = state if state else (None, None, None, None)
        if last_at is None or _dt(last_at) < day_start:  # yesterday's presence is history
            last, first_at, first_desk = None, None, None
        elif first_at is not None and _dt(first_at) < day_start:
            first_at, first_desk = None, None
        return LocalLookup(person, revoked, last, _dt(first_at), first_desk, bool(row[-1]))

    def person(self, person_id: int) -> dict | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {', '.join(PERSON_FIELDS)} FROM person WHERE id = ?", (person_id,)
            ).fetchone()
        if row is None:
            return None
        person = dict(zip(PERSON_FIELDS, row))
        person["blocked"], person["walk_in"] = bool(person["blocked"]), bool(person["walk_in"])
        return person

    def search(self, terms: list[str], limit: int) -> list[dict]:
        """People having, for every folded term, a search word starting with it (as the store's
        search: name, organisation, e-mail, code), by name."""
        if not terms:
            return []
        where = " AND ".join("instr(words, ?) > 0" for _ in terms)
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(PERSON_FIELDS)} FROM person WHERE {where} "
                "ORDER BY last_name, first_name, id LIMIT ?",
                [f" {t}" for t in terms] + [limit],
            ).fetchall()
        people = []
        for row in rows:
            person = dict(zip(PERSON_FIELDS, row))
            person["blocked"], person["walk_in"] = bool(person["blocked"]), bool(person["walk_in"])
            people.append(person)
        return people

    def day_states(
        self, list_id: int, person_ids: list[int], day_start: datetime
    ) -> list[tuple[int, str, datetime, datetime, str]]:
        """(person, last direction, its time, first entry, its desk) of those of ``person_ids``
        who entered the list since ``day_start``: the server's at the snapshot, then this desk's.
        A first entry is written with its desk, so these rows have both."""
        if not person_ids:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT person_id, last_direction, last_at, first_entry_at, first_entry_desk FROM state "
                f"WHERE list_id = ? AND person_id IN ({', '.join('?' * len(person_ids))})",
                [list_id, *person_ids],
            ).fetchall()
        return [
            (person, direction, _dt(last_at), _dt(first_at), desk)
            for person, direction, last_at, first_at, desk in rows
            if first_at is not None and _dt(first_at) >= day_start and _dt(last_at) >= day_start
        ]

    def list_people(self, list_id: int) -> list[tuple[str, str, str | None, str | None, str | None]]:
        """(category, status, first entry, last direction, its time) of every person, on the list."""
        with self._lock:
            return self._db.execute(
                "SELECT p.category, p.status, s.first_entry_at, s.last_direction, s.last_at FROM person p "
                "LEFT JOIN state s ON s.person_id = p.id AND s.list_id = ?",
                (list_id,),
            ).fetchall()

    def people_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM person").fetchone()[0]

    # --- this desk's own scans ----------------------------------------------------------------

    def remember_scan(
        self,
        *,
        person_id: int,
        list_id: int,
        direction: str,
        scanned_at: datetime,
        desk: str,
        badge_queued: bool = False,
    ) -> None:
        """A valid scan of this desk (online or offline): the state the next offline decision sees."""
        with self._lock:
            self._remember(person_id, list_id, direction, scanned_at, desk, badge_queued)

    def _remember(
        self, person_id: int, list_id: int, direction: str, scanned_at: datetime, desk: str, badge_queued: bool
    ) -> None:
        db = self._db
        at = _ts(scanned_at)
        entry = at if direction == "entry" else None
        db.execute(
            "INSERT INTO state (person_id, list_id, last_direction, last_at, first_entry_at, first_entry_desk) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, list_id) DO UPDATE SET "
            "last_direction = excluded.last_direction, last_at = excluded.last_at, "
            "first_entry_desk = CASE WHEN state.first_entry_at IS NULL THEN excluded.first_entry_desk "
            "ELSE state.first_entry_desk END, "
            "first_entry_at = coalesce(state.first_entry_at, excluded.first_entry_at)",
            (person_id, list_id, direction, at, entry, desk if entry else None),
        )
        if badge_queued:
            db.execute("UPDATE person SET badge_queued = 1 WHERE id = ?", (person_id,))

    def _apply(self, entry: JournalEntry) -> None:
        if entry.result != "ok" or entry.person_id is None:
            return
        row = self._db.execute("SELECT id, kind FROM checkin_list WHERE name = ?", (entry.list_name,)).fetchone()
        if row is not None:
            self._remember(
                entry.person_id,
                row[0],
                entry.direction,
                entry.scanned_at,
                entry.desk,
                entry.badge_printed or (entry.direction == "entry" and row[1] == "entrance"),
            )

    def journal_add(self, entry: JournalEntry, *, list_id: int | None, badge_queued: bool) -> None:
        """Record an offline scan and, if valid, the state it leaves; one transaction."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                before = None
                if entry.person_id is not None and list_id is not None:
                    before = db.execute(
                        "SELECT last_direction, last_at, first_entry_at, first_entry_desk FROM state "
                        "WHERE person_id = ? AND list_id = ?",
                        (entry.person_id, list_id),
                    ).fetchone()
                db.execute(
                    "INSERT OR IGNORE INTO journal (nonce, desk, code, list_name, direction, scanned_at, "
                    "result, person_id, badge_printed, state_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                    (
                        entry.nonce,
                        entry.desk,
                        entry.code,
                        entry.list_name,
                        entry.direction,
                        _ts(entry.scanned_at),
                        entry.result,
                        entry.person_id,
                        json.dumps(list(before)) if before else None,
                    ),
                )
                if entry.result == "ok" and entry.person_id is not None and list_id is not None:
                    self._remember(
                        entry.person_id, list_id, entry.direction, entry.scanned_at, entry.desk, badge_queued
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def annul(self, nonce: str, at: datetime, list_id: int) -> bool:
        """Annul this desk's offline scan ``nonce`` before it was uploaded: the person's state on
        the list goes back to what it was before it (unless a later scan changed it since), and the
        scan never goes up. False when it was uploaded or annulled meanwhile."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT person_id, scanned_at, state_before FROM journal WHERE nonce = ? AND uploaded_at IS NULL",
                    (nonce,),
                ).fetchone()
                if row is None:
                    db.execute("ROLLBACK")
                    return False
                person_id, scanned_at, before = row
                if person_id is not None:
                    if before is None:
                        db.execute(
                            "DELETE FROM state WHERE person_id = ? AND list_id = ? AND last_at = ?",
                            (person_id, list_id, scanned_at),
                        )
                    else:
                        db.execute(
                            "UPDATE state SET last_direction = ?, last_at = ?, first_entry_at = ?, "
                            "first_entry_desk = ? WHERE person_id = ? AND list_id = ? AND last_at = ?",
                            (*json.loads(before), person_id, list_id, scanned_at),
                        )
                db.execute(
                    "UPDATE journal SET uploaded_at = ?, server_result = 'annulled at this desk' WHERE nonce = ?",
                    (_ts(at), nonce),
                )
                db.execute("COMMIT")
                return True
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def mark_badge_printed(self, nonce: str) -> None:
        with self._lock:
            self._db.execute("UPDATE journal SET badge_printed = 1 WHERE nonce = ?", (nonce,))

    def mark_uploaded(self, nonce: str, at: datetime, server_result: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE journal SET uploaded_at = ?, server_result = ? WHERE nonce = ?", (_ts(at), server_result, nonce)
            )

    def _entries(self, where: str, params: Iterable = ()) -> list[JournalEntry]:
        rows = self._db.execute(
            "SELECT nonce, desk, code, list_name, direction, scanned_at, result, person_id, badge_printed, "
            f"uploaded_at, server_result FROM journal {where}",
            tuple(params),
        ).fetchall()
        return [
            JournalEntry(r[0], r[1], r[2], r[3], r[4], _dt(r[5]), r[6], r[7], bool(r[8]), _dt(r[9]), r[10])
            for r in rows
        ]

    def journal_by_nonce(self, nonce: str) -> list[JournalEntry]:
        with self._lock:
            return self._entries("WHERE nonce = ?", (nonce,))

    def waiting(self, limit: int | None = None) -> list[JournalEntry]:
        """Offline scans not yet uploaded, oldest first."""
        with self._lock:
            return self._entries(
                "WHERE uploaded_at IS NULL ORDER BY scanned_at, rowid" + (f" LIMIT {int(limit)}" if limit else "")
            )

    def waiting_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM journal WHERE uploaded_at IS NULL").fetchone()[0]

    def journal(self) -> list[JournalEntry]:
        with self._lock:
            return self._entries("ORDER BY scanned_at, rowid")


def read_meta(path: str | os.PathLike[str]) -> dict[str, str]:
    """The meta table of an offline copy, without creating anything ({} when unreadable)."""
    try:
        with sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=2) as db:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return {}
