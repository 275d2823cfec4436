"""Desks started together after an upgrade of eventdesk, on a store an older version made: every
desk comes up, the schema is migrated once, and the desks check people in."""

from __future__ import annotations

from collections import Counter

import pytest
from race_workers import run_each, scan_at_the_door_on_older_store, start_on_older_store
from sqlalchemy import text
from sqlmodel import Session, select

from eventdesk.store import migrate
from eventdesk.store.attendees import attendee_tokens, token_rows
from eventdesk.store.db import StoreError, make_engine
from eventdesk.store.models import Attendee, CheckinRecord

pytestmark = pytest.mark.postgres

DESKS = 5
SCANNERS = 2  # door scanners on a server: 'eventdesk checkin' through the offline fallback
# Before 0008 (badge names; every person's search tokens rebuilt), 0009, 0010 (the token table
# rewritten with its letters) and 0011 (PostgreSQL's notify triggers made anew).
OLDER = "0007"
PEOPLE = 2000
FIRST = ("Kíncső", "Marek", "Иван", "Eve", "Kristina", "Zoë", "Finn", "Ana")
LAST = ("Šermukšnytė", "Przeor", "Петров", "Walker", "Nowak", "García", "Izsák", "Müller")


@pytest.fixture(params=["sqlite", "postgresql"])
def older_store(request, tmp_path) -> str:
    """A store migrated to revision ``OLDER`` by eventdesk's own migrations, holding an event, its
    main entrance and ``PEOPLE`` people with the search tokens of that time."""
    url = str(tmp_path / "event.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate.upgrade(engine, OLDER)
    stamp = "2024-01-01 10:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO event (name, venue, timezone, start_date, end_date, created_at) VALUES "
                "('Old Event', 'Brussels', 'Europe/Brussels', '2024-05-06', '2024-05-08', :at)"
            ),
            {"at": stamp},
        )
        connection.execute(
            text("INSERT INTO checkin_list (name, kind, categories) VALUES ('Main entrance', 'entrance', '')")
        )
        people = [
            {
                "id": n,
                "first": FIRST[n % len(FIRST)],
                "last": LAST[(n // len(FIRST)) % len(LAST)],
                "code": f"OLDCODE{n:05d}",
                "blocked": False,
                "walk_in": False,
                "at": stamp,
            }
            for n in range(1, PEOPLE + 1)
        ]
        connection.execute(
            text(
                "INSERT INTO attendee (id, first_name, last_name, organisation, role, email, country, category, status, "
                "blocked, note, badge_code, walk_in, created_at, updated_at) VALUES (:id, :first, :last, 'DG GROW', '', "
                "'', 'BE', 'participant', 'active', :blocked, '', :code, :walk_in, :at, :at)"
            ),
            people,
        )
        connection.execute(
            text("INSERT INTO attendee_token (token, attendee_id) VALUES (:token, :id)"),
            [{"token": word.lower(), "id": p["id"]} for p in people for word in {p["first"], p["last"], p["code"]}],
        )
    engine.dispose()
    return url


def _steps_from(older: str) -> list[tuple[str, str]]:
    """(revision, next revision) from ``older`` up to the head, as Alembic's scripts chain them."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    chain = [older] + [script.revision for script in scripts.iterate_revisions("head", older)][::-1]
    return list(zip(chain, chain[1:]))


def test_desks_started_together_on_an_older_store_all_come_up_and_migrate_it_once(older_store, tmp_path):
    scanners = SCANNERS if "://" in older_store else 0  # on SQLite a scan command opens the store as a desk does
    codes = [f"OLDCODE{n:05d}" for n in range(1, DESKS + scanners + 1)]
    shared = "OLDCODE00100"  # every desk scans this one too
    calls = [
        (start_on_older_store, (older_store, f"Desk {n}", [code, shared]))
        for n, code in enumerate(codes[:DESKS], start=1)
    ]
    calls += [
        (scan_at_the_door_on_older_store, (older_store, f"Door {n}", str(tmp_path / f"door{n}"), [code, shared]))
        for n, code in enumerate(codes[DESKS:], start=1)
    ]
    outcomes = run_each(calls)

    head = migrate.head_revision()
    assert [o["revision"] for o in outcomes] == [head] * len(calls)
    steps = Counter(step for o in outcomes for step in o["ran"])
    assert steps == {f"{older} -> {newer}": 1 for older, newer in _steps_from("0007")}, (
        "each migration step must run exactly once, in one desk"
    )
    answers = [a for o in outcomes for a in o["answers"]]
    assert [a["offline"] for a in answers] == [False] * len(answers), "every scan decided by the store"
    assert [o["answers"][0]["result"] for o in outcomes] == ["ok"] * len(calls)
    assert Counter(o["answers"][1]["result"] for o in outcomes) == {"ok": 1, "already_checked_in": len(calls) - 1}

    engine = make_engine(older_store, create=False)
    assert migrate.current_revision(engine) == head
    with Session(engine) as session:
        people = session.exec(select(Attendee)).all()
        stored = Counter(
            tuple(row)
            for row in session.connection().execute(text("SELECT token, attendee_id, letters FROM attendee_token"))
        )
        admitted = Counter(
            r.attendee_id for r in session.exec(select(CheckinRecord).where(CheckinRecord.result == "ok"))
        )
    expected = Counter(
        tuple(row.values()) for person in people for row in token_rows(person.id, attendee_tokens(person))
    )
    assert len(people) == PEOPLE
    assert stored == expected, "the search tokens rebuilt by the migrations, each once, with their letters"
    assert sorted(admitted.values()) == [1] * (len(calls) + 1)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            triggers = Counter(
                name
                for (name,) in connection.execute(
                    text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'eventdesk_notify_%'")
                )
            )
        assert triggers == {f"eventdesk_notify_{area}": 1 for area in ("checkin", "print", "desks", "change")}
    engine.dispose()


def test_a_desk_kept_waiting_too_long_by_another_upgrading_the_store_says_so_and_what_to_do(older_store):
    """The migration lock held elsewhere (a desk still migrating): the desk says once that it
    waits, gives up at its limit with what to do, and leaves the store as it was."""
    if "://" in older_store:
        import psycopg

        holder = psycopg.connect(older_store, autocommit=True)
        holder.execute("SELECT pg_advisory_lock(%s)", (migrate.PG_LOCK_KEY,))
    else:
        import sqlite3

        holder = sqlite3.connect(older_store, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    engine = make_engine(older_store, create=False)
    notices: list[str] = []
    try:
        with pytest.raises(StoreError) as gave_up:
            migrate.upgrade(engine, lock_wait_s=1.5, waiting=notices.append)
    finally:
        holder.close()
    assert notices == ["Another desk is upgrading the store; waiting for it to finish (up to 1.5 s)."]
    assert str(gave_up.value).startswith(
        "Another desk has been upgrading the store for 1.5 s and has not "
        "finished. Let it finish (its screen opens when the store is ready), then "
        "start this desk again"
    )
    assert migrate.stamped_revision(engine) == OLDER
    migrate.upgrade(engine, waiting=notices.append)  # the holder gone, the same desk starts at once
    assert migrate.stamped_revision(engine) == migrate.head_revision() and len(notices) == 1
    engine.dispose()
