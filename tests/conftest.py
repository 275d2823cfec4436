"""Shared fixtures: each test builds its own temporary database from files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest

# Tame python-escpos before anything imports it (see eventdesk.logs).
from eventdesk.logs import tame_escpos_import

tame_escpos_import()

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture
def realdata() -> Path:
    """The folder of real files from other tools. Absent outside the workplace: the test is
    skipped with the reason; CI sets EVENTDESK_REQUIRE_REALDATA=1 and then it fails instead."""
    if not REALDATA.is_dir():
        if os.environ.get("EVENTDESK_REQUIRE_REALDATA"):
            pytest.fail(f"{REALDATA} is missing but EVENTDESK_REQUIRE_REALDATA is set")
        pytest.skip(f"real data folder {REALDATA} is absent (it lives beside the repository, in shared/realdata)")
    return REALDATA


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's desks keep their offline files in a folder of its own, not in the user's
    ~/.local/share/eventdesk, where tests running in parallel would share "<event>-desk-1.db"."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture
def tmp_db(tmp_path: Path) -> str:
    """A migrated SQLite database file holding an empty event (Test Conference, Europe/Brussels,
    6-8 May 2024) with its main entrance list."""
    from eventdesk.services.events import create_event

    path = tmp_path / "event.db"
    create_event(
        str(path),
        name="Test Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 6),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    return str(path)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    create_demo(str(path), code_factory=seeded_code_factory(2024))
    _fold_wal(path)
    return path


@pytest.fixture(scope="session")
def fold_wal():
    """``fold_wal(path)``: an SQLite file's WAL folded into the file, so that a plain copy is complete."""
    return _fold_wal


def _fold_wal(path: Path) -> None:
    """Fold an SQLite file's WAL into the file, so that a plain copy of it is complete."""
    from eventdesk.store.db import make_engine

    engine = make_engine(str(path))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture
def demo_db(_demo_template: Path, tmp_path: Path) -> str:
    """A private copy of the demo event (built once per test run, badge codes seeded)."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    return str(path)


POSTGRES_ADMIN_URL = os.environ.get("EVENTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url():
    """The URL of a fresh PostgreSQL database, dropped after the test. The server is
    $EVENTDESK_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/postgres); without one
    the test is skipped, unless EVENTDESK_REQUIRE_POSTGRES is set (CI), then it fails."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("EVENTDESK_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is required but unreachable: {error}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN_URL} ({error})")
    name = f"eventdesk_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def refused_url() -> str:
    """A printer URL on a port nobody listens on: connecting is refused at once."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"tcp://127.0.0.1:{port}"


@pytest.fixture
def badge_codes():
    """``badge_codes(db)``: every attendee's badge code, in id order."""
    return _badge_codes


def _badge_codes(db: str) -> list[str]:
    from sqlmodel import Session, select

    from eventdesk.store.db import make_engine
    from eventdesk.store.models import Attendee

    engine = make_engine(db)
    with Session(engine) as session:
        codes = [a.badge_code for a in session.exec(select(Attendee).order_by(Attendee.id))]
    engine.dispose()
    return codes


@pytest.fixture
def small_disk(tmp_path):
    """A real, nearly empty 2 MB file system (tmpfs; root only: skipped where mounting is not permitted)."""
    point = tmp_path / "small-disk"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip() or 'not permitted'})")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
