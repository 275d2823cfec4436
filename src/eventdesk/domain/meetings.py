"""The rules of a meeting at a table: its states, what may follow what, when the desk should
suspect a no-show, which tables are free, and whether an ad-hoc booking is allowed.

States::

    scheduled --(one scans)--> one_present --(the other scans)--> both_present --(slot ends)--> done
        |                          |
        +--(desk confirms no-show)-+--> no_show        (frees the table, or half of it)
    scheduled / one_present / both_present --(cancel)--> cancelled   (frees the table)

A no-show confirmed while one person sits at the table leaves the table *half-free*: that person
stays and waits for a stand-by partner; only a booking that includes them may take the table.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SCHEDULED = "scheduled"
ONE_PRESENT = "one_present"
BOTH_PRESENT = "both_present"
NO_SHOW = "no_show"
DONE = "done"
CANCELLED = "cancelled"

STATES = (SCHEDULED, ONE_PRESENT, BOTH_PRESENT, NO_SHOW, DONE, CANCELLED)
# States that hold the table (the store's unique index says the same).
HOLDS_TABLE = frozenset({SCHEDULED, ONE_PRESENT, BOTH_PRESENT, DONE})
FINAL = frozenset({NO_SHOW, DONE, CANCELLED})

STATE_LABELS = {
    SCHEDULED: "scheduled",
    ONE_PRESENT: "one present",
    BOTH_PRESENT: "both present",
    NO_SHOW: "no-show",
    DONE: "done",
    CANCELLED: "cancelled",
}

# A person who scans this early for their next meeting is marked present for it.
EARLY_ARRIVAL = timedelta(minutes=10)


class TransitionError(ValueError):
    """A change of state that the rules do not allow; the message says why."""


def presence_state(a_present: bool, b_present: bool) -> str:
    if a_present and b_present:
        return BOTH_PRESENT
    if a_present or b_present:
        return ONE_PRESENT
    return SCHEDULED


def mark_present(state: str, a_present: bool, b_present: bool, side: str) -> tuple[str, bool, bool]:
    """``side`` ("a" or "b") came to the table: the new (state, a_present, b_present)."""
    if side not in ("a", "b"):
        raise ValueError(f"side must be 'a' or 'b', not {side!r}")
    if state in FINAL:
        raise TransitionError(f"This meeting is {STATE_LABELS[state]}; nobody can be marked present.")
    a_present = a_present or side == "a"
    b_present = b_present or side == "b"
    return presence_state(a_present, b_present), a_present, b_present


def confirm_no_show(state: str) -> str:
    if state not in (SCHEDULED, ONE_PRESENT):
        raise TransitionError(
            f"Only a meeting still waiting for somebody can be a no-show; this one is {STATE_LABELS.get(state, state)}."
        )
    return NO_SHOW


def cancel(state: str) -> str:
    if state in FINAL:
        raise TransitionError(f"This meeting is already {STATE_LABELS[state]}.")
    return CANCELLED


def finish(state: str) -> str:
    if state != BOTH_PRESENT:
        raise TransitionError(
            f"Only a meeting with both people present can be done; this one is {STATE_LABELS.get(state, state)}."
        )
    return DONE


def effective_state(state: str, slot_end: datetime, now: datetime) -> str:
    """What the desk should read: a meeting with both people present is done once its slot ends."""
    if state == BOTH_PRESENT and now >= slot_end:
        return DONE
    return state


def waiting_since(slot_start: datetime, booked_at: datetime | None = None) -> datetime:
    """From when a meeting's people are expected: the slot start, or the booking if it came later."""
    return max(slot_start, booked_at) if booked_at is not None else slot_start


def probable_no_show(
    state: str, slot_start: datetime, slot_end: datetime, now: datetime, minutes: int, booked_at: datetime | None = None
) -> bool:
    """Somebody is still missing ``minutes`` into a running slot (or after a booking made during
    it): the desk should check."""
    since = waiting_since(slot_start, booked_at)
    return state in (SCHEDULED, ONE_PRESENT) and since + timedelta(minutes=minutes) <= now < slot_end


def waiting_side(state: str, a_present: bool, b_present: bool) -> str | None:
    """The side ("a" or "b") still sitting at the table of a confirmed no-show, if one came."""
    if state != NO_SHOW or a_present == b_present:
        return None
    return "a" if a_present else "b"


def free_tables(tables: Sequence[Hashable], taken: Iterable[Hashable]) -> list[Hashable]:
    """``tables`` (in their order) without those ``taken``."""
    busy = set(taken)
    return [t for t in tables if t not in busy]


@dataclass(frozen=True)
class Occupant:
    """Who already holds a person's or a table's time in a slot, for the refusal's words."""

    table_number: int
    names: tuple[str, str]


@dataclass(frozen=True)
class BookingParty:
    name: str
    active: bool = True
    unavailable: bool = False  # marked unavailable in the chosen slot
    busy_with: Occupant | None = None  # their live meeting in the chosen slot


def check_booking(
    a: BookingParty,
    b: BookingParty,
    *,
    same_person: bool,
    slot_label: str,
    slot_end: datetime,
    now: datetime,
    table_number: int,
    table_exists: bool,
    table_taken_by: Occupant | None,
    table_waiting: str | None = None,
    waiting_in_pair: bool = False,
) -> str | None:
    """Why an ad-hoc booking of ``a`` and ``b`` at a table in a slot must be refused, or None.
    ``table_waiting`` names the person left at a half-free table (``waiting_in_pair``: one of the
    two is that person)."""
    if same_person:
        return "Choose two different people."
    if now >= slot_end:
        return f"The {slot_label} slot is over; choose the current or a later slot."
    if not table_exists:
        return f"There is no table {table_number}."
    for party in (a, b):
        if not party.active:
            return f"{party.name}'s registration is cancelled."
    if table_taken_by is not None:
        return (
            f"Table {table_number} is taken at {slot_label} ({table_taken_by.names[0]} with {table_taken_by.names[1]})."
        )
    if table_waiting is not None and not waiting_in_pair:
        return (
            f"{table_waiting} is sitting at table {table_number} waiting for a new partner; "
            f"book {table_waiting} with someone, or choose another table."
        )
    for party in (a, b):
        if party.busy_with is not None:
            partner = [n for n in party.busy_with.names if n != party.name] or [party.busy_with.names[1]]
            return (
                f"{party.name} already has a meeting at {slot_label} "
                f"(table {party.busy_with.table_number} with {partner[0]})."
            )
        if party.unavailable:
            return f"{party.name} is unavailable at {slot_label}."
    return None


def slot_window(slots: Sequence, now: datetime) -> tuple[object | None, object | None, bool]:
    """(the slot to show first, the one after it, whether the first is running now) for slots
    sorted by start (objects with ``start`` and ``end``). Between slots the first is the next
    to start; after the last slot both are None."""
    for index, slot in enumerate(slots):
        if slot.end > now:
            following = slots[index + 1] if index + 1 < len(slots) else None
            return slot, following, slot.start <= now
    return None, None, False
