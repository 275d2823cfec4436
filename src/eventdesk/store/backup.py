"""Copies of a store: SQLite's online backup API (a consistent snapshot while desks keep writing;
WAL readers never block writers), its integrity check, and the row counts a restore is compared by.
PostgreSQL copies are pg_dump's job (see ``services.backup``)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import func, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from eventdesk.store.db import BUSY_TIMEOUT_MS


class BackupError(Exception):
    """A copy that could not be made, read or restored; the message says what to do."""


def _private_temp(target: Path) -> Path:
    temp = target.with_name(f".{target.name}.part")
    temp.unlink(missing_ok=True)
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
    return temp


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite store ``source`` in ``target`` (mode 0600, one file, no WAL
    beside it), written to a temporary name and renamed when complete and checked."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = _private_temp(target)
    try:
        src = sqlite3.connect(f"file:{source}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst)  # one step: one read snapshot, writers go on in the WAL meanwhile
                dst.execute("PRAGMA journal_mode=DELETE")  # a copy is one self-contained file
                problems = _integrity(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if problems:
            raise BackupError(f"The copy of {source} failed its integrity check: {problems[0]}")
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as error:
        raise BackupError(f"Could not copy {source}: {error}") from None
    finally:
        temp.unlink(missing_ok=True)


def restore_sqlite(copy: Path, target: Path) -> None:
    """Write the SQLite copy ``copy`` into the store ``target`` through the backup API (a WAL left
    beside an older store cannot be replayed over the restored pages), mode 0600."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(target, 0o600)
    try:
        src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore {copy} into {target}: {error}") from None


def sqlite_integrity(path: Path) -> list[str]:
    """The problems ``PRAGMA integrity_check`` finds in the SQLite file ``path`` (empty: sound);
    a file that is not a SQLite database is one problem."""
    if not path.is_file():
        return [f"{path} does not exist"]
    try:
        # read-write: a store in WAL mode is read through its shared-memory file (nothing is written)
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            problems = _integrity(connection)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return [f"not a readable SQLite database ({error})"]
    if not problems and "event" not in tables:
        problems = ["not an eventdesk store (it has no event table)"]
    return problems


def _integrity(connection: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def _fsync_dir(folder: Path) -> None:
    """The rename of a finished copy is on the disk too, not only its pages."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the store (what a restore is compared by)."""
    present = set(inspect(engine).get_table_names())
    counts = {}
    with Session(engine) as session:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if name in present:
                counts[name] = session.exec(select(func.count()).select_from(table)).one()
    return counts
