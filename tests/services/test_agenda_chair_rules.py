"""The chair keys act only where a chair means them: today's sessions that can start or end now;
a started or ended session is shown at its real times (early starts are early); a delay that
pushes a session into another room's break is flagged."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from agenda_sample import BRUSSELS, at, build
from sqlmodel import Session as DbSession

from eventdesk.domain import agenda as rules
from eventdesk.domain.clock import Clock
from eventdesk.services import agenda
from eventdesk.services.context import open_context
from eventdesk.store.models import Session


@pytest.fixture
def sample(tmp_db):
    ids = build(tmp_db)
    context = open_context(tmp_db, clock=Clock.frozen(at(11, 20)))
    return context, ids


def status(context, session_id: int) -> str:
    with DbSession(context.engine) as db:
        return db.get(Session, session_id).status


def test_a_session_of_another_day_cannot_be_started_and_todays_running_one_stays(sample):
    context, ids = sample
    agenda.mark_started(context, ids["Green transition"])
    context.clock.set(datetime(2024, 5, 6, 13, 21, tzinfo=BRUSSELS))  # the day before: the chair browsed ahead
    with pytest.raises(agenda.AgendaError, match=r"'Digital transition' is not today \(Tue 07 May\)"):
        agenda.mark_started(context, ids["Digital transition"])
    with pytest.raises(agenda.AgendaError, match="is not today"):
        agenda.mark_ended(context, ids["Green transition"])
    assert status(context, ids["Green transition"]) == "running"
    assert status(context, ids["Digital transition"]) == "scheduled"


def test_only_the_running_or_next_session_of_a_room_can_start(sample):
    context, ids = sample  # 11:20: Green runs in Room A, Digital comes next, Skills after it
    with pytest.raises(agenda.AgendaError, match="'Skills' is not next in its room"):
        agenda.mark_started(context, ids["Skills"])
    assert status(context, ids["Green transition"]) == "scheduled"  # not ended by a wrong key
    agenda.mark_started(context, ids["Digital transition"])
    with pytest.raises(agenda.AgendaError, match="already running"):
        agenda.mark_started(context, ids["Digital transition"])
    agenda.mark_ended(context, ids["Digital transition"])
    with pytest.raises(agenda.AgendaError, match="has ended already"):
        agenda.mark_started(context, ids["Digital transition"])


def test_a_session_that_has_not_started_cannot_end(sample):
    context, ids = sample
    with pytest.raises(agenda.AgendaError, match="'Skills' is not running"):
        agenda.mark_ended(context, ids["Skills"])
    with pytest.raises(agenda.AgendaError, match="over by the clock"):
        agenda.mark_ended(context, ids["Coffee break"])
    assert status(context, ids["Skills"]) == "scheduled"


def test_an_early_start_is_early_everywhere(sample):
    context, ids = sample
    context.clock.set(at(12, 32))  # Digital ended by the clock at 12:30; Skills (12:40) starts 8 min early
    result = agenda.mark_started(context, ids["Skills"])
    assert "Started 'Skills' 8 min early" in result.message
    programme = agenda.day_programme(context, date(2024, 5, 7))
    skills = programme.by_id[ids["Skills"]]
    zone = programme.zone
    assert (f"{skills.local_start(zone):%H:%M}", f"{skills.local_end(zone):%H:%M}") == ("12:32", "13:12")
    assert skills.slot.delay_minutes == -8
    row = {r.room.name: r for r in agenda.board_rows(context)}["Room A"]
    assert row.current.id == ids["Skills"] and row.time_left == timedelta(minutes=40)
    # The rooms board counts nobody "running late" for it.
    assert not any(r.current is not None and r.current.slot.delay_minutes > 0 for r in agenda.board_rows(context))
    data = agenda.room_now_dict(
        next(r for r in agenda.now_and_next(context) if r.room.name == "Room A"), zone, context.now()
    )
    assert data["now"]["start"].startswith("2024-05-07T12:32") and data["now"]["delay_minutes"] == -8


def test_a_late_start_keeps_its_end_and_an_ended_session_shows_its_real_end(sample):
    context, ids = sample
    context.clock.set(at(11, 50))  # Digital (11:45) starts 5 min late
    agenda.mark_started(context, ids["Digital transition"])
    context.clock.set(at(12, 21))
    result = agenda.mark_ended(context, ids["Digital transition"])
    assert "Ended 'Digital transition' at 12:21" in result.message
    programme = agenda.day_programme(context, date(2024, 5, 7))
    digital = programme.by_id[ids["Digital transition"]]
    assert (f"{digital.local_start(programme.zone):%H:%M}", f"{digital.local_end(programme.zone):%H:%M}") == (
        "11:50",
        "12:21",
    )
    green = programme.by_id[ids["Green transition"]]  # over by the clock at 11:45, never marked: left as planned
    assert green.slot.status == "scheduled" and f"{green.local_end(programme.zone):%H:%M}" == "11:45"


def test_a_delay_into_another_rooms_break_is_flagged(sample):
    context, ids = sample  # Hemicycle coffee break 10:30–11:00; Room A and B start at 11:00
    context.clock.set(at(9, 0))
    programme = agenda.day_programme(context, date(2024, 5, 7))
    assert programme.flags == {}
    # Pull nothing, push the keynote (09:30–10:30) of the Hemicycle: its own room's break moves with it,
    # so no flag. A Room A session moved into the Hemicycle break is flagged:
    with DbSession(context.engine) as db:
        db.add(
            Session(
                title="Early workshop",
                start=at(9, 30),
                end=at(10, 25),
                room_id=db.get(Session, ids["Skills"]).room_id,
                source_ref="sample-early",
            )
        )
        db.commit()
    programme = agenda.day_programme(context, date(2024, 5, 7))
    early = next(s.id for s in programme.sessions if s.title == "Early workshop")
    assert early not in programme.flags
    agenda.delay(context, early, 10)
    programme = agenda.day_programme(context, date(2024, 5, 7))
    assert programme.flags[early] == {rules.RUNS_INTO_FIXED}
    assert [s.title for s in programme.fixed_items_run_into(early)] == ["Coffee break"]
    assert ids["Coffee break"] not in programme.flags
