"""Agenda maths: now/next, countdowns, the Indico-style rescheduler and its flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from eventdesk.domain import agenda as rules
from eventdesk.domain.agenda import Slot, apply_shifts, reschedule

T0 = datetime(2024, 5, 7, 9, 0, tzinfo=UTC)


def m(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def slot(id: int, start: int, end: int, room: int = 1, **kw) -> Slot:
    return Slot(id=id, room_id=room, start=m(start), end=m(end), **kw)


# Room 1: 1 [0-45] 2 [45-90] gap 10 3 [100-140] gap 40 4 [180-240]
ROOM = [slot(1, 0, 45), slot(2, 45, 90), slot(3, 100, 140), slot(4, 180, 240)]


def test_now_and_next_follow_effective_times():
    found = rules.now_next(ROOM, m(50))
    assert (found.current.id, found.next.id) == (2, 3)
    between = rules.now_next(ROOM, m(95))
    assert between.current is None and between.next.id == 3
    delayed = apply_shifts(ROOM, {2: 10})
    assert rules.now_next(delayed, m(50)) == rules.NowNext(None, delayed[1])
    assert rules.now_next(delayed, m(56)).current.id == 2
    assert rules.now_next(ROOM, m(300)) == rules.NowNext(None, None)


def test_marked_states_beat_the_clock():
    running_late = [slot(1, 0, 45, status="running"), slot(2, 45, 90)]
    found = rules.now_next(running_late, m(50))
    assert found.current.id == 1 and found.next.id == 2
    ended_early = [slot(1, 0, 45, status="ended"), slot(2, 45, 90)]
    found = rules.now_next(ended_early, m(30))
    assert found.current is None and found.next.id == 2
    cancelled = [slot(1, 0, 45, status="cancelled"), slot(2, 45, 90)]
    assert rules.now_next(cancelled, m(10)).current is None


def test_time_left_progress_and_countdown_text():
    s = slot(1, 0, 60, shift_minutes=5)
    assert rules.time_left(s, m(35)) == timedelta(minutes=30)
    assert rules.progress(s, m(35)) == 0.5
    assert rules.progress(s, m(0)) == 0.0 and rules.progress(s, m(99)) == 1.0
    assert rules.format_countdown(timedelta(minutes=30)) == "30:00"
    assert rules.format_countdown(timedelta(hours=1, minutes=5, seconds=9)) == "1:05:09"
    assert rules.format_countdown(timedelta(seconds=-190)) == "-03:10"


def test_delay_moves_followers_until_a_gap_absorbs_it():
    plan = reschedule(ROOM, 1, 5)
    assert plan.shifts == {1: 5, 2: 5}  # the 10-minute gap before 3 absorbs 5 minutes
    plan = reschedule(ROOM, 1, 15)
    assert plan.shifts == {1: 15, 2: 15, 3: 15}  # the 40-minute gap before 4 absorbs it
    plan = reschedule(ROOM, 2, 45)
    assert plan.shifts == {2: 45, 3: 45, 4: 45}


def test_delay_keeps_gaps_and_never_touches_earlier_or_other_rooms():
    other_room = slot(9, 45, 90, room=2)
    plan = reschedule(ROOM + [other_room], 2, 15)
    assert 1 not in plan.shifts and 9 not in plan.shifts
    moved = apply_shifts(ROOM, plan.shifts)
    gap = moved[2].effective_start - moved[1].effective_end
    assert gap == timedelta(minutes=10)


def test_cancelled_and_ended_sessions_do_not_move():
    room = [slot(1, 0, 45), slot(2, 45, 90, status="cancelled"), slot(3, 90, 120)]
    assert reschedule(room, 1, 5).shifts == {1: 5}  # the cancelled slot left a gap that absorbs it
    assert reschedule(room, 2, 5).shifts == {}
    replaced = [slot(1, 0, 45), slot(2, 45, 90, status="cancelled"), slot(3, 45, 90)]
    assert reschedule(replaced, 1, 5).shifts == {1: 5, 3: 5}
    done = [slot(1, 0, 45, status="ended"), slot(2, 45, 90)]
    assert reschedule(done, 2, 5).shifts == {2: 5}


def test_a_delay_on_a_session_that_has_started_moves_its_end_not_its_start():
    plan = reschedule(ROOM, 1, 5, at=m(10))  # 1 runs by the clock, not marked started
    assert plan.shifts == {1: 5, 2: 5} and plan.keeps_start == m(0)
    kept = replace(apply_shifts(ROOM, plan.shifts)[0], started_at=plan.keeps_start)
    assert (kept.effective_start, kept.effective_end) == (m(0), m(50))
    again = reschedule([kept] + ROOM[1:], 1, 5, at=m(12))
    assert again.keeps_start is None  # its start is already kept
    assert replace(kept, shift_minutes=again.shifts[1]).effective_start == m(0)
    assert reschedule(ROOM, 2, 5, at=m(10)).keeps_start is None  # not started yet: it moves whole
    marked = slot(1, 0, 45, status="running", started_at=m(3))
    assert replace(marked, shift_minutes=5).effective_start == m(3)


def test_pull_back_mirrors_the_delay_and_stops_at_the_planned_start():
    once = apply_shifts(ROOM, reschedule(ROOM, 1, 15).shifts)
    back = reschedule(once, 1, -15)
    assert back.shifts == {1: 0, 2: 0, 3: 0}
    assert reschedule(ROOM, 1, -5).shifts == {}  # already at its planned start
    partly = apply_shifts(ROOM, {1: 3, 2: 3})
    plan = reschedule(partly, 1, -5)
    assert plan.applied == -3 and plan.shifts == {1: 0, 2: 0}


def test_pull_back_leaves_a_follower_that_was_not_pushed():
    room = [slot(1, 0, 45, shift_minutes=5), slot(2, 53, 90)]  # 3-minute gap left by the delay
    assert reschedule(room, 1, -5).shifts == {1: 0}


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(5, 60)), min_size=1, max_size=8),
    st.integers(0, 7),
    st.integers(1, 90),
)
def test_a_delay_and_its_pull_back_restore_the_room(layout, pick, minutes):
    slots, t = [], 0
    for n, (gap, length) in enumerate(layout):
        t += gap
        slots.append(slot(n + 1, t, t + length))
        t += length
    target = slots[pick % len(slots)].id
    pushed = apply_shifts(slots, reschedule(slots, target, minutes).shifts)
    ordered = sorted(pushed, key=lambda s: s.effective_start)
    assert all(a.effective_end <= b.effective_start for a, b in zip(ordered, ordered[1:]))  # no overlap
    restored = apply_shifts(pushed, reschedule(pushed, target, -minutes).shifts)
    assert [s.shift_minutes for s in restored] == [0] * len(slots)


def test_flags_fixed_end_room_day_and_speaker_clash():
    ana = frozenset({rules.speaker_key("Ana Šermukšnytė")})
    assert ana == frozenset({rules.speaker_key("ana  sermuksnyte")})
    room1 = [slot(1, 0, 60, speaker_keys=ana), slot(2, 60, 120, fixed_end=True)]
    room2 = [slot(3, 65, 90, room=2, speaker_keys=ana)]
    assert rules.flags(room1 + room2) == {}
    moved = apply_shifts(room1 + room2, reschedule(room1, 1, 10).shifts)
    found = rules.flags(moved)
    assert found[1] == {rules.SPEAKER_CLASH}
    assert found[3] == {rules.SPEAKER_CLASH}
    assert found[2] == {rules.OVERRUNS_FIXED_END, rules.OVERRUNS_ROOM_DAY}


def test_same_speaker_back_to_back_in_two_rooms_is_no_clash():
    key = frozenset({rules.speaker_key("X", attendee_id=7)})
    slots = [slot(1, 0, 60, speaker_keys=key), slot(2, 60, 90, room=2, speaker_keys=key)]
    assert rules.flags(slots) == {}
