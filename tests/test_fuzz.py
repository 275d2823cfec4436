"""Bad input of every kind, fuzzed with Hypothesis: the scan path never crashes, never lets a
control sequence reach the terminal and records only what is a scan; every importer fed mutated
real files imports all or nothing, says so in one line and leaves the store as it was.

Example counts are kept small (the whole file runs in about a minute on a shared machine)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from eventdesk.cli import main
from eventdesk.domain.checkin import looks_like_code
from eventdesk.domain.codes import new_badge_code
from eventdesk.services.backup import store_counts
from eventdesk.services.checkin import CheckinError, CheckinResult, submit
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee
from eventdesk.tui.textual_compat import rendered_lines

FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
# What must never reach a terminal: C0/C1 controls (ESC starts ANSI and OSC sequences), bidi
# embeddings/overrides/isolates/marks, lone surrogates.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

NASTY = st.sampled_from(
    [
        "\x1b[2J",
        "\x1b[31m",
        "\x1b]0;pwned\x07",
        "\x1b]8;;http://x\x1b\\",
        "\x9b1m",
        "\u202e",
        "\u2066",
        "\u200b",
        "\u200d",
        "\ufeff",
        "\x00",
        "\r",
        "\t",
        "\x08",
        "\ud800",
        "\udfff",
        "[bold]",
        "[/]",
        "%s",
        "'; DROP TABLE attendee;--",
    ]
)
SCAN_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(NASTY, st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789 ", max_size=12)), max_size=8).map(
        "".join
    ),
    st.integers(min_value=1, max_value=10_000).map(lambda n: ("paste " * n)[:10_000]),
)


@pytest.fixture
def scan_store(tmp_db):
    context = open_context(tmp_db, Settings(db=tmp_db, desk="Fuzz desk"))
    with context.session() as session:
        save_attendee(
            session,
            Attendee(first_name="Ann", last_name="Ordinary", organisation="Cluster", badge_code=new_badge_code()),
        )
    return context


def _records(context) -> int:
    return store_counts(context.settings.db)["checkin_record"]


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURE_OK)
@given(text=SCAN_TEXT, fast=st.booleans())
def test_any_text_at_the_scan_box_never_crashes_and_records_only_scans(scan_store, text, fast):
    before = _records(scan_store)
    try:
        outcome = submit(scan_store, text, typed_fast=fast)
    except CheckinError:
        outcome = None  # a clear refusal ("the scan was empty"), nothing recorded
    recorded = _records(scan_store) - before
    if isinstance(outcome, CheckinResult):
        assert recorded == 1
        assert outcome.result == "unknown_code" and looks_like_code(text, fast)  # nobody has this code
        assert not UNSAFE.search(outcome.code) and " " not in outcome.code
    else:
        assert recorded == 0


PEOPLE = [
    ("\u202eAnn", "Evil\u202c", "Org \u2066A\u2069"),
    ("Zero\u200bWidth", "Jo\u200dhn", "ACME\ufeff"),
    ("Esc\x1b[31m", "Red\x1b]0;t\x07", "[bold]Q&A[/]"),
]
PASTES = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07evil",
    "\u202egnirts",
    "ab\u200b\u200ccd",
    "\ud800\udfffX" * 3,
    "x" * 10_000,
    "Esc",
    "Zero",
    "\x9b1mC1",
]


def _screen_text(app) -> list[str]:
    """The characters the compositor would write to the terminal, line by line."""
    return rendered_lines(app.screen)


async def test_nasty_scans_and_names_reach_the_screen_only_as_harmless_text(tmp_db):
    from eventdesk.tui.app import make_app
    from eventdesk.tui.textual_compat import app_driver

    context = open_context(tmp_db, Settings(db=tmp_db, desk="Fuzz desk"))
    codes = []
    with context.session() as session:
        for first, last, org in PEOPLE:
            person = save_attendee(
                session, Attendee(first_name=first, last_name=last, organisation=org, badge_code=new_badge_code())
            )
            codes.append(person.badge_code)
    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        screen = app.screen
        for text in [*PASTES, *codes]:
            screen.scan_input.clear()  # a search left in the box stays there; start each paste afresh
            await pilot.pause()
            app_driver(app).send_message(events.Paste(text))  # as a terminal delivers a paste
            await pilot.pause()
            await screen.wait_idle()
            lines = _screen_text(app)
            assert not any(UNSAFE.search(line) for line in lines), text[:20]
            await pilot.press("enter")
            await screen.wait_idle()
            await pilot.pause()
            lines = _screen_text(app)
            assert not any(UNSAFE.search(line) for line in lines), text[:20]
            assert app.is_running
        # A search listing the people: each row keeps its columns in order, name before organisation.
        screen.scan_input.clear()
        await pilot.pause()
        app_driver(app).send_message(events.Paste("Zero"))  # as a terminal delivers a paste
        await pilot.pause()
        await screen.wait_idle()
        await pilot.pause()
        row = next(line for line in _screen_text(app) if "ACME" in line)
        assert row.index("Zero") < row.index("Jo") < row.index("ACME")
    assert store_counts(tmp_db)["checkin_record"] >= len(codes)


# -- importers fed mutated real files ----------------------------------------------------------


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """The file truncated, bytes flipped, rows duplicated, a row re-encoded in another encoding."""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["truncate", "flip", "duplicate", "encoding"]))
        if kind == "truncate" and len(data) > 2:
            data = data[: draw(st.integers(min_value=1, max_value=len(data) - 1))]
        elif kind == "flip" and data:
            buffer = bytearray(data)
            for _ in range(draw(st.integers(min_value=1, max_value=8))):
                at = draw(st.integers(min_value=0, max_value=len(buffer) - 1))
                buffer[at] = draw(st.integers(min_value=0, max_value=255))
            data = bytes(buffer)
        elif kind == "duplicate":
            lines = data.split(b"\n")
            at = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
            lines.insert(at, lines[at])
            data = b"\n".join(lines)
        elif kind == "encoding":
            lines = data.split(b"\n")
            at = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
            text = lines[at].decode("utf-8", "replace")
            lines[at] = text.encode(draw(st.sampled_from(["latin-1", "cp1252", "utf-16", "cp1250"])), "replace")
            data = b"\n".join(lines)
    return data


def _import_checked(db_template: str, tmp_path: Path, kind: str, data: bytes, suffix: str, *extra: str) -> None:
    db = tmp_path / "fuzz.db"
    for leftover in tmp_path.glob("fuzz.db*"):
        # The previous example's CLI run left its engine to the collector: when its last connection is
        # finalized, SQLite removes the -wal and -shm files itself, maybe between the glob and here.
        leftover.unlink(missing_ok=True)
    shutil.copy(db_template, db)
    source = tmp_path / f"input{suffix}"
    source.write_bytes(data)
    before = store_counts(str(db))
    done = CliRunner().invoke(main, ["import", kind, str(source), "--db", str(db), *extra])
    assert "Traceback" not in done.output
    assert done.exit_code in (0, 1), (done.exit_code, done.output[-500:], done.exception)
    if done.exception is not None:
        assert isinstance(done.exception, SystemExit), repr(done.exception)
    if done.exit_code == 1:
        problems = [line for line in done.output.splitlines() if line.startswith("eventdesk:")]
        assert len(problems) == 1 and len(problems[0]) < 600, done.output[-800:]
        assert store_counts(str(db)) == before  # all or nothing: a refusal leaves the store as it was


@pytest.fixture(scope="module")
def empty_event(tmp_path_factory) -> str:
    from datetime import date

    from eventdesk.services.events import create_event

    path = tmp_path_factory.mktemp("fuzz") / "event.db"
    create_event(
        str(path),
        name="Fuzz Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 6),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    _fold_wal(str(path))
    return str(path)


def _fold_wal(db: str) -> None:
    """Fold the WAL into the file so that copying the file copies the whole store."""
    from eventdesk.store.db import make_engine

    engine = make_engine(db)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


AGENDA_FILES = [
    ("schedules/hub-schedule-v2.json", 6),
    ("schedules/pretalx-democon.schedule.json", 4),
    ("ics/pyconuk-2015.ics", 5),
    ("schedules/fosdem-2007-pentabarf.xml", 3),
]


@pytest.mark.parametrize("name, examples", AGENDA_FILES, ids=[a[0] for a in AGENDA_FILES])
def test_agenda_imports_of_mutated_real_files_are_all_or_nothing(realdata, empty_event, tmp_path, name, examples):
    original = (realdata / name).read_bytes()

    @settings(max_examples=examples, deadline=None, suppress_health_check=FIXTURE_OK)
    @given(data=mutated(original))
    def run(data):
        _import_checked(empty_event, tmp_path, "agenda", data, Path(name).suffix, "--tz", "Europe/Brussels")

    run()


ATTENDEE_FILES = ["attendees/pretix-checkinlist-export.csv", "attendees/eventbrite-attendee-report.csv"]


@pytest.mark.parametrize("name", ATTENDEE_FILES)
def test_attendee_imports_of_mutated_real_files_are_all_or_nothing(realdata, empty_event, tmp_path, name):
    original = (realdata / name).read_bytes()

    @settings(max_examples=8, deadline=None, suppress_health_check=FIXTURE_OK)
    @given(data=mutated(original))
    def run(data):
        _import_checked(empty_event, tmp_path, "attendees", data, ".csv")

    run()


def test_meeting_imports_of_mutated_files_are_all_or_nothing(demo_db, tmp_path, badge_codes):
    codes = badge_codes(demo_db)
    rows = [
        f"2024-05-08 {10 + n // 10}:{(n % 10) * 5 // 5 * 0:02d},{n % 10 + 1},{codes[2 * n]},{codes[2 * n + 1]},"
        f"Topic {n}"
        for n in range(20)
    ]
    original = ("slot_start,table,participant_a,participant_b,topic\n" + "\n".join(rows) + "\n").encode()
    template = tmp_path / "template.db"
    _fold_wal(demo_db)
    shutil.copy(demo_db, template)
    work = tmp_path / "work"
    work.mkdir()

    @settings(max_examples=6, deadline=None, suppress_health_check=FIXTURE_OK)
    @given(data=mutated(original))
    def run(data):
        _import_checked(str(template), work, "meetings", data, ".csv")

    run()


def test_a_broken_date_inside_an_ics_event_is_one_clear_refusal(empty_event, tmp_path):
    """Found by the fuzzing above: icalendar reads DTEND only when asked, and raised from inside."""
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20150918T070000Z\r\n"
        b"DTEND:\x000150918T083000Z\r\nLOCATION:Cafeteria\r\nSUMMARY:Registration\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    _import_checked(empty_event, tmp_path, "agenda", data, ".ics", "--tz", "Europe/Brussels")
    done = CliRunner().invoke(
        main,
        ["import", "agenda", str(tmp_path / "input.ics"), "--db", str(tmp_path / "fuzz.db"), "--tz", "Europe/Brussels"],
    )
    assert done.exit_code == 1 and "event 1 cannot be read" in done.output
