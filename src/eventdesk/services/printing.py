"""Badges and printers as use cases: queue or print a badge (with the reprint guard), retry or move
a job, preview a badge as PNG, test a printer, check every badge before the doors open. The print
workers that print the queue are ``services.print_workers``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from eventdesk.printing import queue as print_queue
from eventdesk.printing.badge import (
    BadgeData,
    BadgeLayout,
    RenderedBadge,
    event_dates_label,
    preflight_badge,
    render_badge,
)
from eventdesk.printing.devices import PrinterError, parse_printer_url, print_image, written_file
from eventdesk.printing.drivers import Label, driver_for
from eventdesk.printing.drivers.escpos import paper_label
from eventdesk.printing.fonts import font_path, install_hints
from eventdesk.printing.queue import JobReport, RenderError
from eventdesk.printing.status import Health, check_health
from eventdesk.services.attendees import Person, PersonNotFound, resolve_attendee
from eventdesk.services.context import Context
from eventdesk.services.printer_config import (
    BadgePrinterState,
    PrintingError,
    badge_printer_state,
    configured_printers,
    printer_for,
    printer_keys,
)
from eventdesk.settings import Settings
from eventdesk.store import print_jobs
from eventdesk.store.attendees import all_attendees, attendees_by_id, get_attendee
from eventdesk.store.models import Attendee, PrintJob
from eventdesk.store.rows import saved_id

TEST_CODE = "EVENTDESK-PRINTER-TEST"


class ReprintNeedsConfirmation(PrintingError):
    """The badge was printed before: print again only with ``confirm_reprint=True``."""

    def __init__(self, person_name: str, printed: int) -> None:
        times = "once" if printed == 1 else f"{printed} times"
        super().__init__(f"The badge of {person_name} was already printed {times}; confirm to reprint it.")
        self.printed = printed


# -- layout ------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _layout(width: int, dpi: int, font: str | None) -> BadgeLayout:
    return BadgeLayout(width=width, dpi=dpi, font=font_path(font))


def printer_label(settings: Settings, printer: str | None = None) -> Label:
    """The label ``printer`` prints on (a configured name or a URL; None: this desk's badge
    printer), as its driver says; the ``[badge]`` paper when there is no printer to ask."""
    url = settings.printer_url(printer)
    if url:
        try:
            return driver_for(url, settings).label()
        except PrinterError:
            pass  # a URL not understood fails, and says so, when a job is sent to it
    return paper_label(settings)


def badge_layout(settings: Settings, printer: str | None = None) -> BadgeLayout:
    """The badge laid out for ``printer``'s label (see ``printer_label``)."""
    label = printer_label(settings, printer)
    return _layout(label.width_dots, label.dpi, settings.badge.font)


def badge_data(context: Context, person: Attendee | Person) -> BadgeData:
    event = context.event()
    return BadgeData(
        name=person.called,
        code=person.badge_code,
        organisation=person.organisation,
        role=person.role,
        pronouns=person.pronouns,
        category=person.category,
        event_name=event.name,
        event_dates=event_dates_label(event.start_date, event.end_date),
    )


def render_person(
    context: Context, person: Attendee | Person, with_qr: bool = True, printer: str | None = None
) -> RenderedBadge:
    """``person``'s badge laid out for ``printer`` (None: this desk's badge printer)."""
    return render_badge(badge_data(context, person), badge_layout(context.settings, printer), with_qr=with_qr)


def test_badge(context: Context | None, settings: Settings, printer: str = "") -> RenderedBadge:
    """A badge with letters from many languages and a QR code, to check a printer by eye and scanner."""
    event_name = "eventdesk printer test"
    try:
        event_name = context.event().name if context is not None else event_name
    except Exception:  # noqa: BLE001 - a test print needs no event
        pass
    data = BadgeData(
        name="Šermukšnytė Kíncső Nögel",
        code=TEST_CODE,
        organisation=printer or "Test badge",
        role="Łódź · Ærø · Ştefan · Ελλάδα · Київ",
        category="Printer test",
        event_name=event_name,
        event_dates="",
    )
    return render_badge(data, badge_layout(settings, printer or None))


def render_badge_job(context: Context, job: PrintJob) -> Image.Image:
    """The print workers' renderer for jobs of kind "badge"."""
    with Session(context.engine) as session:
        attendee = get_attendee(session, job.attendee_id) if job.attendee_id is not None else None
        if attendee is None:
            raise RenderError(f"Print job {job.id}: its attendee no longer exists")
        person = Person.of(attendee)
    return render_person(context, person, printer=job.printer or None).drawn()


def render_test_job(context: Context, job: PrintJob) -> Image.Image:
    """The print workers' renderer for jobs of kind "test"."""
    return test_badge(context, context.settings, job.printer).drawn()


# -- finding people ----------------------------------------------------------------------------


def find_person(context: Context, text: str) -> Person:
    """ATTENDEE as typed on the command line (see ``services.attendees.resolve_attendee``)."""
    with Session(context.engine) as session:
        try:
            return Person.of(resolve_attendee(session, text))
        except PersonNotFound as error:
            hint = " Try a badge code, an attendee id or another spelling." if str(error).startswith("Nobody") else ""
            raise PrintingError(f"{error}{hint}") from None


def person_by_id(context: Context, attendee_id: int) -> Person:
    with Session(context.engine) as session:
        attendee = get_attendee(session, attendee_id)
        if attendee is None:
            raise PrintingError(f"There is no attendee {attendee_id}.")
        return Person.of(attendee)


# -- printers ----------------------------------------------------------------------------------


def printer_health(settings: Settings, printer: str) -> Health:
    return check_health(printer_for(settings, printer)[1], settings)


# -- the queue ---------------------------------------------------------------------------------


def queue_badge(
    context: Context, attendee_id: int, printer: str | None = None, confirm_reprint: bool = False
) -> PrintJob:
    """Queue the badge of ``attendee_id``; returns at once (a worker prints it). A badge printed
    before is queued again only with ``confirm_reprint=True``; one already waiting is not doubled."""
    name, _url = printer_for(context.settings, printer)
    with context.session() as session:
        attendee = get_attendee(session, attendee_id)
        if attendee is None:
            raise PrintingError(f"There is no attendee {attendee_id}.")
        waiting = print_jobs.open_badge_job(session, attendee_id)
        if waiting is not None:
            return waiting
        printed = print_jobs.printed_badges(session, attendee_id)
        if printed and not confirm_reprint:
            raise ReprintNeedsConfirmation(attendee.name, printed)
        job = print_jobs.enqueue(
            session, kind="badge", attendee_id=attendee_id, printer=name, desk=context.desk, reprint=printed > 0
        )
        session.flush()
    context.wake_print_workers()
    return job


def print_badge(context: Context, attendee_id: int, printer: str, confirm_reprint: bool = False) -> PrintJob:
    """Print the badge now on ``printer`` (a configured name or any URL), waiting for the printer:
    for the command line. The job is recorded like a queued one; errors raise PrinterError."""
    url = context.settings.printer_url(printer) or printer
    parse_printer_url(url)
    person = person_by_id(context, attendee_id)
    with context.session() as session:
        printed = print_jobs.printed_badges(session, attendee_id)
        if printed and not confirm_reprint:
            raise ReprintNeedsConfirmation(person.name, printed)
        job = print_jobs.enqueue(
            session, kind="badge", attendee_id=attendee_id, printer=printer, desk=context.desk, reprint=printed > 0
        )
        job.state, job.attempts = print_jobs.PRINTING, 1
        session.flush()
    try:
        where = print_image(
            url, render_person(context, person, printer=url).drawn(), context.settings, name=f"badge-{job.id}"
        )
    except PrinterError as error:
        with context.session() as session:
            print_jobs.mark_failed(session, saved_id(job), str(error))
        raise
    with context.session() as session:
        print_jobs.mark_printed(session, saved_id(job), written_file(url, where))
        printed_job = print_jobs.get(session, saved_id(job))
        assert printed_job is not None  # marked printed just now
        return printed_job


def queue_test(context: Context, printer: str) -> PrintJob:
    name, _url = printer_for(context.settings, printer)
    with context.session() as session:
        job = print_jobs.enqueue(session, kind="test", attendee_id=None, printer=name, desk=context.desk)
        session.flush()
    context.wake_print_workers()
    return job


def print_test(settings: Settings, url: str) -> str:
    """Print the test badge on ``url`` now (no store needed); raises PrinterError."""
    url = settings.printer_url(url) or url
    return print_image(url, test_badge(None, settings, url).drawn(), settings, name="test")


def retry_job(context: Context, job_id: int) -> PrintJob:
    with context.session() as session:
        job = print_jobs.retry(session, job_id)
        if job is None:
            raise PrintingError(f"There is no print job {job_id}.")
    context.wake_print_workers()
    return job


def move_job(context: Context, job_id: int, printer: str) -> PrintJob:
    """Send a job (failed or waiting) to another configured printer, to print there at once."""
    name, _url = printer_for(context.settings, printer)
    with context.session() as session:
        job = print_jobs.retry(session, job_id, printer=name)
        if job is None:
            raise PrintingError(f"There is no print job {job_id}.")
    context.wake_print_workers()
    return job


def send_badges_to(context: Context, printer: str) -> int:
    """Move every waiting or failed job of this desk's badge printer to ``printer`` and queue this
    desk's next badges there too (a dead printer gets no more work). Returns the jobs moved."""
    old_name, old_url = printer_for(context.settings, None)
    name, _url = printer_for(context.settings, printer)
    with context.session() as session:
        moved = print_jobs.move_open_jobs(session, printer_keys(old_name, old_url) - {name}, name)
    context.settings = replace(context.settings, default_printer=name)
    context.wake_print_workers()
    return moved


def preview_png(context: Context, person: Person, path: str | Path) -> RenderedBadge:
    rendered = render_person(context, person)
    rendered.drawn().save(path)
    return rendered


# -- pre-flight --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeProblem:
    attendee_id: int
    name: str
    badge_code: str
    missing: tuple[str, ...]  # letters the font has no glyph for
    name_px: int
    readable: bool


@dataclass(frozen=True)
class BadgeCheck:
    checked: int
    readable_px: int
    problems: tuple[BadgeProblem, ...]

    @property
    def install(self) -> list[str]:
        """What to install so the missing letters print ("Arabic: pip install fontpkg-noto-sans-arabic")."""
        return install_hints(sorted({c for p in self.problems for c in p.missing}))


def check_badges(context: Context, render: bool = True) -> BadgeCheck:
    """Render every attendee's badge without printing; list the names with letters the font
    lacks or that had to shrink below a readable size. ``render=False``: the same verdicts from
    measuring the names and checking every letter against the fonts, without drawing (seconds
    instead of half a minute for 700 people)."""
    layout = badge_layout(context.settings)
    with Session(context.engine) as session:
        people = [Person.of(a) for a in all_attendees(session)]
    problems = []
    for person in people:
        if render:
            rendered = render_person(context, person, with_qr=False)
        else:
            rendered = preflight_badge(badge_data(context, person), layout)
        if rendered.missing or not rendered.readable:
            problems.append(
                BadgeProblem(
                    person.id,
                    person.called,
                    person.badge_code,
                    tuple(rendered.missing),
                    rendered.name_px,
                    rendered.readable,
                )
            )
    return BadgeCheck(len(people), layout.name_readable_px, tuple(problems))


# -- the printer panel -------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    attendee_id: int | None
    person: str
    printer: str
    state: str
    attempts: int
    last_error: str
    reprint: bool
    updated_at: object


@dataclass(frozen=True)
class QueueOverview:
    open_jobs: tuple[JobRow, ...]  # pending and printing, oldest first
    failed_jobs: tuple[JobRow, ...]  # newest first
    counts: dict  # (printer, state) -> jobs
    reprints: dict  # attendee id -> reprinted badges
    reprint_names: dict  # attendee id -> name


def queue_overview(context: Context, limit: int = 200) -> QueueOverview:
    with Session(context.engine) as session:

        def rows(states):
            return tuple(
                JobRow(
                    saved_id(j),
                    j.kind,
                    j.attendee_id,
                    name,
                    j.printer,
                    j.state,
                    j.attempts,
                    j.last_error,
                    j.reprint,
                    j.updated_at,
                )
                for j, name in print_jobs.jobs_with_names(session, states, limit)
            )

        open_jobs = tuple(reversed(rows(print_jobs.OPEN_STATES)))
        failed = rows([print_jobs.FAILED])
        reprints = print_jobs.reprint_counts(session)
        names = {i: attendee.name for i, attendee in attendees_by_id(session, reprints).items()}
        return QueueOverview(open_jobs, failed, print_jobs.counts_by_printer(session), reprints, names)


__all__ = [
    "BadgeCheck",
    "BadgeProblem",
    "JobReport",
    "PrintingError",
    "PrinterError",
    "ReprintNeedsConfirmation",
    "BadgePrinterState",
    "badge_layout",
    "badge_printer_state",
    "check_badges",
    "configured_printers",
    "find_person",
    "move_job",
    "preview_png",
    "print_badge",
    "print_queue",
    "print_test",
    "printer_health",
    "queue_badge",
    "queue_overview",
    "queue_test",
    "render_badge_job",
    "render_test_job",
    "retry_job",
    "send_badges_to",
]
