"""Figures of the check-in desk and of every list: checked in / expected (total and per category),
entries, exits and people inside now, the desk's pace over the last ten minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from eventdesk.domain.checkin import admits
from eventdesk.services.context import Context
from eventdesk.services.desks import pace_of
from eventdesk.services.events import MAIN_ENTRANCE
from eventdesk.store import checkins as store
from eventdesk.store.attendees import count_attendees
from eventdesk.store.rows import saved_id


def attendee_count(context: Context) -> int:
    with Session(context.engine) as session:
        return count_attendees(session)


@dataclass(frozen=True)
class CategoryFigure:
    category: str
    checked_in: int
    expected: int


@dataclass(frozen=True)
class ListFigures:
    """Today is the event day since the night boundary (``settings.day_boundary``); presence ends
    there, so entries, exits and inside now are today's, beside the event's total of people."""

    name: str
    kind: str
    checked_in: int  # people with a valid entry, whole event
    expected: int  # active registrations this list admits
    entries: int  # today
    exits: int  # today
    inside_now: int
    categories: tuple[CategoryFigure, ...]  # today's arrivals per category
    admits: str = ""  # comma-separated categories; empty admits everybody
    checked_in_today: int = 0  # people with a valid entry since the day boundary


@dataclass(frozen=True)
class DeskFigures:
    desk: str
    checkin_list: ListFigures
    scans_per_minute: float  # every scan at this desk, failures included (``desks.desk_pace``)
    seconds_per_attendee: float | None  # median between successful check-ins; None on too few
    last_scan_at: datetime | None
    desk_range: str | None = None  # the surnames this desk serves ("A–F", settings desk_range)
    waiting: int = 0  # expected on the list and not arrived today
    list_per_minute: float = 0.0  # check-ins per minute on the list, every desk, last ten minutes
    minutes_to_clear: float | None = None  # waiting / list_per_minute; None while nobody checks in
    not_on_list: dict | None = None  # a list for some categories: category -> people it would turn away
    copy_taken_at: datetime | None = None  # offline: counted from the offline copy of then plus this desk's scans


def _list_figures(
    session: Session,
    list_id: int,
    name: str,
    kind: str,
    categories: str,
    expected_all: dict[str, int],
    day_start: datetime,
) -> ListFigures:
    checked = store.checked_in_by_category(session, list_id)
    today = store.checked_in_by_category(session, list_id, since=day_start)
    expected = {c: n for c, n in expected_all.items() if admits(categories, c)}
    rows = tuple(
        CategoryFigure(c, today.get(c, 0), expected.get(c, 0))
        for c in sorted(set(expected) | set(today), key=lambda c: (-expected.get(c, 0), c))
    )
    directions = store.direction_counts(session, list_id, since=day_start)
    checked_in_today = sum(today.values())
    inside_now = checked_in_today - (store.gone_out(session, list_id, since=day_start) if directions.get("exit") else 0)
    return ListFigures(
        name=name,
        kind=kind,
        checked_in=sum(checked.values()),
        expected=sum(expected.values()),
        entries=directions.get("entry", 0),
        exits=directions.get("exit", 0),
        inside_now=inside_now,
        categories=rows,
        admits=categories,
        checked_in_today=checked_in_today,
    )


def list_figures(context: Context) -> list[ListFigures]:
    """Every check-in list with its counts."""
    day_start = context.day_start()
    with Session(context.engine) as session:
        expected_all = store.expected_by_category(session)
        return [
            _list_figures(session, saved_id(c), c.name, c.kind, c.categories, expected_all, day_start)
            for c in store.all_lists(session)
        ]


def desk_figures(context: Context, list_name: str | None = None, desk: str | None = None) -> DeskFigures | None:
    """The figures the desk shows beside the scan box; None when the list does not exist."""
    desk = desk or context.desk
    now = context.now()
    with Session(context.engine) as session:
        checkin_list = store.list_by_name(session, list_name or MAIN_ENTRANCE)
        if checkin_list is None:
            return None
        figures = _list_figures(
            session,
            saved_id(checkin_list),
            checkin_list.name,
            checkin_list.kind,
            checkin_list.categories,
            store.expected_by_category(session),
            context.day_start(now),
        )
        pace = pace_of(session, desk, now)
        last = store.last_scan_at(session, saved_id(checkin_list), desk)
    from eventdesk.services.queue_planning import queue_estimate, simulate_list

    queue = queue_estimate(context, figures.name, figures.expected, figures.checked_in_today)
    turned_away = simulate_list(context, figures.name).not_on_list if figures.admits else None
    return DeskFigures(
        desk=desk,
        checkin_list=figures,
        scans_per_minute=pace.scans_per_minute,
        seconds_per_attendee=pace.seconds_per_attendee,
        last_scan_at=last,
        desk_range=context.settings.desk_range,
        waiting=queue.waiting,
        list_per_minute=queue.per_minute,
        minutes_to_clear=queue.minutes_to_clear,
        not_on_list=turned_away,
    )
