"""A person's meeting slip as a use case: what it shows now (their remaining meetings by the event
clock), printing it at once from the command line, or queueing it on this desk's printer. The
drawing is ``printing.slip``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PIL import Image

from eventdesk.printing.badge import BadgeLayout
from eventdesk.printing.devices import parse_printer_url, print_image
from eventdesk.printing.queue import RenderError
from eventdesk.printing.slip import SlipData, SlipMeeting, render_slip
from eventdesk.services.context import Context
from eventdesk.services.meetings import MeetingsError, remaining_meetings
from eventdesk.services.printer_config import PrintingError, printer_for
from eventdesk.services.printing import badge_layout
from eventdesk.store import print_jobs
from eventdesk.store.models import PrintJob


class SlipError(Exception):
    """A slip that cannot be printed or queued; the message says what to do."""


def slip_data(context: Context, person: str | int) -> SlipData:
    """What ``person``'s slip shows now: their remaining meetings by the event clock."""
    zone: ZoneInfo = context.zone()
    try:
        ref, meetings = remaining_meetings(context, person)
    except MeetingsError as error:
        raise SlipError(str(error)) from None
    rows = []
    for meeting in meetings:
        partner = meeting.partner_of(ref.id)
        rows.append(
            SlipMeeting(
                meeting.slot.start.astimezone(zone),
                meeting.slot.end.astimezone(zone),
                meeting.table,
                partner.name,
                partner.organisation,
            )
        )
    return SlipData(ref.name, ref.organisation, context.event().name, context.now().astimezone(zone), tuple(rows))


def slip_layout(context: Context, printer: str | None = None) -> BadgeLayout:
    """The slip laid out for ``printer``'s label (None: this desk's badge printer)."""
    return badge_layout(context.settings, printer)


def slip_image(context: Context, person: str | int, printer: str | None = None) -> tuple[SlipData, Image.Image]:
    data = slip_data(context, person)
    return data, render_slip(data, slip_layout(context, printer))


def print_slip(context: Context, person: str | int, printer: str) -> tuple[SlipData, str]:
    """Print ``person``'s slip now on ``printer`` (a configured name or a URL), waiting for the
    printer (the command line). Returns what was printed and where; errors raise PrinterError."""
    url = context.settings.printer_url(printer) or printer
    parse_printer_url(url)
    data, image = slip_image(context, person, url)
    return data, print_image(url, image, context.settings, name="slip")


def queue_slip(context: Context, attendee_id: int, printer: str | None = None) -> str:
    """Queue ``attendee_id``'s slip on this desk's printer (the worker draws it when it prints, so
    it shows the meetings left at that moment). Returns what to tell the desk."""
    try:
        name, _url = printer_for(context.settings, printer)
    except PrintingError as error:
        raise SlipError(str(error)) from None
    with context.session() as session:
        print_jobs.enqueue(session, kind="slip", attendee_id=attendee_id, printer=name, desk=context.desk)
    context.wake_print_workers()
    return f"Slip queued on {name}."


def render_slip_job(context: Context, job: PrintJob) -> Image.Image:
    """The print workers' renderer for jobs of kind "slip"."""
    if job.attendee_id is None:
        raise RenderError(f"Print job {job.id}: a slip needs a person")
    try:
        return slip_image(context, job.attendee_id, job.printer or None)[1]
    except SlipError as error:
        raise RenderError(f"Print job {job.id}: {error}") from None


__all__ = [
    "SlipData",
    "SlipError",
    "SlipMeeting",
    "print_slip",
    "queue_slip",
    "render_slip_job",
    "slip_data",
    "slip_image",
    "slip_layout",
]
