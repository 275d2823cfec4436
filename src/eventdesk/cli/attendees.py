"""Commands about people: import, search and export them (one person's data: ``cli.data``)."""

from __future__ import annotations

import os

import click

from eventdesk.cli import export_group, import_group, main
from eventdesk.cli.common import Failure, db_option, echo_json, friendly_errors, require_db, say, settings_from


@main.group()
def attendees() -> None:
    """Find people; export (subject access) or forget (erasure) one person's data."""


@attendees.command("search")
@click.argument("query")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=int, default=20, show_default=True)
@click.pass_obj
@friendly_errors
def search(obj: dict, query: str, db: str | None, as_json: bool, limit: int) -> None:
    """People matching QUERY (name, organisation, e-mail or code; accents and case ignored)."""
    from eventdesk.services.attendees import search_people
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    people = search_people(context, query, limit=limit, min_chars=1)
    if as_json:
        echo_json([p.as_dict() for p in people])
        return
    if not people:
        say("Nobody matches.", err=True)
        raise SystemExit(1)
    for p in people:
        say(
            f"{p.badge_code}  {p.name}  ({p.organisation or '-'}, {p.category}{', ' + p.status if p.status != 'active' else ''})"
        )


class _ProgressBars:
    """click progress bars on stderr, one per stage, only for big files on a terminal."""

    THRESHOLD = 2000

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None

    def stage(self, label: str, total: int) -> None:
        self.done()
        if self.enabled and total > self.THRESHOLD:
            self.bar = click.progressbar(length=total, label=label.ljust(8), file=click.get_text_stream("stderr"))
            self.bar.__enter__()

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(self.bar.length - self.bar.pos)  # the total was estimated from line breaks
            self.bar.__exit__(None, None, None)
            self.bar = None


@import_group.command("attendees")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "csv", "pretix", "eventbrite"]),
    default="auto",
    show_default=True,
    help="auto recognises the pretix check-in list export and the Eventbrite attendee report "
    "by their headers; csv maps common column names (first name, last name, e-mail, "
    "company, category, code, ...).",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read FIELD from COLUMN (repeatable), overriding or completing the columns recognised by "
    "name. FIELD: first_name, last_name, name (split into first and last), badge_name, pronouns, "
    "organisation, role, email, country, category, code, status. "
    'Example: --map name="What name would you like printed on your badge?"',
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the whole file, show the columns used and the first rows "
    "as they will be stored, and say what would change; write nothing.",
)
@db_option
@click.pass_obj
@friendly_errors
def import_attendees_command(
    obj: dict, file: str, fmt: str, mappings: tuple[str, ...], dry_run: bool, db: str | None
) -> None:
    """Import people from the CSV FILE into the event (create it first with 'eventdesk init').

    All or nothing: if any row is wrong, nothing is imported and each problem is named by its line.
    Importing the same file again updates people instead of adding them twice: they are matched by
    their ticket in pretix or Eventbrite, then by badge code, then by name and e-mail. Fields the
    file has no column for keep their values. UTF-8 (with or without BOM) and Windows-1252 files,
    separated by ',' ';' or tabs, are read as they come.
    """
    from eventdesk.cli.common import stderr_is_tty
    from eventdesk.services.context import open_context
    from eventdesk.services.import_attendees import AttendeeImportError, import_attendees

    mapping: dict[str, str] = {}
    for item in mappings:
        fld, sep, column = item.partition("=")
        if not sep or not fld.strip() or not column.strip():
            raise Failure(f'--map {item!r}: write FIELD=COLUMN, e.g. --map name="Full name".')
        mapping[fld.strip()] = column
    settings = settings_from(obj, db=db)
    context = open_context(require_db(settings), settings)
    try:
        summary = import_attendees(
            context, file, fmt, dry_run=dry_run, progress=_ProgressBars(stderr_is_tty()), mapping=mapping or None
        )
    except AttendeeImportError as error:
        raise Failure(str(error)) from None
    for line in summary.lines():
        say(line)


@export_group.command("attendees")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write (default: standard output).",
)
@db_option
@click.pass_obj
@friendly_errors
def export_attendees_command(obj: dict, output: str | None, db: str | None) -> None:
    """Write every attendee as CSV (UTF-8): first and last name, badge name, pronouns,
    organisation, role, e-mail, country, category, status, note and badge code.
    'eventdesk import attendees' reads the file back."""
    from eventdesk.services.attendees import export_attendees_csv
    from eventdesk.services.context import open_context

    settings = settings_from(obj, db=db)
    text = export_attendees_csv(open_context(require_db(settings), settings))
    if output is None:
        click.echo(text, nl=False)
        return
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
    with open(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    say(f"Wrote {text.count(chr(10)) - 1} attendees to {output}.", err=True)
