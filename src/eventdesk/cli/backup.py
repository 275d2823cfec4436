"""``eventdesk backup`` and ``eventdesk restore``: a consistent copy while desks keep scanning, and
a copy written back after its integrity is checked."""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import Failure, db_option, friendly_errors, require_db, say, settings_from


@main.command("backup")
@db_option
@click.option(
    "--to",
    "to",
    metavar="DIR",
    default=None,
    help="Folder for the copy (default: [backup] dir, else <database name>-backups beside the database).",
)
@click.option(
    "--keep", type=int, default=None, metavar="K", help="Keep only the newest K copies of this event in that folder."
)
@click.pass_obj
@friendly_errors
def backup(obj: dict, db: str | None, to: str | None, keep: int | None) -> None:
    """Copy the store now, while desks keep scanning (SQLite: a consistent snapshot, mode 0600;
    PostgreSQL: pg_dump), named by event and time."""
    from eventdesk.services.backup import BackupError, take_backup
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    try:
        done = take_backup(context, to=to, keep=keep)
    except BackupError as error:
        raise Failure(str(error)) from None
    say(f"Backup written: {done.path} ({done.size / 1e6:.1f} MB)")
    if done.removed:
        say(f"Removed {len(done.removed)} older copies (kept the newest {keep}).")


@main.command("restore")
@click.argument("copy", metavar="FILE", type=click.Path(dir_okay=False))
@db_option
@click.option("--force", is_flag=True, help="Overwrite the store at --db if it exists.")
@click.pass_obj
@friendly_errors
def restore(obj: dict, copy: str, db: str | None, force: bool) -> None:
    """Check a backup FILE's integrity and write it into the store at --db PATH (an existing store
    is overwritten only with --force)."""
    from eventdesk.services.backup import BackupError, restore_backup

    settings = settings_from(obj, db=db)
    try:
        done = restore_backup(copy, require_db(settings), force=force)
    except BackupError as error:
        raise Failure(str(error)) from None
    counts = done.counts
    say(
        f"Restored {copy} into {done.target}: {counts.get('attendee', 0)} attendees, "
        f"{counts.get('checkin_record', 0)} scans, {counts.get('session', 0)} sessions, "
        f"{counts.get('meeting', 0)} meetings. Integrity ok."
    )
