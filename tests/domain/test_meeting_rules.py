"""The rules of a meeting at a table: states, transitions, probable no-shows, bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventdesk.domain import meetings as rules

START = datetime(2024, 5, 8, 8, 0, tzinfo=UTC)
END = START + timedelta(minutes=20)


def test_presence_moves_scheduled_to_one_then_both_present():
    state, a, b = rules.mark_present(rules.SCHEDULED, False, False, "b")
    assert (state, a, b) == (rules.ONE_PRESENT, False, True)
    assert rules.mark_present(state, a, b, "b") == (rules.ONE_PRESENT, False, True)  # idempotent
    assert rules.mark_present(state, a, b, "a") == (rules.BOTH_PRESENT, True, True)


@pytest.mark.parametrize("final", [rules.NO_SHOW, rules.DONE, rules.CANCELLED])
def test_final_states_stay_final(final):
    with pytest.raises(rules.TransitionError):
        rules.mark_present(final, False, False, "a")
    with pytest.raises(rules.TransitionError):
        rules.cancel(final)
    with pytest.raises(rules.TransitionError):
        rules.confirm_no_show(final)


def test_no_show_only_while_somebody_is_missing():
    assert rules.confirm_no_show(rules.SCHEDULED) == rules.NO_SHOW
    assert rules.confirm_no_show(rules.ONE_PRESENT) == rules.NO_SHOW
    with pytest.raises(rules.TransitionError, match="both present"):
        rules.confirm_no_show(rules.BOTH_PRESENT)
    assert rules.finish(rules.BOTH_PRESENT) == rules.DONE
    assert rules.NO_SHOW not in rules.HOLDS_TABLE and rules.CANCELLED not in rules.HOLDS_TABLE


def test_probable_no_show_window():
    def flagged(state, minutes_in, booked_after=None):
        booked = START + timedelta(minutes=booked_after) if booked_after is not None else None
        return rules.probable_no_show(state, START, END, START + timedelta(minutes=minutes_in), 5, booked)

    assert not flagged(rules.ONE_PRESENT, 4.9)
    assert flagged(rules.ONE_PRESENT, 5) and flagged(rules.SCHEDULED, 19)
    assert not flagged(rules.BOTH_PRESENT, 10)
    assert not flagged(rules.SCHEDULED, 20)  # the slot is over
    assert not flagged(rules.SCHEDULED, 9, booked_after=6) and flagged(rules.SCHEDULED, 11, booked_after=6)
    assert rules.effective_state(rules.BOTH_PRESENT, END, END) == rules.DONE
    assert rules.effective_state(rules.ONE_PRESENT, END, END) == rules.ONE_PRESENT


def test_slot_window_between_and_after_slots():
    class Slot:
        def __init__(self, start, minutes=20):
            self.start, self.end = start, start + timedelta(minutes=minutes)

    first, second = Slot(START), Slot(START + timedelta(hours=1))
    assert rules.slot_window([first, second], START + timedelta(minutes=1)) == (first, second, True)
    assert rules.slot_window([first, second], START + timedelta(minutes=30)) == (second, None, False)
    assert rules.slot_window([first, second], START + timedelta(hours=2)) == (None, None, False)


def test_booking_refusals_in_order():
    free = rules.BookingParty("Eve")
    busy = rules.BookingParty("Ana", busy_with=rules.Occupant(1, ("Ana", "Ben")))
    common = dict(slot_label="10:00", slot_end=END, now=START, table_number=4, table_exists=True, table_taken_by=None)
    assert rules.check_booking(free, free, same_person=False, **common) is None
    assert (
        rules.check_booking(free, busy, same_person=False, **common)
        == "Ana already has a meeting at 10:00 (table 1 with Ben)."
    )
    assert (
        rules.check_booking(free, rules.BookingParty("Finn", unavailable=True), same_person=False, **common)
        == "Finn is unavailable at 10:00."
    )
    assert (
        rules.check_booking(free, rules.BookingParty("Finn", active=False), same_person=False, **common)
        == "Finn's registration is cancelled."
    )
    assert "is over" in rules.check_booking(free, free, same_person=False, **{**common, "now": END})
