"""``eventdesk doctor``: is the desk ready before the doors open?"""

from __future__ import annotations

import click

from eventdesk.cli import main
from eventdesk.cli.common import db_option, desk_option, echo_json, friendly_errors, require_db, say, settings_from

MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


@main.command("doctor")
@db_option
@desk_option
@click.option("--print-test", is_flag=True, help="Also print a test badge on each printer and check its QR code.")
@click.option(
    "--badges",
    is_flag=True,
    help="Also draw every badge (the default check measures every name and checks its letters).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
@friendly_errors
def doctor(obj: dict, db: str | None, desk: str | None, print_test: bool, badges: bool, as_json: bool) -> None:
    """Check that this desk is ready: store integrity, migrations, file mode, each printer, badges,
    agenda conflicts, meeting double bookings, clock and time zone, disk space, backups.

    Exit status 0 when nothing blocks the desk (warnings allowed), 1 when something does."""
    from eventdesk.services.context import open_context
    from eventdesk.services.doctor import run_checks

    settings = settings_from(obj, db=db, desk=desk)
    context = open_context(require_db(settings), settings)
    report = run_checks(context, print_test=print_test, badges=badges)
    if as_json:
        echo_json(report.as_dict())
    else:
        for check in report.checks:
            say(f"{MARK[check.verdict]}  {check.name:<18} {check.detail}")
        say("Ready." if report.ok else "NOT READY: fix the FAIL lines above.")
    if not report.ok:
        raise SystemExit(1)
