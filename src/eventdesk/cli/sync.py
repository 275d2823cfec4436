"""``eventdesk sync``: upload this desk's offline journal and refresh its copy of the event now;
``eventdesk reconcile``: the people admitted at two desks while one was offline."""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import (
    Failure,
    db_option,
    desk_option,
    echo_json,
    friendly_errors,
    require_db,
    say,
    settings_from,
)


def _needs_server(db: str) -> None:
    if "://" not in db or db.startswith("sqlite"):
        raise Failure(
            "A desk with its own database file is never offline: sync and reconcile are for desks "
            "sharing a PostgreSQL server (--db postgresql://HOST/EVENT)."
        )


def open_desk(settings, desk: str, prepare: bool = True, clock_for=None):
    """The desk for one command, through the server or from its own file (see services.offline);
    ``prepare``: upload a waiting journal and refresh a stale copy first (a scan)."""
    from eventdesk.services.offline.desk import open_for_command
    from eventdesk.services.offline.link import ServerUnreachable

    try:
        return open_for_command(settings, desk, prepare=prepare, clock_for=clock_for)
    except ServerUnreachable as error:
        raise Failure(f"{error}.") from None


def open_app_desk(settings, *, create: bool = False, clock_for=None):
    """(context, desk) for an app (run, kiosk, chair, board): on a server that does not answer, the
    desk opens offline from its copy; a desk that never was online fails in one line."""
    from eventdesk.services.desk import open_desk
    from eventdesk.services.offline.link import ServerUnreachable

    try:
        return open_desk(settings, create=create, clock_for=clock_for)
    except ServerUnreachable as error:
        raise Failure(f"{error}.") from None


def require_answering_server(settings, what: str) -> None:
    """Fail in one line, within a second, when ``settings.db`` is a server that does not answer:
    ``what`` (the chair view, the board) needs the server's agenda, which no offline copy holds."""
    from eventdesk.services.offline.desk import FIRST_ANSWER_S, server_address
    from eventdesk.services.offline.link import ServerLink, uses_server
    from eventdesk.store.db import make_engine

    engine = make_engine(require_db(settings), create=False)
    if not uses_server(engine):
        return
    link = ServerLink(engine)
    try:
        if not link.answers_within(FIRST_ANSWER_S):
            raise Failure(
                f"The server {server_address(settings.db)} did not answer ({link.lost_reason}); {what} "
                "needs it (no offline copy holds the agenda): start it again when the server answers."
            )
    finally:
        link.close()
        engine.dispose(close=False)


def _when(at, zone) -> str:
    return at.astimezone(zone).strftime("%a %H:%M:%S") if at is not None else "-"


@main.command("sync")
@desk_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_obj
@friendly_errors
def sync(obj: dict, desk: str | None, as_json: bool, db: str | None) -> None:
    """Upload this desk's offline scans and refresh its offline copy of the event, now.

    A desk screen does this by itself when the server is back; this is for the command line and
    for a desk that was closed while offline. Prints what it uploaded and what conflicted."""
    from eventdesk.domain.text import printable
    from eventdesk.services.offline.link import ServerUnreachable

    settings = settings_from(obj, db=db, desk=desk)
    _needs_server(require_db(settings))
    server_desk = open_desk(settings, settings.desk, prepare=False)
    if not server_desk.link.reachable:
        waiting = server_desk.copy.waiting_count()
        raise Failure(
            f"The server did not answer ({server_desk.link.lost_reason}); {waiting} offline scans of "
            f"'{settings.desk}' wait in {server_desk.copy.path} and nothing was uploaded."
        )
    before = {e.nonce for e in server_desk.copy.journal() if e.uploaded_at is not None}
    try:
        report = server_desk.upload()
        people = server_desk.refresh()
    except ServerUnreachable as error:
        raise Failure(
            f"The server stopped answering during the sync ({error}); "
            f"{server_desk.copy.waiting_count()} offline scans still wait."
        ) from None
    # Scans this command found uploaded by the desk's screen meanwhile are not counted twice.
    report.uploaded = [u for u in report.uploaded if u.entry.nonce not in before]
    zone = server_desk.zone()
    data = {"desk": settings.desk, "file": str(server_desk.copy.path), "snapshot_people": people, **report.as_dict()}
    if as_json:
        echo_json(data)
        return
    results = ", ".join(f"{n} {r}" for r, n in sorted(data["results"].items())) or "nothing waited"
    say(
        f"{settings.desk}: uploaded {len(report.uploaded)} offline scans ({results}); "
        f"{report.waiting} still waiting. Offline copy refreshed: {people} people."
    )
    if report.conflicts:
        say(
            f"{len(report.conflicts)} admitted here while offline but refused by the server "
            "('eventdesk reconcile' lists every conflict with both desks):"
        )
        for u in report.conflicts:
            who = server_desk.copy.person(u.entry.person_id) if u.entry.person_id else None
            name = (
                printable(f"{who['first_name']} {who['last_name']}".strip(), 60) if who else printable(u.entry.code, 40)
            )
            say(
                f"  {name}: {u.server_result} on {printable(u.entry.list_name, 40)} "
                f"(scanned here {_when(u.entry.scanned_at, zone)})"
            )


@main.command("reconcile")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_obj
@friendly_errors
def reconcile(obj: dict, as_json: bool, db: str | None) -> None:
    """People admitted at two desks while one was offline, with both desks and times."""
    from eventdesk.domain.text import printable
    from eventdesk.services.context import open_context
    from eventdesk.services.offline.reconcile import conflicts

    settings = settings_from(obj, db=db)
    _needs_server(require_db(settings))
    context = open_context(require_db(settings), settings)
    found = conflicts(context)
    if as_json:
        echo_json({"conflicts": [c.as_dict() for c in found], "count": len(found)})
        return
    if not found:
        say("No conflicts: nobody was admitted by an offline desk whom the server refused.")
        return
    zone = context.zone()
    who = "1 person" if len(found) == 1 else f"{len(found)} people"
    say(f"{who} admitted by a desk while it was offline and refused by the server:")
    say(f"{'person':<32} {'list':<18} {'offline desk':<16} {'at':<12} {'counted at':<16} {'at':<12} server")
    for c in found:
        say(
            f"{printable(c.person.name, 32):<32} {printable(c.list_name, 18):<18} "
            f"{printable(c.offline_desk, 16):<16} {_when(c.offline_at, zone):<12} "
            f"{printable(c.other_desk or '-', 16):<16} {_when(c.other_at, zone):<12} {c.server_result}"
        )
