"""``eventdesk doctor``: one verdict per thing that can block the desk, non-zero when one does."""

from __future__ import annotations

import json
import os

import zxingcpp
from click.testing import CliRunner
from sqlmodel import select

from eventdesk.cli import main
from eventdesk.printing.escpos_reader import read_escpos
from eventdesk.services.context import open_context
from eventdesk.services.doctor import run_checks
from eventdesk.services.printing import TEST_CODE
from eventdesk.settings import Settings
from eventdesk.store.models import Attendee, Meeting, MeetingTable


def _config(tmp_path, printers: dict[str, str]) -> str:
    path = tmp_path / "eventdesk.toml"
    path.write_text("[printers]\n" + "".join(f'{name} = "{url}"\n' for name, url in printers.items()))
    return str(path)


def _doctor(db: str, *args: str, config: str | None = None):
    return CliRunner().invoke(main, [*(["--config", config] if config else []), "doctor", "--db", db, *args])


def test_without_printers_the_demo_passes_and_names_the_preview_folder(demo_db):
    done = _doctor(demo_db)
    assert done.exit_code == 0, done.output
    folder = os.path.join(os.path.dirname(demo_db), "eventdesk-demo-badges")
    assert f"badges are written as PNG files into {folder}" in done.output
    assert done.output.rstrip().endswith("Ready.")
    for name in ("store", "migrations", "file mode", "agenda", "meetings", "clock", "disk", "backups"):
        assert any(line.split()[1:2] == [name.split()[0]] for line in done.output.splitlines()), name


def test_the_default_doctor_checks_every_name_against_the_badge_fonts(demo_db):
    context = open_context(demo_db, Settings(db=demo_db))
    with context.session() as session:
        session.add(Attendee(first_name="አበበ", last_name="ቢቂላ", badge_code="ETHIOPIC000000000000000000"))
    context.engine.dispose()
    done = _doctor(demo_db)
    assert done.exit_code == 0, done.output  # a warning: the desk can still print the others
    line = next(text for text in done.output.splitlines() if text.split()[1:2] == ["badges"])
    assert line.startswith("WARN") and "1 of" in line and "missing letters" in line


def test_a_printer_on_a_closed_port_blocks_the_desk_and_is_named(demo_db, tmp_path, refused_url):
    done = _doctor(demo_db, config=_config(tmp_path, {"badge-1": refused_url}))
    assert done.exit_code == 1
    line = next(text for text in done.output.splitlines() if text.startswith("FAIL"))
    assert f"printer badge-1 ({refused_url})" in line and "refused the connection" in line
    assert "NOT READY" in done.output
    report = json.loads(_doctor(demo_db, "--json", config=_config(tmp_path, {"badge-1": refused_url})).output)
    assert report["ok"] is False
    assert [c["name"] for c in report["checks"] if c["verdict"] == "fail"] == ["printer badge-1"]


def test_print_test_sends_a_badge_whose_qr_decodes_back(demo_db, tmp_path, tcp_printer):
    done = _doctor(demo_db, "--print-test", config=_config(tmp_path, {"desk": tcp_printer.url}))
    assert done.exit_code == 0, done.output
    assert "test badge printed" in done.output and "its QR code decodes back" in done.output
    assert tcp_printer.wait_for_jobs(1)
    image = read_escpos(tcp_printer.jobs[-1]).merged_image().convert("L")
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [TEST_CODE]


def test_an_open_file_mode_and_double_booked_meetings_fail(demo_db):
    os.chmod(demo_db, 0o644)
    context = open_context(demo_db, Settings(db=demo_db))
    with context.session() as session:
        first = session.get(Meeting, 1)
        used = set(session.exec(select(Meeting.table_id).where(Meeting.slot_id == first.slot_id)))
        free = next(t.id for t in session.exec(select(MeetingTable)) if t.id not in used)
        # Imported by hand or by an old version: the same person at two tables in one slot.
        session.add(
            Meeting(
                slot_id=first.slot_id,
                table_id=free,
                attendee_a_id=first.attendee_a_id,
                attendee_b_id=first.attendee_b_id + 1,
            )
        )
    report = run_checks(context)
    verdicts = {c.name: c for c in report.checks}
    assert not report.ok
    assert verdicts["file mode"].verdict == "fail" and "chmod 600" in verdicts["file mode"].detail
    assert verdicts["meetings"].verdict == "fail" and "0 tables and 1 people" in verdicts["meetings"].detail
