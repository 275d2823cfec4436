"""Meeting desks, chairs and print workers racing each other (real processes behind a barrier)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from race_workers import book_meeting, delay_session, print_queue, run_together
from sqlmodel import Session, select

from eventdesk.services.context import open_context
from eventdesk.store.models import Meeting, PrintJob
from eventdesk.store.models import Session as AgendaSession

pytestmark = pytest.mark.postgres


def _meetings(url: str):
    import meetings_sample

    context = meetings_sample.build(url)
    from eventdesk.services.meetings import load_board

    slots = {s.start: s.id for s in load_board(context).slots}
    context.engine.dispose()
    return meetings_sample, slots


def _booked(url: str) -> list[tuple[int, int, int, int]]:
    context = open_context(url)
    with Session(context.engine) as session:
        rows = session.exec(select(Meeting).where(Meeting.notes.like("ad hoc%"))).all()
    context.engine.dispose()
    return [(m.slot_id, m.table_id, m.attendee_a_id, m.attendee_b_id) for m in rows]


def _race_bookings(url: str, first: tuple, second: tuple) -> str:
    """Two meeting desks book (person, person, table) in the 10:30 slot at once: one booking is
    made, the other is refused; the reason the refused desk shows."""
    sample, slots = _meetings(url)
    now = sample.at(9, 0).isoformat()
    slot = slots[sample.at(10, 30)]
    outcomes = run_together(
        book_meeting,
        [
            (url, f"Meeting desk {n}", now, a, b, slot, table)
            for n, (a, b, table) in enumerate((first, second), start=1)
        ],
    )
    assert sorted(o[0] for o in outcomes) == ["booked", "refused"]
    assert len(_booked(url)) == 1
    return next(reason for outcome, reason in outcomes if outcome == "refused")


def test_two_meeting_desks_booking_the_same_table_and_slot_one_wins_the_other_hears_why(store_url):
    reason = _race_bookings(
        store_url, ("eve@example.uk", "finn@example.dk", 4), ("kincso@example.hu", "kristina@example.lt", 4)
    )
    assert reason.startswith("Table 4 is taken at 10:30 (")


def test_two_meeting_desks_booking_the_same_person_in_one_slot_one_wins_the_other_hears_why(store_url):
    reason = _race_bookings(
        store_url, ("eve@example.uk", "finn@example.dk", 3), ("eve@example.uk", "kincso@example.hu", 4)
    )
    assert reason.startswith("Eve Walker already has a meeting at 10:30 (table ")


def test_two_chairs_delaying_the_same_room_at_once_both_delays_count(store_url):
    import agenda_sample

    ids = agenda_sample.build(store_url)
    green, digital = ids["Green transition"], ids["Digital transition"]
    messages = run_together(
        delay_session, [(store_url, "Chair laptop", green, 5), (store_url, "Room A door", green, 5)]
    )
    assert len(messages) == 2
    context = open_context(store_url)
    with Session(context.engine) as session:
        shifts = {s.id: s.shift_minutes for s in session.exec(select(AgendaSession))}
    context.engine.dispose()
    assert shifts[green] == 10  # +5 and +5: no delay lost
    assert shifts[digital] == 10  # the rest of the room's programme moved with it, once per delay
    assert sorted(message.split(" (now ")[1][:7] for message in messages) == ["+10 min", "+5 min)"]


def _fake_printer_class():
    path = Path(__file__).resolve().parents[1] / "printing" / "conftest.py"
    spec = importlib.util.spec_from_file_location("eventdesk_printing_fakes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FakePrinter


def test_two_print_workers_on_one_printer_queue_print_each_job_once(store_url):
    from eventdesk.domain.codes import new_badge_code
    from eventdesk.store import print_jobs
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    context = open_context(store_url)
    with context.session() as session:
        for n in range(16):
            person = save_attendee(
                session, Attendee(first_name=f"Person{n}", last_name="Izsák", badge_code=new_badge_code())
            )
            print_jobs.enqueue(session, kind="badge", attendee_id=person.id, printer="badge-1", desk="Desk 1")
    printer = _fake_printer_class()()
    printer.start()
    try:
        printed = run_together(print_queue, [(store_url, "Desk 1", printer.url), (store_url, "Desk 2", printer.url)])
        assert printer.wait_for_jobs(16)
    finally:
        printer.stop()
    with Session(context.engine) as session:
        jobs = session.exec(select(PrintJob)).all()
    context.engine.dispose()
    everything = printed[0] + printed[1]
    assert sorted(everything) == sorted(j.id for j in jobs)  # each job printed by exactly one desk
    assert {j.state for j in jobs} == {"printed"} and {j.attempts for j in jobs} == {1}
    assert len(printer.jobs) == 16  # and the printer received sixteen badges, not more
