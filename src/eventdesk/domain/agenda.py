"""Agenda maths: effective times, now/next per room, time left, the Indico-style rescheduler and
the flags a delay can raise. Pure: plain dataclasses in, plain values out (no SQL, no Textual).

Times are timezone-aware datetimes. ``start``/``end`` are as planned; the effective times add the
delay recorded on site (``shift_minutes``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from eventdesk.domain.text import fold

SCHEDULED, RUNNING, ENDED, CANCELLED = "scheduled", "running", "ended", "cancelled"

# Flag codes (the screens word them; ``FLAG_TEXT`` is the default wording).
OVERRUNS_FIXED_END = "overruns_fixed_end"
OVERRUNS_ROOM_DAY = "overruns_room_day"
SPEAKER_CLASH = "speaker_clash"
RUNS_INTO_FIXED = "runs_into_fixed"
FLAG_TEXT = {
    OVERRUNS_FIXED_END: "runs past its fixed end",
    OVERRUNS_ROOM_DAY: "runs past the room's last planned end",
    SPEAKER_CLASH: "a speaker is in two rooms at once",
    RUNS_INTO_FIXED: "now runs into a fixed item in another room (a break everyone attends)",
}
# Items of these types do not move for a delay elsewhere: the whole event breaks together.
FIXED_TYPES = frozenset({"break", "coffee", "lunch", "meal", "dinner", "reception"})


@dataclass(frozen=True)
class Slot:
    """A programme item as the agenda maths sees it."""

    id: int
    room_id: int | None
    start: datetime  # planned
    end: datetime  # planned
    shift_minutes: int = 0
    status: str = SCHEDULED
    fixed_end: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # Who speaks: attendee ids as "a:<id>", otherwise folded names, so one person matches across rooms.
    speaker_keys: frozenset[str] = field(default_factory=frozenset)
    # A fixed item (a break everyone attends): a delay in another room must not run into it.
    anchored: bool = False

    @property
    def shift(self) -> timedelta:
        return timedelta(minutes=self.shift_minutes)

    def __post_init__(self) -> None:
        # Computed once here, not per access: a board sorts and compares them for every room every
        # second, and a cached_property's lock cost more than the sums (see benchmarks/agenda.py).
        shift = timedelta(minutes=self.shift_minutes)
        # A scheduled session keeps a started_at when it was delayed while it ran by the clock.
        if self.started_at is not None and self.status != CANCELLED:
            effective_start = self.started_at
        else:
            effective_start = self.start + shift
        if self.status == ENDED and self.ended_at is not None:
            effective_end = max(self.ended_at, effective_start)
        else:
            effective_end = self.end + shift
        object.__setattr__(self, "effective_start", effective_start)
        object.__setattr__(self, "effective_end", effective_end)

    # effective_start: when it really started once the chair marked it (early starts are early),
    # or once a delay came while it ran; else as planned plus the delay.
    # effective_end: when it really ended once marked ended; else the planned end plus the delay
    # (an early start sets the delay to its real offset, so the end moves with it).
    effective_start: datetime = field(init=False, repr=False, compare=False)
    effective_end: datetime = field(init=False, repr=False, compare=False)

    @property
    def delay_minutes(self) -> int:
        """How late the session runs: until it ends, minutes between its planned and its effective
        end (a running session that was delayed keeps its start and runs late at its end; negative:
        started early); once ended, between the planned and the real start."""
        if self.status == ENDED:
            return round((self.effective_start - self.start).total_seconds() / 60)
        return round((self.effective_end - self.end).total_seconds() / 60)

    @property
    def start_kept(self) -> bool:
        """Delayed while it ran by the clock: its start stays, its delay (``shift_minutes``) moves its end."""
        return self.status == SCHEDULED and self.started_at is not None

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@lru_cache(maxsize=16384)  # a board re-reads the same names every refresh
def speaker_key(name: str, attendee_id: int | None = None) -> str:
    return f"a:{attendee_id}" if attendee_id is not None else "n:" + " ".join(fold(name).split())


def _in_order(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.effective_start, s.effective_end, s.id))


def is_current(slot: Slot, at: datetime) -> bool:
    """Running at ``at``: marked started and not ended, or (not marked either way) inside its
    effective span. A session marked ended is over, whatever the clock says."""
    if slot.status in (CANCELLED, ENDED):
        return False
    if slot.status == RUNNING:
        return True
    return slot.effective_start <= at < slot.effective_end


@dataclass(frozen=True)
class NowNext:
    current: Slot | None
    next: Slot | None


def live_in_order(room_slots: Iterable[Slot]) -> list[Slot]:
    """A room's slots as ``now_next_in_order`` takes them: cancelled ones left out, in effective
    order (a board orders each room once per read, not once per tick)."""
    return [s for s in _in_order(room_slots) if not s.cancelled]


def now_next(room_slots: Sequence[Slot], at: datetime) -> NowNext:
    """What runs in one room at ``at`` and what comes after it there. A session marked started
    holds the room until it is marked ended; when two qualify, the one that started last is
    current."""
    return now_next_in_order(live_in_order(room_slots), at)


def now_next_in_order(ordered: Sequence[Slot], at: datetime) -> NowNext:
    """``now_next`` of slots already given by ``live_in_order``."""
    # A session the chair marked started holds the room until marked ended (it may overrun).
    running = [s for s in ordered if s.status == RUNNING] or [s for s in ordered if is_current(s, at)]
    current = running[-1] if running else None
    after = current.effective_start if current else at
    upcoming = [
        s
        for s in ordered
        if s is not current
        and s.status in (SCHEDULED,)
        and s.effective_start >= after
        and (current is not None or s.effective_start > at)
    ]
    return NowNext(current, upcoming[0] if upcoming else None)


def time_left(slot: Slot, at: datetime) -> timedelta:
    """Until the effective end; negative once it overruns."""
    return slot.effective_end - at


def time_until_start(slot: Slot, at: datetime) -> timedelta:
    return slot.effective_start - at


def progress(slot: Slot, at: datetime) -> float:
    """Share of the session elapsed at ``at``, from 0.0 to 1.0."""
    total = (slot.effective_end - slot.effective_start).total_seconds()
    if total <= 0:
        return 1.0 if at >= slot.effective_start else 0.0
    done = (at - slot.effective_start).total_seconds() / total
    return min(1.0, max(0.0, done))


def format_countdown(delta: timedelta) -> str:
    """``1:05:09``, ``12:04`` or ``-3:10`` (overrun), whole seconds rounded towards zero."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"


def format_delay(minutes: int) -> str:
    if minutes == 0:
        return ""
    return f"+{minutes} min" if minutes > 0 else f"{minutes} min"


def start_offset_minutes(slot: Slot, at: datetime) -> int:
    """A session started at ``at`` is this many whole minutes off its planned start (negative:
    early)."""
    return round((at - slot.start).total_seconds() / 60)


def _closed_or_other_day(slot: Slot, today: object, day_of: object, verb: str) -> str | None:
    """The refusals both chair keys share: cancelled, another day, already ended."""
    if slot.status == CANCELLED:
        return "is cancelled; reinstate it first (c)"
    if day_of != today:
        return f"is not today ({day_of:%a %d %b}); a chair {verb} only today's sessions"
    if slot.status == ENDED:
        return "has ended already"
    return None


def start_refusal(slot: Slot, room_slots: Sequence[Slot], at: datetime, today: object, day_of: object) -> str | None:
    """Why ``slot`` cannot be marked started at ``at`` (None: it can). Only a session of today
    that runs by the clock or comes next in its room can start: never one of another day, one
    already running or ended, or one further down the room's list (that would end the one that
    runs). ``today``/``day_of`` are the local dates of ``at`` and of the session."""
    refusal = _closed_or_other_day(slot, today, day_of, "starts")
    if refusal:
        return refusal
    if slot.status == RUNNING:
        return "is already running"
    found = now_next(room_slots, at)
    allowed = {s.id for s in (found.current, found.next) if s is not None and s.status == SCHEDULED}
    if slot.id not in allowed:
        due = found.next if found.next is not None and found.next.status == SCHEDULED else found.current
        return "is not next in its room" + (" (start the one due first, or cancel it)" if due else "")
    return None


def end_refusal(slot: Slot, at: datetime, today: object, day_of: object) -> str | None:
    """Why ``slot`` cannot be marked ended at ``at``: only a running session of today can end
    (marked started, or due by the clock)."""
    refusal = _closed_or_other_day(slot, today, day_of, "ends")
    if refusal:
        return refusal
    if not is_current(slot, at):
        return "is not running (mark it started first, s)" if slot.effective_start > at else "is over by the clock"
    return None


# --- the rescheduler ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reschedule:
    """New delays after moving one session: ``shifts`` maps every session that moves to its new
    ``shift_minutes`` (the chosen one first); ``applied`` is the delay actually applied (a pull
    back may be limited)."""

    shifts: dict[int, int]
    applied: int
    # The start the chosen session keeps (it has started): record it as its ``started_at``.
    keeps_start: datetime | None = None

    @property
    def moved(self) -> list[int]:
        return list(self.shifts)


def reschedule(room_slots: Sequence[Slot], session_id: int, minutes: int, at: datetime | None = None) -> Reschedule:
    """Delay (``minutes > 0``) or pull back (``< 0``) one session and, as Indico's rescheduler
    does, the FOLLOWING sessions of the same room until a gap long enough to absorb the change;
    gaps that are too short are kept, not squeezed.

    A session that has started at ``at`` (running by the clock, not yet marked) keeps its start:
    the change moves its end and what follows, and ``keeps_start`` is the start to record.

    A pull back is the mirror image: it never moves a session before its planned start (so it
    never reaches into the session before, planned back to back at the latest), and the followers
    come back with it only as far as they had been pushed. Cancelled sessions neither move nor
    block; ended ones are history and stay put."""
    by_id = {s.id: s for s in room_slots}
    target = by_id[session_id]
    if minutes == 0 or target.cancelled:
        return Reschedule({}, 0)
    applied = minutes if minutes > 0 else -min(-minutes, max(0, target.shift_minutes))
    if applied == 0:
        return Reschedule({}, 0)
    shifts = {target.id: target.shift_minutes + applied}
    keeps_start = None
    if at is not None and target.started_at is None and target.status == SCHEDULED and is_current(target, at):
        keeps_start = target.effective_start
    followers = [
        s
        for s in _in_order(room_slots)
        if s.id != target.id
        and s.room_id == target.room_id
        and not s.cancelled
        and s.status != ENDED
        and (s.effective_start, s.id) >= (target.effective_start, target.id)
    ]
    carry, previous_end = applied, target.effective_end
    for follower in followers:
        gap = follower.effective_start - previous_end
        previous_end = max(previous_end, follower.effective_end)
        if carry > 0:
            if gap >= timedelta(minutes=carry):
                break  # this gap absorbs the delay
            step = carry
        else:
            if gap >= timedelta(minutes=-carry):
                break  # it was not pushed by the session before: leave it where it is
            step = -min(-carry, max(0, follower.shift_minutes))
            if step == 0:
                break
            carry = step
        shifts[follower.id] = follower.shift_minutes + step
    return Reschedule(shifts, applied, keeps_start)


def apply_shifts(slots: Iterable[Slot], shifts: dict[int, int]) -> list[Slot]:
    return [replace(s, shift_minutes=shifts[s.id]) if s.id in shifts else s for s in slots]


# --- flags -------------------------------------------------------------------------------------


def flags(slots: Sequence[Slot], room_day_end: dict[object, datetime] | None = None) -> dict[int, set[str]]:
    """Problems a delay can cause, by session id:

    - a session with a fixed end (``fixed_end``) that now ends after its planned end;
    - a session that now ends after the room's availability: ``room_day_end`` maps a room id to
      when the room must be free (by default the planned end of that room's last session);
    - a speaker (same attendee, or same folded name) in two rooms at overlapping times;
    - a moved session that now overlaps a fixed item (``anchored``: a break) of another room it
      did not overlap as planned.
    """
    live = [s for s in slots if not s.cancelled]
    result: dict[int, set[str]] = {}
    if room_day_end is None:
        room_day_end = {}
        for s in live:
            if s.room_id is not None and (s.room_id not in room_day_end or s.end > room_day_end[s.room_id]):
                room_day_end[s.room_id] = s.end
    for s in live:
        if s.status == ENDED:
            continue
        if s.fixed_end and s.effective_end > s.end:
            result.setdefault(s.id, set()).add(OVERRUNS_FIXED_END)
        limit = room_day_end.get(s.room_id)
        if limit is not None and s.effective_end > limit:
            result.setdefault(s.id, set()).add(OVERRUNS_ROOM_DAY)
    for a, b in _speaker_overlaps(live):
        result.setdefault(a.id, set()).add(SPEAKER_CLASH)
        result.setdefault(b.id, set()).add(SPEAKER_CLASH)
    for moved in live:
        if fixed_items_run_into(moved, live):
            result.setdefault(moved.id, set()).add(RUNS_INTO_FIXED)
    return result


def fixed_items_run_into(moved: Slot, slots: Sequence[Slot]) -> list[Slot]:
    """The fixed items of other rooms that ``moved`` overlaps now but did not as planned."""
    unmoved = (
        moved.effective_start == moved.start and moved.effective_end == moved.end
    )  # a delayed running one keeps its start
    if moved.anchored or moved.status == ENDED or moved.cancelled or unmoved:
        return []
    return [
        s
        for s in slots
        if s.anchored
        and s.id != moved.id
        and s.room_id != moved.room_id
        and not s.cancelled
        and moved.effective_start < s.effective_end
        and s.effective_start < moved.effective_end
        and not (moved.start < s.end and s.start < moved.end)
    ]


def _speaker_overlaps(live: Sequence[Slot]) -> Iterable[tuple[Slot, Slot]]:
    by_speaker: dict[str, list[Slot]] = {}
    for s in live:
        if s.status == ENDED:
            continue
        for key in s.speaker_keys:
            by_speaker.setdefault(key, []).append(s)
    seen: set[tuple[int, int]] = set()
    for sessions in by_speaker.values():
        ordered = _in_order(sessions)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if b.effective_start >= a.effective_end:
                    break
                pair = (min(a.id, b.id), max(a.id, b.id))
                if a.room_id != b.room_id and pair not in seen:
                    seen.add(pair)
                    yield a, b


def by_room(slots: Iterable[Slot]) -> dict[int | None, list[Slot]]:
    rooms: dict[int | None, list[Slot]] = {}
    for s in slots:
        rooms.setdefault(s.room_id, []).append(s)
    for room_slots in rooms.values():
        room_slots.sort(key=lambda s: (s.effective_start, s.id))
    return rooms
