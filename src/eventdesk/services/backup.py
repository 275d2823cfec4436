"""Backups of the store while desks keep scanning, and restoring one.

SQLite: the online backup API gives a consistent copy (one file, mode 0600) named by event and
time, e.g. ``european-cluster-conference-2024-20240508T081500Z.db``, in ``[backup] dir`` or
``<database name>-backups`` beside the database. PostgreSQL: ``pg_dump --format=custom`` when it
is installed, else the command to run is named. The open app takes one every
``[backup] every_minutes`` and keeps the newest ``[backup] keep``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from eventdesk.services.context import Context
from eventdesk.settings import Settings
from eventdesk.store import backup as store
from eventdesk.store.backup import BackupError
from eventdesk.store.db import database_url, make_engine, sqlite_path

__all__ = ["BackupError", "Backup", "take_backup", "restore_backup", "last_backup", "backup_folder"]

STAMP = "%Y%m%dT%H%M%SZ"
PG_HINT = (
    "install the PostgreSQL client (Debian: apt install postgresql-client), or run "
    "pg_dump --format=custom --file FILE postgresql://... yourself; eventdesk restore FILE --db "
    "postgresql://... writes it back"
)
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of a pg_dump --format=custom file


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # UTC
    size: int
    removed: tuple[Path, ...] = ()  # older copies pruned to keep the newest K


def event_slug(name: str) -> str:
    """'European Cluster Conference 2024' -> 'european-cluster-conference-2024' (ASCII, file-safe)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "event"


def backup_folder(settings: Settings, db: str) -> Path:
    if settings.backup_dir:
        return Path(settings.backup_dir).expanduser()
    path = sqlite_path(database_url(db))
    if path is None:
        return Path("eventdesk-backups").absolute()
    return path.parent / f"{path.stem}-backups"


def _copies(folder: Path, slug: str | None = None) -> list[Path]:
    """The copies in ``folder`` (of the event ``slug``, else of any event), oldest first."""
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(slug) if slug else '.+'}-(\d{{8}}T\d{{6}}Z)\.(db|pgdump)$")
    found = [(m.group(1), p) for p in folder.iterdir() if (m := pattern.match(p.name)) and p.is_file()]
    return [p for _, p in sorted(found)]


def _taken_at(path: Path) -> datetime:
    found = re.search(r"(\d{8}T\d{6}Z)\.\w+$", path.name)
    if found is None:
        raise ValueError(f"the backup file name {path.name!r} carries no time stamp")
    stamp = found.group(1)
    return datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)


def last_backup(context: Context) -> Backup | None:
    """The newest copy of this event in the backup folder (None: there is none)."""
    folder = backup_folder(context.settings, context.settings.db or str(context.engine.url))
    copies = _copies(folder, event_slug(context.event().name))
    if not copies:
        return None
    newest = copies[-1]
    return Backup(newest, _taken_at(newest), newest.stat().st_size)


def take_backup(
    context: Context, to: str | os.PathLike[str] | None = None, keep: int | None = None, now: datetime | None = None
) -> Backup:
    """Copy the store now (wall-clock time names the file, also on a rehearsal clock); keep the
    newest ``keep`` copies of this event in that folder (None: keep all)."""
    db = context.settings.db or context.engine.url.render_as_string(hide_password=False)
    folder = Path(to).expanduser() if to else backup_folder(context.settings, db)
    taken_at = (now or datetime.now(UTC)).replace(microsecond=0)
    slug = event_slug(context.event().name)
    source = sqlite_path(database_url(db))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the backup folder {folder}: {error.strerror or error}") from None
    if source is not None:
        target = folder / f"{slug}-{taken_at.strftime(STAMP)}.db"
        store.copy_sqlite(source, target)
    else:
        target = folder / f"{slug}-{taken_at.strftime(STAMP)}.pgdump"
        _pg_dump(context.engine.url, target)
    removed: tuple[Path, ...] = ()
    if keep is not None and keep > 0:
        removed = tuple(_copies(folder, slug)[:-keep])
        for old in removed:
            old.unlink(missing_ok=True)
    return Backup(target, taken_at, target.stat().st_size, removed)


def _pg_dump(url, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(f"pg_dump is not installed: {PG_HINT}.")
    plain = _libpq_url(url)
    temp = target.with_name(f".{target.name}.part")
    fd = os.open(temp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        done = subprocess.run(
            [program, "--format=custom", "--no-owner", f"--file={temp}", f"--dbname={plain}"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise BackupError(f"pg_dump failed: {reason} ({PG_HINT})")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _libpq_url(url, hide_password: bool = False) -> str:
    """The store's URL as libpq (pg_dump, pg_restore, psql) reads it: without SQLAlchemy's driver name."""
    return url.set(drivername="postgresql").render_as_string(hide_password=hide_password)


@dataclass(frozen=True)
class Restored:
    target: Path | str  # a SQLite file, or a PostgreSQL URL without its password
    counts: dict[str, int]


def _is_pg_dump(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(PG_DUMP_MAGIC)) == PG_DUMP_MAGIC
    except OSError:
        return path.suffix == ".pgdump"


def restore_backup(copy: str | os.PathLike[str], db: str, force: bool = False) -> Restored:
    """Check the copy's integrity, then write it into the SQLite store ``db``; an existing store is
    only overwritten with ``force``."""
    source = Path(copy).expanduser()
    target = sqlite_path(database_url(db))
    if _is_pg_dump(source):
        if target is not None:
            raise BackupError(
                f"{source} is a PostgreSQL dump: it restores into a PostgreSQL store "
                "(--db postgresql://user@host/database), not into a SQLite file."
            )
        return _pg_restore(source, db, force)
    if target is None:
        raise BackupError(
            f"{source} is a SQLite copy: it restores into a SQLite file (--db PATH), not into a PostgreSQL store."
        )
    problems = store.sqlite_integrity(source)
    if problems:
        raise BackupError(f"{source} cannot be restored: {problems[0]}. Nothing was changed.")
    if target.resolve() == source.resolve():
        raise BackupError(f"{source} is the store itself; give another --db.")
    if target.exists() and target.stat().st_size > 0 and not force:
        raise BackupError(
            f"{target} exists and holds a store; add --force to overwrite it with {source.name} "
            "(take a backup of it first: eventdesk backup --db ...)."
        )
    store.restore_sqlite(source, target)
    engine = make_engine(str(target), create=False)
    try:
        from eventdesk.store import migrate

        migrate.upgrade(engine)  # a copy made by an older eventdesk opens as the current schema
        counts = store.row_counts(engine)
    finally:
        engine.dispose()
    return Restored(target, counts)


def _pg_restore(source: Path, db: str, force: bool) -> Restored:
    """pg_restore the dump ``source`` into the PostgreSQL store ``db`` in one transaction (a failure
    leaves the store as it was); a store that holds an event is replaced only with ``force``."""
    url = make_url(database_url(db))
    shown = _libpq_url(url, hide_password=True)
    program = shutil.which("pg_restore")
    if program is None:
        raise BackupError(
            "pg_restore is not installed: install the PostgreSQL client (Debian: apt install "
            f"postgresql-client), or run pg_restore --clean --if-exists --no-owner --dbname {shown} {source}."
        )
    engine = make_engine(db, create=False)
    try:
        if not force and store.row_counts(engine).get("event", 0):
            raise BackupError(
                f"{shown} holds a store; add --force to overwrite it with {source.name} "
                "(take a backup of it first: eventdesk backup --db ...)."
            )
        engine.dispose()  # pg_restore --clean drops the tables: no pooled connection may hold them
        done = subprocess.run(
            [
                program,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_libpq_url(url)}",
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise BackupError(f"pg_restore failed, the store is unchanged: {reason}")
        from eventdesk.store import migrate

        migrate.upgrade(engine)  # a copy made by an older eventdesk opens as the current schema
        counts = store.row_counts(engine)
    finally:
        engine.dispose()
    return Restored(shown, counts)


def store_counts(db: str) -> dict[str, int]:
    engine = make_engine(db, create=False)
    try:
        return store.row_counts(engine)
    finally:
        engine.dispose()
