"""Versioned schema migrations (Alembic), run in-process: opening a database made by an older
version of eventdesk upgrades it in place.

Opening a store that is already at the newest revision (every start of a desk) reads its one
``alembic_version`` row and the revision names of the migration files, without importing Alembic
or loading the migration scripts (a cost at every start that only an upgrade needs).

Any other start takes the store's migration lock first and reads the revision again once it holds
it: desks started together after an upgrade of eventdesk wait for the one that migrates, then find
the store current. The whole upgrade is one transaction under that lock (SQLite: BEGIN IMMEDIATE,
whose DDL is transactional as PostgreSQL's), so no desk ever reads a half-migrated schema and a
migration that fails leaves the store as it was."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from eventdesk.store.db import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def known_head() -> str | None:
    """The newest revision, read from the migration files' ``revision``/``down_revision`` lines
    (what Alembic finds, see the test); None when they do not name a single head."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None  # a file this reading does not understand: let Alembic decide
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stamped_revision(engine: Engine) -> str | None:
    """The revision the store says it is at (None: not stamped, or not a single one)."""
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:
            return None  # a new store: no version table yet
    return rows[0][0] if len(rows) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# How long a starting desk waits for another one that is upgrading the store: long enough for a
# migration that rewrites every person's search tokens in the largest store (docs/decisions.md).
LOCK_WAIT_S = 30 * 60.0
# SQLite: the write lock held longer than this is not another desk's scan or import batch (both
# well under a second) but a migration: the waiting desk says why it waits.
SQLITE_NOTICE_AFTER_S = 1.0
# PostgreSQL: the migration lock, in the one-bigint advisory key space (a scan's lock uses the
# two-integer one). The bytes of "eventdes".
PG_LOCK_KEY = 0x6576656E74646573
WAITING = "Another desk is upgrading the store; waiting for it to finish (up to {wait})."
GAVE_UP = (
    "Another desk has been upgrading the store for {wait} and has not finished. Let it "
    "finish (its screen opens when the store is ready), then start this desk again; if no other "
    "desk is starting, another program holds the store: stop it and start this desk again."
)


def say_waiting(message: str) -> None:
    """The default notice of a desk that waits: one line on stderr (the desk's screen is not up
    yet) and in the log."""
    log.info("%s", message)
    print(message, file=sys.stderr, flush=True)


def upgrade(
    engine: Engine,
    revision: str = "head",
    *,
    lock_wait_s: float = LOCK_WAIT_S,
    waiting: Callable[[str], None] = say_waiting,
) -> None:
    """Bring the schema to ``revision`` (the newest by default); a no-op when it is there. Waits
    (``lock_wait_s`` at most, ``waiting`` told once) while another process migrates the store."""
    head = known_head() if revision == "head" else None
    if head is not None and stamped_revision(engine) == head:
        return
    with engine.connect() as connection:
        hold_migration_lock(connection, lock_wait_s, waiting)
        if head is not None and _locked_revision(connection) == head:
            connection.commit()  # another desk migrated the store while this one waited
            return
        from alembic import command

        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def hold_migration_lock(connection: Connection, wait_s: float, waiting: Callable[[str], None]) -> None:
    """Begin ``connection``'s transaction holding the store's migration lock, which it keeps until
    its commit or rollback; ``StoreError`` after ``wait_s`` without it."""

    def notice() -> None:
        waiting(WAITING.format(wait=_duration(wait_s)))

    if connection.dialect.name == "sqlite":
        connection.begin()
        _lock_sqlite(connection.connection.dbapi_connection, wait_s, notice)
    elif connection.dialect.name == "postgresql":
        _lock_postgresql(connection, wait_s, notice)
    else:  # pragma: no cover - eventdesk runs on SQLite and PostgreSQL
        connection.begin()


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def _lock_sqlite(dbapi_connection, wait_s: float, notice: Callable[[], None]) -> None:
    """BEGIN IMMEDIATE: the write lock of the file, which every other writer waits for. Tried in
    short busy timeouts, so that the desk says it waits once the wait is long."""
    started = time.monotonic()
    told = False
    busy_timeout_ms = dbapi_connection.execute("PRAGMA busy_timeout").fetchone()[0]
    dbapi_connection.execute(f"PRAGMA busy_timeout={int(SQLITE_NOTICE_AFTER_S * 1000)}")
    try:
        while not dbapi_connection.in_transaction:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                if time.monotonic() - started >= wait_s:
                    raise StoreError(GAVE_UP.format(wait=_duration(wait_s))) from None
                if not told:
                    notice()
                    told = True
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")


def _lock_postgresql(connection: Connection, wait_s: float, notice: Callable[[], None]) -> None:
    """A transaction-level advisory lock: released by the commit that makes the new schema
    visible, or by the server when the desk's connection dies."""
    key = {"key": PG_LOCK_KEY}
    if connection.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%(key)s)", key).scalar():
        return
    notice()  # only a migration takes this lock: another desk is migrating
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(wait_s * 1000))}")
    try:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%(key)s)", key)
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available: the wait ran out
            raise StoreError(GAVE_UP.format(wait=_duration(wait_s))) from None
        raise
    connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")  # the migration's own waits are not bounded


def _locked_revision(connection: Connection) -> str | None:
    """``stamped_revision`` inside the locked transaction (a failed query would abort it on
    PostgreSQL: the version table is looked for first)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None


def first_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_base()
