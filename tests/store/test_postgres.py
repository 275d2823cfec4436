"""The same store on PostgreSQL, for desks that share one database (the ``pg_url`` fixture of
tests/conftest.py makes and drops a database per test)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

pytestmark = pytest.mark.postgres


def test_the_store_migrates_and_works_on_postgresql(pg_url):
    from eventdesk.domain.codes import new_badge_code
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store import migrate
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee, MeetingSlot

    create_event(
        pg_url, name="Shared Store Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(pg_url)
    assert migrate.current_revision(context.engine) == migrate.head_revision()
    moment = datetime(2024, 5, 8, 8, 0, tzinfo=UTC)
    with context.session() as session:
        save_attendee(
            session,
            Attendee(
                first_name="Kristina",
                last_name="Šermukšnytė-Alešiūnienė",
                organisation="AgriFood Lithuania",
                badge_code=new_badge_code(),
            ),
        )
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

    create_event(
        pg_url, name="Shared Store Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(pg_url)
    people = tmp_path / "people.csv"
    people.write_text(
        "First name;Last name;Company;E-mail;Category\n"
        "Kíncső;Izsak;Technopolis;kincso@example.org;speaker\n"
        "Lukas;Nögel;VDI/VDE-IT;lukas@example.org;participant\n",
        encoding="utf-8",
    )
    first = import_attendees(context, people)
    again = import_attendees(context, people)
    assert (first.added, again.added, again.updated) == (2, 0, 0)
    assert [p.name for p in search_people(context, "nogel")] == ["Lukas Nögel"]


def test_several_words_find_their_person_on_postgresql_with_letters_as_python_computes_them(pg_url):
    """The letters that let a multi-word search skip people: computed by PostgreSQL (migration
    0010, refresh_token_letters) as by Python, and the search finds whom it should."""
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store.attendees import refresh_token_letters, save_attendee
    from eventdesk.store.models import Attendee

    create_event(
        pg_url, name="Shared Store Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(pg_url)
    with context.session() as session:
        for first, last, organisation, code in (
            ("Marek", "Przeor", "DG GROW", "BX01"),
            ("Marek", "Nowak", "Silesia Hub", "BX02"),
            ("Иван", "Петров", "Ó Briain Ltd", "BX03"),
        ):
            save_attendee(
                session, Attendee(first_name=first, last_name=last, organisation=organisation, badge_code=code)
            )
    with context.session() as session:
        connection = session.connection()
        before = dict(
            connection.exec_driver_sql("SELECT token || '/' || attendee_id, letters FROM attendee_token").all()
        )
        refresh_token_letters(connection)
        after = dict(
            connection.exec_driver_sql("SELECT token || '/' || attendee_id, letters FROM attendee_token").all()
        )
    assert after == before and len(before) >= 12
    assert [p.last_name for p in search_people(context, "marek pr")] == ["Przeor"]
    assert [p.last_name for p in search_people(context, "silesia marek")] == ["Nowak"]
    assert [p.last_name for p in search_people(context, "ivan o petrov")] == ["Петров"]
    assert search_people(context, "przeor silesia") == []
    context.engine.dispose()


def _desk_with_people(pg_url: str, name: str, count: int, seed: int):
    """A desk's context on a new PostgreSQL event with ``count`` people (bulk insert); the people."""
    from sqlalchemy import insert

    from eventdesk.domain.codes import seeded_code_factory
    from eventdesk.services.context import open_context
    from eventdesk.services.events import create_event
    from eventdesk.store.models import Attendee

    create_event(pg_url, name=name, timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8))
    context = open_context(pg_url)
    new_code = seeded_code_factory(seed)
    people = [dict(first_name=f"Person {n}", last_name="Šermukšnytė", badge_code=new_code()) for n in range(count)]
    with context.engine.begin() as connection:
        connection.execute(insert(Attendee), people)
    return context, people


def test_a_desk_that_started_on_an_empty_record_reads_only_the_persons_own_records(pg_url):
    """Every event's first morning starts with no scans, and a desk's connection lives all day. A
    plan PostgreSQL made for the scan's lookup while the record was empty (a prepared statement
    keeps one) walks the whole record for every scan, so each scan costs more than the one before
    (7 ms per scan at 6,000 records, 93 scans/s at eight desks). After the morning's first scans
    and 2,000 more on the list, a lookup still reads only the scanned person's own records."""
    from sqlalchemy import insert

    from eventdesk.services.checkin import check_in
    from eventdesk.services.events import MAIN_ENTRANCE
    from eventdesk.store import checkins
    from eventdesk.store.models import CheckinRecord

    context, people = _desk_with_people(pg_url, "Empty Morning Conference", 2_000, seed=5)
    with context.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")  # statistics of a store with nobody scanned yet
    day_start = datetime(2024, 5, 8, 0, 0, tzinfo=UTC)
    with context.session() as session:
        for person in people[:8]:  # the desk's first scans of the day, on the empty record
            assert checkins.lookup_code(session, person["badge_code"], MAIN_ENTRANCE, "n" * 20, day_start, lock=True)
        session.rollback()
        with context.engine.begin() as connection:  # the morning goes on: 2,000 scans on the list
            list_id = connection.exec_driver_sql("SELECT id FROM checkin_list").scalar_one()
            ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM attendee")]
            connection.execute(
                insert(CheckinRecord),
                [
                    dict(
                        nonce=f"scan-{n}",
                        code="X",
                        attendee_id=n,
                        list_id=list_id,
                        direction="entry",
                        result="ok",
                        desk="Desk 2",
                        scanned_at=datetime(2024, 5, 8, 7, 0, tzinfo=UTC),
                    )
                    for n in ids
                ],
            )

        def records_read() -> int:  # rows of checkin_record this transaction has read so far
            return (
                session.connection()
                .exec_driver_sql(
                    "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
                    "WHERE relname = 'checkin_record'"
                )
                .scalar_one()
            )

        before = records_read()
        row = checkins.lookup_code(session, people[0]["badge_code"], MAIN_ENTRANCE, "n" * 20, day_start, lock=True)
        read = records_read() - before
        assert row.first_entry_desk == "Desk 2" and row.last_direction == "entry"
        assert read <= 8, f"one lookup read {read} scan records"
    scanned_at = datetime(2024, 5, 8, 9, 0, tzinfo=UTC)
    assert check_in(context, people[2]["badge_code"], scanned_at=scanned_at).result == "already_checked_in"


def test_a_scan_right_after_the_server_dropped_the_desks_connection_is_decided_by_the_server(pg_url):
    """A desk scanning back to back does not ping its pooled connection before every scan (a round
    trip more per scan). When the server dropped that connection (a restart) between two scans,
    the next scan is still decided and recorded by the server, once, on a new connection."""
    from sqlalchemy import create_engine

    from eventdesk.services.checkin import check_in
    from eventdesk.store.models import CheckinRecord

    context, people = _desk_with_people(pg_url, "Restart Conference", 2, seed=9)
    codes = [person["badge_code"] for person in people]
    at = datetime(2024, 5, 8, 8, 0, tzinfo=UTC)
    assert check_in(context, codes[0], scanned_at=at).result == "ok"
    with context.engine.connect() as connection:  # the pool's one connection, used by that scan
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({backend})").scalar_one()
    admin.dispose()

    assert check_in(context, codes[1], scanned_at=at).result == "ok"
    with context.session() as session:
        records = session.exec(select(CheckinRecord.code)).all()
    assert sorted(records) == sorted(codes)
