"""The demo's recorded past: a conference in full swing at the moment its clock starts, and
nothing recorded after that moment."""

from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from eventdesk.domain.clock import Clock
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.agenda import occupancy
from eventdesk.store.demo_history import add_demo_history
from eventdesk.store.models import CheckinList, CheckinRecord, Meeting, MeetingSlot, PrintJob, Room

MOMENT = datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture(scope="session")
def _history_template(_demo_template, tmp_path_factory, fold_wal):
    """The demo with its past up to MOMENT, built once per test process (the past takes seconds)."""
    path = tmp_path_factory.mktemp("demo-history") / "demo.db"
    shutil.copy(_demo_template, path)
    summary = add_demo_history(str(path), until=MOMENT)
    fold_wal(path)
    return path, summary


@pytest.fixture
def history(_history_template, tmp_path):
    """A private copy of the demo with its past (the tests check people in on it)."""
    template, summary = _history_template
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    return str(path), summary


def test_most_people_are_in_and_their_badges_printed(history):
    db, summary = history
    with Session(open_context(db).engine) as session:
        entrance = session.exec(select(CheckinList).where(CheckinList.name == "Main entrance")).one()
        entered = set(session.exec(select(CheckinRecord.attendee_id).where(CheckinRecord.list_id == entrance.id)))
        printed = set(session.exec(select(PrintJob.attendee_id).where(PrintJob.state == "printed")))
        latest = session.exec(select(func.max(CheckinRecord.scanned_at))).one()
    assert 600 <= summary.entrance == len(entered) < 697
    assert printed == entered
    assert latest < MOMENT


def test_rooms_fill_within_their_capacity(history):
    db, _ = history
    with Session(open_context(db).engine) as session:
        people = occupancy(session)
        rooms = {r.id: r for r in session.exec(select(Room))}
    auditorium = next(r for r in rooms.values() if r.name == "Auditorium")
    assert people[auditorium.id] > 300  # the plenary running at 10:15
    assert all(0 <= n <= rooms[room_id].capacity for room_id, n in people.items())


def test_finished_slots_are_settled_and_the_running_one_is_under_way(history):
    db, summary = history
    with Session(open_context(db).engine) as session:
        rows = session.exec(
            select(Meeting.state, MeetingSlot.start, MeetingSlot.end).join(
                MeetingSlot, MeetingSlot.id == Meeting.slot_id
            )
        ).all()
    assert summary.meetings_resolved > 100
    finished = {state for state, start, end in rows if end <= MOMENT}
    running = [state for state, start, end in rows if start <= MOMENT < end]
    later = {state for state, start, end in rows if start > MOMENT}
    assert finished <= {"both_present", "no_show"}
    assert "both_present" in running
    assert later <= {"scheduled", "one_present"}  # the demo's own sample beside its history


def _entrance_scans(context) -> list[CheckinRecord]:
    with Session(context.engine) as session:
        return list(
            session.exec(select(CheckinRecord).where(CheckinRecord.list_id == 1).order_by(CheckinRecord.scanned_at))
        )


def test_a_person_already_in_today_is_already_checked_in_and_gets_no_second_badge(history):
    db, _ = history
    context = open_context(db, Settings(db=db, desk="Desk 4"), Clock.frozen(MOMENT))
    today = [r for r in _entrance_scans(context) if r.scanned_at >= context.day_start()]
    assert today, "the demo's past has arrivals on the morning of its clock"
    result = check_in(context, today[0].code)
    assert result.result == "already_checked_in" and result.badge_queued is False
    assert result.first_checkin_at == today[0].scanned_at


def test_the_past_holds_returning_attendees_on_the_later_days(history):
    db, _ = history
    context = open_context(db, Settings(db=db, desk="Desk 4"), Clock.frozen(MOMENT))
    days_of: dict[int, set] = {}
    for record in _entrance_scans(context):
        days_of.setdefault(record.attendee_id, set()).add(record.scanned_at.astimezone(context.zone()).date())
    returning = [days for days in days_of.values() if len(days) > 1]
    assert len(returning) > 300
    assert {d.day for days in returning for d in days} >= {6, 7, 8}


def test_a_person_who_came_yesterday_only_is_welcomed_back_without_a_second_badge(history):
    db, _ = history
    context = open_context(db, Settings(db=db, desk="Desk 4"), Clock.frozen(MOMENT))
    scans = _entrance_scans(context)
    today = {r.attendee_id for r in scans if r.scanned_at >= context.day_start()}
    yesterday_only = next(r for r in scans if r.attendee_id not in today)
    result = check_in(context, yesterday_only.code)
    assert (result.result, result.label, result.returning) == ("ok", "Welcome back", True)
    assert result.badge_queued is False
    again = check_in(context, yesterday_only.code)
    assert again.result == "already_checked_in" and again.first_checkin_desk == "Desk 4"


def test_the_same_seed_gives_the_same_past(demo_db, tmp_path):
    import shutil

    twin = tmp_path / "twin.db"
    shutil.copy(demo_db, twin)
    assert add_demo_history(demo_db, until=MOMENT) == add_demo_history(str(twin), until=MOMENT)
