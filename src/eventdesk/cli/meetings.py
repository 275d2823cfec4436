"""Commands of the meetings area: import meetings or requests, schedule requests, mark people
unavailable, per-slot usage, print a person's slip, export every meeting."""

from __future__ import annotations

from datetime import date, datetime, time

import click

from eventdesk.cli import export_group, import_group, main
from eventdesk.cli.common import (
    Failure,
    clock_options,
    db_option,
    echo_json,
    friendly_errors,
    make_clock,
    parse_moment,
    require_db,
    say,
    settings_from,
)


def _context(obj: dict, db: str | None, now: str | None = None, speed: float | None = None):
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    if now is not None:
        context.clock = make_clock(now, speed, context.event().timezone)
    return context


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(f"'{text}' is not a date; write it like 2024-05-08.") from None


def _slot_start(context, text: str, day: date) -> datetime:
    """A slot's start as typed: HH:MM on ``day`` in the event's zone, or a full date and time."""
    if "T" in text or "-" in text:
        return parse_moment(text, context.event().timezone)
    return datetime.combine(day, _time(text), tzinfo=context.zone())


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise Failure(f"'{text}' is not a time; write it like 10:00.") from None


@import_group.command("meetings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@db_option
@click.option(
    "--day",
    metavar="YYYY-MM-DD",
    default=None,
    help="The day of times written without a date (default: the event's first day).",
)
@click.option(
    "--slot-minutes",
    type=click.IntRange(1, 24 * 60),
    default=None,
    help="Length of new slots when the file has no end column (default: the gap between "
    "consecutive slot starts, else 30).",
)
@click.pass_obj
@friendly_errors
def import_meetings_command(obj: dict, file: str, db: str | None, day: str | None, slot_minutes: int | None) -> None:
    """Import meetings (slot start, table, participant A and B) or meeting requests (A and B only).

    People are named by e-mail or badge code; other columns are kept as notes. All or nothing:
    a bad row imports nothing and the error names its line. Importing the same file again
    changes nothing. Schedule imported requests with 'eventdesk meetings schedule'.
    """
    from eventdesk.importers.meetings_csv import MeetingsFileError
    from eventdesk.services.meetings import import_meetings

    context = _context(obj, db)
    try:
        summary = import_meetings(context, file, day=_day(day), slot_minutes=slot_minutes)
    except MeetingsFileError as error:
        raise Failure(f"{file}, {error}. Nothing was imported.") from None
    what = "meetings" if summary.kind == "meetings" else "meeting requests"
    say(
        f"Imported {summary.added} {what} ({summary.unchanged} already there)"
        + (
            f", {summary.slots_added} new slots, {summary.tables_added} new tables."
            if summary.kind == "meetings"
            else ". Place them with 'eventdesk meetings schedule'."
        )
    )


@main.group("meetings")
def meetings_group() -> None:
    """The B2B meeting tables: scheduling, usage, slips."""


@meetings_group.command("schedule")
@db_option
@clock_options
@click.option("--day", metavar="YYYY-MM-DD", default=None, help="With --first: the day of the slots to create.")
@click.option(
    "--first", metavar="HH:MM", default=None, help="Create slots first (those missing), starting at this time on --day."
)
@click.option(
    "--slots", "count", type=click.IntRange(1, 200), default=8, show_default=True, help="With --first: how many slots."
)
@click.option(
    "--minutes", type=click.IntRange(1, 600), default=30, show_default=True, help="With --first: minutes per slot."
)
@click.option("--tables", type=click.IntRange(1, 2000), default=None, help="Create tables 1..N first (those missing).")
@click.option("--json", "as_json", is_flag=True, help="Print what was placed and what was not as JSON.")
@click.pass_obj
@friendly_errors
def schedule_command(
    obj: dict,
    db: str | None,
    now: str | None,
    speed: float | None,
    day: str | None,
    first: str | None,
    count: int,
    minutes: int,
    tables: int | None,
    as_json: bool,
) -> None:
    """Place the open meeting requests into slots x tables.

    Nobody and no table is double-booked, unavailable slots and existing meetings are honoured,
    and only slots that have not started yet (by the event clock, see --now) are used. Requests
    that cannot be placed are listed with the reason.
    """
    from eventdesk.services.meetings import MeetingsError, ensure_slots, ensure_tables, schedule_requests

    context = _context(obj, db, now, speed)
    zone = context.zone()
    try:
        if first is not None:
            added = ensure_slots(
                context, day=_day(day) or context.event().end_date, first=_time(first), count=count, minutes=minutes
            )
            say(f"Added {added} slots.", err=True)
        if tables is not None:
            say(f"Added {ensure_tables(context, tables)} tables.", err=True)
        summary = schedule_requests(context)
    except MeetingsError as error:
        raise Failure(str(error)) from None
    if as_json:
        echo_json(
            {
                "placed": [
                    {
                        "slot_start": m.slot.start.astimezone(zone).isoformat(),
                        "table": m.table,
                        "a": m.a.name,
                        "b": m.b.name,
                    }
                    for m in summary.placed
                ],
                "unplaced": [{"a": a.name, "b": b.name, "reason": reason} for a, b, reason in summary.unplaced],
            }
        )
        return
    placed, unplaced = len(summary.placed), len(summary.unplaced)
    say(
        f"Placed {placed} meeting{'s' if placed != 1 else ''}; {unplaced} request{'s' if unplaced != 1 else ''} "
        "could not be placed."
    )
    for a, b, reason in summary.unplaced:
        say(f"  not placed: {a.name} with {b.name}: {reason}")


@meetings_group.command("unavailable")
@click.argument("attendee")
@click.argument("slots", nargs=-1, required=True)
@db_option
@click.option(
    "--day", metavar="YYYY-MM-DD", default=None, help="The day of SLOTS given as HH:MM (default: the event's last day)."
)
@click.pass_obj
@friendly_errors
def unavailable_command(obj: dict, attendee: str, slots: tuple[str, ...], db: str | None, day: str | None) -> None:
    """Mark ATTENDEE (badge code, e-mail or name) unavailable in SLOTS (their start times)."""
    from eventdesk.services.meetings import MeetingsError, set_unavailable

    context = _context(obj, db)
    the_day = _day(day) or context.event().end_date
    for text in slots:
        moment = _slot_start(context, text, the_day)
        try:
            set_unavailable(context, attendee, moment)
        except MeetingsError as error:
            raise Failure(str(error)) from None
    say(f"Marked unavailable in {len(slots)} slot{'s' if len(slots) != 1 else ''}.")


def _slot(context, text: str | None):
    """The slot starting at ``text`` (HH:MM on the event clock's day, or a date and time), else the
    running slot (or the next one to start)."""
    from eventdesk.services.meetings import load_board

    board = load_board(context)
    if text is None:
        slot = board.window(context.now())[0]
        if slot is None:
            raise Failure("No meeting slot is running or left today; give --slot HH:MM.")
        return board, slot
    zone = context.zone()
    moment = _slot_start(context, text, context.local_now().date())
    for slot in board.slots:
        if slot.start == moment:
            return board, slot
    raise Failure(
        f"No meeting slot starts at {moment.astimezone(zone):%d %b %H:%M}; 'eventdesk meetings usage' lists the slots."
    )


@meetings_group.command("scan")
@click.argument("code")
@db_option
@clock_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
def scan_command(obj: dict, code: str, db: str | None, now: str | None, speed: float | None, as_json: bool) -> None:
    """A badge CODE scanned at the meeting desk: the person's next meeting, table and partner;
    marks them present when that meeting runs or starts within 10 minutes."""
    from eventdesk.services.meetings import scan

    context = _context(obj, db, now, speed)
    result = scan(context, code)
    if result is None:
        raise Failure("The scan was empty: scan the badge again.")
    zone = context.zone()
    meeting = result.meeting
    if as_json:
        echo_json(
            {
                "outcome": result.outcome,
                "person": result.person.name if result.person else None,
                "table": meeting.table if meeting else None,
                "slot_start": meeting.slot.start.astimezone(zone).isoformat() if meeting else None,
                "partner": result.partner.name if result.partner else None,
                "state": meeting.state if meeting else None,
            }
        )
        return
    if result.person is None:
        raise Failure(f"Unknown badge code {code}.")
    line = f"{result.outcome}: {result.person.name}"
    if meeting is not None and result.partner is not None:
        line += (
            f", {meeting.slot.start.astimezone(zone):%H:%M} table {meeting.table} with {result.partner.name}"
            f" ({meeting.state})"
        )
    say(line)


@meetings_group.command("free")
@db_option
@clock_options
@click.option("--slot", "slot_text", metavar="HH:MM", default=None, help="The slot (default: the running one).")
@click.pass_obj
@friendly_errors
def free_command(obj: dict, db: str | None, now: str | None, speed: float | None, slot_text: str | None) -> None:
    """The free tables of the running slot (or of --slot)."""
    context = _context(obj, db, now, speed)
    board, slot = _slot(context, slot_text)
    tables = board.free_tables(slot)
    zone = context.zone()
    say(
        f"{slot.start.astimezone(zone):%H:%M}–{slot.end.astimezone(zone):%H:%M}: {len(tables)} free"
        + (f": {', '.join(map(str, tables))}" if tables else "")
    )


@meetings_group.command("no-show")
@click.argument("table", type=int)
@db_option
@clock_options
@click.option("--slot", "slot_text", metavar="HH:MM", default=None, help="The slot (default: the running one).")
@click.pass_obj
@friendly_errors
def no_show_command(
    obj: dict, table: int, db: str | None, now: str | None, speed: float | None, slot_text: str | None
) -> None:
    """Confirm that the meeting at TABLE (in the running slot, or --slot) is a no-show: frees the table."""
    from eventdesk.domain.meetings import HOLDS_TABLE
    from eventdesk.services.meetings import MeetingsError, confirm_no_show

    context = _context(obj, db, now, speed)
    board, slot = _slot(context, slot_text)
    meeting = next((m for m in board.meetings.get(slot.id, []) if m.table == table and m.state in HOLDS_TABLE), None)
    if meeting is None:
        raise Failure(f"Table {table} has no meeting in that slot.")
    try:
        confirmed = confirm_no_show(context, meeting.id)
    except MeetingsError as error:
        raise Failure(str(error)) from None
    say(_no_show_words(confirmed, context.zone()))


def _no_show_words(meeting, zone) -> str:
    missing = " and ".join(p.name for p in meeting.missing())
    waiting = meeting.waiting
    if waiting is None:
        return f"No-show confirmed ({missing}): table {meeting.table} is free."
    return (
        f"No-show confirmed ({missing}): {waiting.name} stays at table {meeting.table}, which is half-free; "
        f"'eventdesk meetings standby {meeting.slot.start.astimezone(zone):%H:%M}' lists partners."
    )


@meetings_group.command("standby")
@click.argument("slot_text", metavar="SLOT")
@db_option
@clock_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per candidate.")
@click.pass_obj
@friendly_errors
def standby_command(
    obj: dict, slot_text: str, db: str | None, now: str | None, speed: float | None, as_json: bool
) -> None:
    """Stand-by partners in SLOT (HH:MM, or 'now' for the running one): people left waiting at a
    half-free table by a confirmed no-show, then people in the matchmaking area with SLOT free.
    Book a pair with 'eventdesk meetings book A B --table N --slot HH:MM'."""
    from eventdesk.services.meetings import LEFT_WAITING, standby

    context = _context(obj, db, now, speed)
    _board, slot = _slot(context, None if slot_text == "now" else slot_text)
    zone = context.zone()
    candidates = standby(context, slot.id)
    if as_json:
        echo_json(
            {
                "slot_start": slot.start.astimezone(zone).isoformat(),
                "slot_end": slot.end.astimezone(zone).isoformat(),
                "candidates": [c.as_dict(zone) for c in candidates],
            }
        )
        return
    say(
        f"{slot.start.astimezone(zone):%H:%M}–{slot.end.astimezone(zone):%H:%M}: {len(candidates)} stand-by "
        f"partner{'s' if len(candidates) != 1 else ''}"
    )
    for c in candidates:
        where = (
            f"waiting at table {c.table}"
            if c.kind == LEFT_WAITING
            else f"in the area since {c.since.astimezone(zone):%H:%M}, free"
        )
        org = f" ({c.person.organisation})" if c.person.organisation else ""
        say(f"  {c.person.name}{org}  {c.person.badge_code}  {where}")


@meetings_group.command("book")
@click.argument("person_a")
@click.argument("person_b")
@click.option("--table", type=int, required=True, help="A free table's number ('eventdesk meetings free').")
@click.option(
    "--slot", "slot_text", metavar="HH:MM", default=None, help="The current or a later slot (default: the running one)."
)
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def book_command(
    obj: dict,
    person_a: str,
    person_b: str,
    table: int,
    slot_text: str | None,
    db: str | None,
    now: str | None,
    speed: float | None,
) -> None:
    """An ad-hoc meeting of PERSON_A and PERSON_B (badge code, e-mail or name) at a free table."""
    from eventdesk.services.meetings import MeetingsError, book

    context = _context(obj, db, now, speed)
    _board, slot = _slot(context, slot_text)
    try:
        meeting = book(context, person_a, person_b, slot.id, table)
    except MeetingsError as error:
        raise Failure(f"Not booked: {error}") from None
    say(
        f"Booked table {meeting.table} at {meeting.slot.start.astimezone(context.zone()):%H:%M}: "
        f"{meeting.a.name} with {meeting.b.name}."
    )


@meetings_group.command("usage")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
def usage_command(obj: dict, db: str | None, as_json: bool) -> None:
    """Tables in use and free, per slot."""
    from eventdesk.services.meetings import usage

    context = _context(obj, db)
    zone = context.zone()
    rows = usage(context)
    if as_json:
        echo_json(
            [
                {
                    "slot_start": u.slot.start.astimezone(zone).isoformat(),
                    "slot_end": u.slot.end.astimezone(zone).isoformat(),
                    "in_use": u.in_use,
                    "available": u.available,
                }
                for u in rows
            ]
        )
        return
    if not rows:
        say("No meeting slots yet: import meetings with 'eventdesk import meetings FILE'.", err=True)
        return
    for u in rows:
        say(
            f"{u.slot.start.astimezone(zone):%a %d %b %H:%M}–{u.slot.end.astimezone(zone):%H:%M}  "
            f"{u.in_use:>4} in use  {u.available:>4} free"
        )


@meetings_group.command("slip")
@click.argument("attendee")
@click.option(
    "--printer",
    metavar="NAME|URL",
    default=None,
    help="A configured printer's name or a URL such as tcp://10.0.0.7:9100 (default: the default printer).",
)
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def slip_command(
    obj: dict, attendee: str, printer: str | None, db: str | None, now: str | None, speed: float | None
) -> None:
    """Print ATTENDEE's remaining meetings (time, table, partner, organisation) on a thermal printer.

    ATTENDEE is a badge code, an e-mail or a name that matches one person.
    """
    from eventdesk.printing.devices import PrinterError
    from eventdesk.services.meeting_slips import SlipError, print_slip

    context = _context(obj, db, now, speed)
    target = printer or context.settings.default_printer
    if not target:
        raise Failure("No printer given: use --printer tcp://HOST:9100 (or a configured printer's name).")
    try:
        data, where = print_slip(context, attendee, target)
    except (SlipError, PrinterError) as error:
        raise Failure(str(error)) from None
    count = len(data.meetings)
    say(f"Printed {data.name}'s slip ({count} meeting{'s' if count != 1 else ''}) on {where}.")


@export_group.command("meetings")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write (default: standard output).",
)
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def export_meetings_command(
    obj: dict, output: str | None, db: str | None, now: str | None, speed: float | None
) -> None:
    """Write every meeting with its final state as CSV (UTF-8).

    Columns: slot_start, slot_end, table, participant_a, name_a, organisation_a, participant_b,
    name_b, organisation_b, state, a_present_at, b_present_at, notes. 'eventdesk import meetings'
    reads the file back.
    """
    from eventdesk.services.meetings import export_csv

    text = export_csv(_context(obj, db, now, speed))
    if output is None:
        click.echo(text, nl=False)  # CSV data, byte for byte
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    say(f"Wrote {text.count(chr(10)) - 1} meetings to {output}.", err=True)
