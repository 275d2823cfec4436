"""``eventdesk status [--json]``: the state of the store for the desk lead and for scripts."""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import db_option, echo_json, friendly_errors, require_db, say, settings_from


@main.command("status")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
@friendly_errors
def status(obj: dict, db: str | None, as_json: bool) -> None:
    """The event, attendees by status and category, checked in per list, inside now, sessions,
    meetings, print jobs waiting/failed, the last backup and the schema version."""
    from eventdesk.services.context import open_context
    from eventdesk.services.status import store_status

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    found = store_status(context)
    if as_json:
        echo_json(found.as_dict())
        return
    zone = context.zone()
    e = found.event
    say(f"{e['name']} ({e['venue'] or 'no venue'}, {e['start']} to {e['end']}, {e['timezone']})")
    a = found.attendees
    say(f"attendees   {a['total']}: " + ", ".join(f"{n} {s}" for s, n in a["by_status"].items()))
    say("  by category: " + (", ".join(f"{n} {c}" for c, n in a["by_category"].items()) or "-"))
    say(f"inside now  {found.inside_now}")
    for f in found.lists:
        say(f"  {f.name[:30]:<30} {f.checked_in:>5}/{f.expected:<5} checked in, {f.inside_now} inside now")
    say("sessions    " + (", ".join(f"{n} {s}" for s, n in found.sessions.items()) or "none"))
    say("meetings    " + (", ".join(f"{n} {s}" for s, n in found.meetings.items()) or "none"))
    say(f"print jobs  {found.print_jobs['waiting']} waiting, {found.print_jobs['failed']} failed")
    b = found.last_backup
    say(
        "last backup "
        + (
            f"{b['taken_at'].astimezone(zone):%a %d %b %H:%M} {b['path']}"
            if b
            else "none yet ('eventdesk backup' makes one)"
        )
    )
    s = found.schema
    say(
        f"schema      {s['revision']}"
        + (" (current)" if s["current"] else f" (newest is {s['head']}: open it once to upgrade)")
    )
