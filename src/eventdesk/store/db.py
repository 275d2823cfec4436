"""Engine and session setup. The database is a URL: SQLite by default (WAL, synchronous=FULL,
foreign keys, busy timeout, a file readable by its owner only), PostgreSQL when several desks share a store."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine, select

from eventdesk.store.filesystem import network_mount, network_refusal
from eventdesk.store.models import Change, Event

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# A writer that found the SQLite file locked for a whole busy timeout tries again until this much
# time has passed: SQLite's busy handler is not fair (a waiter polls every 100 ms while others
# take the lock as they come), so four desk processes under synchronous=FULL on a loaded machine
# kept one waiter out for more than 5 s now and then. A desk action waits rather than fails.
WRITE_LOCK_WAIT_S = 60.0
# FULL in WAL mode: every commit is flushed to disk before it returns, so a check-in the desk has
# shown survives a power cut, not only a crash of the process (NORMAL may lose the last commits
# when the power goes). benchmarks/checkin.py --durability measures what it costs per scan.
SQLITE_SYNCHRONOUS = "FULL"


class StoreError(Exception):
    """A database that cannot be opened or used; the message says what to do."""


def database_url(db: str | os.PathLike[str]) -> str:
    """A path or a URL -> a SQLAlchemy URL (``postgresql://`` uses psycopg 3)."""
    text = str(db)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().absolute()}"
    if text.startswith("postgresql://") or text.startswith("postgres://"):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def make_engine(db: str | os.PathLike[str], *, create: bool = True) -> Engine:
    """An engine for ``db`` (a path or URL). A new SQLite file is created mode 0600."""
    url = database_url(db)
    path = sqlite_path(url)
    if path is not None:
        network = network_mount(path)
        if network is not None:
            raise StoreError(network_refusal(path, network))
        if not path.exists():
            if not create:
                raise StoreError(f"No database at {path}. Create one with 'eventdesk init' or 'eventdesk demo'.")
            _create_private_file(path)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            poolclass=NullPool if os.environ.get("EVENTDESK_NULLPOOL") else None,
            hide_parameters=True,  # error messages and logs never carry names or e-mails
        )
        sa_event.listen(engine, "connect", _sqlite_pragmas)
        sa_event.listen(engine, "before_cursor_execute", _write_lock_before_first_write)
        return engine
    try:
        if create and make_url(url).get_backend_name() == "postgresql":
            create_pg_database(url)
        engine = create_engine(url, hide_parameters=True)
        sa_event.listen(engine, "do_connect", _server_deadlines)
        _ping_idle_connections(engine)
        return engine
    except ModuleNotFoundError as error:  # the URL names a driver that is not installed
        raise StoreError(missing_driver_message(url, error.name or "")) from None
    except NoSuchModuleError:
        raise StoreError(
            f"eventdesk cannot open '{make_url(url).drivername}' databases: give a file path "
            "(SQLite) or a postgresql+psycopg://USER@HOST:PORT/DATABASE URL."
        ) from None


# Every connection to a server has deadlines, so no call waits forever on a server that is stopped
# or a network that drops packets: connecting (libpq's whole handshake, whole seconds, at least 2),
# TCP keepalives and the user timeout for a peer that vanished mid-call, and a statement timeout
# the server enforces. A URL's own parameters win over these.
SERVER_CONNECT_ARGS = {
    "connect_timeout": 2,
    "keepalives": 1,
    "keepalives_idle": 2,
    "keepalives_interval": 1,
    "keepalives_count": 2,
    "tcp_user_timeout": 3000,
}
STATEMENT_TIMEOUT_MS = 60_000


def _server_deadlines(_dialect, _record, _cargs, cparams) -> None:
    for key, value in SERVER_CONNECT_ARGS.items():
        cparams.setdefault(key, value)
    if "statement_timeout" not in cparams.get("options", ""):
        cparams["options"] = f"{cparams.get('options', '')} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()


# A pooled PostgreSQL connection is pinged before use when it has been idle this long: one that
# the server or the network dropped meanwhile is replaced before a scan runs on it. SQLAlchemy's
# pool_pre_ping pinged at every checkout: a round trip more per scan (three instead of two), about
# a fifth of a busy desk's and its server's CPU per scan. A desk scanning back to back uses its
# connection again within this time; a drop in between fails that scan's statement, which the
# desk handles as a drop during a scan (the connection is thrown away, the scan goes offline or
# is tried again), as it must anyway for a drop between a ping and the statement.
PING_IF_IDLE_S = 1.0


def _ping_idle_connections(engine: Engine) -> None:
    dialect = engine.dialect

    @sa_event.listens_for(engine, "connect")
    @sa_event.listens_for(engine, "checkin")
    def _used(_dbapi_connection, record) -> None:  # just made, or given back after use
        record.info["eventdesk_used_at"] = time.monotonic()

    @sa_event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        used_at = record.info.get("eventdesk_used_at")
        if used_at is not None and time.monotonic() - used_at < PING_IF_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:  # a ";" fails only on a dead connection
            raise DisconnectionError("the server dropped the connection") from error  # the pool reconnects


# Driver module -> what to install for it.
_DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
}


def missing_driver_message(url: str, module: str) -> str:
    top = module.split(".")[0]
    package = _DRIVER_PACKAGES.get(top, top)
    parsed = make_url(url)
    hint = ""
    if parsed.get_backend_name() == "postgresql" and top != "psycopg":
        hint = " (or write postgresql+psycopg://, whose driver comes with eventdesk)"
    return (
        f"The database driver '{top}' for {parsed.drivername} URLs is not installed: install it with "
        f"'pip install \"{package}\"' in eventdesk's environment{hint}."
    )


def create_pg_database(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` when the server lacks it (as a new SQLite
    file is created), through the server's maintenance database; True when it was created."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    parsed = make_url(url)
    name = parsed.database
    if not name or name == "postgres":
        return False
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    sa_event.listen(admin, "do_connect", _server_deadlines)
    try:
        with admin.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
            ).first()
            if exists:
                return False
            quoted = '"' + name.replace('"', '""') + '"'
            try:
                connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
            except ProgrammingError:  # another desk created it at the same moment
                return False
            return True
    except OperationalError:  # no maintenance database or no right to create: connecting will say why
        return False
    finally:
        admin.dispose()


def drop_tables(engine: Engine) -> None:
    """Remove every eventdesk table (and the migration mark) from the store: a rebuilt demo on a
    server, where there is no file to delete."""
    from sqlmodel import SQLModel

    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
    # macOS: fsync alone leaves the write in the drive's cache; F_FULLFSYNC reaches the platter.
    cursor.execute("PRAGMA fullfsync=ON")
    cursor.execute("PRAGMA checkpoint_fullfsync=ON")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> bool:
    """Start the session's transaction as a writer. SQLite: BEGIN IMMEDIATE takes the store's write
    lock before anything is read, so a decision made on what was read cannot be overtaken by another
    process (a deferred transaction reading first would fail at its first write, "database is
    locked", once another desk wrote in between). Returns whether the caller must still lock what it
    decides about (PostgreSQL: row or advisory locks, taken before the reads they guard)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        take_write_lock(connection.connection.dbapi_connection)
        return False
    return True


def take_write_lock(dbapi_connection) -> None:
    """BEGIN IMMEDIATE on a sqlite3 connection outside a transaction, trying again while the file
    stays locked, up to ``WRITE_LOCK_WAIT_S`` in all. Nothing was read or written in the
    transaction yet, so waiting longer is always safe."""
    started = time.monotonic()
    attempts = 0
    while not dbapi_connection.in_transaction:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            attempts += 1
            waited = time.monotonic() - started
            if "locked" not in str(error) or waited >= WRITE_LOCK_WAIT_S:
                raise OperationalError("BEGIN IMMEDIATE", None, error) from error
            log.warning(
                "the store stayed locked by another process for %.1f s (attempt %d); still waiting", waited, attempts
            )


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _write_lock_before_first_write(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    """Every write transaction on SQLite starts with ``take_write_lock``: the sqlite3 module would
    open it with a plain BEGIN before the first INSERT, UPDATE or DELETE, whose wait for the lock
    gives up after one busy timeout ("database is locked": a chair's no-show confirmation failed so
    in the soak), whatever service made the write."""
    dbapi_connection = conn.connection.dbapi_connection
    if (
        dbapi_connection is None or dbapi_connection.in_transaction or dbapi_connection.isolation_level is None
    ):  # autocommit: each statement on its own
        return
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        take_write_lock(dbapi_connection)


def bump(session: Session, area: str) -> None:
    """Tell other processes that ``area`` changed (see ``Change``). One upsert: two processes
    bumping an area that has no row yet both count (an INSERT-if-absent would fail for one)."""
    dialect = session.get_bind().dialect.name
    statement: PgInsert | SqliteInsert  # the same upsert API from each dialect's own Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(Change)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(Change)
    else:  # pragma: no cover - eventdesk runs on SQLite and PostgreSQL
        result = session.exec(update(Change).where(Change.area == area).values(version=Change.version + 1))
        if result.rowcount == 0:
            session.add(Change(area=area, version=1))
        return
    statement = statement.values(area=area, version=1)
    session.exec(statement.on_conflict_do_update(index_elements=[Change.area], set_={"version": Change.version + 1}))


def change_versions(engine: Engine) -> dict[str, object]:
    """What open screens compare every half second to see another process's writes. Scans and new
    print jobs are seen through the newest row id (so the scan path pays no extra write); other
    changes bump their area's counter with ``bump``."""
    from sqlalchemy import func

    from eventdesk.store.models import CheckinRecord, DeskHeartbeat, PrintJob

    with Session(engine) as session:
        versions: dict[str, object] = {c.area: c.version for c in session.exec(select(Change))}
        versions["checkin"] = (versions.get("checkin", 0), session.exec(select(func.max(CheckinRecord.id))).one())
        versions["print"] = (
            versions.get("print", 0),
            session.exec(select(func.max(PrintJob.id))).one(),
            session.exec(select(func.max(PrintJob.updated_at))).one(),
        )
        versions["desks"] = session.exec(select(func.max(DeskHeartbeat.last_seen))).one()
        return versions


def ping(engine: Engine) -> None:
    """Ask the database to answer one trivial query on a connection of ``engine``; raises when it cannot."""
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def holds_event(engine: Engine) -> bool:
    """Whether the store at ``engine`` has its tables and an event (False for a PostgreSQL server
    without this database yet)."""
    from sqlalchemy import inspect

    try:
        if not inspect(engine).has_table("event"):
            return False
        with Session(engine) as session:
            return current_event(session) is not None
    except OperationalError:
        return False


def current_event(session: Session) -> Event | None:
    return session.exec(select(Event).order_by(Event.id)).first()
