"""``eventdesk checkin CODE``: the desk's scan from a script (the same service as the screen), and
``eventdesk checkin undo|lists|figures``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click

from eventdesk.cli import main
from eventdesk.cli.common import (
    Failure,
    clock_options,
    db_option,
    desk_option,
    echo_json,
    friendly_errors,
    make_clock,
    require_db,
    say,
    settings_from,
)

# Exit status of a scan that was recorded but not admitted (0 = ok; 1 = an error, nothing recorded).
REFUSED = 2


class _CodeOrCommand(click.Group):
    """``checkin CODE ...`` scans; ``checkin undo`` etc. are commands (badge codes never collide:
    they are 26 characters of an alphabet without U)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["scan", *args]
        return super().parse_args(ctx, args)


def _context(obj: dict, db: str | None, desk: str | None):
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db, desk=desk)
    return open_context(require_db(settings), settings)


@main.group("checkin", cls=_CodeOrCommand, invoke_without_command=False)
def checkin_group() -> None:
    """Check a badge CODE in (or out), as a scan at the desk would.

    \b
    eventdesk checkin CODE [--list NAME] [--desk NAME] [--exit] [--json]
    eventdesk checkin --from FILE|- [--list NAME] [--desk NAME] [--exit] [--json]
    eventdesk checkin undo [--desk NAME]
    eventdesk checkin lists
    eventdesk checkin figures [--list NAME] [--desk NAME]

    Exit status of a scan: 0 admitted, 2 recorded but refused (already checked in, unknown code,
    cancelled, revoked, not on the list, blocked), 1 an error (nothing recorded). With --from FILE
    (one code per line, '-' for standard input; lines without a code skipped): 0 every line admitted, 2 at
    least one refused, 1 an error stopped the batch at the line it names (the lines before it stay
    recorded). --json then prints one JSON object per line, each as soon as it is decided.
    """


@checkin_group.command("scan")
@click.argument("code", required=False)
@click.option(
    "--from",
    "from_file",
    default=None,
    metavar="FILE",
    help="Check in every code of FILE, one per line ('-' reads standard input); lines without a code "
    "(blank, or only spaces or scanner noise) are skipped; each answer is printed as soon as it "
    "is decided.",
)
@click.option(
    "--list",
    "list_name",
    default=None,
    metavar="NAME",
    help="Check-in list (default: Main entrance); 'eventdesk checkin lists' shows them.",
)
@desk_option
@click.option("--exit", "is_exit", is_flag=True, help="Record an exit instead of an entry.")
@click.option(
    "--nonce",
    default=None,
    help="Idempotency key: the same nonce twice records one scan. With --from, line N uses NONCE:N, "
    "so replaying the same file with the same nonce records nothing twice.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (with --from: one object per line).")
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def scan(
    obj: dict,
    code: str | None,
    from_file: str | None,
    list_name: str | None,
    desk: str | None,
    is_exit: bool,
    nonce: str | None,
    as_json: bool,
    db: str | None,
    now: str | None,
    speed: float | None,
) -> None:
    """Check CODE in (a badge code, as scanned: scanner prefixes are removed), or every code of
    --from FILE.

    \b
    Exit status: 0 every scan admitted; 2 at least one recorded but refused (already checked in,
    unknown code, cancelled, revoked, not on the list, blocked); 1 an error: nothing recorded for
    that scan (with --from, the lines before it stay recorded and the message names the line).
    """
    from eventdesk.services.checkin import CheckinError

    if (code is None) == (from_file is None):
        raise Failure("Give one badge CODE, or --from FILE (one code per line, '-' for standard input).")
    direction = "exit" if is_exit else "entry"
    settings = settings_from(obj, db=db, desk=desk)
    if _on_server(require_db(settings)):
        # A desk on a server keeps scanning when the server does not answer: see services.offline.
        from eventdesk.cli.sync import open_desk

        the_desk = open_desk(settings, settings.desk, clock_for=lambda tz: make_clock(now, speed, tz))
    else:
        from eventdesk.services.desk import LocalDesk

        context = _context(obj, db, desk)
        context.clock = make_clock(now, speed, context.event().timezone)  # a rehearsal as 'run --now' has
        the_desk = LocalDesk(context)
    zone = the_desk.zone

    def decide(text: str, nonce: str | None):
        return the_desk.check_in(text, list_name=list_name, direction=direction, nonce=nonce)

    the_desk.start_printing()  # offline: a badge prints at once, not when the desk app next starts
    try:
        if from_file is None:
            try:
                result = decide(code, nonce)
            except CheckinError as error:
                raise Failure(str(error)) from None
            if as_json:
                echo_json(result.as_dict())
            else:
                _say_result(zone, result)
            if not result.ok:
                raise SystemExit(REFUSED)
            return
        from eventdesk.domain.checkin import clean_code

        refused = False
        for number, line in _lines(from_file):
            if not clean_code(line):  # blank, or only spaces, control characters or a scanner prefix
                continue
            try:
                result = decide(line, f"{nonce}:{number}" if nonce else None)
            except CheckinError as error:
                raise Failure(f"line {number}: {error}") from None
            except Exception as error:
                # What was decided before this line is recorded; say where the batch stopped.
                click.echo(
                    f"eventdesk: stopped at line {number} of {from_file}; the lines before it are recorded.", err=True
                )
                raise error
            refused = refused or not result.ok
            if as_json:
                click.echo(json.dumps(result.as_dict(), ensure_ascii=False, default=str))  # click.echo flushes
            else:
                _say_result(zone, result)
        if refused:
            raise SystemExit(REFUSED)
    finally:
        the_desk.stop()  # waits for a badge still printing


def _lines(source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of FILE or standard input, each as soon as it arrives (a desk process fed
    by a pipe answers a line before the next one is written). Bytes that are not UTF-8 are replaced,
    so a garbled line answers unknown_code instead of stopping the batch."""
    if source == "-":
        stream = sys.stdin.buffer
        close = False
    else:
        try:
            stream = open(source, "rb")  # noqa: SIM115 - closed below (standard input is not)
        except OSError as error:
            raise Failure(f"Cannot read {source}: {error.strerror}.") from None
        close = True
    try:
        for number, raw in enumerate(iter(stream.readline, b""), start=1):
            text = raw.decode("utf-8", errors="replace")
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text
    finally:
        if close:
            stream.close()


def _on_server(db: str) -> bool:
    return "://" in db and not db.startswith("sqlite")


def _say_result(zone, result) -> None:
    from eventdesk.domain.text import printable

    who = (
        f"{printable(result.person.name, 80)} ({printable(result.person.organisation, 60) or '-'}, "
        f"{printable(result.person.category, 30)})"
        if result.person
        else printable(result.code, 60)
    )
    if result.result == "forgotten":  # an erased person has no name: say which code it was
        who = printable(result.code, 60)
    line = f"{result.result}: {result.label}: {who}"
    if result.first_checkin_at is not None:
        local = result.first_checkin_at.astimezone(zone())
        line += f"; first checked in today {local:%H:%M} at {printable(result.first_checkin_desk or '?', 40)}"
    if result.badge_queued:
        line += "; badge queued"
    if result.room_full:
        line += f"; Room full: {result.occupancy} of {result.capacity}"
    elif result.occupancy is not None:
        line += f"; room {result.occupancy} of {result.capacity}"
    if result.replayed:
        line += " (repeated nonce: recorded once)"
    if result.offline:
        line += " [OFFLINE: decided by this desk, kept in its journal until the server answers]"
    say(line)
    if result.person is not None and result.person.note:
        say(f"note: {printable(result.person.note, 200)}")
    for slot in result.speaking:
        say(slot.line(zone(), result.scanned_at))


@checkin_group.command("undo")
@desk_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@db_option
@click.pass_obj
@friendly_errors
def undo(obj: dict, desk: str | None, as_json: bool, db: str | None) -> None:
    """Annul this desk's last check-in (at most 15 minutes old; the record keeps both)."""
    from eventdesk.domain.text import printable
    from eventdesk.services.checkin import CheckinError, undo_last

    context = _context(obj, db, desk)
    try:
        done = undo_last(context)
    except CheckinError as error:
        raise Failure(str(error)) from None
    who = printable(done.person.name, 80) if done.person else "unknown code"
    if as_json:
        echo_json(
            {
                "record_id": done.record_id,
                "direction": done.direction,
                "list": done.list_name,
                "scanned_at": done.scanned_at.isoformat(),
                "person": done.person.as_dict() if done.person else None,
            }
        )
    else:
        local = done.scanned_at.astimezone(context.zone())
        say(f"Annulled the {done.direction} of {who} at {local:%H:%M:%S} on {done.list_name}.")


@checkin_group.command("lists")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_obj
@friendly_errors
def lists(obj: dict, as_json: bool, db: str | None) -> None:
    """The check-in lists with checked in today and over the event / expected, today's entries and
    exits, and people inside now (presence ends at the day boundary, 04:00 by default)."""
    from dataclasses import asdict

    from eventdesk.services.checkin_figures import list_figures

    figures = list_figures(_context(obj, db, None))
    if as_json:
        echo_json([asdict(f) for f in figures])
        return
    say(f"{'list':<24} {'kind':<9} {'today':>12} {'event':>12} {'entries':>8} {'exits':>7} {'inside':>7}  admits")
    for f in figures:
        admits = f.admits or "everybody"
        say(
            f"{f.name[:24]:<24} {f.kind:<9} {f'{f.checked_in_today}/{f.expected}':>12} "
            f"{f'{f.checked_in}/{f.expected}':>12} {f.entries:>8} {f.exits:>7} {f.inside_now:>7}  {admits}"
        )


@checkin_group.command("figures")
@click.option("--list", "list_name", default=None, metavar="NAME", help="Check-in list (default: Main entrance).")
@desk_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_obj
@friendly_errors
def figures(obj: dict, list_name: str | None, desk: str | None, as_json: bool, db: str | None) -> None:
    """The desk's figures: checked in / expected per category, scans per minute, seconds per attendee."""
    from dataclasses import asdict

    from eventdesk.services.checkin_figures import desk_figures

    context = _context(obj, db, desk)
    found = desk_figures(context, list_name)
    if found is None:
        raise Failure(f"There is no check-in list named '{list_name}'; 'eventdesk checkin lists' shows them.")
    if as_json:
        echo_json(asdict(found))
        return
    lst = found.checkin_list
    say(
        f"{lst.name}: {lst.checked_in_today}/{lst.expected} checked in today "
        f"({lst.checked_in} over the event), {lst.inside_now} inside now"
    )
    for row in lst.categories:
        say(f"  {row.category:<16} {row.checked_in:>6}/{row.expected}")
    spa = "-" if found.seconds_per_attendee is None else f"{found.seconds_per_attendee:.0f} s"
    last = found.last_scan_at.astimezone(context.zone()).strftime("%H:%M:%S") if found.last_scan_at else "-"
    say(f"{found.desk}: {found.scans_per_minute:.1f} scans/min (last 10 min), {spa} per attendee, last scan {last}")


@checkin_group.command("simulate")
@click.option("--list", "list_name", default=None, metavar="NAME", help="Check-in list (default: Main entrance).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--now", default=None, metavar="ISO", help="Decide as at this moment (default: now).")
@db_option
@click.pass_obj
@friendly_errors
def simulate(obj: dict, list_name: str | None, as_json: bool, now: str | None, db: str | None) -> None:
    """Who would this list turn away? Counts, over every attendee, what an entry scan on the list
    would answer now (ok, already checked in, not on the list by category, cancelled, blocked),
    decided as a scan decides. Nothing is recorded."""
    from eventdesk.cli.common import make_clock
    from eventdesk.services.queue_planning import PlanningError, simulate_list

    context = _context(obj, db, None)
    context.clock = make_clock(now, None, context.event().timezone)
    try:
        outcome = simulate_list(context, list_name)
    except PlanningError as error:
        raise Failure(str(error)) from None
    if as_json:
        echo_json(outcome.to_json())
        return
    say(
        f"{outcome.list_name} (admits {outcome.admits or 'everybody'}): a scan of each of the "
        f"{outcome.total} attendees would answer"
    )
    for result, count in outcome.results.items():
        say(f"  {result:<20} {count:>6}")
        if result == "not_on_list":
            for category, people in outcome.not_on_list.items():
                say(f"    {category:<18} {people:>6}")
