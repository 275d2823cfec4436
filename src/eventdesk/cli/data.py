"""Data protection from the command line: ``attendees forget``, ``attendees export``, ``purge``."""

from __future__ import annotations

import sys

import click

from eventdesk.cli import main
from eventdesk.cli.attendees import attendees
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


def _context(obj: dict, db: str | None, desk: str | None = None):
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db, desk=desk)
    return open_context(require_db(settings), settings)


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise Failure(f"{question} Add --yes to confirm (no terminal to ask on).")
    if not click.confirm(question, default=False):
        raise Failure("Nothing was changed.")


@main.group("attendee", hidden=True)
def attendee_group() -> None:
    """The older spelling of 'eventdesk attendees forget|export', kept for scripts."""


@attendees.command("forget")
@click.argument("attendee")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@desk_option
@db_option
@click.pass_obj
@friendly_errors
def forget(obj: dict, attendee: str, yes: bool, desk: str | None, db: str | None) -> None:
    """Erase ATTENDEE's personal data (names, organisation, e-mail, notes, badge previews) and
    revoke the badge code; check-in times and counts stay, anonymous. ATTENDEE: a badge code, an
    id, an e-mail or a name matching one person."""
    from eventdesk.domain.text import printable
    from eventdesk.services.attendees import PersonNotFound
    from eventdesk.services.privacy import PrivacyError, describe
    from eventdesk.services.privacy import forget as forget_person

    context = _context(obj, db, desk)
    try:
        person_id, name = describe(context, attendee)
        _confirm(
            f"Erase the personal data of {printable(name, 80)} (attendee {person_id})? This cannot be undone.", yes
        )
        done = forget_person(context, str(person_id))
    except (PersonNotFound, PrivacyError) as error:
        raise Failure(str(error)) from None
    say(
        f"Attendee {done.attendee_id} forgotten: personal data erased, badge code revoked, "
        f"{done.previews_deleted} badge previews deleted, {done.jobs_cancelled} print jobs cancelled. "
        "Backups taken before now still hold the old data until they are rotated out."
    )


@attendees.command("export")
@click.argument("attendee")
@click.option("--json", "as_json", is_flag=True, required=True, help="Print JSON (the only format).")
@db_option
@click.pass_obj
@friendly_errors
def export(obj: dict, attendee: str, as_json: bool, db: str | None) -> None:
    """Everything the store holds about ATTENDEE, as JSON (a subject access request)."""
    from eventdesk.services.attendees import PersonNotFound
    from eventdesk.services.privacy import export as export_person

    try:
        echo_json(export_person(_context(obj, db), attendee))
    except PersonNotFound as error:
        raise Failure(str(error)) from None


attendee_group.add_command(forget)
attendee_group.add_command(export)


@main.command("purge")
@click.option(
    "--before",
    "before",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Erase everyone registered before this day (YYYY-MM-DD, after the event's last day).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@desk_option
@db_option
@click.pass_obj
@friendly_errors
def purge(obj: dict, before, yes: bool, desk: str | None, db: str | None) -> None:
    """After the event: erase the personal data of everyone, keeping the figures; empty the badge
    previews folder and delete this event's backups (they hold the same names)."""
    from eventdesk.services.privacy import PrivacyError, purge_plan
    from eventdesk.services.privacy import purge as purge_all

    context = _context(obj, db, desk)
    try:
        count = purge_plan(context, before.date())
        _confirm(
            f"Erase the personal data of {count} people, the badge previews and the backups of "
            f"{context.event().name}? This cannot be undone.",
            yes,
        )
        done = purge_all(context, before.date())
    except PrivacyError as error:
        raise Failure(str(error)) from None
    say(
        f"Purged: {done.people} people erased, {done.previews_deleted} badge previews and "
        f"{done.backups_deleted} backups deleted. The figures (check-ins, categories, meetings) stay."
    )
