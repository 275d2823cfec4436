"""Commands of the badges area: preview, print and check badges; test a printer.

ATTENDEE is a badge code, an attendee id, or a search that matches exactly one person."""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import Failure, db_option, echo_json, friendly_errors, require_db, say, settings_from


def _context(obj: dict, db: str | None):
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    return open_context(require_db(settings), settings)


def _person(context, attendee: str):
    from eventdesk.services.printing import PrintingError, find_person

    try:
        return find_person(context, attendee)
    except PrintingError as error:
        raise Failure(str(error)) from None


def _printing_errors(func):
    """Printer, font and badge errors become one clear line and exit status 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from eventdesk.printing.devices import PrinterError
        from eventdesk.printing.fonts import FontError
        from eventdesk.services.printing import PrintingError

        try:
            return func(*args, **kwargs)
        except (PrinterError, FontError, PrintingError) as error:
            raise Failure(str(error)) from None
        except OSError as error:  # a --png path that cannot be written
            where = f" {error.filename}" if error.filename else ""
            raise Failure(f"Cannot write{where}: {error.strerror or error}") from None

    return wrapper


@main.group()
def badge() -> None:
    """Preview or print one person's badge."""


@badge.command("preview")
@click.argument("attendee")
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="Write the badge to this PNG file (exactly what the printer would get).",
)
@db_option
@click.pass_obj
@friendly_errors
@_printing_errors
def badge_preview(obj: dict, attendee: str, png: str, db: str | None) -> None:
    """Render the badge of ATTENDEE (badge code, attendee id or a unique name) as a PNG file."""
    from eventdesk.printing.fonts import install_hints
    from eventdesk.services.printing import preview_png

    context = _context(obj, db)
    person = _person(context, attendee)
    rendered = preview_png(context, person, png)
    say(f"Wrote the badge of {person.name} to {png} ({rendered.image.width}×{rendered.image.height} dots).")
    if rendered.missing:
        hints = "; ".join(install_hints(rendered.missing))
        say(f"Warning: no badge font has a glyph for {' '.join(rendered.missing)}; install {hints}.", err=True)
    if not rendered.readable:
        say(f"Warning: the name had to shrink to {rendered.name_px} px to fit.", err=True)


@badge.command("print")
@click.argument("attendee")
@click.option(
    "--printer",
    "printer",
    metavar="NAME|URL",
    default=None,
    help="A configured printer name or a URL (tcp://HOST:9100, usb://VID:PID, "
    "serial:///dev/ttyUSB0?baudrate=19200, file:///dev/usb/lp0, preview://DIR). "
    "Default: the default printer.",
)
@click.option("--reprint", is_flag=True, help="Print again a badge that was already printed (counted as a reprint).")
@db_option
@click.pass_obj
@friendly_errors
@_printing_errors
def badge_print(obj: dict, attendee: str, printer: str | None, reprint: bool, db: str | None) -> None:
    """Print the badge of ATTENDEE now and wait for the printer (exit 1 if it cannot be reached)."""
    from eventdesk.services.printing import ReprintNeedsConfirmation, print_badge

    context = _context(obj, db)
    target = printer or context.settings.default_printer
    if not target:
        raise Failure("No printer given: use --printer URL or configure [printers] in eventdesk.toml.")
    person = _person(context, attendee)
    try:
        job = print_badge(context, person.id, target, confirm_reprint=reprint)
    except ReprintNeedsConfirmation as error:
        raise Failure(f"{error} Add --reprint to print it again.") from None
    say(f"Printed the badge of {person.name} on {target}{' (reprint)' if job.reprint else ''}.")


@main.group()
def printer() -> None:
    """Badge printers."""


@printer.command("test")
@click.argument("url")
@click.pass_obj
@_printing_errors
def printer_test(obj: dict, url: str) -> None:
    """Print a test badge (letters of many languages and a QR code) on the printer at URL
    (or a configured printer name). Exits 1 within a few seconds if the printer cannot be reached."""
    from eventdesk.services.printing import print_test

    settings = settings_from(obj)
    where = print_test(settings, url)
    say(f"Test badge sent to {where}. Scan its QR code: it reads EVENTDESK-PRINTER-TEST.")


@printer.command("status")
@click.argument("url")
@click.pass_obj
@_printing_errors
def printer_status(obj: dict, url: str) -> None:
    """Ask the printer at URL (or a configured name) for its status: online, offline, cover open,
    paper out, or unknown when it does not answer."""
    from eventdesk.printing.status import check_health

    settings = settings_from(obj)
    health = check_health(settings.printer_url(url) or url, settings)
    say(f"{health.state}{': ' + health.detail if health.detail else ''}")
    if health.state == "offline":
        raise SystemExit(1)


@main.group()
def badges() -> None:
    """Every badge at once."""


@badges.command("check")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
@_printing_errors
def badges_check(obj: dict, db: str | None, as_json: bool) -> None:
    """Render every attendee's badge without printing; list the names whose letters the font
    lacks or that had to shrink below a readable size. Exit 1 when there are any."""
    from eventdesk.services.printing import check_badges

    context = _context(obj, db)
    report = check_badges(context)
    if as_json:
        echo_json(
            {
                "checked": report.checked,
                "readable_px": report.readable_px,
                "problems": [
                    {
                        "attendee_id": p.attendee_id,
                        "name": p.name,
                        "badge_code": p.badge_code,
                        "missing": list(p.missing),
                        "name_px": p.name_px,
                        "readable": p.readable,
                    }
                    for p in report.problems
                ],
                "install": report.install,
            }
        )
    else:
        for p in report.problems:
            reasons = []
            if p.missing:
                reasons.append(f"no glyph for {' '.join(p.missing)}")
            if not p.readable:
                reasons.append(f"name shrunk to {p.name_px} px (readable: {report.readable_px} px)")
            say(f"{p.badge_code}  {p.name}: {'; '.join(reasons)}")
        for hint in report.install:
            say(f"To print these letters, install the font of their script: {hint}")
        say(
            f"Checked {report.checked} badges: "
            f"{len(report.problems) or 'no'} problem{'s' if len(report.problems) != 1 else ''}.",
            err=True,
        )
    if report.problems:
        raise SystemExit(1)
