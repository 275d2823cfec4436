"""Printing use cases on preview printers (PNG files): the reprint guard, finding ATTENDEE, moving
jobs, the pre-flight check of every badge."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlmodel import Session

from eventdesk.domain.codes import new_badge_code
from eventdesk.services import print_workers, printing
from eventdesk.services.attendees import Person
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store import print_jobs
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, PrintJob


@pytest.fixture
def context(tmp_db, tmp_path):
    settings = Settings(
        db=tmp_db,
        printers={"front": f"preview://{tmp_path}/front", "back": f"preview://{tmp_path}/back"},
        default_printer="front",
        printer_timeout_s=0.5,
    )
    context = open_context(tmp_db, settings)
    yield context
    assert print_workers.stop_workers(context, timeout=3)
    context.engine.dispose()


def add(context, first: str, last: str, organisation: str = "Technopolis", category: str = "participant") -> Attendee:
    with context.session() as session:
        return save_attendee(
            session,
            Attendee(
                first_name=first,
                last_name=last,
                organisation=organisation,
                category=category,
                badge_code=new_badge_code(),
            ),
        )


def pngs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.png")) if folder.is_dir() else []


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def job(context, job_id: int) -> PrintJob:
    with Session(context.engine) as session:
        return session.get(PrintJob, job_id)


def printed(context, job_id: int):
    return job(context, job_id).state == "printed"


def test_reprint_needs_confirmation_and_is_counted(context, tmp_path):
    person = add(context, "Kíncső", "Izsak")
    print_workers.start_workers(context, poll_seconds=0.05)
    first = printing.queue_badge(context, person.id)
    assert printing.queue_badge(context, person.id).id == first.id  # a waiting badge is not doubled
    wait_for(lambda: printed(context, first.id))
    with pytest.raises(printing.ReprintNeedsConfirmation, match="Kíncső Izsak was already printed once"):
        printing.queue_badge(context, person.id)
    again = printing.queue_badge(context, person.id, confirm_reprint=True)
    assert again.reprint and again.id != first.id
    wait_for(lambda: printed(context, again.id))
    [png, _] = pngs(tmp_path / "front")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(png).convert("L"))] == [person.badge_code]
    overview = printing.queue_overview(context)
    assert overview.reprints == {person.id: 1}
    assert overview.reprint_names == {person.id: "Kíncső Izsak"}
    with Session(context.engine) as session:
        assert print_jobs.printed_badges(session, person.id) == 2


def test_print_badge_now_also_guards_reprints(context, tmp_path):
    person = add(context, "Lukas", "Nögel")
    done = printing.print_badge(context, person.id, f"preview://{tmp_path}/cli")
    assert done.state == "printed" and not done.reprint
    with pytest.raises(printing.ReprintNeedsConfirmation):
        printing.print_badge(context, person.id, f"preview://{tmp_path}/cli")
    assert printing.print_badge(context, person.id, f"preview://{tmp_path}/cli", confirm_reprint=True).reprint
    assert len(pngs(tmp_path / "cli")) == 2


def test_print_badge_on_a_dead_printer_fails_and_records_it(context):
    person = add(context, "Lukas", "Nögel")
    with pytest.raises(printing.PrinterError, match=r"^Printer tcp://127.0.0.1:1 refused"):
        printing.print_badge(context, person.id, "tcp://127.0.0.1:1")
    with Session(context.engine) as session:
        [failed] = print_jobs.jobs(session)
    assert failed.state == "failed" and "refused" in failed.last_error


def test_move_a_waiting_job_to_another_configured_printer(context, tmp_path):
    person = add(context, "Lukas", "Nögel")
    queued = printing.queue_badge(context, person.id)  # no workers yet: it waits
    with pytest.raises(printing.PrintingError, match="'side' is not a configured printer"):
        printing.move_job(context, queued.id, "side")
    printing.move_job(context, queued.id, "back")
    print_workers.start_workers(context, poll_seconds=0.05)
    wait_for(lambda: printed(context, queued.id))
    assert len(pngs(tmp_path / "back")) == 1 and pngs(tmp_path / "front") == []


def test_jobs_queued_without_a_printer_go_to_the_default_printer(context, tmp_path):
    person = add(context, "Lukas", "Nögel")
    with context.session() as session:
        queued = print_jobs.enqueue(session, kind="badge", attendee_id=person.id, printer="", desk="Desk 2")
    print_workers.start_workers(context, poll_seconds=0.05)
    wait_for(lambda: printed(context, queued.id))
    assert len(pngs(tmp_path / "front")) == 1


def test_no_printer_configured_says_how_to_add_one(tmp_db):
    context = open_context(tmp_db, Settings(db=tmp_db))
    person = add(context, "Lukas", "Nögel")
    with pytest.raises(printing.PrintingError, match=r"No printer is configured: add a \[printers\] section"):
        printing.queue_badge(context, person.id)


def test_find_person_by_code_id_or_unique_search(context):
    kincso = add(context, "Kíncső", "Izsak")
    add(context, "Lukas", "Nögel")
    add(context, "Lukas", "Meier")
    assert printing.find_person(context, kincso.badge_code).id == kincso.id
    assert printing.find_person(context, kincso.badge_code.lower()).id == kincso.id
    assert printing.find_person(context, str(kincso.id)).id == kincso.id
    assert printing.find_person(context, "kincso").id == kincso.id
    assert printing.find_person(context, "Lukas Nogel").name == "Lukas Nögel"
    with pytest.raises(printing.PrintingError, match="'lukas' matches 2 people"):
        printing.find_person(context, "lukas")
    with pytest.raises(printing.PrintingError, match="Nobody matches 'zzz'"):
        printing.find_person(context, "zzz")


@pytest.mark.parametrize("render", [True, False], ids=["rendered", "measured"])
def test_badges_check_lists_missing_glyphs_and_names_too_long_to_read(context, render):
    add(context, "Kristina", "Šermukšnytė-Alešiūnienė")
    add(context, "Kíncső", "Izsak")
    ethiopic = add(context, "አበበ", "ቢቂላ")  # a script no badge font eventdesk knows holds
    long = add(context, "Maximiliane-Alexandra", "von Hohenzollern-Sigmaringen-Württemberg-Hechingen de la Tour")
    report = printing.check_badges(context, render=render)
    assert report.checked == 4
    problems = {p.attendee_id: p for p in report.problems}
    assert set(problems) == {ethiopic.id, long.id}
    assert problems[ethiopic.id].missing == tuple(sorted(set("አበበቢቂላ")))
    assert not problems[long.id].readable and problems[long.id].name_px < report.readable_px


def test_the_measured_pre_flight_gives_the_rendered_verdict_for_every_demo_badge(context):
    # The doctor's default (measured) check must not disagree with drawing every badge.
    for first, last in [
        ("Kristina", "Šermukšnytė-Alešiūnienė"),
        ("አበበ", "ቢቂላ"),
        ("李", "小龍"),
        ("محمد", "العلي"),
        ("Hubert Blaine", "Wolfeschlegelsteinhausenbergerdorff-Welchevoralternwarengewissenhaft"),
        ("Zoë", "\u202eevil\u200b"),
    ]:
        add(context, first, last)
    measured, rendered = printing.check_badges(context, render=False), printing.check_badges(context)
    assert measured == rendered and measured.problems


def test_badge_width_follows_paper_and_profile():
    assert printing.badge_layout(Settings()).width == 576  # 80 mm paper on the default TM-T20II
    epson = Settings()
    epson = replace(epson, badge=replace(epson.badge, profile="TM-T88V"))
    assert printing.badge_layout(epson).width == 512  # 80 mm paper, but TM-T88V allows 512 dots
    wide = Settings()
    narrow = replace(wide, badge=replace(wide.badge, paper_mm=58))
    assert printing.badge_layout(narrow).width == 384


def test_preview_png(context, tmp_path):
    person = add(context, "Kristina", "Šermukšnytė-Alešiūnienė", category="speaker")
    target = tmp_path / "preview.png"
    rendered = printing.preview_png(context, printing.find_person(context, person.badge_code), target)
    assert rendered.missing == [] and rendered.readable
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(target).convert("L"))] == [person.badge_code]


def test_the_badge_carries_the_badge_name_large_and_the_pronouns(context):
    printing_context = context
    from eventdesk.printing.badge import BadgeData, render_badge
    from eventdesk.services.printing import badge_data, badge_layout, render_person
    from eventdesk.store.attendees import save_attendee
    from eventdesk.store.models import Attendee

    with printing_context.session() as session:
        attendee = save_attendee(
            session,
            Attendee(
                first_name="Robert", last_name="Smith", badge_name="Bobby", pronouns="he/him", badge_code="BOBBY-1"
            ),
        )
        person = Person.of(attendee)
    rendered = render_person(printing_context, person)
    assert rendered.name_lines == ["Bobby"]
    data = badge_data(printing_context, person)
    reference = render_badge(
        BadgeData(
            name="Bobby",
            code="BOBBY-1",
            pronouns="he/him",
            category=data.category,
            event_name=data.event_name,
            event_dates=data.event_dates,
        ),
        badge_layout(printing_context.settings),
    )
    assert rendered.image.tobytes() == reference.image.tobytes()
    legal = render_badge(
        BadgeData(
            name="Robert Smith",
            code="BOBBY-1",
            pronouns="he/him",
            category=data.category,
            event_name=data.event_name,
            event_dates=data.event_dates,
        ),
        badge_layout(printing_context.settings),
    )
    assert rendered.image.tobytes() != legal.image.tobytes()
