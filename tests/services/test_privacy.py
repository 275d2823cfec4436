"""Data protection: forget one person, export one person's data, purge everybody after the event."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from eventdesk.cli import main
from eventdesk.services.attendees import search_people
from eventdesk.services.backup import take_backup
from eventdesk.services.checkin import check_in
from eventdesk.services.context import open_context
from eventdesk.services.print_workers import start_workers, stop_workers
from eventdesk.services.privacy import PrivacyError, export, forget, purge
from eventdesk.services.status import store_status
from eventdesk.settings import Settings
from eventdesk.store.models import Attendee, AuditEntry, CheckinRecord, Meeting

KRISTINA = "Šermukšnytė-Alešiūnienė"


def _context(db: str, previews: Path | None = None, desk: str = "Desk 2"):
    printers = {"preview": f"preview://{previews}"} if previews else {}
    return open_context(
        db, Settings(db=db, desk=desk, printers=printers, default_printer="preview" if previews else None)
    )


def _kristina(context) -> Attendee:
    with Session(context.engine) as session:
        return session.exec(select(Attendee).where(Attendee.last_name == KRISTINA)).one()


def _print_all(context) -> None:
    start_workers(context, poll_seconds=0.05)
    try:
        deadline = datetime.now().timestamp() + 30
        while store_status(context).print_jobs["waiting"] and datetime.now().timestamp() < deadline:
            time.sleep(0.05)
    finally:
        stop_workers(context)


def test_forget_erases_the_person_keeps_the_figures_and_revokes_the_badge(demo_db, tmp_path):
    previews = tmp_path / "badges"
    context = _context(demo_db, previews)
    person = _kristina(context)
    code = person.badge_code
    check_in(context, code)
    _print_all(context)
    assert len(list(previews.iterdir())) == 1
    figures_before = store_status(context)
    done = forget(context, code)
    assert done.attendee_id == person.id and done.previews_deleted == 1
    assert list(previews.iterdir()) == []
    with Session(context.engine) as session:
        after = session.get(Attendee, person.id)
        assert (after.first_name, after.last_name, after.organisation, after.email, after.role, after.note) == ("",) * 6
        assert after.forgotten_at is not None and after.category == "speaker"
        scans = session.exec(select(CheckinRecord).where(CheckinRecord.attendee_id == person.id)).all()
        assert len(scans) == 1 and scans[0].result == "ok"  # the check-in time stays, anonymous
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "attendee.forget")).one()
        assert audit.desk == "Desk 2" and audit.subject == f"attendee:{person.id}" and " by " in audit.detail
        assert "Kristina" not in audit.detail and KRISTINA not in audit.detail
        meetings = session.exec(
            select(Meeting).where((Meeting.attendee_a_id == person.id) | (Meeting.attendee_b_id == person.id))
        ).all()
        assert all(m.notes == "" for m in meetings)
    assert search_people(context, "sermuksnyte") == [] and search_people(context, "agrifood lithuania") == []
    again = check_in(context, code)  # nothing was reissued: the scan says the data was erased
    assert again.result == "forgotten" and again.person.name == ""
    assert again.label == "Data erased: this person's details were deleted at their request"
    figures_after = store_status(context)
    assert figures_after.attendees == figures_before.attendees  # counts by status and category unchanged
    assert figures_after.lists[0].checked_in == figures_before.lists[0].checked_in
    with pytest.raises(PrivacyError, match="already forgotten"):
        forget(context, str(person.id))


def test_forget_deletes_the_badge_preview_another_process_printed_into_its_own_folder(demo_db, tmp_path):
    kiosk_folder = tmp_path / "kiosk-badges"  # the kiosk's own settings file names this folder
    kiosk = _context(demo_db, kiosk_folder, desk="Kiosk")
    code = _kristina(kiosk).badge_code
    check_in(kiosk, code)
    _print_all(kiosk)
    assert len(list(kiosk_folder.iterdir())) == 1
    elsewhere = _context(demo_db)  # forget, run from another shell: no preview printer configured
    done = forget(elsewhere, code)
    assert done.previews_deleted == 1
    assert list(kiosk_folder.iterdir()) == []


def test_export_holds_everything_about_one_person(demo_db):
    context = _context(demo_db)
    person = _kristina(context)
    check_in(context, person.badge_code)
    data = export(context, person.badge_code)
    assert data["attendee"]["last_name"] == KRISTINA and data["attendee"]["email"] == person.email
    assert [s["list"] for s in data["scans"]] == ["Main entrance"]
    assert data["print_jobs"][0]["kind"] == "badge"
    assert data["sessions"] and all(s["name_in_programme"] for s in data["sessions"])  # she speaks
    with Session(context.engine) as session:
        theirs = session.exec(
            select(Meeting).where((Meeting.attendee_a_id == person.id) | (Meeting.attendee_b_id == person.id))
        ).all()
    assert len(data["meetings"]) == len(theirs)
    json.dumps(data)  # plain JSON


def test_the_commands_ask_before_erasing_and_export_json(demo_db):
    runner = CliRunner()
    context = _context(demo_db)
    code = _kristina(context).badge_code
    exported = runner.invoke(main, ["attendees", "export", code, "--json", "--db", demo_db])
    assert exported.exit_code == 0 and json.loads(exported.output)["attendee"]["badge_code"] == code
    refused = runner.invoke(main, ["attendees", "forget", code, "--db", demo_db])  # no terminal, no --yes
    assert refused.exit_code == 1 and "Add --yes" in refused.output
    assert _kristina(context).forgotten_at is None
    done = runner.invoke(main, ["attendees", "forget", code, "--db", demo_db, "--yes", "--desk", "Info desk"])
    assert done.exit_code == 0 and "forgotten" in done.output and KRISTINA not in done.output
    unknown = runner.invoke(main, ["attendees", "forget", "nobody-at-all", "--db", demo_db, "--yes"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output


def test_the_older_attendee_spelling_still_runs_for_scripts_but_is_not_offered(demo_db):
    runner = CliRunner()
    code = _kristina(_context(demo_db)).badge_code
    exported = runner.invoke(main, ["attendee", "export", code, "--json", "--db", demo_db])
    assert exported.exit_code == 0 and json.loads(exported.output)["attendee"]["badge_code"] == code
    listed = runner.invoke(main, ["--help"]).output
    assert "attendees" in listed and not any(line.split()[:1] == ["attendee"] for line in listed.splitlines())
    group = runner.invoke(main, ["attendees", "--help"]).output
    assert all(command in group for command in ("search", "export", "forget"))


def test_purge_after_the_event_erases_everyone_keeps_figures_and_empties_previews_and_backups(
    demo_db, tmp_path, badge_codes
):
    previews = tmp_path / "badges"
    context = _context(demo_db, previews)
    for code in badge_codes(demo_db)[:5]:
        check_in(context, code)
    _print_all(context)
    take_backup(context)
    before = store_status(context)
    with pytest.raises(PrivacyError, match="runs until 2024-05-08: purge is for after the event"):
        purge(context, date(2024, 5, 8))
    refused = CliRunner().invoke(main, ["purge", "--before", "2030-01-01", "--db", demo_db])
    assert refused.exit_code == 1 and "Add --yes" in refused.output
    done = CliRunner().invoke(
        main,
        ["--config", str(_config(tmp_path, previews)), "purge", "--before", "2030-01-01", "--db", demo_db, "--yes"],
    )
    assert done.exit_code == 0, done.output
    assert "697 people erased, 5 badge previews and 1 backups deleted" in done.output
    assert list(previews.iterdir()) == []
    with Session(context.engine) as session:
        assert session.exec(select(Attendee).where(Attendee.last_name != "")).all() == []
        assert session.exec(select(Attendee).where(Attendee.email != "")).all() == []
    after = store_status(context)
    assert after.attendees == before.attendees and after.lists[0].checked_in == 5
    assert after.last_backup is None


def _config(folder: Path, previews: Path) -> Path:
    path = folder / "eventdesk.toml"
    path.write_text(f'[printers]\npreview = "preview://{previews}"\n')
    return path
