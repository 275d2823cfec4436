"""Queue planning: surname ranges for N desks, and what a list would answer for everybody, decided
as a scan decides."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlmodel import select

from eventdesk.cli import main
from eventdesk.domain.clock import Clock
from eventdesk.domain.codes import new_badge_code
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.services.queue_planning import (
    PlanningError,
    desk_range_of,
    expected_keys,
    simulate_list,
    split_desks,
    split_keys,
    surname_key,
)
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, CheckinList

MOMENT = datetime(2024, 5, 7, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def test_three_desks_on_the_demo_cover_everybody_within_15_percent(demo_db):
    context = open_context(demo_db)
    ranges = split_desks(context, 3)
    sizes = [r.people for r in ranges]
    assert sum(sizes) == 697 == len(expected_keys(context))
    assert max(sizes) <= 1.15 * min(sizes)
    assert ranges[0].start == "a" and ranges[-1].end == "z"
    with context.session() as session:
        people = session.exec(select(Attendee).where(Attendee.status == "active")).all()
    covering = [[r.desk for r in ranges if r.covers(surname_key(p.first_name, p.last_name))] for p in people]
    assert all(len(desks) == 1 for desks in covering)  # every person at exactly one desk
    assert [sum(1 for d in covering if d == [r.desk]) for r in ranges] == sizes


def test_ranges_are_contiguous_and_labels_grow_only_where_needed():
    keys = [f"a{i}" for i in range(10)] + ["maa"] * 5 + ["mba"] * 5 + ["mca"] * 5 + ["ze"] * 5
    ranges = split_keys(["".join(c for c in k if c.isalpha()) for k in keys], 2)
    assert [r.label for r in ranges] == ["A–Ma", "Mb–Z"]
    assert [r.people for r in ranges] == [15, 15]
    assert desk_range_of(ranges, "Олег", "Мазур").desk == 1  # Cyrillic filed by its Latin letters ("mazur")
    assert desk_range_of(ranges, "Олег", "Мельник").desk == 2  # "melnik"
    assert desk_range_of(ranges, "Q", "Quist").desk == 2  # a letter nobody has yet is covered too
    with pytest.raises(PlanningError):
        split_keys(["smith"] * 4, 2)


def test_surname_key_folds_accents_and_scripts():
    assert surname_key("Ona", "Šimaitė") == "simaite"
    assert surname_key("Иван", "Петров") == "petrov"
    assert surname_key("Madonna", "") == "madonna"


def _add(context, first, last, category="participant", **values) -> Attendee:
    with context.session() as session:
        return save_attendee(
            session,
            Attendee(first_name=first, last_name=last, category=category, badge_code=new_badge_code(), **values),
        )


def test_simulate_answers_as_every_scan_would(tmp_db):
    context = open_context(tmp_db, clock=Clock.frozen(MOMENT))
    with context.session() as session:
        session.add(CheckinList(name="Press room", kind="room", categories="press,speaker"))
    people = [
        _add(context, "Ann", "Press", "press"),
        _add(context, "Ben", "Speaker", "speaker"),
        _add(context, "Cem", "One", "participant"),
        _add(context, "Dag", "Two", "participant"),
        _add(context, "Eva", "Staff", "staff"),
        _add(context, "Fay", "Gone", "press", status="cancelled"),
        _add(context, "Gus", "Blocked", "speaker", blocked=True),
    ]
    check_in(context, people[0].badge_code, "Press room")  # Ann is inside already
    outcome = simulate_list(context, "Press room")
    assert outcome.results == {"not_on_list": 3, "ok": 1, "already_checked_in": 1, "cancelled": 1, "blocked": 1}
    assert outcome.not_on_list == {"participant": 2, "staff": 1}
    from eventdesk.services.checkin_figures import desk_figures

    assert desk_figures(context, "Press room").not_on_list == {"participant": 2, "staff": 1}  # the desk sees it too
    # The very scans give the very answers.
    scanned: dict[str, int] = {}
    for person in people:
        result = check_in(context, person.badge_code, "Press room").result
        scanned[result] = scanned.get(result, 0) + 1
    assert scanned == outcome.results


def test_cli_split_and_simulate(demo_db):
    runner = CliRunner()
    split = runner.invoke(main, ["desks", "split", "--desks", "3", "--json", "--db", demo_db])
    assert split.exit_code == 0, split.output
    ranges = json.loads(split.output)
    assert [r["desk"] for r in ranges] == [1, 2, 3] and sum(r["people"] for r in ranges) == 697
    simulated = runner.invoke(
        main, ["checkin", "simulate", "--list", "Main entrance", "--json", "--db", demo_db, "--now", "2024-05-08T10:15"]
    )
    assert simulated.exit_code == 0, simulated.output
    data = json.loads(simulated.output)
    assert data["attendees"] == sum(data["results"].values())
    missing = runner.invoke(main, ["checkin", "simulate", "--list", "Nope", "--db", demo_db])
    assert missing.exit_code != 0 and "no check-in list 'Nope'" in missing.output


def test_queue_time_to_clear_is_people_waiting_over_the_recent_pace(tmp_db):
    from eventdesk.services.checkin_figures import desk_figures
    from eventdesk.settings import Settings

    context = open_context(tmp_db, Settings(db=tmp_db, desk_range="A–F"), Clock.frozen(MOMENT))
    people = [_add(context, f"P{i}", f"Person{i}") for i in range(10)]
    for person in people[:4]:  # four check-ins in the last ten minutes, at two desks
        check_in(context, person.badge_code, desk="Desk 1" if person.id % 2 else "Desk 2")
    figures = desk_figures(context)
    assert (figures.waiting, figures.list_per_minute, figures.minutes_to_clear) == (6, 0.4, 15.0)
    assert figures.desk_range == "A–F"
    later = open_context(tmp_db, Settings(db=tmp_db), Clock.frozen(MOMENT.replace(hour=11)))
    assert desk_figures(later).minutes_to_clear is None  # nobody checked in lately: no estimate


def test_split_prints_one_sign_per_desk(demo_db, tmp_path):
    from PIL import Image

    folder = tmp_path / "signs"
    result = CliRunner().invoke(
        main, ["desks", "split", "--desks", "3", "--print", "--printer", f"preview://{folder}", "--db", demo_db]
    )
    assert result.exit_code == 0, result.output
    signs = sorted(folder.glob("*.png"))
    assert [p.name.split("-", 1)[1] for p in signs] == ["desk-1-sign.png", "desk-2-sign.png", "desk-3-sign.png"]
    assert Image.open(signs[0]).width == 576  # the badge printer's width
