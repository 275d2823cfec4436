"""The accent-blind, order-blind prefix search as the desk types: several words find the one
person who has them all, however many people share the common word."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from eventdesk.domain.text import words
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee, search_people_rows
from eventdesk.store.models import Attendee


def test_a_rare_word_beside_a_common_one_finds_its_person_among_hundreds(tmp_db):
    context = open_context(tmp_db)
    codes = itertools.count()  # codes that start with no searched letters
    with context.session() as session:
        for n in range(300):
            save_attendee(
                session,
                Attendee(
                    first_name="Marek",
                    last_name=f"Nowak{n:03d}",
                    organisation="Silesia Hub",
                    badge_code=f"BX{next(codes):08d}",
                ),
            )
        save_attendee(
            session,
            Attendee(first_name="Marek", last_name="Przeor", organisation="DG GROW", badge_code=f"BX{next(codes):08d}"),
        )
        save_attendee(
            session,
            Attendee(
                first_name="Zsófia", last_name="Prágai", organisation="Silesia Hub", badge_code=f"BX{next(codes):08d}"
            ),
        )
    with Session(context.engine) as session:
        for typed in ("marek pr", "PR MAREK", "marek przeor", "przeor mar"):
            hits = search_people_rows(session, typed)
            assert [h.person["last_name"] for h in hits] == ["Przeor"], typed
        assert [h.person["last_name"] for h in search_people_rows(session, "silesia prag")] == ["Prágai"]
        assert len(search_people_rows(session, "marek", limit=20)) == 20
        exact = search_people_rows(session, "marek nowak007")
        assert exact[0].person["last_name"] == "Nowak007" and exact[0].rank == 0
        assert exact[0].person["blocked"] is False
    context.engine.dispose()


def _people(session, *people):
    codes = itertools.count()
    for first, last, organisation in people:
        save_attendee(
            session,
            Attendee(
                first_name=first,
                last_name=last,
                organisation=organisation,
                email=f"{fold_free(first)}.{next(codes)}@example.org",
                badge_code=f"BX{next(codes):08d}",
            ),
        )


def fold_free(text: str) -> str:
    return "".join(words(text))


def _found(session, typed: str, **kwargs) -> list[str]:
    return [f"{h.person['first_name']} {h.person['last_name']}" for h in search_people_rows(session, typed, **kwargs)]


def test_a_word_is_found_in_any_field_in_any_order_and_a_missing_word_finds_nobody(tmp_db):
    """The letters kept on each token row skip people without probing them: they must never skip
    the person who has the word, whichever field it is in, however short the prefix."""
    context = open_context(tmp_db)
    with context.session() as session:
        _people(
            session,
            ("Kristina", "Šermukšnytė-Alešiūnienė", "AgriFood Lithuania"),
            ("Иван", "Петров", "Baltic Hub"),
            ("Νίκος", "Παπαδόπουλος", "Danube Cluster"),
            ("Ana", "Øberg", "Tuscany Hub"),
            ("Anna", "Øberg", "Nordic Agency"),
        )
    with Session(context.engine) as session:
        assert _found(session, "sermuksnyte agrifood") == ["Kristina Šermukšnytė-Alešiūnienė"]
        assert _found(session, "LITHUANIA kristina alesiuniene") == ["Kristina Šermukšnytė-Alešiūnienė"]
        assert _found(session, "sermuksnytealesiuniene k") == ["Kristina Šermukšnytė-Alešiūnienė"]
        assert _found(session, "petrov ivan baltic") == ["Иван Петров"]
        assert _found(session, "danube papadopoulos nikos") == ["Νίκος Παπαδόπουλος"]
        assert _found(session, "oberg t") == ["Ana Øberg"]  # a one-letter word, of the organisation
        assert _found(session, "oberg n") == ["Anna Øberg"]
        assert _found(session, "o a") == ["Ana Øberg", "Anna Øberg"]  # min_chars is the service's rule
        assert _found(session, "IVAN.2@example.org") == ["Иван Петров"]  # an e-mail, typed or pasted whole
        assert _found(session, "ivan.2@exa") == ["Иван Петров"] and _found(session, "ivan.2@examplf") == []
        assert _found(session, "oberg bx00000007") == ["Ana Øberg"]  # the badge code
        assert _found(session, "anna tuscany") == [] and _found(session, "petrov danube") == []
        assert _found(session, "oberg z") == [] and _found(session, "kristina x") == []
    context.engine.dispose()


def test_a_person_indexed_without_letters_is_still_found(tmp_db):
    """A writer that inserts only token and person (an older bulk import) leaves every letter bit
    set: those people are probed as before, never skipped; refresh_token_letters fills them in."""
    from eventdesk.store.attendees import ALL_LETTERS, refresh_token_letters, token_letters

    context = open_context(tmp_db)
    with context.session() as session:
        _people(session, ("Marek", "Przeor", "DG GROW"), ("Marek", "Nowak", "Silesia Hub"))
        connection = session.connection()
        przeor = connection.exec_driver_sql("SELECT id FROM attendee WHERE last_name = 'Przeor'").scalar()
        tokens = [
            t for (t,) in connection.exec_driver_sql(f"SELECT token FROM attendee_token WHERE attendee_id = {przeor}")
        ]
        connection.exec_driver_sql(f"DELETE FROM attendee_token WHERE attendee_id = {przeor}")
        for token in tokens:
            connection.exec_driver_sql("INSERT INTO attendee_token (token, attendee_id) VALUES (?, ?)", (token, przeor))
    with Session(context.engine) as session:
        letters = (
            session.connection()
            .exec_driver_sql(f"SELECT DISTINCT letters FROM attendee_token WHERE attendee_id = {przeor}")
            .scalars()
            .all()
        )
        assert letters == [ALL_LETTERS]
        assert _found(session, "marek grow") == ["Marek Przeor"] and _found(session, "przeor silesia") == []
    with context.session() as session:
        refresh_token_letters(session.connection())
        stored = dict(
            session.connection().exec_driver_sql("SELECT DISTINCT attendee_id, letters FROM attendee_token").all()
        )
        assert stored[przeor] == token_letters(tokens) != ALL_LETTERS
    with Session(context.engine) as session:
        assert _found(session, "marek grow") == ["Marek Przeor"] and _found(session, "przeor silesia") == []
    context.engine.dispose()


def test_the_letters_sql_computes_are_those_python_computes(tmp_db):
    """Migration 0010 and refresh_token_letters compute the letters in SQL: the same bits as
    token_letters for words of any script, digits and one-letter words."""
    from eventdesk.store.attendees import refresh_token_letters

    context = open_context(tmp_db)
    with context.session() as session:
        _people(
            session,
            ("Ó", "Briain", "A1 Z9"),
            ("Jiří", "Łukasiewicz-Øberg", "Ελληνικά Hub"),
            ("Åsa", "Ng", "東京 Institute"),
        )
        before = dict(
            session.connection()
            .exec_driver_sql("SELECT token || '/' || attendee_id, letters FROM attendee_token")
            .all()
        )
        refresh_token_letters(session.connection())
        after = dict(
            session.connection()
            .exec_driver_sql("SELECT token || '/' || attendee_id, letters FROM attendee_token")
            .all()
        )
    assert after == before and len(before) > 15
    context.engine.dispose()


def test_the_service_searches_from_its_minimum_length_and_forgets_nobody_it_should_not(tmp_db):
    """One or two letters find nobody at the desk (no browsing by initial), a forgotten person is
    found by no word at all, and everybody else still is."""
    from eventdesk.services.attendees import search_people
    from eventdesk.services.privacy import forget

    context = open_context(tmp_db)
    with context.session() as session:
        _people(session, ("Kíncső", "Izsak", "Technopolis"), ("Lukas", "Nögel", "Technopolis"))
    assert search_people(context, "iz") == [] and search_people(context, " k ") == []
    assert [p.last_name for p in search_people(context, "iz", min_chars=1)] == ["Izsak"]
    assert [p.last_name for p in search_people(context, "izsak k")] == ["Izsak"]
    izsak = search_people(context, "kincso izsak")[0]
    forget(context, str(izsak.id))
    for typed in ("kincso izsak", "izsak", "technopolis kin", "technopolis izs"):
        assert search_people(context, typed) == [], typed
    assert [p.last_name for p in search_people(context, "technopolis lu")] == ["Nögel"]
    context.engine.dispose()


def test_a_store_from_before_the_letters_gets_them_and_finds_its_people(tmp_path):
    """Migration 0010 rebuilds the token table of a store made before it: the letters of every
    stored person are those the search expects, and several words still find them."""
    import sqlite3

    from eventdesk.store import migrate
    from eventdesk.store.attendees import token_letters
    from eventdesk.store.db import make_engine

    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0009")
    engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO event (name, venue, timezone, start_date, end_date, created_at) "
        "VALUES ('Old Event', 'Brussels', 'Europe/Brussels', '2024-05-06', '2024-05-08', '2024-01-01 10:00:00')"
    )
    for number, (first, last) in enumerate((("Marek", "Przeor"), ("Marek", "Nowak")), start=1):
        raw.execute(
            "INSERT INTO attendee (first_name, last_name, organisation, role, email, country, category, status, "
            "blocked, note, badge_code, walk_in, created_at, updated_at) VALUES (?, ?, 'DG GROW', '', '', 'PL', "
            "'participant', 'active', 0, '', ?, 0, '2024-01-01 10:00:00', '2024-01-01 10:00:00')",
            (first, last, f"OLDCODE{number}"),
        )
        for token in (first.lower(), last.lower(), "dg", "grow", f"oldcode{number}"):
            raw.execute("INSERT INTO attendee_token (token, attendee_id) VALUES (?, ?)", (token, number))
    raw.commit()
    raw.close()

    context = open_context(str(path))
    with Session(context.engine) as session:
        letters = dict(
            session.connection().exec_driver_sql("SELECT DISTINCT attendee_id, letters FROM attendee_token").all()
        )
        assert letters == {
            1: token_letters(["marek", "przeor", "dg", "grow", "oldcode1"]),
            2: token_letters(["marek", "nowak", "dg", "grow", "oldcode2"]),
        }
        assert _found(session, "grow marek prz") == ["Marek Przeor"] and _found(session, "nowak przeor") == []
    context.engine.dispose()
