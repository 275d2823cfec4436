"""Every command against a PostgreSQL URL, as desks sharing one server run them: the demo builds
there (its database created when the server lacks it) and is rebuilt by --fresh, and the
commands read and write the shared store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from eventdesk.cli import main

pytestmark = pytest.mark.postgres


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_demo_builds_on_a_server_that_lacks_its_database_and_commands_use_it(pg_url, monkeypatch, tmp_path):
    from eventdesk.cli.common import parse_moment
    from eventdesk.services.demo import create_demo, demo_exists, remove_demo
    from eventdesk.store.db import make_engine
    from eventdesk.store.demo_history import add_demo_history

    url = pg_url + "_demo"  # not on the server yet
    monkeypatch.chdir(tmp_path)
    try:
        assert not demo_exists(url)
        create_demo(url)
        add_demo_history(url, until=parse_moment("2024-05-08T10:15", "Europe/Brussels"))
        assert demo_exists(url)

        now = _run("agenda", "now", "--db", url, "--at", "2024-05-08T10:15", "--json")
        assert now.exit_code == 0 and json.loads(now.output)
        found = _run("attendees", "search", "izsak", "--db", url, "--json")
        people = json.loads(found.output)
        assert found.exit_code == 0 and people
        scan = _run("checkin", people[0]["badge_code"], "--db", url, "--desk", "Desk 9", "--json")
        assert scan.exit_code in (0, 2) and json.loads(scan.output)["result"] in ("ok", "already_checked_in")
        figures = _run("checkin", "figures", "--db", url)
        assert figures.exit_code == 0 and "Main entrance" in figures.output
        exported = _run("export", "meetings", "--db", url, "-o", str(tmp_path / "meetings.csv"))
        assert exported.exit_code == 0 and (tmp_path / "meetings.csv").read_text().count("\n") > 10
        desks = _run("desks", "--db", url, "--now", "2024-05-08T10:15", "--json")
        assert "Desk 9" in [d["desk"] for d in json.loads(desks.output)]

        remove_demo(url)  # --fresh: the demo's tables go, the database stays
        assert not demo_exists(url)
        create_demo(url)
        assert demo_exists(url)
    finally:
        engine = make_engine(pg_url, create=False)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        engine.dispose()


def test_fresh_never_drops_another_event(pg_url):
    from datetime import date

    from eventdesk.services.demo import remove_demo
    from eventdesk.services.events import EventError, create_event

    create_event(
        pg_url, name="Our Real Conference", timezone="Europe/Brussels", start=date(2024, 5, 7), end=date(2024, 5, 8)
    )
    with pytest.raises(EventError, match="Our Real Conference"):
        remove_demo(pg_url)
    refused = _run("demo", "--db", pg_url, "--fresh")
    assert refused.exit_code == 1 and "not the demo" in refused.output
