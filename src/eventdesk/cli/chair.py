"""``eventdesk chair --room NAME``: the chair's view of one room, full screen."""

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


@main.command("chair")
@click.option(
    "--room",
    "room",
    required=True,
    metavar="NAME",
    help="The room (case and accents ignored; a unique beginning will do).",
)
@db_option
@desk_option
@clock_options
@click.pass_obj
@friendly_errors
def chair(obj: dict, room: str, db: str | None, desk: str | None, now: str | None, speed: float | None) -> None:
    """The chair's view of one room: the session, a large countdown (amber at 5 minutes, red when
    over time), who speaks now, what follows, whether the speakers have arrived, and the chair
    keys (s started, e ended, + / - 5 min). Ctrl+Q quits.

    --now 2024-05-06T13:20 starts a rehearsal clock, as for 'eventdesk run'.
    """
    from eventdesk.cli.sync import require_answering_server
    from eventdesk.logs import quiet_logging
    from eventdesk.services.chair import ChairError, chair_state
    from eventdesk.services.context import open_context

    quiet_logging()
    settings = settings_from(obj, db=db, desk=desk)
    require_answering_server(settings, "the chair view")
    context = open_context(require_db(settings), settings)
    context.clock = make_clock(now, speed, context.event().timezone)
    try:
        state = chair_state(context, room)  # a wrong room name fails here, in one line
    except ChairError as error:
        raise Failure(str(error)) from None
    from eventdesk.tui.chair_app import ChairApp

    ChairApp(context, state.room.name).run()


from eventdesk.cli.agenda import serve_group  # noqa: E402


@serve_group.command("countdown")
@click.option("--room", "room", required=True, metavar="NAME", help="The room whose session is counted down.")
@click.option("--port", type=int, default=8010, show_default=True, help="TCP port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets the stage monitor or a tablet connect.",
)
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def serve_countdown(
    obj: dict, room: str, port: int, host: str, db: str | None, now: str | None, speed: float | None
) -> None:
    """Serve a read-only countdown for the speaker: open http://HOST:PORT on the stage monitor.

    It shows the session's title and time left in large digits, "Please conclude" at 2 minutes and
    "Time is up" when over, and follows the chair's start, end and delays within a second. Only
    titles and times are served, never attendee data.
    """
    from eventdesk.services.chair import ChairError
    from eventdesk.services.context import open_context
    from eventdesk.web.countdown import CountdownSource, make_server

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    context.clock = make_clock(now, speed, context.event().timezone)
    try:
        source = CountdownSource(context, room)
    except ChairError as error:
        raise Failure(str(error)) from None
    try:
        server = make_server(source, host, port)
    except OSError as error:
        raise Failure(f"Cannot listen on {host}:{port}: {error.strerror or error}. Choose another --port.") from None
    click.echo(f"Serving the countdown of {source.source.room.name} on http://{host}:{port} (Ctrl+C stops).", err=True)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
