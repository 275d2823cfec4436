"""The check-in service: one SELECT + one INSERT (+ the badge job) per scan, the nonce rule, the
record of every scan, lists and categories, undo, walk-ins, corrections and the desk figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.attendees import search_people
from eventdesk.services.checkin import (
    CheckinError,
    NoMatch,
    WalkIn,
    check_in,
    correct_attendee,
    register_walk_in,
    reprint_badge,
    submit,
    undo_last,
)
from eventdesk.services.checkin_figures import desk_figures, list_figures
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, AuditEntry, CheckinList, CheckinRecord, PrintJob, RevokedCode

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2024, 5, 7, 8, 30, tzinfo=BRUSSELS)
SEED_PEOPLE = [
    ("Kristina", "Šermukšnytė-Alešiūnienė", "AgriFood Lithuania", "speaker"),
    ("Kíncső", "Izsak", "Technopolis", "speaker"),
    ("Lukas", "Nögel", "VDI/VDE Innovation + Technology GmbH, Go-clusters", "speaker"),
    ("Anna", "Müller", "Photonics BW", "participant"),
    ("Kinga", "Izsák-Kovács", "Pannon Cluster", "press"),
]


@pytest.fixture
def desk(tmp_db):
    """A context on the test event with the seed people, a press-only list and a frozen clock."""
    context = open_context(tmp_db, Settings(db=tmp_db, desk="Desk 1", default_printer="badge-1"), Clock.frozen(START))
    codes = {}
    with context.session() as session:
        for number, (first, last, org, category) in enumerate(SEED_PEOPLE):
            person = save_attendee(
                session,
                Attendee(
                    first_name=first,
                    last_name=last,
                    organisation=org,
                    category=category,
                    badge_code=f"CODE{number:022d}",
                ),
            )
            codes[last] = person.badge_code
        session.add(CheckinList(name="Press room", kind="room", categories="press"))
    context.codes = codes
    return context


def _records(context) -> list[CheckinRecord]:
    with Session(context.engine) as session:
        return list(session.exec(select(CheckinRecord).order_by(CheckinRecord.id)))


def _jobs(context) -> list[PrintJob]:
    with Session(context.engine) as session:
        return list(session.exec(select(PrintJob).order_by(PrintJob.id)))


def _alter(context, last_name: str, **values) -> None:
    with context.session() as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == last_name)).one()
        for key, value in values.items():
            setattr(person, key, value)
        save_attendee(session, person)


def test_a_first_entry_is_ok_recorded_and_queues_one_badge(desk):
    result = check_in(desk, desk.codes["Izsak"], desk="Desk 4")
    assert result.result == "ok" and result.badge_queued
    assert result.person.name == "Kíncső Izsak"
    [record] = _records(desk)
    assert (record.result, record.desk, record.direction, record.scanned_at) == ("ok", "Desk 4", "entry", START)
    assert [(j.kind, j.attendee_id, j.printer, j.desk, j.reprint) for j in _jobs(desk)] == [
        ("badge", result.person.id, "badge-1", "Desk 4", False)
    ]


def test_already_checked_in_tells_when_and_where_and_queues_no_second_badge(desk):
    check_in(desk, desk.codes["Izsak"], desk="Desk 4")
    desk.clock.advance(timedelta(minutes=20))
    again = check_in(desk, desk.codes["Izsak"], desk="Desk 1")
    assert again.result == "already_checked_in"
    assert (again.first_checkin_at, again.first_checkin_desk) == (START, "Desk 4")
    assert len(_jobs(desk)) == 1
    assert [r.result for r in _records(desk)] == ["ok", "already_checked_in"]


def test_the_same_nonce_twice_records_one_scan_and_answers_the_first_result(desk):
    first = check_in(desk, desk.codes["Nögel"], nonce="scan-1")
    replay = check_in(desk, desk.codes["Nögel"], nonce="scan-1")
    assert replay.replayed and not first.replayed
    assert (replay.result, replay.record_id, replay.person.name) == ("ok", first.record_id, "Lukas Nögel")
    assert len(_records(desk)) == 1 and len(_jobs(desk)) == 1
    # A replay of a refused scan answers the refusal again, with the first check-in.
    check_in(desk, desk.codes["Nögel"], nonce="scan-2")
    assert check_in(desk, desk.codes["Nögel"], nonce="scan-2").first_checkin_at == START
    assert len(_records(desk)) == 2


def test_a_replayed_nonce_of_an_unknown_code_is_recorded_once(desk):
    assert check_in(desk, "NOSUCHCODE", nonce="n").result == "unknown_code"
    assert check_in(desk, "NOSUCHCODE", nonce="n").result == "unknown_code"
    assert [(r.code, r.attendee_id) for r in _records(desk)] == [("NOSUCHCODE", None)]


def test_every_refusal_is_recorded(desk):
    _alter(desk, "Nögel", status="cancelled")
    _alter(desk, "Müller", blocked=True)
    with desk.session() as session:
        person = session.exec(select(Attendee).where(Attendee.last_name == "Izsak")).one()
        session.add(RevokedCode(code="OLDBADGE000000000000000000", attendee_id=person.id))
    assert check_in(desk, "OLDBADGE000000000000000000").result == "revoked"
    assert check_in(desk, "oldbadge000000000000000000").person.name == "Kíncső Izsak"
    assert check_in(desk, desk.codes["Nögel"]).result == "cancelled"
    assert check_in(desk, desk.codes["Müller"]).result == "blocked"
    assert check_in(desk, desk.codes["Izsak"], list_name="Press room").result == "not_on_list"
    assert check_in(desk, desk.codes["Izsák-Kovács"], list_name="Press room").result == "ok"
    assert [r.result for r in _records(desk)] == ["revoked", "revoked", "cancelled", "blocked", "not_on_list", "ok"]
    assert _jobs(desk) == []  # the one ok was at a room door: no badge printer there


def test_a_badge_is_queued_at_the_entrance_only_and_once(desk):
    code = desk.codes["Izsák-Kovács"]
    assert check_in(desk, code, list_name="Press room").badge_queued is False
    assert _jobs(desk) == []
    first = check_in(desk, code)
    assert first.result == "ok" and first.badge_queued is True
    check_in(desk, code, direction="exit")
    assert check_in(desk, code).badge_queued is False  # re-entry: the badge is in the person's hand
    assert len(_jobs(desk)) == 1


def test_codes_are_found_in_lower_case_and_with_scanner_noise(desk):
    assert check_in(desk, "]Q1" + desk.codes["Izsak"].lower() + "\r").result == "ok"


def test_a_lower_case_secret_scanned_with_caps_lock_on_is_found(desk):
    _alter(desk, "Müller", badge_code="pretix8secret0mixed7case")
    answer = check_in(desk, "PRETIX8SECRET0MIXED7CASE")
    assert (answer.result, answer.person.last_name) == ("ok", "Müller")
    assert check_in(desk, "Pretix8Secret0Mixed7Case").result == "already_checked_in"


def test_an_unknown_list_or_empty_scan_is_an_error_not_a_record(desk):
    with pytest.raises(CheckinError, match="no check-in list named 'Nowhere'"):
        check_in(desk, desk.codes["Izsak"], list_name="Nowhere")
    with pytest.raises(CheckinError, match="empty"):
        check_in(desk, "\r\n")
    assert _records(desk) == []


def test_exit_then_re_entry_and_inside_counts(desk):
    code = desk.codes["Izsak"]
    assert check_in(desk, code).result == "ok"
    assert check_in(desk, desk.codes["Nögel"]).result == "ok"
    assert check_in(desk, code, direction="exit").result == "ok"
    main = {f.name: f for f in list_figures(desk)}["Main entrance"]
    assert (main.entries, main.exits, main.inside_now, main.checked_in) == (2, 1, 1, 2)
    assert check_in(desk, code).result == "ok"  # re-entry after an exit
    assert check_in(desk, code).result == "already_checked_in"
    main = {f.name: f for f in list_figures(desk)}["Main entrance"]
    assert (main.entries, main.exits, main.inside_now, main.checked_in) == (3, 1, 2, 2)
    assert len(_jobs(desk)) == 2  # one badge each, none for the re-entry


def test_room_lists_count_apart_from_the_entrance(desk):
    check_in(desk, desk.codes["Izsák-Kovács"])
    check_in(desk, desk.codes["Izsák-Kovács"], list_name="Press room")
    figures = {f.name: f for f in list_figures(desk)}
    assert figures["Press room"].inside_now == 1 and figures["Press room"].expected == 1
    assert figures["Main entrance"].expected == 5


def test_undo_annuls_the_desks_last_check_in_within_the_window(desk):
    code = desk.codes["Izsak"]
    check_in(desk, desk.codes["Nögel"], desk="Desk 9")
    check_in(desk, code)
    done = undo_last(desk)
    assert done.person.name == "Kíncső Izsak"
    records = _records(desk)
    assert [(r.desk, r.annulled_at is not None) for r in records] == [("Desk 9", False), ("Desk 1", True)]
    assert records[1].annulled_by == "Desk 1"
    assert check_in(desk, code).result == "ok"  # the annulled entry no longer counts
    desk.clock.advance(timedelta(minutes=16))
    with pytest.raises(CheckinError, match="Nothing to undo"):
        undo_last(desk)


def test_undo_cancels_the_badge_that_has_not_printed_yet(desk):
    check_in(desk, desk.codes["Izsak"])
    assert [j.state for j in _jobs(desk)] == ["pending"]
    assert undo_last(desk).badge_cancelled is True
    assert [j.state for j in _jobs(desk)] == ["cancelled"]
    again = check_in(desk, desk.codes["Izsak"])  # the right person comes back: a badge again
    assert again.badge_queued is True
    assert sorted(j.state for j in _jobs(desk)) == ["cancelled", "pending"]


def test_undo_of_a_re_entry_keeps_the_badge(desk):
    code = desk.codes["Izsak"]
    check_in(desk, code)
    check_in(desk, code, direction="exit")
    check_in(desk, code)
    assert undo_last(desk).badge_cancelled is False
    assert [j.state for j in _jobs(desk)] == ["pending"]


def test_submit_tells_scans_from_names(desk):
    assert submit(desk, "\r", typed_fast=True) is None
    assert submit(desk, "nogel", typed_fast=False) == NoMatch("nogel")
    assert submit(desk, "sermuksnyte", typed_fast=False) == NoMatch("sermuksnyte")
    assert _records(desk) == []  # names typed by a person are not failed scans
    assert submit(desk, "ZZZZZZZZZZZZ", typed_fast=True).result == "unknown_code"
    chosen = submit(desk, "izsak k", typed_fast=False, selected_code=desk.codes["Izsak"])
    assert chosen.result == "ok" and chosen.person.name == "Kíncső Izsak"
    scanned = submit(desk, desk.codes["Nögel"], typed_fast=True, selected_code=desk.codes["Izsak"])
    assert scanned.person.name == "Lukas Nögel"  # an exact code wins over the highlighted person
    assert [r.result for r in _records(desk)] == ["unknown_code", "ok", "ok"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sermuksnyte", "Kristina Šermukšnytė-Alešiūnienė"),
        ("SERMUKS", "Kristina Šermukšnytė-Alešiūnienė"),
        ("kincso izsak", "Kíncső Izsak"),
        ("izsak k", "Kíncső Izsak"),
        ("nogel", "Lukas Nögel"),
        ("noegel", "Lukas Nögel"),
        ("alesiuniene kristina", "Kristina Šermukšnytė-Alešiūnienė"),
        ("technopolis", "Kíncső Izsak"),
    ],
)
def test_search_is_blind_to_accents_case_and_word_order(desk, query, expected):
    assert search_people(desk, query)[0].name == expected


def test_exact_name_ranks_first_and_the_minimum_length_holds(desk):
    names = [p.name for p in search_people(desk, "izsak")]
    assert names == ["Kíncső Izsak", "Kinga Izsák-Kovács"]
    assert search_people(desk, "iz") == []
    assert search_people(desk, "iz", min_chars=1)
    assert search_people(desk, "x" * 10_000 + " izsak") == []


def test_walk_in_registers_checks_in_and_queues_the_badge_in_one_go(desk):
    result = register_walk_in(desk, WalkIn("Ona", "Šimaitė", "Kaunas Cluster", "ona@example.org", "press"))
    assert result.result == "ok" and result.badge_queued and result.person.walk_in
    assert search_people(desk, "simaite")[0].name == "Ona Šimaitė"
    assert [j.attendee_id for j in _jobs(desk)] == [result.person.id]
    with pytest.raises(CheckinError, match="needs a name"):
        register_walk_in(desk, WalkIn(" ", ""))


def test_corrections_reindex_audit_field_names_only_and_reprint_on_request(desk):
    person = check_in(desk, desk.codes["Izsak"]).person
    done = correct_attendee(
        desk, person.id, {"first_name": "Kincső", "organisation": "Technopolis Group", "note": "wheelchair"}
    )
    assert done.name_changed and set(done.changed) == {"first_name", "organisation", "note"}
    assert search_people(desk, "kincso group")[0].id == person.id
    reprint_badge(desk, person.id)
    assert [j.reprint for j in _jobs(desk)] == [False, True]
    with Session(desk.engine) as session:
        audit = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [a.action for a in audit] == ["attendee_corrected", "badge_reprint"]
    assert audit[0].detail == "changed: first_name, organisation, note"
    assert not correct_attendee(desk, person.id, {"first_name": "Kincső"}).changed
    with pytest.raises(CheckinError):
        correct_attendee(desk, person.id, {"badge_code": "X"})


def test_desk_figures(desk):
    check_in(desk, desk.codes["Izsak"])
    desk.clock.advance(timedelta(seconds=20))
    check_in(desk, desk.codes["Nögel"])
    desk.clock.advance(timedelta(seconds=30))
    check_in(desk, "NOSUCHCODE")
    check_in(desk, desk.codes["Müller"])
    figures = desk_figures(desk)
    main = figures.checkin_list
    assert (main.checked_in, main.expected) == (3, 5)
    assert {c.category: (c.checked_in, c.expected) for c in main.categories} == {
        "speaker": (2, 3),
        "participant": (1, 1),
        "press": (0, 1),
    }
    assert figures.scans_per_minute == pytest.approx(0.4)
    assert figures.seconds_per_attendee == pytest.approx(25)  # gaps 20 s and 30 s
    assert figures.last_scan_at == START + timedelta(seconds=50)


def test_a_scan_costs_at_most_three_statements(desk):
    # Counted by SQLite itself: the scan runs its statements on the DBAPI connection.
    statements = []

    def seen(statement):
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "--"):
            statements.append(statement)

    def traced(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(seen)

    event.listen(desk.engine, "connect", traced)
    desk.engine.dispose()
    try:
        for code, expected in ((desk.codes["Izsak"], 3), (desk.codes["Izsak"], 2), ("NOSUCHCODE", 2)):
            statements.clear()
            check_in(desk, code)
            assert len(statements) == expected, statements
    finally:
        event.remove(desk.engine, "connect", traced)
        desk.engine.dispose()


@pytest.mark.postgres
def test_check_in_works_the_same_on_postgresql(pg_url):
    """Desks sharing a PostgreSQL store: the one-SELECT lookup (with its row lock) and the nonce rule."""
    from datetime import date

    from eventdesk.services.events import create_event

    create_event(
        pg_url, name="Shared Store Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    context = open_context(pg_url, Settings(db=pg_url, desk="Desk 1"), Clock.frozen(START))
    walk_in = register_walk_in(context, WalkIn("Kíncső", "Izsak", "Technopolis"))
    assert (walk_in.result, walk_in.badge_queued) == ("ok", True)
    again = check_in(context, walk_in.code, nonce="n1")
    assert again.result == "already_checked_in" and again.first_checkin_at == START
    assert check_in(context, walk_in.code, nonce="n1").replayed
    assert check_in(context, walk_in.code, direction="exit").result == "ok"
    assert check_in(context, "NOSUCHCODE").result == "unknown_code"
    assert undo_last(context).direction == "exit"
    assert desk_figures(context).checkin_list.inside_now == 1
    context.engine.dispose()


def test_a_desk_on_its_own_file_has_the_methods_of_a_desk_on_a_server(desk):
    from eventdesk.services.checkin import WalkIn
    from eventdesk.services.desk import LocalDesk

    local = LocalDesk(desk)
    admitted = local.check_in(desk.codes["Izsak"])
    found = local.find("izsak")
    walk_in = local.register_walk_in(WalkIn("Zoë", "Walker"))
    undone = local.undo_last()
    assert (admitted.result, admitted.desk, walk_in.result) == ("ok", "Desk 1", "ok")
    assert found.states[admitted.person.id].first_entry_desk == "Desk 1"
    assert undone.person.last_name == "Walker"
    assert (local.offline, local.status().online, local.status().on_server, local.journal_waiting()) == (
        False,
        True,
        False,
        None,
    )
