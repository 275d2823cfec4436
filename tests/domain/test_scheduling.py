"""The scheduler never double-books a person or a table, honours unavailability and existing
meetings, and reports every request it could not place with a reason."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from eventdesk.domain.scheduling import (
    DUPLICATE,
    NO_COMMON_SLOT,
    PERSON_FULL,
    SAME_PERSON,
    TABLES_FULL,
    Existing,
    Request,
    schedule,
)


@st.composite
def problems(draw):
    n_people = draw(st.integers(2, 12))
    n_slots = draw(st.integers(0, 6))
    n_tables = draw(st.integers(0, 4))
    people = st.integers(0, n_people - 1)
    pairs = draw(st.lists(st.tuples(people, people), max_size=40))
    requests = [Request(i, a, b) for i, (a, b) in enumerate(pairs)]
    unavailable = draw(st.lists(st.tuples(people, st.integers(0, max(n_slots - 1, 0))), max_size=20)) if n_slots else []
    existing = []
    if n_slots and n_tables:
        for slot, table, a, b in draw(
            st.lists(st.tuples(st.integers(0, n_slots - 1), st.integers(0, n_tables - 1), people, people), max_size=6)
        ):
            taken = {(e.slot, e.table) for e in existing}
            busy = {(p, e.slot) for e in existing for p in (e.a, e.b)}
            if a != b and (slot, f"T{table}") not in taken and (a, slot) not in busy and (b, slot) not in busy:
                existing.append(Existing(slot, f"T{table}", a, b))
    return requests, list(range(n_slots)), [f"T{t}" for t in range(n_tables)], unavailable, existing


@settings(max_examples=300, deadline=None)
@given(problems())
def test_never_double_books_and_accounts_for_every_request(problem):
    requests, slots, tables, unavailable, existing = problem
    plan = schedule(requests, slots, tables, unavailable=unavailable, existing=existing)

    # every request is either placed or reported, once
    ids = [p.request_id for p in plan.placed] + [u.request_id for u in plan.unplaced]
    assert sorted(ids) == sorted(r.id for r in requests)
    assert all(u.reason for u in plan.unplaced)

    by_id = {r.id: r for r in requests}
    tables_used = Counter((e.slot, e.table) for e in existing)
    people_used = Counter((p, e.slot) for e in existing for p in (e.a, e.b))
    for placement in plan.placed:
        request = by_id[placement.request_id]
        assert (placement.a, placement.b) == (request.a, request.b)
        assert placement.slot in slots and placement.table in tables
        tables_used[(placement.slot, placement.table)] += 1
        people_used[(request.a, placement.slot)] += 1
        people_used[(request.b, placement.slot)] += 1
        assert (request.a, placement.slot) not in set(unavailable)
        assert (request.b, placement.slot) not in set(unavailable)
    assert max(tables_used.values(), default=0) <= 1, "a table is double-booked"
    assert max(people_used.values(), default=0) <= 1, "a person is double-booked"


@settings(max_examples=100, deadline=None)
@given(problems())
def test_same_input_same_plan(problem):
    requests, slots, tables, unavailable, existing = problem
    first = schedule(requests, slots, tables, unavailable=unavailable, existing=existing)
    again = schedule(list(requests), list(slots), list(tables), unavailable=list(unavailable), existing=list(existing))
    assert first == again


NAMES = {1: "Ana Šermukšnytė", 2: "Ben Okafor", 3: "Chen Wei", 4: "Dara Ó Briain"}


def test_reasons_name_the_people():
    existing = [Existing("s1", "T1", 1, 3), Existing("s2", "T2", 1, 4)]
    requests = [Request("self", 2, 2), Request("again", 3, 1), Request("ab", 1, 2), Request("bc", 2, 3)]
    plan = schedule(requests, ["s1", "s2"], ["T1", "T2", "T3"], existing=existing, unavailable=[(2, "s2")], name=NAMES)
    reasons = {u.request_id: (u.code, u.reason) for u in plan.unplaced}
    assert reasons == {
        "self": (SAME_PERSON, "Ben Okafor cannot meet themselves."),
        "again": (DUPLICATE, "Chen Wei and Ana Šermukšnytė already have a meeting."),
        "ab": (PERSON_FULL, "Ana Šermukšnytė is busy or unavailable in all 2 slots."),
        "bc": (NO_COMMON_SLOT, "Ben Okafor and Chen Wei have no free slot in common."),
    }
    assert plan.placed == []


def test_full_tables_are_reported_as_such():
    plan = schedule([Request(1, "a", "b"), Request(2, "c", "d")], ["10:00"], ["T1"])
    assert [p.request_id for p in plan.placed] == [1]
    assert plan.unplaced[0].code == TABLES_FULL
    assert "10:00" in plan.unplaced[0].reason


def test_existing_meetings_hold_their_people_and_tables():
    existing = [Existing("s1", "T1", "a", "b")]
    plan = schedule([Request(1, "a", "c"), Request(2, "d", "e")], ["s1", "s2"], ["T1"], existing=existing)
    placed = {p.request_id: (p.slot, p.table) for p in plan.placed}
    assert placed == {1: ("s2", "T1")}
    assert plan.unplaced[0].request_id == 2 and plan.unplaced[0].code == TABLES_FULL


def test_moves_a_planned_meeting_to_make_room():
    # a-b is taken first and lands in s1; a-c can only meet in s1 (c is away in s2), so a-b moves.
    requests = [Request(1, "a", "b"), Request(2, "b", "d"), Request(3, "a", "c")]
    plan = schedule(requests, ["s1", "s2"], ["T1", "T2"], unavailable=[("c", "s2")])
    assert not plan.unplaced
    assert {p.request_id: p.slot for p in plan.placed} == {1: "s2", 2: "s1", 3: "s1"}
