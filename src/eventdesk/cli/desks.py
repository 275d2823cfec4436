"""``eventdesk desks``: the desks at a glance (the Desks screen, F12, as text or JSON). A group, so
that commands about desks (``eventdesk desks split``...) can join it; bare, it lists the desks."""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import (
    clock_options,
    db_option,
    echo_json,
    friendly_errors,
    make_clock,
    require_db,
    say,
    settings_from,
)


@main.group("desks", invoke_without_command=True)
@db_option
@clock_options
@click.option("--json", "as_json", is_flag=True, help="Print the desks as JSON.")
@click.pass_context
@friendly_errors
def desks_group(ctx: click.Context, db: str | None, now: str | None, speed: float | None, as_json: bool) -> None:
    """Every desk seen in the last hours: online or offline (its app's heartbeat in the last 35 s),
    its last scan, scans per minute and seconds per attendee over the last ten minutes, offline
    scans waiting in its journal, its printers' health and queue."""
    if ctx.invoked_subcommand is not None:
        return
    from eventdesk.domain.clock import utcnow
    from eventdesk.services.context import open_context
    from eventdesk.services.desks import desks_overview

    settings = settings_from(ctx.obj, db=db)
    context = open_context(require_db(settings), settings)
    context.clock = make_clock(now, speed, context.event().timezone)
    desks = desks_overview(context)
    if as_json:
        echo_json([d.to_json() for d in desks])
        return
    if not desks:
        say("No desk seen in the last hours (an open eventdesk app shows up within 10 s).")
        return
    zone, wall = context.zone(), utcnow()
    say(
        f"{'Desk':<18} {'State':<8} {'Last seen':>10} {'Last scan':>9} {'Scans/min':>9} {'s/person':>8} "
        f"{'Journal':>7}  Printers"
    )
    for d in desks:
        seen = f"{int((wall - d.last_seen).total_seconds())} s ago" if d.last_seen else "—"
        scan = f"{d.last_scan_at.astimezone(zone):%H:%M:%S}" if d.last_scan_at else "—"
        per = f"{d.seconds_per_attendee:.0f}" if d.seconds_per_attendee is not None else "—"
        journal = "—" if d.journal_waiting is None else str(d.journal_waiting)
        printers = (
            ", ".join(
                f"{p.name} {p.health} {p.waiting} waiting" + (f" {p.failed} failed" if p.failed else "")
                for p in d.printers
            )
            or "no printer"
        )
        say(
            f"{d.desk[:18]:<18} {'online' if d.online else 'offline':<8} {seen:>10} {scan:>9} "
            f"{d.scans_per_minute:>9.1f} {per:>8} {journal:>7}  {printers}"
        )


@desks_group.command("split")
@click.option("--desks", "count", type=click.IntRange(1, 26), required=True, help="How many desks share the queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the ranges as JSON.")
@click.option("--print", "print_signs_", is_flag=True, help="Print one sign per desk on the badge printer.")
@click.option("--printer", default=None, help="Printer name or URL for --print (default: the default printer).")
@db_option
@click.pass_obj
@friendly_errors
def desks_split(obj: dict, count: int, as_json: bool, print_signs_: bool, printer: str | None, db: str | None) -> None:
    """Split the expected attendees by the first letters of their last name (accents and scripts
    folded: "Šimaitė" under S, "Петров" under P) into COUNT contiguous ranges of near-equal size,
    e.g. A–F, G–Ma, Mb–R, S–Z. Put a range in each desk's settings as desk_range."""
    from eventdesk.cli.common import Failure
    from eventdesk.services.context import open_context
    from eventdesk.services.queue_planning import PlanningError, print_signs, split_desks

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    try:
        ranges = split_desks(context, count)
    except PlanningError as error:
        raise Failure(str(error)) from None
    if as_json:
        echo_json([r.to_json() for r in ranges])
    else:
        for r in ranges:
            say(f"Desk {r.desk}: {r.label:<10} {r.people:>6} people")
        say(
            f"{sum(r.people for r in ranges)} people expected; largest range {max(r.people for r in ranges)}, "
            f"smallest {min(r.people for r in ranges)}."
        )
    if print_signs_:
        from eventdesk.printing.devices import PrinterError
        from eventdesk.services.printing import PrintingError

        try:
            places = print_signs(context, ranges, printer)
        except (PrinterError, PrintingError) as error:
            raise Failure(str(error)) from None
        say(f"Printed {len(places)} signs on {places[0] if places else '-'}.", err=as_json)
