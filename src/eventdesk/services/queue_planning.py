"""Queue planning for the desk lead: the expected people split into N contiguous surname ranges
of near-equal size (``eventdesk desks split``), and what a scan on a list would answer for every
attendee now (``eventdesk checkin simulate``), decided by the very ``decide`` of a scan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from eventdesk.domain.checkin import ENTRY, CodeLookup, decide
from eventdesk.domain.text import fold
from eventdesk.services.context import Context
from eventdesk.services.events import MAIN_ENTRANCE
from eventdesk.store import checkins as checkin_store
from eventdesk.store.planning import last_directions, list_checkins_since, people_for_planning
from eventdesk.store.rows import saved_id

MAX_PREFIX = 4  # letters a range label may need ("Mb", "Sch", "Schm")
CUT_TOLERANCE = 0.05  # a cut may move this share of a desk's people to land on a shorter label


class PlanningError(Exception):
    """The plan cannot be made; the message says why."""


def surname_key(first_name: str, last_name: str) -> str:
    """The letters a person is filed under: the folded last name (any script, transliterated),
    else the first name; "#" for a name without letters."""
    for name in (last_name, first_name):
        letters = "".join(ch for ch in fold(name or "") if ch.isalpha() and ch.isascii())
        if letters:
            return letters
    return "#"


@dataclass(frozen=True)
class DeskRange:
    desk: int  # 1-based
    start: str  # first prefix of the range, "a"
    end: str  # last prefix of the range, "f" ("mb" ... covers every name up to and including it)
    people: int

    @property
    def label(self) -> str:
        return f"{self.start.capitalize()}–{self.end.capitalize()}"

    def covers(self, key: str) -> bool:
        return key[: len(self.start)] >= self.start and key[: len(self.end)] <= self.end

    def to_json(self) -> dict:
        return {
            "desk": self.desk,
            "from": self.start.capitalize(),
            "to": self.end.capitalize(),
            "label": self.label,
            "people": self.people,
        }


def _cut(keys: list[str], target: int, low: int, high: int, spread: int) -> tuple[int, int]:
    """(index, prefix length) of a cut near ``target`` between ``low`` and ``high`` (exclusive),
    where the names before and after differ within the shortest prefix."""
    for length in range(1, MAX_PREFIX + 1):
        best = None
        for index in range(max(low + 1, target - spread), min(high, target + spread + 1)):
            differs = keys[index - 1][:length] != keys[index][:length]
            if differs and (best is None or abs(index - target) < abs(best - target)):
                best = index
        if best is not None:
            return best, length
    # Names identical to MAX_PREFIX letters around the target: cut where they first differ at all.
    for index in sorted(range(low + 1, high), key=lambda i: abs(i - target)):
        if keys[index - 1] != keys[index]:
            length = next(n for n in range(1, len(keys[index]) + 1) if keys[index - 1][:n] != keys[index][:n])
            return index, length
    raise PlanningError("The names cannot be split so finely: use fewer desks.")


def split_keys(keys: list[str], desks: int) -> list[DeskRange]:
    """``keys`` (filing letters) split into ``desks`` contiguous ranges of near-equal size."""
    if desks < 1:
        raise PlanningError("Give at least one desk.")
    keys = sorted(keys)
    if len(set(keys)) < desks:
        raise PlanningError(f"{len(keys)} people with {len(set(keys))} different names cannot fill {desks} desks.")
    cuts: list[tuple[int, int]] = []
    low = 0
    for number in range(1, desks):
        target = round(number * len(keys) / desks)
        # Leave at least one distinct name for each remaining desk.
        spread = max(1, round(CUT_TOLERANCE * len(keys) / desks))
        index, length = _cut(keys, max(target, low + 1), low, len(keys), spread)
        cuts.append((index, length))
        low = index
    ranges = []
    start, begin = "a", 0
    for number, (index, length) in enumerate(cuts, start=1):
        end = keys[index - 1][:length]
        ranges.append(DeskRange(number, start, end, index - begin))
        # The next range starts right after this one ends, so a name nobody has yet is covered too.
        start, begin = _after(end), index
    ranges.append(DeskRange(desks, start, "z", len(keys) - begin))
    return ranges


def _after(prefix: str) -> str:
    """The first prefix after ``prefix`` at its length or shorter: "f" -> "g", "ma" -> "mb", "mz" -> "n"."""
    while prefix and prefix[-1] >= "z":
        prefix = prefix[:-1]
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "z"


def expected_keys(context: Context) -> list[str]:
    """The filing letters of every expected person (active registrations)."""
    with Session(context.engine) as session:
        return [
            surname_key(first, last)
            for _, first, last, status, _, _ in people_for_planning(session)
            if status == "active"
        ]


def split_desks(context: Context, desks: int) -> list[DeskRange]:
    keys = expected_keys(context)
    if not keys:
        raise PlanningError("Nobody is expected yet: import attendees first.")
    return split_keys(keys, desks)


def desk_range_of(ranges: list[DeskRange], first_name: str, last_name: str) -> DeskRange | None:
    key = surname_key(first_name, last_name)
    return next((r for r in ranges if r.covers(key)), None)


# --- who would a list turn away ---------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    list_name: str
    admits: str  # the list's categories; empty admits everybody
    total: int
    results: dict[str, int]  # result -> people
    not_on_list: dict[str, int]  # category -> people a scan would turn away as not on the list

    def to_json(self) -> dict:
        return {
            "list": self.list_name,
            "admits": self.admits or "everybody",
            "attendees": self.total,
            "results": self.results,
            "not_on_list_by_category": self.not_on_list,
        }


def simulate_list(context: Context, list_name: str | None = None) -> Simulation:
    """What an entry scan on the list would answer now for every attendee (nothing recorded)."""
    name = list_name or MAIN_ENTRANCE
    with Session(context.engine) as session:
        checkin_list = checkin_store.list_by_name(session, name)
        if checkin_list is None:
            names = ", ".join(c.name for c in checkin_store.all_lists(session))
            raise PlanningError(f"There is no check-in list '{name}' (lists: {names}).")
        people = people_for_planning(session)
        directions = last_directions(session, saved_id(checkin_list), context.day_start())
    results: Counter[str] = Counter()
    turned_away: Counter[str] = Counter()
    for attendee_id, _, _, status, blocked, category in people:
        lookup = CodeLookup(
            found=True,
            status=status,
            blocked=bool(blocked),
            category=category,
            inside=directions.get(attendee_id) == ENTRY,
        )
        result = str(decide(lookup, list_categories=checkin_list.categories, direction=ENTRY))
        results[result] += 1
        if result == "not_on_list":
            turned_away[category] += 1
    return Simulation(
        name, checkin_list.categories, len(people), dict(results.most_common()), dict(turned_away.most_common())
    )


# --- the queue's time to clear ----------------------------------------------------------------

QUEUE_WINDOW = timedelta(minutes=10)
# No ETA from fewer check-ins than this in the window: one scan makes a pace of 0.1 a minute.
MIN_ETA_CHECKINS = 4


@dataclass(frozen=True)
class QueueEstimate:
    waiting: int  # expected on the list and not arrived today
    per_minute: float  # check-ins per minute on the list over the last ten minutes, every desk
    minutes_to_clear: float | None  # None until the pace rests on MIN_ETA_CHECKINS check-ins


def queue_estimate(context: Context, list_name: str | None, expected: int, arrived_today: int) -> QueueEstimate:
    with Session(context.engine) as session:
        checkin_list = checkin_store.list_by_name(session, list_name or MAIN_ENTRANCE)
        recent = (
            0
            if checkin_list is None
            else list_checkins_since(session, saved_id(checkin_list), context.now() - QUEUE_WINDOW)
        )
    waiting = max(0, expected - arrived_today)
    per_minute = recent / (QUEUE_WINDOW.total_seconds() / 60)
    return QueueEstimate(waiting, per_minute, waiting / per_minute if recent >= MIN_ETA_CHECKINS else None)


def print_signs(context: Context, ranges: list[DeskRange], printer: str | None = None) -> list[str]:
    """One sign per desk on the badge printer (configured name or URL, else the default);
    where each went."""
    from eventdesk.printing.badge import render_sign
    from eventdesk.printing.devices import print_image
    from eventdesk.services.printing import badge_layout, printer_for

    url = printer if printer and "://" in printer else printer_for(context.settings, printer)[1]
    layout = badge_layout(context.settings, url)
    return [
        print_image(
            url,
            render_sign(f"Desk {r.desk}", r.label, f"Last names {r.label} · {r.people} people", layout),
            context.settings,
            name=f"desk-{r.desk}-sign",
        )
        for r in ranges
    ]
