"""A plausible past for the demo: what the desks, the doors and the meeting desk recorded before
the moment the demo's clock starts, so a first look shows a conference in full swing (people
checked in and their badges printed, rooms filling, meetings held or missed) instead of zeros.

Deterministic (a fixed seed) and never later than ``until``: nothing is recorded in the future
of the clock the demo opens with."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlmodel import Session as DbSession
from sqlmodel import select

from eventdesk.domain import meetings as meeting_rules
from eventdesk.store import migrate
from eventdesk.store.db import make_engine, session_scope
from eventdesk.store.models import (
    Attendee,
    CheckinList,
    CheckinRecord,
    Meeting,
    MeetingSlot,
    PrintJob,
    Room,
    Session,
    SessionSpeaker,
)

SEED = 2024
DESKS = ("Desk 1", "Desk 2", "Desk 3")


@dataclass(frozen=True)
class HistorySummary:
    entrance: int  # people who came through the main entrance (on one day or more)
    door_scans: int
    meetings_resolved: int


def add_demo_history(db: str, until: datetime, seed: int = SEED) -> HistorySummary:
    """Record the demo's past up to ``until`` (aware) in the demo database at ``db``."""
    engine = make_engine(db)
    try:
        migrate.upgrade(engine)
        with session_scope(engine) as session:
            return _History(session, until, random.Random(seed)).write()
    finally:
        engine.dispose()


class _History:
    def __init__(self, session: DbSession, until: datetime, rng: random.Random) -> None:
        self.session, self.until, self.rng = session, until, rng
        self.records: list[dict] = []
        self.lists = {cl.name: cl for cl in session.exec(select(CheckinList))}
        self.codes = dict(session.exec(select(Attendee.id, Attendee.badge_code)).all())
        self.nonce = 0

    def write(self) -> HistorySummary:
        arrivals = self._arrivals()
        self._doors(arrivals)
        resolved = self._meetings(arrivals)
        at_entrance = [r for r in self.records if r["list_id"] == self.lists["Main entrance"].id]
        entrance = len({r["attendee_id"] for r in at_entrance})
        doors = len(self.records) - len(at_entrance)
        if self.records:
            self.session.execute(insert(CheckinRecord), self.records)
        self._printed_badges(arrivals)
        return HistorySummary(entrance=entrance, door_scans=doors, meetings_resolved=resolved)

    # --- the main entrance ---------------------------------------------------------------------

    def _arrivals(self) -> dict[int, datetime]:
        """When each person came through the main entrance (only those before ``until``)."""
        sessions = list(self.session.exec(select(Session).order_by(Session.start)))
        first_day = sessions[0].start if sessions else self.until
        conference = next((s.start for s in sessions if s.start.date() > first_day.date()), first_day)
        speakers_day_one = {
            sp.attendee_id
            for sp in self.session.exec(
                select(SessionSpeaker)
                .join(Session, Session.id == SessionSpeaker.session_id)
                .where(Session.start < conference - timedelta(hours=12))
            )
        }
        people = list(self.session.exec(select(Attendee.id, Attendee.category, Attendee.status).order_by(Attendee.id)))
        arrivals: dict[int, datetime] = {}
        for person_id, category, status in people:
            if status != "active":
                continue
            roll = self.rng.random()
            if person_id in speakers_day_one or (category in ("staff", "organiser")) or roll < 0.08:
                base, spread = first_day - timedelta(minutes=30), 40  # the associations meeting
            elif roll < 0.85:
                base, spread = conference - timedelta(minutes=60), 100  # first conference morning
            elif roll < 0.95:
                base, spread = conference + timedelta(days=1) - timedelta(minutes=60), 130  # second morning
            else:
                continue  # registered, never came
            at = base + timedelta(seconds=self.rng.triangular(0, spread * 60, spread * 20))
            if at < self.until:
                arrivals[person_id] = at
        entrance = self.lists["Main entrance"]
        for person_id, at in sorted(arrivals.items(), key=lambda item: item[1]):
            self._record(person_id, entrance, at, "entry")
        self._returns(arrivals, sessions, entrance)
        return arrivals

    def _returns(self, arrivals: dict[int, datetime], sessions: list[Session], entrance: CheckinList) -> None:
        """Most people come back on the later days: their first scan of the day at the entrance
        (presence ends at the night boundary, so the desk welcomes them back)."""
        mornings: dict[object, datetime] = {}
        for session in sessions:
            mornings.setdefault(session.start.date(), session.start)
        for person_id, first in sorted(arrivals.items(), key=lambda item: item[1]):
            for day, opening in sorted(mornings.items()):
                if day <= first.date() or self.rng.random() >= 0.9:
                    continue
                at = opening - timedelta(minutes=50) + timedelta(seconds=self.rng.triangular(0, 6000, 1800))
                if at < self.until:
                    self._record(person_id, entrance, at, "entry")

    def _printed_badges(self, arrivals: dict[int, datetime]) -> None:
        rows = [
            {
                "kind": "badge",
                "attendee_id": person_id,
                "printer": "preview",
                "state": "printed",
                "attempts": 1,
                "last_error": "",
                "reprint": False,
                "desk": self.rng.choice(DESKS),
                "created_at": at,
                "updated_at": at + timedelta(seconds=4),
                "printed_at": at + timedelta(seconds=4),
            }
            for person_id, at in arrivals.items()
        ]
        if rows:
            self.session.execute(insert(PrintJob), rows)

    # --- room doors ----------------------------------------------------------------------------

    def _doors(self, arrivals: dict[int, datetime]) -> None:
        door_lists = {cl.room_id: cl for cl in self.lists.values() if cl.kind == "room"}
        capacities = {room.id: room.capacity or 100 for room in self.session.exec(select(Room))}
        for session in self.session.exec(select(Session).order_by(Session.start)):
            door = door_lists.get(session.room_id)
            if door is None or session.type in ("break", "registration") or session.start >= self.until:
                continue
            present = [p for p, at in arrivals.items() if at < session.start]
            wanted = int(capacities[session.room_id] * self.rng.uniform(0.55, 0.92))
            audience = self.rng.sample(present, min(wanted, len(present)))
            for person_id in audience:
                entered = session.start + timedelta(seconds=self.rng.uniform(-600, 240))
                if entered >= self.until:
                    continue
                self._record(person_id, door, entered, "entry")
                left = session.end + timedelta(seconds=self.rng.uniform(0, 300))
                if left < self.until:
                    self._record(person_id, door, left, "exit")

    # --- meeting tables ------------------------------------------------------------------------

    def _meetings(self, arrivals: dict[int, datetime]) -> int:
        area = self.lists.get("Matchmaking area")
        reliable: dict[int, bool] = {}
        seen_at_desk: set[int] = set()
        resolved = 0
        rows = self.session.exec(
            select(Meeting, MeetingSlot)
            .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
            .order_by(MeetingSlot.start, Meeting.table_id)
        ).all()
        for meeting, slot in rows:
            if slot.start >= self.until or meeting.state != meeting_rules.SCHEDULED:
                continue
            present: dict[str, datetime] = {}
            for side, person_id in (("a", meeting.attendee_a_id), ("b", meeting.attendee_b_id)):
                came = reliable.setdefault(person_id, self.rng.random() < 0.93) and self.rng.random() < 0.95
                at = slot.start + timedelta(seconds=self.rng.triangular(-180, 420, -30))
                if came and person_id in arrivals and at < self.until:
                    present[side] = at
                    if area is not None and person_id not in seen_at_desk:
                        seen_at_desk.add(person_id)
                        self._record(person_id, area, at, "entry")
            slot_over = slot.end <= self.until
            if len(present) == 2:
                state = meeting_rules.BOTH_PRESENT
            elif slot_over:
                state = meeting_rules.NO_SHOW  # the desk confirmed it and freed the table
            elif present:
                state = meeting_rules.ONE_PRESENT
            else:
                continue
            resolved += 1
            self.session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id)
                .values(
                    state=state,
                    a_present_at=present.get("a"),
                    b_present_at=present.get("b"),
                    updated_at=max(present.values(), default=slot.end),
                )
            )
        return resolved

    # --- records -------------------------------------------------------------------------------

    def _record(self, person_id: int, checkin_list: CheckinList, at: datetime, direction: str) -> None:
        self.nonce += 1
        self.records.append(
            {
                "nonce": f"demo-history-{self.nonce:06d}",
                "code": self.codes[person_id],
                "attendee_id": person_id,
                "list_id": checkin_list.id,
                "direction": direction,
                "result": "ok",
                "desk": self.rng.choice(DESKS) if checkin_list.kind == "entrance" else checkin_list.name,
                "scanned_at": at,
            }
        )
