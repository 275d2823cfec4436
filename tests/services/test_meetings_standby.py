"""No-shows turned into meetings: a confirmed no-show leaves the present partner at a half-free
table; stand-by partners are the others left waiting in that slot and the people in the area
with the slot free; one call books the pair under the ad-hoc rules."""

from __future__ import annotations

import pytest
from meetings_sample import PEOPLE, at, meetings  # noqa: F401
from sqlmodel import Session, select

from eventdesk.services import checkin
from eventdesk.services import meetings as svc
from eventdesk.store.models import CheckinList, Meeting

ANA, BEN, KINCSO, KRISTINA, CHEN, DARA, EVE, FINN = (PEOPLE[k][4] for k in PEOPLE)


def _ids(context) -> dict[str, int]:
    board = svc.load_board(context)
    return {p.badge_code: p.id for ms in board.meetings.values() for m in ms for p in (m.a, m.b)}


def _confirm_table(context, table: int) -> svc.MeetingInfo:
    board = svc.load_board(context)
    slot = board.window(context.now())[0]
    meeting = next(m for m in board.meetings[slot.id] if m.table == table and m.state != "no_show")
    return svc.confirm_no_show(context, meeting.id)


@pytest.fixture
def slot_ten(meetings):
    with meetings.session() as session:
        session.add(CheckinList(name=svc.MATCHMAKING_LIST, kind="meetings"))
    meetings.clock.set(at(10, 2))
    svc.scan(meetings, ANA)  # table 1: Ana waits for Ben
    svc.scan(meetings, CHEN)  # table 3: Chen waits for Dara
    meetings.clock.set(at(10, 6))
    slot = svc.load_board(meetings).window(meetings.now())[0]
    return meetings, slot


def test_a_no_show_with_the_partner_seated_leaves_the_table_half_free(slot_ten):
    context, slot = slot_ten
    confirmed = _confirm_table(context, 1)
    assert confirmed.waiting.name == "Ana Šermukšnytė"
    board = svc.load_board(context)
    assert {t: p.name for t, p in board.half_free(slot).items()} == {1: "Ana Šermukšnytė"}
    assert board.free_tables(slot) == [4]  # table 1 is not offered to anybody else
    row = next(r for r in board.grid(slot, context.now()) if r.table == 1)
    assert row.waiting is not None and row.waiting.name == "Ana Šermukšnytė"
    with pytest.raises(svc.BookingRefused, match="Ana Šermukšnytė is sitting at table 1 waiting for a new partner"):
        svc.book(context, EVE, FINN, slot.id, 1)
    # Nobody came to table 2: confirming it frees the whole table.
    _confirm_table(context, 2)
    assert svc.load_board(context).free_tables(slot) == [2, 4]


def test_two_no_shows_in_one_slot_book_their_two_waiting_people_together(slot_ten):
    context, slot = slot_ten
    _confirm_table(context, 1)
    _confirm_table(context, 3)
    ids = _ids(context)
    candidates = svc.standby(context, slot.id, for_person=ids[ANA])
    assert [(c.person.name, c.kind, c.table) for c in candidates] == [("Chen Wei", svc.LEFT_WAITING, 3)]

    meeting = svc.book_standby(context, ids[ANA], ids[CHEN], slot.id)
    assert (meeting.table, meeting.a.name, meeting.b.name, meeting.slot.id) == (
        1,
        "Ana Šermukšnytė",
        "Chen Wei",
        slot.id,
    )
    # Ana sits at table 1: present from the start; Chen walks over and scans in.
    assert (meeting.a_present, meeting.b_present, meeting.state) == (True, False, "one_present")
    board = svc.load_board(context)
    assert board.half_free(slot) == {}
    assert board.free_tables(slot) == [3, 4]  # Chen left table 3 for Ana's table
    assert svc.standby(context, slot.id) == []
    # Booked under the ad-hoc rules: a second booking of Chen in that slot is refused.
    with pytest.raises(svc.BookingRefused, match="Chen Wei already has a meeting"):
        svc.book_standby(context, ids[CHEN], ids[ANA], slot.id)
    with Session(context.engine) as session:
        live = session.exec(select(Meeting).where(Meeting.slot_id == slot.id, Meeting.state != "no_show")).all()
    assert sorted((m.attendee_a_id, m.attendee_b_id) for m in live if m.booked_at) == [(ids[ANA], ids[CHEN])]


def test_people_present_in_the_area_with_the_slot_free_are_stand_by_partners(slot_ten):
    context, slot = slot_ten
    _confirm_table(context, 1)
    checkin.check_in(context, EVE, list_name=svc.MATCHMAKING_LIST)  # Eve came into the area, no meeting now
    checkin.check_in(context, KINCSO, list_name=svc.MATCHMAKING_LIST)  # in the area, but has table 2 now
    ids = _ids(context)
    candidates = svc.standby(context, slot.id, for_person=ids[ANA])
    names = [(c.person.name, c.kind) for c in candidates]
    assert ("Eve Walker", svc.PRESENT_FREE) in names
    assert all(name not in ("Kíncső Izsák", "Finn Larsen", "Ana Šermukšnytė") for name, _ in names)
    assert ("Chen Wei", svc.PRESENT_FREE) not in names  # Chen has his meeting (waiting at table 3)
    meeting = svc.book_standby(
        context, ids[ANA], next(c.person.id for c in candidates if c.person.name == "Eve Walker"), slot.id
    )
    assert (meeting.table, meeting.b.name, meeting.a_present, meeting.b_present) == (1, "Eve Walker", True, False)


def test_the_booking_form_finds_people_by_name_and_lists_the_pairs_common_free_slots(meetings):
    meetings.clock.set(at(10, 12))
    assert [p.name for p in svc.find_people(meetings, "eve walker")] == ["Eve Walker"]
    assert [p.name for p in svc.find_people(meetings, ANA)] == ["Ana Šermukšnytė"]  # a scanned code
    assert svc.find_people(meetings, "nobody here") == []
    ids = {p.name: p.id for p in svc.find_people(meetings, "eve") + svc.find_people(meetings, "ana")}
    options = svc.pair_free_slots(meetings, ids["Eve Walker"], ids["Ana Šermukšnytė"])
    # Ana meets at 10:00 (T1), 10:30 (T1) and 11:00 (T1): no slot in common with Eve.
    assert options == []
    finn = svc.find_people(meetings, "finn")[0].id
    options = svc.pair_free_slots(meetings, ids["Eve Walker"], finn)
    assert [(o.slot.start, o.tables) for o in options] == [(at(10), [4]), (at(10, 30), [3, 4]), (at(11), [2, 4])]


def test_the_confirmed_no_show_is_not_offered_as_a_stand_by_partner(slot_ten):
    context, slot = slot_ten
    checkin.check_in(context, BEN, list_name=svc.MATCHMAKING_LIST)  # Ben came into the area, never to table 1
    checkin.check_in(context, EVE, list_name=svc.MATCHMAKING_LIST)
    ids = _ids(context)
    _confirm_table(context, 1)
    names = [c.person.name for c in svc.standby(context, slot.id, for_person=ids[ANA])]
    assert "Ben Okafor" not in names and "Eve Walker" in names
    # In the next slot (his meeting there cancelled) his scan into the area still predates the
    # meeting he missed.
    board = svc.load_board(context)
    later = next(s for s in board.slots if s.start == at(10, 30))
    svc.cancel_meeting(
        context, next(m.id for m in board.meetings[later.id] if m.a.name == "Ben Okafor" or m.b.name == "Ben Okafor")
    )
    context.clock.set(at(10, 35))
    assert "Ben Okafor" not in [c.person.name for c in svc.standby(context, later.id)]
