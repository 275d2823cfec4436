"""The same store on PostgreSQL, for desks that share one database. Needs a server: the URL is
$EVENTDESK_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/postgres); each test run
makes and drops its own database."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timezone

import pytest
from sqlmodel import Session, select

pytestmark = pytest.mark.postgres

ADMIN_URL = os.environ.get("EVENTDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("EVENTDESK_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {ADMIN_URL} is required but unreachable: {error}")
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL} ({error})")
    name = f"eventdesk_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_the_store_migrates_and_works_on_postgresql(pg_url):
    from eventdesk.domain.codes import new_badge_code
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store import migrate
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee, MeetingSlot

    create_event(pg_url, name="Shared Store Conference", timezone="Europe/Brussels",
                 start=date(2024, 5, 7), end=date(2024, 5, 8))
    context = open_context(pg_url)
    assert migrate.current_revision(context.engine) == migrate.head_revision()
    moment = datetime(2024, 5, 8, 8, 0, tzinfo=timezone.utc)
    with context.session() as session:
        save_attendee(session, Attendee(first_name="Kristina", last_name="Šermukšnytė-Alešiūnienė",
                                        organisation="AgriFood Lithuania", badge_code=new_badge_code()))
        session.add(MeetingSlot(start=moment, end=moment))
    assert [p.last_name for p in search_people(context, "sermuksnyte")] == ["Šermukšnytė-Alešiūnienė"]
    with Session(context.engine) as session:
        assert session.exec(select(MeetingSlot)).one().start == moment


def test_attendee_import_and_re_import_on_postgresql(pg_url, tmp_path):
    """Desks sharing a PostgreSQL store import people the same way: all at once, and a second
    import of the same file updates instead of duplicating."""
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.services.import_attendees import import_attendees

    create_event(pg_url, name="Shared Store Conference", timezone="Europe/Brussels",
                 start=date(2024, 5, 7), end=date(2024, 5, 8))
    context = open_context(pg_url)
    people = tmp_path / "people.csv"
    people.write_text("First name;Last name;Company;E-mail;Category\n"
                      "Kíncső;Izsak;Technopolis;kincso@example.org;speaker\n"
                      "Lukas;Nögel;VDI/VDE-IT;lukas@example.org;participant\n", encoding="utf-8")
    first = import_attendees(context, people)
    again = import_attendees(context, people)
    assert (first.added, again.added, again.updated) == (2, 0, 0)
    assert [p.name for p in search_people(context, "nogel")] == ["Lukas Nögel"]
