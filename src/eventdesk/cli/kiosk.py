"""``eventdesk kiosk``: the self check-in kiosk (see ``tui/screens/kiosk/``)."""

from __future__ import annotations

import click

from eventdesk.cli import main
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


def open_kiosk(
    obj: dict, db: str | None, desk: str | None, now: str | None, speed: float | None, list_name: str | None
) -> None:
    from eventdesk.cli.sync import open_app_desk
    from eventdesk.logs import quiet_logging
    from eventdesk.tui.kiosk_app import KioskError, make_kiosk_app

    quiet_logging()
    settings = settings_from(obj, db=db, desk=desk)
    if not settings.kiosk_pin:
        raise Failure(
            'The kiosk needs a PIN to leave it: set kiosk_pin = "..." in eventdesk.toml '
            "(or EVENTDESK_KIOSK_PIN) and start it again."
        )
    require_db(settings)
    context, the_desk = open_app_desk(settings, clock_for=lambda zone: make_clock(now, speed, zone))
    try:
        app = make_kiosk_app(context, list_name, desk=the_desk)
    except KioskError as error:
        raise Failure(str(error)) from None
    app.run()


@main.command("kiosk")
@db_option
@desk_option
@clock_options
@click.option(
    "--list",
    "list_name",
    default=None,
    help="The check-in list scans go to (default: kiosk_list of the settings, else the main entrance).",
)
@click.pass_obj
@friendly_errors
def kiosk(
    obj: dict, db: str | None, desk: str | None, now: str | None, speed: float | None, list_name: str | None
) -> None:
    """Self check-in: attendees scan their own code, read a welcome with their badge name, and
    their badge prints. Nothing else can be reached from it; Escape and the kiosk_pin of the
    settings leave it (it refuses to start without a PIN)."""
    open_kiosk(obj, db, desk, now, speed, list_name)
