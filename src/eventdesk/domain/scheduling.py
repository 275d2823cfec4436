"""Placing meeting requests into slots x tables.

Pure and deterministic: the same requests, slots, tables, unavailabilities and existing meetings
always give the same plan. Nobody and no table is ever double-booked; a person is never placed in
a slot they are unavailable in; what cannot be placed comes back with the reason a desk can read.

The method is greedy with one repair step, which is enough for a matchmaking day and fast
(1,000 requests among 200 people into 20 slots x 60 tables in well under a second):

1. requests are taken most constrained first (the people with the least slack: free slots minus
   requests), ties by request id;
2. each goes to the earliest slot in which both people are free and a table is left, at the
   lowest free table;
3. a request that finds no such slot tries to move one meeting of one of its two people (placed by
   this run, never an existing one) to another slot, freeing a slot both can use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Person = Hashable
SlotId = Hashable
TableId = Hashable

# Reason codes of an unplaced request (``Unplaced.code``); ``Unplaced.reason`` says it in words.
SAME_PERSON = "same_person"
DUPLICATE = "duplicate"
NO_SLOTS = "no_slots"
NO_TABLES = "no_tables"
PERSON_FULL = "person_full"
NO_COMMON_SLOT = "no_common_slot"
TABLES_FULL = "tables_full"


@dataclass(frozen=True)
class Request:
    id: Hashable
    a: Person
    b: Person


@dataclass(frozen=True)
class Existing:
    """A meeting already at a table (imported, booked ad hoc, or placed by an earlier run)."""

    slot: SlotId
    table: TableId
    a: Person
    b: Person


@dataclass(frozen=True)
class Placement:
    request_id: Hashable
    slot: SlotId
    table: TableId
    a: Person
    b: Person


@dataclass(frozen=True)
class Unplaced:
    request_id: Hashable
    code: str
    reason: str


@dataclass
class SchedulePlan:
    placed: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


def schedule(
    requests: Sequence[Request],
    slots: Sequence[SlotId],
    tables: Sequence[TableId],
    *,
    unavailable: Iterable[tuple[Person, SlotId]] = (),
    existing: Iterable[Existing] = (),
    name: Callable[[Person], str] | Mapping[Person, str] | None = None,
    slot_label: Callable[[SlotId], str] | Mapping[SlotId, str] | None = None,
) -> SchedulePlan:
    """Place ``requests`` into ``slots`` (in time order) x ``tables`` (in preference order).

    ``name`` and ``slot_label`` turn people and slots into words for the reasons (by default
    their ids)."""
    return _Planner(requests, slots, tables, unavailable, existing, _labeller(name), _labeller(slot_label)).run()


def _labeller(source) -> Callable[[Hashable], str]:
    if source is None:
        return str
    if callable(source):
        return source
    return lambda key: str(source.get(key, key))


class _Planner:
    def __init__(self, requests, slots, tables, unavailable, existing, name, slot_label) -> None:
        self.requests = list(requests)
        self.slots = list(dict.fromkeys(slots))
        self.tables = list(dict.fromkeys(tables))
        self.name = name
        self.slot_label = slot_label
        self.slot_index = {slot: i for i, slot in enumerate(self.slots)}
        # busy[person] = slot indexes the person cannot be placed in (unavailable or meeting)
        self.busy: dict[Person, set[int]] = defaultdict(set)
        # meeting_at[(person, slot index)] = the planned request occupying it (None: fixed)
        self.meeting_at: dict[tuple[Person, int], Request | None] = {}
        self.free_tables: list[list[TableId]] = []  # per slot, kept in preference order
        self.table_of: dict[Hashable, tuple[int, TableId]] = {}  # request id -> (slot index, table)
        self.pairs: set[frozenset] = set()
        taken: dict[int, set[TableId]] = defaultdict(set)
        for person, slot in unavailable:
            if slot in self.slot_index:
                self.busy[person].add(self.slot_index[slot])
        for meeting in existing:
            index = self.slot_index.get(meeting.slot)
            self.pairs.add(frozenset((meeting.a, meeting.b)))
            if index is None:
                continue
            taken[index].add(meeting.table)
            for person in (meeting.a, meeting.b):
                self.busy[person].add(index)
                self.meeting_at[(person, index)] = None
        for index in range(len(self.slots)):
            self.free_tables.append([t for t in self.tables if t not in taken[index]])

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> SchedulePlan:
        plan = SchedulePlan()
        valid: list[Request] = []
        for request in self.requests:
            problem = self._invalid(request)
            if problem is not None:
                plan.unplaced.append(problem)
            else:
                valid.append(request)
        load: dict[Person, int] = defaultdict(int)
        for request in valid:
            load[request.a] += 1
            load[request.b] += 1
        n_slots = len(self.slots)
        order = sorted(
            range(len(valid)),
            key=lambda i: (
                (n_slots - len(self.busy[valid[i].a]) - load[valid[i].a])
                + (n_slots - len(self.busy[valid[i].b]) - load[valid[i].b]),
                i,
            ),
        )
        placed: dict[Hashable, Request] = {}
        failures: dict[int, Unplaced] = {}
        for i in order:
            request = valid[i]
            if self._place_first_fit(request) or self._place_by_moving(request):
                placed[request.id] = request
            else:
                failures[i] = self._why_not(request)
        for i, request in enumerate(valid):  # report in the order given
            if request.id in placed:
                index, table = self.table_of[request.id]
                plan.placed.append(Placement(request.id, self.slots[index], table, request.a, request.b))
            else:
                plan.unplaced.append(failures[i])
        order_of = {r.id: n for n, r in enumerate(self.requests)}
        plan.unplaced.sort(key=lambda u: order_of.get(u.request_id, 0))
        return plan

    def _invalid(self, request: Request) -> Unplaced | None:
        if request.a == request.b:
            return Unplaced(request.id, SAME_PERSON, f"{self.name(request.a)} cannot meet themselves.")
        if not self.slots:
            return Unplaced(request.id, NO_SLOTS, "There are no meeting slots to place it in.")
        if not self.tables:
            return Unplaced(request.id, NO_TABLES, "There are no meeting tables to place it at.")
        pair = frozenset((request.a, request.b))
        if pair in self.pairs:
            return Unplaced(
                request.id, DUPLICATE, f"{self.name(request.a)} and {self.name(request.b)} already have a meeting."
            )
        self.pairs.add(pair)
        return None

    # -- placing ---------------------------------------------------------------------------

    def _both_free(self, a: Person, b: Person, index: int) -> bool:
        return index not in self.busy[a] and index not in self.busy[b]

    def _put(self, request: Request, index: int) -> None:
        table = self.free_tables[index].pop(0)
        self.table_of[request.id] = (index, table)
        for person in (request.a, request.b):
            self.busy[person].add(index)
            self.meeting_at[(person, index)] = request

    def _take_back(self, request: Request) -> int:
        index, table = self.table_of.pop(request.id)
        free = self.free_tables[index]
        free.append(table)
        rank = {t: n for n, t in enumerate(self.tables)}
        free.sort(key=rank.__getitem__)
        for person in (request.a, request.b):
            self.busy[person].discard(index)
            del self.meeting_at[(person, index)]
        return index

    def _place_first_fit(self, request: Request) -> bool:
        for index in range(len(self.slots)):
            if self.free_tables[index] and self._both_free(request.a, request.b, index):
                self._put(request, index)
                return True
        return False

    def _place_by_moving(self, request: Request) -> bool:
        """Free a slot for ``request`` by moving one planned meeting of one of its people."""
        for index in range(len(self.slots)):
            for mover, other in ((request.a, request.b), (request.b, request.a)):
                if index in self.busy[other]:
                    continue
                blocking = self.meeting_at.get((mover, index))
                if blocking is None:  # free, unavailable, or a fixed meeting: nothing to move
                    continue
                for target in range(len(self.slots)):
                    if target == index or not self.free_tables[target]:
                        continue
                    if not self._both_free(blocking.a, blocking.b, target):
                        continue
                    self._take_back(blocking)
                    self._put(blocking, target)
                    if self.free_tables[index]:
                        self._put(request, index)
                        return True
                    self._take_back(blocking)  # no table left after all: undo the move
                    self._put(blocking, index)
        return False

    # -- reasons ---------------------------------------------------------------------------

    def _why_not(self, request: Request) -> Unplaced:
        total = len(self.slots)
        for person in (request.a, request.b):
            if len(self.busy[person]) >= total:
                return Unplaced(
                    request.id, PERSON_FULL, f"{self.name(person)} is busy or unavailable in all {total} slots."
                )
        common = [i for i in range(total) if self._both_free(request.a, request.b, i)]
        if not common:
            return Unplaced(
                request.id,
                NO_COMMON_SLOT,
                f"{self.name(request.a)} and {self.name(request.b)} have no free slot in common.",
            )
        labels = ", ".join(self.slot_label(self.slots[i]) for i in common[:6])
        more = f" and {len(common) - 6} more" if len(common) > 6 else ""
        return Unplaced(
            request.id, TABLES_FULL, f"Every table is taken in the slots where both are free ({labels}{more})."
        )
