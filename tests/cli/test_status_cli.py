"""``eventdesk status``: what the desk lead and scripts read about the store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from eventdesk.cli import main
from eventdesk.services.backup import take_backup
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store import migrate, print_jobs


def test_status_counts_people_lists_jobs_and_names_the_last_backup(demo_db, badge_codes):
    context = open_context(demo_db, Settings(db=demo_db))
    codes = badge_codes(demo_db)
    for code in codes[:12]:
        check_in(context, code)
    check_in(context, codes[0], direction="exit")
    check_in(context, codes[:3][2], list_name="Auditorium")
    with context.session() as session:
        print_jobs.mark_failed(session, 1, "paper out")
    runner = CliRunner()
    before = json.loads(runner.invoke(main, ["status", "--db", demo_db, "--json"]).output)
    assert before["last_backup"] is None
    copy = take_backup(context)
    done = runner.invoke(main, ["status", "--db", demo_db, "--json"])
    assert done.exit_code == 0, done.output
    status = json.loads(done.output)
    assert status["event"]["name"] == "European Cluster Conference 2024"
    assert status["attendees"]["total"] == 697 and status["attendees"]["by_status"] == {"active": 697}
    assert sum(status["attendees"]["by_category"].values()) == 697
    lists = {f["name"]: f for f in status["lists"]}
    assert lists["Main entrance"]["checked_in"] == 12 and lists["Auditorium"]["checked_in"] == 1
    assert status["inside_now"] == 11  # one went out again
    assert status["print_jobs"] == {"waiting": 11, "failed": 1, "by_state": {"failed": 1, "pending": 11}}
    assert status["sessions"] == {"scheduled": 47} and sum(status["meetings"].values()) == 839
    assert status["last_backup"]["path"] == str(copy.path)
    assert status["schema"] == {"revision": migrate.head_revision(), "head": migrate.head_revision(), "current": True}
    text = runner.invoke(main, ["status", "--db", demo_db]).output
    assert "inside now  11" in text and "print jobs  11 waiting, 1 failed" in text
    assert "last backup " in text and str(copy.path) in text and "(current)" in text
