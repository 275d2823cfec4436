"""Commands of the agenda area."""

from __future__ import annotations

import click

from eventdesk.cli import main  # noqa: F401
from eventdesk.cli.common import Failure, db_option, echo_json, friendly_errors, settings_from  # noqa: F401

# --- import agenda (agenda import) ---------------------------------------------------------------
from eventdesk.cli import import_group  # noqa: E402
from eventdesk.cli.common import require_db  # noqa: E402


@import_group.command("agenda")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["auto", "frab", "c3voc", "ics", "csv"]), default="auto",
              show_default=True, help="Format of FILE: frab/Pentabarf schedule.xml, c3voc schedule.json (v1 or v2), "
                                      "iCalendar, or CSV (room, start, end or duration, title, speakers).")
@click.option("--tz", "tz", metavar="ZONE", default=None,
              help="Time zone of local times in files that name none (CSV, old Pentabarf XML, floating "
                   "iCalendar times), e.g. Europe/Brussels. Default: the event's time zone.")
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
        click.echo(line)
# --- end of import agenda ------------------------------------------------------------------------
