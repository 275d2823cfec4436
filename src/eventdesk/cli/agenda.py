"""Commands of the agenda area."""

from __future__ import annotations

import click

# --- import agenda (agenda import) ---------------------------------------------------------------
from eventdesk.cli import (
    import_group,
    main,
)
from eventdesk.cli.common import (
    Failure,
    db_option,
    echo_json,
    friendly_errors,
    require_db,
    say,
    settings_from,
)


@import_group.command("agenda")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "frab", "c3voc", "ics", "csv"]),
    default="auto",
    show_default=True,
    help="Format of FILE: frab/Pentabarf schedule.xml, c3voc schedule.json (v1 or v2), "
    "iCalendar, or CSV (room, start, end or duration, title, speakers).",
)
@click.option(
    "--tz",
    "tz",
    metavar="ZONE",
    default=None,
    help="Time zone of local times in files that name none (CSV, old Pentabarf XML, floating "
    "iCalendar times), e.g. Europe/Brussels. Default: the event's time zone.",
)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_obj
@friendly_errors
def import_agenda_command(obj: dict, file: str, fmt: str, tz: str | None, db: str | None, as_json: bool) -> None:
    """Import the programme (rooms, sessions, speakers) from FILE.

    Importing the same file again updates its sessions and keeps the delays, status and times
    recorded on site. A database that holds no event yet (or does not exist) gets the event
    from the file's own conference data. All or nothing: a bad file imports nothing.
    """
    from eventdesk.services.import_agenda import AgendaImportError, import_agenda_file

    settings = settings_from(obj, db=db)
    try:
        report = import_agenda_file(require_db(settings), file, fmt, tz, settings)
    except AgendaImportError as error:
        raise Failure(str(error)) from None
    if as_json:
        echo_json(report.as_dict())
        return
    for line in report.lines():
        say(line)


# --- end of import agenda ------------------------------------------------------------------------


# --- live agenda, room board, serve board (live agenda) ------------------------------------------
from eventdesk.cli.common import clock_options, desk_option, parse_moment  # noqa: E402


@main.group("agenda")
def agenda_group() -> None:
    """The live agenda: what runs in each room."""


@agenda_group.command("now")
@click.option(
    "--at",
    "at_text",
    metavar="ISO-DATETIME",
    default=None,
    help="The moment to look at (default: now). Without an offset it is read in the event's time zone.",
)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per room with 'now' and 'next'.")
@click.pass_obj
@friendly_errors
def agenda_now(obj: dict, at_text: str | None, db: str | None, as_json: bool) -> None:
    """What runs in each room now (or --at a moment), how long it has left, and what comes next."""
    from eventdesk.domain.agenda import format_countdown, format_delay, time_left
    from eventdesk.services.agenda import now_and_next, room_now_dict
    from eventdesk.services.context import open_context
    from eventdesk.services.speakers import speaker_arrivals

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    zone = context.zone()
    at = parse_moment(at_text, context.event().timezone) if at_text else context.now()
    rooms = now_and_next(context, at)
    if as_json:
        arrivals = speaker_arrivals(context, [s.id for r in rooms for s in (r.current, r.next) if s is not None], at)
        echo_json(
            {"at": at.astimezone(zone).isoformat(), "rooms": [room_now_dict(r, zone, at, arrivals) for r in rooms]}
        )
        return
    if not rooms:
        say("This event has no rooms yet; import an agenda with 'eventdesk import agenda FILE'.", err=True)
        return
    say(f"{at.astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})")
    width = max(len(r.room.name) for r in rooms)
    for entry in rooms:
        if entry.current is not None:
            info = entry.current
            delay = format_delay(info.slot.delay_minutes)
            now_text = (
                f"{info.local_start(zone):%H:%M}-{info.local_end(zone):%H:%M} {info.title}"
                f" ({format_countdown(time_left(info.slot, at))} left{', ' + delay if delay else ''})"
            )
        else:
            now_text = "free"
        next_text = f"   next {entry.next.local_start(zone):%H:%M} {entry.next.title}" if entry.next else ""
        say(f"{entry.room.name:<{width}}  {now_text}{next_text}")


def _chair_action(obj: dict, db: str | None, action, now: str | None = None) -> None:
    from eventdesk.cli.common import make_clock
    from eventdesk.services.agenda import AgendaError
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    if now is not None:  # a rehearsal: the chair acts at that moment of the event
        context.clock = make_clock(now, None, context.event().timezone)
    try:
        result = action(context)
    except AgendaError as error:
        raise Failure(str(error)) from None
    say(result.message)


# The chair's moment: start/end act only on sessions of that day (a rehearsal gives it).
_at_option = click.option(
    "--now",
    "now",
    metavar="ISO-DATETIME",
    default=None,
    help="Act at this moment of the event (rehearsal); without an offset it is read "
    "in the event's time zone. Default: now.",
)


@agenda_group.command("start")
@click.argument("session_id", type=int)
@db_option
@_at_option
@click.pass_obj
@friendly_errors
def agenda_start(obj: dict, session_id: int, db: str | None, now: str | None) -> None:
    """Mark session SESSION_ID started (ids: 'eventdesk agenda now --json')."""
    from eventdesk.services.agenda import mark_started

    _chair_action(obj, db, lambda context: mark_started(context, session_id), now)


@agenda_group.command("end")
@click.argument("session_id", type=int)
@db_option
@_at_option
@click.pass_obj
@friendly_errors
def agenda_end(obj: dict, session_id: int, db: str | None, now: str | None) -> None:
    """Mark session SESSION_ID ended."""
    from eventdesk.services.agenda import mark_ended

    _chair_action(obj, db, lambda context: mark_ended(context, session_id), now)


@agenda_group.command("delay", context_settings={"ignore_unknown_options": True})
@click.argument("session_id", type=int)
@click.argument("minutes", type=int)
@db_option
@_at_option
@click.pass_obj
@friendly_errors
def agenda_delay(obj: dict, session_id: int, minutes: int, db: str | None, now: str | None) -> None:
    """Delay session SESSION_ID by MINUTES (negative pulls it back) and move the following
    sessions of its room until a gap absorbs the change: 'eventdesk agenda delay 12 -5'."""
    from eventdesk.services.agenda import delay

    _chair_action(obj, db, lambda context: delay(context, session_id, minutes), now)


@agenda_group.command("link")
@click.argument("session_id", type=int, required=False)
@click.argument("speaker", required=False)
@click.argument("attendee", required=False)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@friendly_errors
def agenda_link(
    obj: dict, session_id: int | None, speaker: str | None, attendee: str | None, db: str | None, as_json: bool
) -> None:
    """Link speakers to the attendees they are, so the desk and the chair see them arrive.

    \b
    eventdesk agenda link                       link every unlinked speaker whose name (or e-mail)
                                                is exactly one attendee's; list the others
    eventdesk agenda link SESSION_ID SPEAKER ATTENDEE
                                                link one: SPEAKER is its number in the session (1, 2...)
                                                or its name; ATTENDEE a badge code, id, e-mail or name
    """
    from eventdesk.services.context import open_context
    from eventdesk.services.speakers import SpeakerError, link_speaker, relink_speakers

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    if session_id is None:
        report = relink_speakers(context)
        if as_json:
            echo_json(report.as_dict())
        else:
            for line in report.lines():
                say(line)
        return
    if speaker is None or attendee is None:
        raise Failure("Give SESSION_ID SPEAKER ATTENDEE (or nothing, to link every speaker by name).")
    try:
        message = link_speaker(context, session_id, speaker, attendee)
    except SpeakerError as error:
        raise Failure(str(error)) from None
    if as_json:
        echo_json({"linked": True, "message": message})
    else:
        say(message)


@agenda_group.command("cancel")
@click.argument("session_id", type=int)
@db_option
@click.pass_obj
@friendly_errors
def agenda_cancel(obj: dict, session_id: int, db: str | None) -> None:
    """Cancel session SESSION_ID, or reinstate it if it is cancelled."""
    from eventdesk.services.agenda import cancel

    _chair_action(obj, db, lambda context: cancel(context, session_id))


@main.command("board")
@db_option
@desk_option
@clock_options
@click.pass_obj
@friendly_errors
def board(obj: dict, db: str | None, desk: str | None, now: str | None, speed: float | None) -> None:
    """Open the room board full screen (for operations or a foyer screen): the board only, no
    other screen can be reached from it.

    --now 2024-05-07T09:00 --speed 60 replays a day at a minute per second.
    """
    from eventdesk.cli.common import make_clock
    from eventdesk.cli.sync import require_answering_server
    from eventdesk.logs import quiet_logging
    from eventdesk.services.context import open_context

    quiet_logging()
    settings = settings_from(obj, db=db, desk=desk)
    require_answering_server(settings, "the room board")
    context = open_context(require_db(settings), settings)
    context.clock = make_clock(now, speed, context.event().timezone)
    from eventdesk.tui.board_app import BoardApp

    BoardApp(context).run()


@main.group("serve")
def serve_group() -> None:
    """Serve a screen to web browsers (textual-serve)."""


@serve_group.command("board")
@click.option("--port", type=int, required=True, help="TCP port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other machines (the foyer TV) connect.",
)
@db_option
@clock_options
@click.pass_obj
@friendly_errors
def serve_board(obj: dict, port: int, host: str, db: str | None, now: str | None, speed: float | None) -> None:
    """Serve the room board to browsers: open http://HOST:PORT on the foyer screen.

    Each browser gets its own board process reading the same database, so it updates live.
    """
    import shlex
    import sys

    from eventdesk.cli.common import make_clock
    from eventdesk.services.context import open_context

    try:
        from textual_serve.server import Server
    except ImportError:
        raise Failure("textual-serve is not installed: pip install 'eventdesk[serve]'.") from None
    settings = settings_from(obj, db=db)
    database = require_db(settings)
    context = open_context(database, settings)  # fail here, not in every browser, on a bad database
    make_clock(now, speed, context.event().timezone)  # the same check of --now/--speed
    if "://" not in database:
        from pathlib import Path

        database = str(Path(database).expanduser().absolute())
    command = [sys.executable, "-m", "eventdesk"]
    if obj.get("config"):
        command += ["--config", obj["config"]]
    command += ["board", "--db", database]
    if now:
        command += ["--now", now]
    if speed is not None:
        command += ["--speed", str(speed)]
    say(f"Serving the room board of '{context.event().name}' on http://{host}:{port} (Ctrl+C stops).", err=True)
    Server(shlex.join(command), host=host, port=port, title=f"{context.event().name}: rooms").serve()


# --- end of live agenda --------------------------------------------------------------------------
