"""Exactly one admission, whatever runs at once: the same badge at several desks, many badges at
eight desks, walk-ins, and an undo racing a re-scan."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from race_workers import run_each, run_together, scan_codes
from sqlmodel import Session, select

from eventdesk.domain.codes import new_badge_code
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, CheckinRecord

pytestmark = pytest.mark.postgres

DESKS = 8


def add_people(url: str, count: int) -> list[str]:
    context = open_context(url)
    codes = []
    with context.session() as session:
        for number in range(count):
            person = save_attendee(
                session,
                Attendee(
                    first_name=f"Person{number}",
                    last_name="Šermukšnytė",
                    organisation="AgriFood Lithuania",
                    badge_code=new_badge_code(),
                ),
            )
            codes.append(person.badge_code)
    context.engine.dispose()
    return codes


def valid_entries(url: str) -> dict[int, list[CheckinRecord]]:
    context = open_context(url)
    found: dict[int, list[CheckinRecord]] = defaultdict(list)
    with Session(context.engine) as session:
        for record in session.exec(
            select(CheckinRecord).where(
                CheckinRecord.result == "ok", CheckinRecord.annulled_at.is_(None), CheckinRecord.direction == "entry"
            )
        ):
            found[record.attendee_id].append(record)
    context.engine.dispose()
    return found


def test_the_same_badge_at_eight_desks_admits_once_and_names_the_first_desk(store_url):
    [code] = add_people(store_url, 1)
    answers = [a for [a] in run_together(scan_codes, [(store_url, f"Desk {n}", [code]) for n in range(1, DESKS + 1)])]
    results = Counter(a["result"] for a in answers)
    assert results == {"ok": 1, "already_checked_in": DESKS - 1}
    [winner] = [a for a in answers if a["result"] == "ok"]
    assert {a["first_checkin_desk"] for a in answers if a["result"] != "ok"} == {winner["desk"]}
    assert [len(r) for r in valid_entries(store_url).values()] == [1]


def test_three_hundred_badges_at_eight_desks_admit_nobody_twice(store_url):
    codes = add_people(store_url, 300)
    per_desk = run_together(scan_codes, [(store_url, f"Desk {n}", codes) for n in range(1, DESKS + 1)])
    answers = [a for desk in per_desk for a in desk]
    assert len(answers) == 300 * DESKS
    admitted = Counter(a["code"] for a in answers if a["result"] == "ok")
    twice = [code for code, times in admitted.items() if times > 1]
    assert twice == [], f"{len(twice)} of 300 people admitted more than once"
    assert set(admitted) == set(codes)
    winners = {a["code"]: a["desk"] for a in answers if a["result"] == "ok"}
    refused = [a for a in answers if a["result"] != "ok"]
    assert {a["result"] for a in refused} == {"already_checked_in"}
    assert all(a["first_checkin_desk"] == winners[a["code"]] for a in refused)
    entries = valid_entries(store_url)
    assert len(entries) == 300 and all(len(r) == 1 for r in entries.values())


def test_walk_ins_registered_at_two_desks_at_once_are_all_recorded_and_checked_in_once(store_url):
    from race_workers import register_walk_ins

    per_desk = run_together(register_walk_ins, [(store_url, "Desk 1", 15), (store_url, "Desk 2", 15)])
    answers = [a for desk in per_desk for a in desk]
    assert [a["result"] for a in answers] == ["ok"] * 30
    assert len({a["code"] for a in answers}) == 30
    context = open_context(store_url)
    with Session(context.engine) as session:
        walk_ins = session.exec(select(Attendee).where(Attendee.walk_in.is_(True))).all()
    context.engine.dispose()
    assert sorted(p.badge_code for p in walk_ins) == sorted(a["code"] for a in answers)
    entries = valid_entries(store_url)
    assert len(entries) == 30 and all(len(r) == 1 for r in entries.values())


ROUNDS = 12


def test_an_undo_racing_a_re_scan_never_leaves_two_valid_entries(store_url):
    """Desk A undoes its check-in of a person while desk B scans the same badge again: either the
    undo came first and the re-scan admits, or the re-scan answered already_checked_in and the
    undo annulled the first entry; never two valid entries."""
    from race_workers import rescan_rounds, undo_rounds

    from eventdesk.services.checkin import check_in

    codes = add_people(store_url, ROUNDS)
    desks = [f"Desk A{n}" for n in range(ROUNDS)]
    context = open_context(store_url)
    first = [check_in(context, code, desk=desk) for code, desk in zip(codes, desks)]
    context.engine.dispose()
    undone, rescans = run_each([(undo_rounds, (store_url, desks)), (rescan_rounds, (store_url, "Desk B", codes))])
    assert [u["record_id"] for u in undone] == [f.record_id for f in first]  # each undo annulled the first entry
    entries = valid_entries(store_url)
    for rescan in rescans:
        person = rescan["person"]["id"]
        if rescan["result"] == "ok":  # the undo came first
            assert [r.id for r in entries.get(person, [])] == [rescan["record_id"]]
        else:  # the re-scan came first and saw the entry the undo then annulled
            assert rescan["result"] == "already_checked_in"
            assert entries.get(person, []) == []
    assert all(len(r) <= 1 for r in entries.values())
