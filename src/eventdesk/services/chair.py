"""The chair's view of one room: the session, a countdown that warns at five minutes and turns
red when over time, who speaks now in a block (the running order split over the session's time),
what follows, and whether the speakers have arrived. The same state serves the chair's screen and
the speaker's countdown in a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from eventdesk.domain import agenda as rules
from eventdesk.domain.text import fold, printable
from eventdesk.services.agenda import Programme, RoomInfo, SessionInfo, board_programme
from eventdesk.services.context import Context
from eventdesk.services.speakers import SpeakerArrival, speaker_arrivals

SOON = timedelta(minutes=5)  # the countdown turns amber
CONCLUDE = timedelta(minutes=2)  # the speaker's screen says "please conclude"
CALM, SOON_STATE, CONCLUDE_STATE, OVER = "calm", "soon", "conclude", "over"


class ChairError(Exception):
    """A room that does not exist; the message lists the rooms."""


def find_room(programme: Programme, name: str) -> RoomInfo:
    """The room called ``name`` (case and accents ignored; a unique prefix will do)."""
    wanted = fold(name).strip()
    exact = [r for r in programme.rooms if fold(r.name) == wanted]
    prefix = [r for r in programme.rooms if fold(r.name).startswith(wanted)] if wanted else []
    found = exact or prefix
    if len(found) == 1:
        return found[0]
    names = ", ".join(printable(r.name, 40) for r in programme.rooms) or "none (import an agenda first)"
    if found:
        raise ChairError(
            f"'{printable(name, 40)}' names several rooms: {', '.join(printable(r.name, 40) for r in found)}."
        )
    raise ChairError(f"There is no room '{printable(name, 40)}'. Rooms: {names}.")


@dataclass(frozen=True)
class Talk:
    text: str
    now: bool  # the estimated current talk of a running block


@dataclass(frozen=True)
class ChairState:
    room: RoomInfo
    zone: ZoneInfo
    at: datetime
    current: SessionInfo | None
    next: SessionInfo | None
    occupancy: int
    arrivals: dict[int, list[SpeakerArrival]] = field(default_factory=dict)

    @property
    def time_left(self) -> timedelta | None:
        return rules.time_left(self.current.slot, self.at) if self.current else None

    @property
    def until_next(self) -> timedelta | None:
        return rules.time_until_start(self.next.slot, self.at) if self.next else None

    @property
    def urgency(self) -> str:
        left = self.time_left
        if left is None:
            return CALM
        if left.total_seconds() < 0:
            return OVER
        if left <= CONCLUDE:
            return CONCLUDE_STATE
        return SOON_STATE if left <= SOON else CALM

    def countdown(self) -> str:
        """Time left of the session, or until the next one starts when the room is free."""
        left, until = self.time_left, self.until_next
        if left is not None:
            return rules.format_countdown(left)
        if until is not None:
            return rules.format_countdown(until)
        return "--:--"

    def running_order(self) -> list[Talk]:
        """The talks of the current block (the "• " lines of its description), the one whose
        share of the block's time holds the clock marked as now."""
        if self.current is None:
            return []
        talks = [line[2:].strip() for line in self.current.description.splitlines() if line.startswith("• ")]
        if not talks:
            return []
        share = rules.progress(self.current.slot, self.at)
        now_index = min(int(share * len(talks)), len(talks) - 1) if self.current.slot.effective_start <= self.at else -1
        return [Talk(text, index == now_index) for index, text in enumerate(talks)]

    def speakers(self, session: SessionInfo | None) -> list[SpeakerArrival]:
        return self.arrivals.get(session.id, []) if session else []

    def as_dict(self) -> dict:
        def describe(info: SessionInfo | None) -> dict | None:
            if info is None:
                return None
            return {
                "id": info.id,
                "title": info.title,
                "start": info.local_start(self.zone).isoformat(),
                "end": info.local_end(self.zone).isoformat(),
                "status": info.slot.status,
                "delay_minutes": info.slot.shift_minutes,
                "speakers": [a.as_dict(self.zone) for a in self.speakers(info)],
            }

        left = self.time_left
        return {
            "room": self.room.name,
            "at": self.at.astimezone(self.zone).isoformat(),
            "now": describe(self.current),
            "next": describe(self.next),
            "seconds_left": int(left.total_seconds()) if left is not None else None,
            "countdown": self.countdown(),
            "urgency": self.urgency,
            "occupancy": self.occupancy,
            "capacity": self.room.capacity,
            "running_order": [{"talk": t.text, "now": t.now} for t in self.running_order()],
        }


@dataclass
class ChairSource:
    """What a chair screen (or the speaker's countdown) holds between store changes: the room's
    programme of the day and its speakers' arrivals. ``state(at)`` needs no store."""

    context: Context
    room_name: str
    programme: Programme | None = None
    room: RoomInfo | None = None
    arrivals: dict[int, list[SpeakerArrival]] = field(default_factory=dict)

    def load(self, at: datetime | None = None) -> ChairSource:
        at = at or self.context.now()
        self.programme = board_programme(self.context, at, speakers=True)
        self.room = find_room(self.programme, self.room_name)
        ids = [s.id for s in self.programme.by_room.get(self.room.id, [])]
        self.arrivals = speaker_arrivals(self.context, ids, at)
        return self

    @property
    def day(self):
        return self.programme.day if self.programme else None

    def state(self, at: datetime) -> ChairState:
        assert self.programme is not None and self.room is not None, "load() first"
        found = rules.now_next(self.programme.slots_by_room.get(self.room.id, []), at)
        by_id = self.programme.by_id
        return ChairState(
            room=self.room,
            zone=self.programme.zone,
            at=at,
            current=by_id[found.current.id] if found.current else None,
            next=by_id[found.next.id] if found.next else None,
            occupancy=self.programme.occupancy.get(self.room.id, 0),
            arrivals=self.arrivals,
        )


def chair_state(context: Context, room_name: str, at: datetime | None = None) -> ChairState:
    at = at or context.now()
    return ChairSource(context, room_name).load(at).state(at)
