"""The command line. Every TUI action a script could want is here too; each command calls the
same service functions as the screens."""

from __future__ import annotations

import click

from eventdesk import __version__
from eventdesk.cli.common import (
    Failure,
    clock_options,
    db_option,
    desk_option,
    friendly_errors,
    make_clock,
    require_db,
    settings_from,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="Settings file (TOML). Default: $EVENTDESK_CONFIG, then ./eventdesk.toml.",
)
@click.version_option(__version__, prog_name="eventdesk")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """eventdesk: the on-site operations of a conference in the terminal.

    Check-in desk, badge printers, live agenda, room board and meeting tables.
    Start with 'eventdesk demo' to open the European Cluster Conference 2024 demo.
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    from eventdesk.logs import log_to_file_from_env

    log_to_file_from_env()


@main.group("import")
def import_group() -> None:
    """Import attendees, an agenda or meetings from files of other tools."""


@main.group("export")
def export_group() -> None:
    """Export data for other tools."""


def open_tui(
    ctx_obj: dict,
    db: str | None,
    desk: str | None,
    now: str | None,
    speed: float | None,
    *,
    create: bool = False,
    screen: str = "checkin",
    fallback_printer: str | None = None,
) -> None:
    from dataclasses import replace

    from eventdesk.cli.sync import open_app_desk
    from eventdesk.logs import quiet_logging

    quiet_logging()
    settings = settings_from(ctx_obj, db=db, desk=desk)
    if fallback_printer and not settings.printers and not settings.default_printer:
        settings = replace(settings, printers={"preview": fallback_printer}, default_printer="preview")
    require_db(settings)
    context, the_desk = open_app_desk(settings, create=create, clock_for=lambda zone: make_clock(now, speed, zone))
    import gc

    from eventdesk.tui.app import make_app

    # What the imports built lives as long as the process: out of the collector's sight from now
    # on, so the collection before the first scan (settle_garbage_collector) walks only the app.
    gc.freeze()
    make_app(context, start_screen=screen, desk=the_desk).run()


# The moment the demo's rehearsal clock starts at when no --now is given.
DEMO_MOMENT = "2024-05-08T10:15"


@main.command()
@db_option
@desk_option
@clock_options
@click.option("--fresh", is_flag=True, help="Delete the demo database first and build it anew.")
@click.pass_obj
@friendly_errors
def demo(obj: dict, db: str | None, desk: str | None, now: str | None, speed: float | None, fresh: bool) -> None:
    """Create the European Cluster Conference 2024 demo (if absent) and open it.

    Without --db the demo lives in ./eventdesk-demo.db. Without --now the clock starts on the
    second conference day, 8 May 2024 at 10:15 in Brussels, and runs: sessions are under way and
    the matchmaking tables are busy. The demo's past up to that moment is recorded when it is built
    (check-ins, door scans, meetings held or missed); --fresh --now ... rebuilds it for another
    moment. Unless a printer is configured, badges "print" as PNG files into the folder
    eventdesk-demo-badges beside the database (in the current folder for a postgresql:// URL,
    whose database is created when the server lacks it).
    """
    from pathlib import Path

    from eventdesk.services.demo import create_demo, demo_exists, remove_demo
    from eventdesk.services.events import EventError

    settings = settings_from(obj, db=db)
    target = settings.db or "eventdesk-demo.db"
    if fresh:
        try:
            remove_demo(target)
        except EventError as error:
            raise Failure(str(error)) from None
    if fresh or not demo_exists(target):
        from eventdesk.cli.common import parse_moment
        from eventdesk.services.demo import load_fixture
        from eventdesk.store.demo_history import add_demo_history

        click.echo("Building the demo event (about 700 attendees)…", err=True)
        create_demo(target)
        # Its past up to the moment the clock starts: people already in, rooms filling, meetings held.
        zone = load_fixture().config["event"]["timezone"]
        add_demo_history(target, until=parse_moment(now or DEMO_MOMENT, zone))
    elif now is not None:
        click.echo(
            "Opening the existing demo: its recorded past stays as it was built; "
            "add --fresh to rebuild it up to this --now.",
            err=True,
        )
    # Beside the database file; for a server URL, in the current folder.
    folder = Path(target).expanduser().absolute().parent if "://" not in target else Path.cwd()
    from eventdesk.services.privacy import DEMO_BADGES_FOLDER

    badges = folder / DEMO_BADGES_FOLDER
    open_tui(obj, target, desk, now or DEMO_MOMENT, speed, fallback_printer=f"preview://{badges}")


@main.command()
@db_option
@click.option("--name", required=True, help="Name of the event.")
@click.option("--tz", "tz", required=True, help="Time zone of the venue, e.g. Europe/Brussels.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day (YYYY-MM-DD).")
@click.option("--venue", default="", help="Venue, e.g. 'Brussels'.")
@click.pass_obj
@friendly_errors
def init(obj: dict, db: str | None, name: str, tz: str, start, end, venue: str) -> None:
    """Create a new, empty event for your own people and programme."""
    from eventdesk.services.events import EventError, create_event

    settings = settings_from(obj, db=db)
    try:
        create_event(require_db(settings), name=name, timezone=tz, start=start.date(), end=end.date(), venue=venue)
    except EventError as error:
        raise Failure(str(error)) from None
    click.echo(
        f"Created '{name}' in {settings.db}. Import people with 'eventdesk import attendees FILE --db {settings.db}'."
    )


@main.command()
@db_option
@desk_option
@clock_options
@click.option(
    "--screen",
    type=click.Choice(["checkin", "agenda", "rooms", "meetings", "desks"]),
    default="checkin",
    help="The screen to open on.",
)
@click.pass_obj
@friendly_errors
def run(obj: dict, db: str | None, desk: str | None, now: str | None, speed: float | None, screen: str) -> None:
    """Open the TUI on an existing event (the self check-in kiosk when the settings say kiosk = true)."""
    if settings_from(obj, db=db, desk=desk).kiosk:
        from eventdesk.cli.kiosk import open_kiosk

        open_kiosk(obj, db, desk, now, speed, None)
        return
    open_tui(obj, db, desk, now, speed, screen=screen)


# Each area adds its commands to the groups above.
from eventdesk.cli import agenda as _agenda  # noqa: E402,F401
from eventdesk.cli import attendees as _attendees  # noqa: E402,F401
from eventdesk.cli import backup as _backup  # noqa: E402,F401
from eventdesk.cli import badges as _badges  # noqa: E402,F401
from eventdesk.cli import chair as _chair  # noqa: E402,F401
from eventdesk.cli import checkin as _checkin  # noqa: E402,F401
from eventdesk.cli import data as _data  # noqa: E402,F401
from eventdesk.cli import desks as _desks  # noqa: E402,F401
from eventdesk.cli import doctor as _doctor  # noqa: E402,F401
from eventdesk.cli import kiosk as _kiosk  # noqa: E402,F401
from eventdesk.cli import meetings as _meetings  # noqa: E402,F401
from eventdesk.cli import status as _status  # noqa: E402,F401
from eventdesk.cli import sync as _sync  # noqa: E402,F401
