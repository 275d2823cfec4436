"""The live agenda services: programme of a day, now/next, board rows and the chair actions,
through a real migrated store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from agenda_sample import at, build
from sqlmodel import Session as DbSession
from sqlmodel import select

from eventdesk.domain import agenda as rules
from eventdesk.domain.clock import Clock
from eventdesk.services import agenda
from eventdesk.services.context import open_context
from eventdesk.store.models import AuditEntry, Change, Session


@pytest.fixture
def sample(tmp_db):
    ids = build(tmp_db)
    context = open_context(tmp_db, clock=Clock.frozen(at(11, 20)))
    return context, ids


def shifts(context) -> dict[str, int]:
    with DbSession(context.engine) as db:
        return {s.title: s.shift_minutes for s in db.exec(select(Session))}


def test_day_programme_groups_sessions_by_room_in_order(sample):
    context, ids = sample
    programme = agenda.day_programme(context, date(2024, 5, 7))
    assert [r.name for r in programme.rooms] == ["Hemicycle", "Room A", "Room B"]
    room_a = programme.rooms[1].id
    assert [s.title for s in programme.by_room[room_a]] == [
        "Green transition",
        "Digital transition",
        "Skills",
        "Resilience",
    ]
    assert programme.by_id[ids["Plenary panel"]].speakers == ("Jan Peeters", "Marta López")
    assert programme.flags == {}
    assert agenda.day_programme(context, date(2024, 5, 8)).sessions == []


def test_now_and_next_in_every_room(sample):
    context, _ = sample
    rows = {r.room.name: r for r in agenda.now_and_next(context, at(11, 50))}
    assert rows["Hemicycle"].current.title == "Plenary panel" and rows["Hemicycle"].next.title == "Afternoon plenary"
    assert rows["Room A"].current.title == "Digital transition" and rows["Room A"].next.title == "Skills"
    assert rows["Room B"].current.title == "Funding clusters" and rows["Room B"].next.title == "Value chains"
    evening = {r.room.name: r for r in agenda.now_and_next(context, at(20, 0))}
    assert all(r.current is None and r.next is None for r in evening.values())


def test_board_rows_carry_progress_time_left_and_occupancy(sample):
    context, _ = sample
    rows = {r.room.name: r for r in agenda.board_rows(context)}  # the context's clock: 11:20
    room_a = rows["Room A"]
    assert room_a.current.title == "Green transition"
    assert room_a.time_left == timedelta(minutes=25)
    assert room_a.progress == pytest.approx(20 / 45)
    assert (room_a.occupancy, room_a.occupancy_share) == (2, 2 / 40)
    assert rows["Room B"].occupancy_share == 1.0
    assert rows["Hemicycle"].occupancy == 0


def test_delay_moves_exactly_the_following_sessions_until_a_gap(sample):
    context, ids = sample
    result = agenda.delay(context, ids["Green transition"], 5)
    assert set(result.changed) == {ids["Green transition"], ids["Digital transition"]}
    assert "1 following session moved" in result.message
    after = shifts(context)
    assert after["Green transition"] == 5 and after["Digital transition"] == 5
    assert after["Skills"] == 0 and after["Resilience"] == 0 and after["Funding clusters"] == 0
    # Ana now speaks in Room A until 12:35 and in Room B from 12:30.
    programme = agenda.day_programme(context, date(2024, 5, 7))
    assert programme.flags[ids["Digital transition"]] == {rules.SPEAKER_CLASH}
    assert programme.flags[ids["Value chains"]] == {rules.SPEAKER_CLASH}
    assert [s.title for s in programme.clashes(ids["Value chains"])] == ["Digital transition"]
    agenda.delay(context, ids["Green transition"], -5)
    assert set(shifts(context).values()) == {0}
    assert agenda.day_programme(context, date(2024, 5, 7)).flags == {}


def test_a_delay_on_the_running_session_keeps_its_start_and_moves_its_end(sample):
    context, ids = sample  # 11:20: Green transition (11:00-11:45) runs by the clock
    for _ in range(2):
        agenda.delay(context, ids["Green transition"], 5)
    programme = agenda.day_programme(context, date(2024, 5, 7))
    green, digital = programme.by_id[ids["Green transition"]], programme.by_id[ids["Digital transition"]]
    assert (green.slot.effective_start, green.slot.effective_end) == (at(11, 0), at(11, 55))
    assert digital.slot.effective_start == at(11, 55)
    rows = {r.room.name: r for r in agenda.now_and_next(context, at(11, 50))}
    assert rows["Room A"].current.title == "Green transition"
    agenda.delay(context, ids["Skills"], 5)  # not started yet: it moves whole
    skills = agenda.day_programme(context, date(2024, 5, 7)).by_id[ids["Skills"]].slot
    assert skills.effective_start == at(12, 45)


def test_delay_writes_an_audit_entry_and_bumps_the_agenda_area(sample):
    context, ids = sample
    agenda.delay(context, ids["Skills"], 45)
    with DbSession(context.engine) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "agenda.delay")).one()
        assert entry.subject == f"session:{ids['Skills']}"
        assert entry.detail == "+45 min; 1 following session moved"
        assert db.get(Change, "agenda").version == 1


def test_fixed_end_overrun_is_flagged(sample):
    context, ids = sample
    agenda.delay(context, ids["Closing"], 10)
    flags = agenda.day_programme(context, date(2024, 5, 7)).flags
    assert flags[ids["Closing"]] == {rules.OVERRUNS_FIXED_END, rules.OVERRUNS_ROOM_DAY}


def test_pull_back_before_the_planned_start_is_refused(sample):
    context, ids = sample
    with pytest.raises(agenda.AgendaError, match="planned start"):
        agenda.delay(context, ids["Skills"], -5)


def test_start_end_and_cancel(sample):
    context, ids = sample
    agenda.mark_started(context, ids["Green transition"])
    context.clock.set(at(11, 47))  # the chair of the next session starts it: Green is ended
    result = agenda.mark_started(context, ids["Digital transition"])
    assert set(result.changed) == {ids["Green transition"], ids["Digital transition"]}
    with DbSession(context.engine) as db:
        green = db.get(Session, ids["Green transition"])
        digital = db.get(Session, ids["Digital transition"])
        assert green.status == "ended" and green.ended_at == at(11, 47)
        assert digital.status == "running" and digital.started_at == at(11, 47)
    agenda.mark_ended(context, ids["Digital transition"])
    rows = {r.room.name: r for r in agenda.now_and_next(context, at(12, 0))}
    assert rows["Room A"].current is None and rows["Room A"].next.title == "Skills"

    agenda.cancel(context, ids["Skills"])
    rows = {r.room.name: r for r in agenda.now_and_next(context, at(12, 0))}
    assert rows["Room A"].next.title == "Resilience"
    with pytest.raises(agenda.AgendaError, match="cancelled"):
        agenda.delay(context, ids["Skills"], 5)
    agenda.cancel(context, ids["Skills"])  # the same key reinstates it
    rows = {r.room.name: r for r in agenda.now_and_next(context, at(12, 0))}
    assert rows["Room A"].next.title == "Skills"
    with DbSession(context.engine) as db:
        actions = [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "agenda.started",
        "agenda.ended",
        "agenda.started",
        "agenda.ended",
        "agenda.cancelled",
        "agenda.reinstated",
    ]


def test_unknown_session_is_a_clear_error(sample):
    context, _ = sample
    with pytest.raises(agenda.AgendaError, match="no session #9999"):
        agenda.mark_started(context, 9999)


def test_event_days_cover_the_event(sample):
    context, _ = sample
    assert agenda.event_days(context) == [date(2024, 5, 6), date(2024, 5, 7), date(2024, 5, 8)]


def test_a_session_without_a_room_is_listed_and_can_be_delayed(sample):
    context, _ = sample
    with context.session() as db:
        walk = Session(title="Walking tour", start=at(16, 0), end=at(17, 0))
        db.add(walk)
    programme = agenda.day_programme(context, date(2024, 5, 7))
    assert programme.rooms[-1].name == "(no room)"
    assert [s.title for s in programme.by_room[0]] == ["Walking tour"]
    result = agenda.delay(context, walk.id, 10)
    assert result.changed == (walk.id,)
    assert shifts(context)["Walking tour"] == 10


def test_the_boards_kept_programme_shows_a_delay_recorded_by_another_process(sample, tmp_db):
    import subprocess
    import sys

    context, ids = sample
    reader = agenda.BoardReader(context)
    before, occupancy = reader.read()
    assert reader.read()[0] is before  # nothing changed: the programme read before is kept
    room_a = next(r.id for r in before.rooms if r.name == "Room A")
    assert occupancy[room_a] == 2

    done = subprocess.run(
        [sys.executable, "-m", "eventdesk", "agenda", "delay", str(ids["Green transition"]), "10", "--db", tmp_db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    after, _ = reader.read()
    row = {r.room.name: r for r in after.board(at(11, 20))}["Room A"]
    assert row.current.slot.delay_minutes == 10 and row.time_left == timedelta(minutes=35)
    assert row.next.title == "Digital transition" and row.next.slot.delay_minutes == 10  # the room's rest moved
    # What the delay did not move is the same as a fresh read shows.
    fresh = agenda.board_programme(context)
    assert [(s.id, s.slot.effective_start, s.slot.effective_end, s.title) for s in after.sessions] == [
        (s.id, s.slot.effective_start, s.slot.effective_end, s.title) for s in fresh.sessions
    ]
    assert list(after.rooms) == fresh.rooms


def test_the_boards_kept_programme_follows_the_clock_to_another_day(sample):
    context, _ = sample
    reader = agenda.BoardReader(context)
    assert reader.read(at(11, 20))[0].sessions
    next_day = reader.read(at(11, 20) + timedelta(days=1))[0]
    assert next_day.day == date(2024, 5, 8) and next_day.sessions == []
    assert len(reader.read(at(11, 20))[0].sessions) == len(agenda.board_programme(context).sessions)


def test_the_boards_kept_programme_sees_a_session_without_room_and_a_cancellation(sample, tmp_db):
    from eventdesk.store.db import bump, session_scope

    context, ids = sample
    reader = agenda.BoardReader(context)
    reader.read()
    agenda.cancel(open_context(tmp_db, clock=Clock.frozen(at(11, 20))), ids["Green transition"])
    with session_scope(context.engine) as db:  # an import adding a session not yet given a room
        db.add(Session(title="Walk-in clinic", start=at(11, 0), end=at(12, 0)))
        bump(db, "agenda")
    programme, _ = reader.read()
    rows = {r.room.name: r for r in programme.board(at(11, 20))}
    assert rows["Room A"].current is None and rows["Room A"].next.title == "Digital transition"
    assert rows["(no room)"].current.title == "Walk-in clinic"
