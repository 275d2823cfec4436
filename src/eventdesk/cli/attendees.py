"""Commands about people: import and search."""

from __future__ import annotations

import click

from eventdesk.cli import import_group, main
from eventdesk.cli.common import Failure, db_option, echo_json, friendly_errors, require_db, settings_from


@main.group()
def attendees() -> None:
    """Find people."""


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
        click.echo("Nobody matches.", err=True)
        raise SystemExit(1)
    for p in people:
        click.echo(f"{p.badge_code}  {p.name}  ({p.organisation or '-'}, {p.category}{', ' + p.status if p.status != 'active' else ''})")
