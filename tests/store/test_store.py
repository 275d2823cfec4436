"""The store: migrations, SQLite settings, constraints, file permissions."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from eventdesk.domain.codes import new_badge_code
from eventdesk.services.context import open_context
from eventdesk.store import migrate
from eventdesk.store.attendees import save_attendee, search_attendees
from eventdesk.store.db import make_engine
from eventdesk.store.models import Attendee, CheckinList, CheckinRecord, Meeting, MeetingSlot, MeetingTable


def test_migrations_build_every_table_from_an_empty_file(tmp_path):
    engine = make_engine(tmp_path / "new.db")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    for table in (
        "event",
        "attendee",
        "attendee_token",
        "checkin_list",
        "checkin_record",
        "room",
        "session",
        "session_speaker",
        "meeting_table",
        "meeting_slot",
        "meeting",
        "print_job",
        "audit_entry",
    ):
        assert table in tables


def test_new_database_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "private.db"
    open_context(str(path), create=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_db):
    engine = make_engine(tmp_db)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_opening_a_missing_database_without_create_says_how_to_make_one(tmp_path):
    from eventdesk.store.db import StoreError

    with pytest.raises(StoreError, match="eventdesk init"):
        open_context(str(tmp_path / "absent.db"))


def _attendee(**fields) -> Attendee:
    return Attendee(first_name="Ola", last_name="Svedin", badge_code=new_badge_code(), **fields)


def test_badge_codes_are_unique(tmp_db):
    context = open_context(tmp_db)
    with context.session() as session:
        first = save_attendee(session, _attendee())
        code = first.badge_code
    with pytest.raises(IntegrityError):
        with context.session() as session:
            save_attendee(session, Attendee(first_name="Other", last_name="Person", badge_code=code))


def test_a_check_in_record_needs_an_existing_list(tmp_db):
    context = open_context(tmp_db)
    with pytest.raises(IntegrityError):
        with context.session() as session:
            session.add(CheckinRecord(nonce="n1", code="X", list_id=999, result="unknown_code"))


def test_a_scan_nonce_is_recorded_once(tmp_db):
    context = open_context(tmp_db)
    with context.session() as session:
        entrance = session.exec(select(CheckinList)).first()
        session.add(CheckinRecord(nonce="same", code="X", list_id=entrance.id, result="unknown_code"))
    with pytest.raises(IntegrityError):
        with context.session() as session:
            session.add(CheckinRecord(nonce="same", code="X", list_id=entrance.id, result="unknown_code"))


def test_a_table_holds_one_live_meeting_per_slot_but_a_cancelled_one_frees_it(tmp_db):
    context = open_context(tmp_db)
    start = datetime(2024, 5, 8, 9, 0, tzinfo=UTC)
    with context.session() as session:
        a, b, c = (save_attendee(session, _attendee()) for _ in range(3))
        slot = MeetingSlot(start=start, end=start.replace(minute=20))
        table = MeetingTable(number=1)
        session.add_all([slot, table])
        session.flush()
        ids = dict(slot_id=slot.id, table_id=table.id)
        session.add(Meeting(attendee_a_id=a.id, attendee_b_id=b.id, state="cancelled", **ids))
        session.add(Meeting(attendee_a_id=a.id, attendee_b_id=c.id, **ids))
    with pytest.raises(IntegrityError):
        with context.session() as session:
            session.add(Meeting(attendee_a_id=b.id, attendee_b_id=c.id, **ids))


def test_times_come_back_timezone_aware_in_utc(tmp_db):
    context = open_context(tmp_db)
    moment = datetime.fromisoformat("2024-05-08T10:15:00+02:00")
    with context.session() as session:
        session.add(MeetingSlot(start=moment, end=moment))
    with Session(context.engine) as session:
        slot = session.exec(select(MeetingSlot)).one()
    assert slot.start == moment
    assert slot.start.tzinfo is not None and slot.start.utcoffset().total_seconds() == 0


def test_naive_times_are_refused(tmp_db):
    context = open_context(tmp_db)
    with pytest.raises(Exception, match="naive"):
        with context.session() as session:
            session.add(MeetingSlot(start=datetime(2024, 5, 8, 10), end=datetime(2024, 5, 8, 11)))


def test_upgrading_a_database_of_the_first_version_keeps_its_data(tmp_path):
    """A database written by eventdesk at the first schema version opens in today's version with
    every row intact."""
    path = tmp_path / "old.db"
    engine = make_engine(path)
    first = migrate.first_revision()
    migrate.upgrade(engine, first)
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO event (name, venue, timezone, start_date, end_date, created_at) "
        "VALUES ('Old Event', 'Brussels', 'Europe/Brussels', '2024-05-06', '2024-05-08', '2024-01-01 10:00:00')"
    )
    raw.execute(
        "INSERT INTO attendee (first_name, last_name, organisation, role, email, country, category, status, "
        "blocked, note, badge_code, walk_in, created_at, updated_at) VALUES ('Kíncső', 'Izsak', 'Technopolis', "
        "'', 'k@example.org', 'HU', 'speaker', 'active', 0, '', 'OLDCODE1234', 0, '2024-01-01 10:00:00', "
        "'2024-01-01 10:00:00')"
    )
    raw.commit()
    raw.close()
    engine.dispose()

    context = open_context(str(path))
    assert migrate.current_revision(context.engine) == migrate.head_revision()
    assert context.event().name == "Old Event"
    with Session(context.engine) as session:
        person = session.exec(select(Attendee)).one()
    assert (person.first_name, person.badge_code, person.category) == ("Kíncső", "OLDCODE1234", "speaker")


def test_a_store_from_before_script_blind_search_gets_its_tokens_rebuilt(tmp_path):
    """A store at the revision before badge names: its people are found by their Latin spelling
    after the upgrade, and keep an empty badge name (their first + last name prints)."""
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0007")
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO event (name, venue, timezone, start_date, end_date, created_at) "
        "VALUES ('Old Event', 'Brussels', 'Europe/Brussels', '2024-05-06', '2024-05-08', '2024-01-01 10:00:00')"
    )
    raw.execute(
        "INSERT INTO attendee (first_name, last_name, organisation, role, email, country, category, status, "
        "blocked, note, badge_code, walk_in, created_at, updated_at) VALUES ('Иван', 'Петров', '', "
        "'', '', 'BG', 'participant', 'active', 0, '', 'OLDCODE1234', 0, '2024-01-01 10:00:00', "
        "'2024-01-01 10:00:00')"
    )
    raw.execute("INSERT INTO attendee_token (token, attendee_id) VALUES ('петров', 1)")
    raw.commit()
    raw.close()
    engine.dispose()

    context = open_context(str(path))
    with Session(context.engine) as session:
        assert [h.attendee.badge_code for h in search_attendees(session, "petrov")] == ["OLDCODE1234"]
        assert session.exec(select(Attendee)).one().called == "Иван Петров"


def test_the_migration_files_name_the_head_alembic_finds():
    assert migrate.known_head() == migrate.head_revision()


def test_opening_a_store_at_the_newest_schema_leaves_alembic_unloaded(tmp_db):
    """Every desk start opens a store already upgraded: the quick check must hold, or each start
    pays for loading Alembic and every migration script again."""
    code = (
        "import sys; from eventdesk.services.context import open_context; "
        f"open_context({tmp_db!r}); print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
