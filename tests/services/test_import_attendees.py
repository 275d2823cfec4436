"""Importing attendee files into an event: all or nothing, and a second import of the same people
updates them instead of adding them twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from eventdesk.domain.codes import ALPHABET, CODE_LENGTH
from eventdesk.services.attendees import search_people
from eventdesk.services.context import open_context
from eventdesk.services.import_attendees import AttendeeImportError, import_attendees
from eventdesk.store.attendees import count_attendees
from eventdesk.store.db import StoreError, change_versions, make_engine
from eventdesk.store.models import Attendee, AuditEntry, ImportJournal, RevokedCode

DATA = Path(__file__).resolve().parents[1] / "data" / "attendees"


@pytest.fixture
def context(tmp_db: str):
    context = open_context(tmp_db)
    yield context
    context.engine.dispose()


def people(context) -> list[Attendee]:
    with Session(context.engine) as session:
        return list(session.exec(select(Attendee).order_by(Attendee.id)))


def write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pretix_export_imports_with_its_secrets_as_badge_codes(context, realdata: Path) -> None:
    summary = import_attendees(context, realdata / "attendees" / "pretix-checkinlist-export.csv")
    assert (summary.added, summary.updated, summary.unchanged) == (2, 0, 0)
    assert summary.file_format == "pretix check-in list export"
    stored = {p.last_name: p for p in people(context)}
    assert stored["Jones"].badge_code == "hutjztuxhkbtwnesv2suqv26k6ttytxx"  # the printed pretix QR scans
    assert stored["Zulu"].badge_code == "ggsngqtnmhx74jswjngw3fk8pfwz2a7k"
    assert stored["Jones"].source_ref == "pretix:hutjztuxhkbtwnesv2suqv26k6ttytxx"
    assert [p.badge_code for p in search_people(context, "Zulu")] == ["ggsngqtnmhx74jswjngw3fk8pfwz2a7k"]


def test_eventbrite_report_imports_companies_and_generates_codes(context, realdata: Path) -> None:
    report = realdata / "attendees" / "eventbrite-attendee-report.csv"
    summary = import_attendees(context, report)
    assert (summary.added, summary.codes_generated) == (3, 3)
    stored = people(context)
    assert [(p.first_name, p.organisation, p.role) for p in stored] == [
        ("John", "Company1Name", "JobTitle1"),
        ("Jane", "Company2Name", "Job2Title"),
        ("Joe", "Company3Name", "Job3Title"),
    ]
    assert all(len(p.badge_code) == CODE_LENGTH and set(p.badge_code) <= set(ALPHABET) for p in stored)
    assert [p.source_ref for p in stored] == [
        "eventbrite:18441583423",
        "eventbrite:18441700883",
        "eventbrite:18443939943",
    ]

    again = import_attendees(context, report)
    assert (again.added, again.updated, again.unchanged, again.codes_generated) == (0, 0, 3, 0)
    assert [p.badge_code for p in people(context)] == [p.badge_code for p in stored]  # printed badges stay valid


def test_both_real_files_into_one_event(context, realdata: Path) -> None:
    for name in ("pretix-checkinlist-export.csv", "eventbrite-attendee-report.csv"):
        import_attendees(context, realdata / "attendees" / name)
    with Session(context.engine) as session:
        assert count_attendees(session) == 5


def test_reimport_updates_people_and_their_search_words(context, tmp_path: Path) -> None:
    first = write(
        tmp_path, "Name,Email,Company\nAnna Berg,anna@example.org,Alpha Cluster\nBen Cole,ben@example.org,Beta\n"
    )
    import_attendees(context, first)
    code = people(context)[0].badge_code
    second = write(
        tmp_path,
        "Name,Email,Company\nAnna Berg,ANNA@example.org,Omega Cluster\nBen Cole,ben@example.org,Beta\n"
        "Cara Diaz,cara@example.org,Gamma\n",
        "second.csv",
    )
    summary = import_attendees(context, second)
    assert summary.counts == "1 added, 1 updated, 1 unchanged"
    stored = people(context)
    assert len(stored) == 3
    assert (stored[0].organisation, stored[0].badge_code) == ("Omega Cluster", code)
    assert [p.name for p in search_people(context, "omega")] == ["Anna Berg"]
    assert search_people(context, "alpha") == []


def test_columns_absent_from_the_file_keep_what_the_store_holds(context, tmp_path: Path) -> None:
    import_attendees(context, write(tmp_path, "Name,Email,Country,Note\nAnna Berg,anna@example.org,SE,wheelchair\n"))
    summary = import_attendees(context, write(tmp_path, "Name,Email\nAnna Berg,anna@example.org\n", "slim.csv"))
    assert summary.unchanged == 1
    assert (people(context)[0].country, people(context)[0].note) == ("SE", "wheelchair")


def test_people_without_key_are_matched_by_name_and_email(context, tmp_path: Path) -> None:
    text = "Name,Email,Company\nAnn Lee,family@example.org,A\nBo Lee,family@example.org,B\nNo Mail,,C\n"
    import_attendees(context, write(tmp_path, text))
    summary = import_attendees(context, write(tmp_path, text.replace(",C\n", ",D\n"), "again.csv"))
    assert summary.counts == "0 added, 1 updated, 2 unchanged"
    assert [p.source_ref for p in people(context)] == [None, None, None]


def test_a_broken_row_in_the_middle_imports_nothing(context) -> None:
    with pytest.raises(AttendeeImportError) as error:
        import_attendees(context, DATA / "broken-row-line-7.csv")
    assert "line 7: no name (first name and last name are both empty)" in str(error.value)
    assert str(error.value).startswith("Nothing imported from broken-row-line-7.csv")
    assert people(context) == []


def test_all_problems_are_listed_up_to_a_limit(context, tmp_path: Path) -> None:
    text = "Name,Email\n" + "".join(f"P{i} X,not-an-address\n" for i in range(30))
    with pytest.raises(AttendeeImportError) as error:
        import_attendees(context, write(tmp_path, text))
    message = str(error.value)
    assert "30 rows are wrong" in message and "line 21:" in message and "line 22:" not in message
    assert message.endswith("... and 10 more")


def test_a_code_of_another_stored_person_imports_nothing(context, tmp_path: Path) -> None:
    import_attendees(context, write(tmp_path, "Name,Email,Code\nAnna Berg,anna@example.org,CODE-A\n"))
    clash = (
        "Order code,Attendee name,Secret,E-mail\n"
        "X1,Ben Cole,fresh-secret,ben@example.org\n"
        "X2,Cara Diaz,CODE-A,cara@example.org\n"
    )
    with pytest.raises(
        AttendeeImportError, match="line 3: badge code belongs to another person already in the database"
    ):
        import_attendees(context, write(tmp_path, clash, "clash.csv"))
    assert [p.name for p in people(context)] == ["Anna Berg"]


def test_dry_run_reports_and_writes_nothing(context, realdata: Path) -> None:
    before = change_versions(context.engine)
    summary = import_attendees(context, realdata / "attendees" / "eventbrite-attendee-report.csv", dry_run=True)
    assert (summary.dry_run, summary.added) == (True, 3)
    assert people(context) == []
    assert change_versions(context.engine) == before
    with Session(context.engine) as session:
        assert session.exec(select(AuditEntry)).all() == []


def test_import_bumps_attendees_and_audits_counts_only(context, realdata: Path) -> None:
    before = change_versions(context.engine).get("attendees", 0)
    import_attendees(context, realdata / "attendees" / "eventbrite-attendee-report.csv")
    assert change_versions(context.engine)["attendees"] > before  # other desks re-read
    with Session(context.engine) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert entry.action == "import_attendees" and entry.detail == "eventbrite: 3 added, 0 updated, 0 unchanged"


def test_cancelled_in_eventbrite_becomes_cancelled_here(context, tmp_path: Path) -> None:
    header = "Order #,First Name,Last Name,Email,Ticket Type,Attendee #,Attendee Status\n"
    import_attendees(context, write(tmp_path, header + "1,Ann,A,a@example.org,General Admission,11,Attending\n"))
    summary = import_attendees(
        context, write(tmp_path, header + "1,Ann,A,a@example.org,General Admission,11,Refunded\n", "2.csv")
    )
    assert (summary.updated, summary.cancelled) == (1, 1)
    assert people(context)[0].status == "cancelled"


def test_a_new_pretix_secret_moves_the_person_to_the_new_code(context, tmp_path: Path) -> None:
    header = '"Order code","Attendee name","Secret","E-mail"\n'
    import_attendees(context, write(tmp_path, header + '"A","Ann Lee","oldsecret","ann@example.org"\n'))
    summary = import_attendees(
        context, write(tmp_path, header + '"A","Ann Lee","newsecret","ann@example.org"\n', "2.csv")
    )
    assert (summary.added, summary.updated, summary.codes_revoked) == (0, 1, 1)
    (ann,) = people(context)
    assert (ann.badge_code, ann.source_ref) == ("newsecret", "pretix:newsecret")
    with Session(context.engine) as session:
        assert session.get(RevokedCode, "oldsecret").attendee_id == ann.id  # the old ticket scans as revoked
    with pytest.raises(AttendeeImportError, match="line 2: badge code was revoked"):
        import_attendees(context, write(tmp_path, header + '"B","Bo Ng","oldsecret","bo@example.org"\n', "3.csv"))


def test_reissued_badge_survives_a_reimport(context, tmp_path: Path) -> None:
    """A badge reissued at the desk revokes the pretix secret; importing the export again keeps the
    new code instead of bringing the revoked one back."""
    path = write(tmp_path, '"Order code","Attendee name","Secret"\n"A","Ann Lee","pretixsecret"\n')
    import_attendees(context, path)
    with Session(context.engine) as session:
        ann = session.exec(select(Attendee)).one()
        session.add(RevokedCode(code=ann.badge_code, attendee_id=ann.id))
        ann.badge_code = "REISSUED"
        session.add(ann)
        session.commit()
    assert import_attendees(context, path).unchanged == 1
    assert people(context)[0].badge_code == "REISSUED"


def test_encodings_and_delimiters_end_to_end(context) -> None:
    cp1252 = import_attendees(context, DATA / "named-columns-cp1252-semicolon.csv")
    assert (cp1252.encoding, cp1252.delimiter, cp1252.added) == ("cp1252", "';'", 4)
    bom = import_attendees(context, DATA / "full-name-bom-tab.csv")
    assert (bom.encoding, bom.delimiter, bom.added) == ("UTF-8 with BOM", "tab", 3)
    assert [p.name for p in search_people(context, "Šermukšnytė")] == ["Kristina Šermukšnytė-Alešiūnienė"]
    assert [p.badge_code for p in search_people(context, "Ærø")] == ["CP1252-0004"]


def test_a_database_without_an_event_is_refused(tmp_path: Path) -> None:
    from eventdesk.store import migrate

    db = str(tmp_path / "no-event.db")
    migrate.upgrade(make_engine(db))
    context = open_context(db)
    with pytest.raises(StoreError, match="no event"):
        import_attendees(context, DATA / "broken-row-line-7.csv")


def test_keys_of_two_systems_describe_one_person(context, tmp_path: Path, realdata: Path) -> None:
    """People imported from Eventbrite and then from a CSV the organiser edited (same names and
    e-mails, with the badge codes eventdesk gave them) stay single and keep their Eventbrite key."""
    report = realdata / "attendees" / "eventbrite-attendee-report.csv"
    import_attendees(context, report)
    stored = people(context)
    edited = "Name,Email,Code,Note\n" + "".join(f"{p.name},{p.email},{p.badge_code},VIP dinner\n" for p in stored)
    summary = import_attendees(context, write(tmp_path, edited))
    assert summary.counts == "0 added, 3 updated, 0 unchanged"
    assert [p.source_ref for p in people(context)] == [p.source_ref for p in stored]
    assert import_attendees(context, report).counts == "0 added, 0 updated, 3 unchanged"
    assert {p.note for p in people(context)} == {"VIP dinner"}  # Eventbrite has no note column


def test_people_first_seen_by_code_count_unchanged_and_get_the_key(context, tmp_path: Path) -> None:
    """A list exported from eventdesk and imported back changes nobody, though the people now carry
    the file's key for the next import."""
    with Session(context.engine) as session:
        session.add(Attendee(first_name="Walk", last_name="In", badge_code="WALKIN-1"))
        session.commit()
    summary = import_attendees(context, write(tmp_path, "Name,Code\nWalk In,WALKIN-1\n"))
    assert summary.counts == "0 added, 0 updated, 1 unchanged"
    assert people(context)[0].source_ref == "code:WALKIN-1"


# --- big files are written in short batches, and still all or nothing ---------------------------


def many(tmp_path: Path, count: int, role: str = "Manager", name: str = "many.csv") -> Path:
    lines = ["First name;Last name;E-mail;Company;Job title"]
    lines += [f"Person{n};Šermukšnytė;p{n}@example.org;Cluster {n % 7};{role}" for n in range(count)]
    return write(tmp_path, "\r\n".join(lines) + "\r\n", name)


@pytest.fixture
def small_batches(monkeypatch):
    import eventdesk.services.import_attendees as module

    monkeypatch.setattr(module, "FIRST_BATCH", 50)
    monkeypatch.setattr(module, "MIN_BATCH", 50)
    monkeypatch.setattr(module, "MAX_BATCH", 50)


class StopAfter:
    """Progress of an import that the operator interrupts (Ctrl+C) after some batches."""

    def __init__(self, batches: int) -> None:
        self.left = batches
        self.writing = False

    def stage(self, label: str, total: int) -> None:
        self.writing = label == "Writing"

    def advance(self, count: int) -> None:
        if self.writing:
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt

    def done(self) -> None:
        pass


def test_an_import_interrupted_between_batches_leaves_nothing(context, tmp_path: Path, small_batches) -> None:
    path = many(tmp_path, 300)
    with pytest.raises(KeyboardInterrupt):
        import_attendees(context, path, progress=StopAfter(3))
    assert people(context) == []
    assert search_people(context, "sermuksnyte") == []
    summary = import_attendees(context, path)
    assert summary.added == 300 and len(people(context)) == 300


def test_an_interrupted_re_import_restores_everybody_as_before(context, tmp_path: Path, small_batches) -> None:
    import_attendees(context, many(tmp_path, 200))
    before = [(p.id, p.role, p.badge_code) for p in people(context)]
    with pytest.raises(KeyboardInterrupt):
        import_attendees(context, many(tmp_path, 200, role="Director", name="changed.csv"), progress=StopAfter(2))
    assert [(p.id, p.role, p.badge_code) for p in people(context)] == before
    assert search_people(context, "person17")[0].role == "Manager"


def _import_and_die(db: str, path: str) -> None:
    """An import whose process is killed after its second batch (run in a process of its own)."""
    import os

    import eventdesk.services.import_attendees as module

    module.FIRST_BATCH = module.MIN_BATCH = module.MAX_BATCH = 50

    class Die(StopAfter):
        def advance(self, count: int) -> None:
            if self.writing:
                self.left -= 1
                if self.left == 0:
                    os._exit(9)

    module.import_attendees(open_context(db), path, progress=Die(2))


def test_an_import_killed_half_way_is_undone_by_the_next_one_at_once(context, tmp_db: str, tmp_path: Path) -> None:
    import multiprocessing

    killed = multiprocessing.get_context("spawn").Process(
        target=_import_and_die, args=(tmp_db, str(many(tmp_path, 300)))
    )
    killed.start()
    killed.join(60)
    assert killed.exitcode == 9
    assert len(people(context)) == 100  # two batches were committed when it died
    summary = import_attendees(context, many(tmp_path, 5, name="other.csv"))  # its import lock died with it
    assert summary.added == 5 and len(people(context)) == 5
    assert search_people(context, "sermuksnyte") and all(p.first_name.startswith("Person") for p in people(context))


class _Handshake(StopAfter):
    """Progress of an import in another process: after each batch it sets ``written`` and waits
    until the test process says ``go``."""

    def __init__(self, written, go) -> None:
        super().__init__(0)
        self.written, self.go = written, go

    def advance(self, count: int) -> None:
        if self.writing:
            self.written.set()
            assert self.go.wait(60)
            self.go.clear()


def _import_in_steps(db: str, path: str, written, go) -> None:
    import eventdesk.services.import_attendees as module

    module.FIRST_BATCH = module.MIN_BATCH = module.MAX_BATCH = 50
    module.import_attendees(open_context(db), path, progress=_Handshake(written, go))


def test_a_second_import_is_refused_while_one_runs_in_another_process(context, tmp_db: str, tmp_path: Path) -> None:
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    written, go = spawn.Event(), spawn.Event()
    running = spawn.Process(target=_import_in_steps, args=(tmp_db, str(many(tmp_path, 150)), written, go))
    running.start()
    try:
        assert written.wait(60)  # its first batch is in, and it is alive
        with pytest.raises(AttendeeImportError, match="another import of attendees is running"):
            import_attendees(context, many(tmp_path, 5, name="other.csv"))
        assert len(people(context)) == 50  # the refused import wrote nothing, undid nothing
        for _ in range(3):
            written.clear()
            go.set()
            if _ == 2:
                break
            assert written.wait(60)
    finally:
        go.set()
        running.join(60)
    assert running.exitcode == 0
    assert len(people(context)) == 150
    lock_file = Path(f"{tmp_db}-import-lock")  # beside the database, owner-only as the database
    assert lock_file.exists() and lock_file.stat().st_mode & 0o777 == 0o600


def _desk_scanning(db: str, codes: list[str], scans, stop, results) -> None:
    """A desk process scanning badges as fast as it can until told to stop."""
    from eventdesk.services.checkin import check_in

    context = open_context(db)
    done, failed = 0, []
    while not stop.is_set():
        try:
            check_in(context, codes[done % len(codes)])
            done += 1
        except Exception as error:  # noqa: BLE001 - a scan that fails is what this test is about
            failed.append(repr(error))
        with scans.get_lock():
            scans.value += 1
    context.engine.dispose()
    results.put((done, failed))


class _WaitForScans(StopAfter):
    """Progress that lets the next batch go only after the desk scanned since the last one."""

    def __init__(self, scans) -> None:
        super().__init__(0)
        self.scans, self.seen, self.batches = scans, scans.value, 0

    def advance(self, count: int) -> None:
        if self.writing:
            self.batches += 1
            deadline = __import__("time").monotonic() + 60
            while self.scans.value == self.seen:
                assert __import__("time").monotonic() < deadline, "the desk made no scan between two batches"
            self.seen = self.scans.value


def test_a_desk_in_another_process_keeps_scanning_during_an_import(
    context, tmp_db: str, tmp_path: Path, small_batches
) -> None:
    import multiprocessing

    from eventdesk.store.models import CheckinRecord

    import_attendees(context, many(tmp_path, 20, name="early.csv"))
    codes = [p.badge_code for p in people(context)]
    spawn = multiprocessing.get_context("spawn")
    scans, stop, results = spawn.Value("i", 0), spawn.Event(), spawn.Queue()
    desk = spawn.Process(target=_desk_scanning, args=(tmp_db, codes, scans, stop, results))
    desk.start()
    try:
        progress = _WaitForScans(scans)
        while scans.value == 0:
            assert desk.is_alive()
        summary = import_attendees(context, many(tmp_path, 400, role="Director", name="big.csv"), progress=progress)
    finally:
        stop.set()
        done, failed = results.get(timeout=60)
        desk.join(60)
    assert failed == []
    assert progress.batches >= 8  # scans landed between every two of the import's batches
    assert summary.added == 380 and summary.updated == 20 and len(people(context)) == 400
    with Session(context.engine) as session:
        assert len(session.exec(select(CheckinRecord)).all()) == done  # every scan recorded


def test_a_write_refused_half_way_leaves_the_store_as_it_was(context, tmp_path: Path, small_batches) -> None:
    from eventdesk.store.attendees import save_attendee

    import_attendees(context, many(tmp_path, 60))
    before = [(p.id, p.role, p.badge_code) for p in people(context)]
    lines = ["First name;Last name;E-mail;Company;Job title;Code"]
    lines += [f"Person{n};Šermukšnytė;p{n}@example.org;Cluster;Director;" for n in range(60)]  # changes 60
    lines += [f"New{n};Novák;n{n}@example.org;Cluster;Guest;CODE{n:04d}" for n in range(300)]  # adds 300

    class DeskTakesACode(StopAfter):
        def advance(self, count: int) -> None:
            if self.writing and self.left == 0:  # after the first batch: a desk gives out a code of the file
                self.left = 1
                with Session(context.engine) as session:
                    save_attendee(session, Attendee(first_name="Walk", last_name="In", badge_code="CODE0290"))
                    session.commit()

    with pytest.raises(AttendeeImportError, match="refused a badge code"):
        import_attendees(context, write(tmp_path, "\r\n".join(lines) + "\r\n", "mixed.csv"), progress=DeskTakesACode(0))
    after = people(context)
    assert [(p.id, p.role, p.badge_code) for p in after[:-1]] == before  # the 60 as they were
    assert [p.first_name for p in after[60:]] == ["Walk"]  # none of the 300; the desk's person stays
    assert search_people(context, "novak") == [] and search_people(context, "person7")[0].role == "Manager"
    with Session(context.engine) as session:
        assert session.exec(select(ImportJournal)).all() == []  # nothing left for a later import to undo


class DeskCorrects(StopAfter):
    """A desk corrects one person while the import writes its first batch."""

    def __init__(self, context, person_id: int) -> None:
        super().__init__(1)
        self.context, self.person_id = context, person_id

    def advance(self, count: int) -> None:
        from eventdesk.services.checkin import correct_attendee

        if self.writing and self.left:
            self.left = 0
            correct_attendee(self.context, self.person_id, {"role": "Keynote speaker"})


def test_a_person_corrected_at_a_desk_during_the_import_keeps_the_correction(
    context, tmp_path: Path, small_batches
) -> None:
    import_attendees(context, many(tmp_path, 200))
    last = people(context)[-1]

    summary = import_attendees(
        context, many(tmp_path, 200, role="Director", name="changed.csv"), progress=DeskCorrects(context, last.id)
    )
    assert (summary.updated, summary.kept_desk_changes) == (199, 1)
    assert any("changed at a desk during the import" in line for line in summary.lines())
    roles = {p.id: p.role for p in people(context)}
    assert roles[last.id] == "Keynote speaker"
    assert sum(1 for role in roles.values() if role == "Director") == 199


def test_a_desk_correction_during_an_import_that_only_keys_people_counts_nobody_updated(
    context, tmp_path: Path, small_batches
) -> None:
    """An update that only records the file's key was counted unchanged, so the person a desk
    corrected meanwhile leaves the unchanged count, not the updated one."""
    with Session(context.engine) as session:
        session.add_all(Attendee(first_name="Walk", last_name=f"In{n}", badge_code=f"WALKIN-{n}") for n in range(60))
        session.commit()
    last = people(context)[-1]

    lines = ["First name,Last name,Code", *(f"Walk,In{n},WALKIN-{n}" for n in range(60))]
    summary = import_attendees(
        context, write(tmp_path, "\n".join(lines) + "\n"), progress=DeskCorrects(context, last.id)
    )
    assert (summary.updated, summary.unchanged, summary.kept_desk_changes) == (0, 59, 1)


TITO = (
    "Number,Ticket,Ticket Company Name,Ticket Job Title,Pronouns,"
    "What name would you like printed on your badge?,Order Reference\n"
    "1,Speaker,Klynge Nord,CEO,she/her,Maria de la Cruz,ORD-1\n"
    "2,General Admission,Acme,,,Иван Петров,ORD-2\n"
)
BADGE_QUESTION = {"name": "What name would you like printed on your badge?"}


def test_tito_export_imports_with_map_and_a_re_import_updates_pronouns(context, tmp_path: Path) -> None:
    path = write(tmp_path, TITO)
    summary = import_attendees(context, path, mapping=BADGE_QUESTION)
    assert (summary.added, summary.updated) == (2, 0)
    maria = people(context)[0]
    assert (maria.first_name, maria.last_name, maria.pronouns, maria.organisation) == (
        "Maria",
        "de la Cruz",
        "she/her",
        "Klynge Nord",
    )
    write(tmp_path, TITO.replace("she/her", "she/they"))
    again = import_attendees(context, path, mapping=BADGE_QUESTION)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    assert people(context)[0].pronouns == "she/they"


def test_dry_run_shows_the_mapping_and_the_first_rows_and_writes_nothing(context, tmp_path: Path) -> None:
    summary = import_attendees(context, write(tmp_path, TITO), mapping=BADGE_QUESTION, dry_run=True)
    text = "\n".join(summary.lines())
    assert "name <- 'What name would you like printed on your badge?'" in text
    assert "pronouns <- 'Pronouns'" in text
    assert "first_name: Maria | last_name: de la Cruz | pronouns: she/her" in text
    assert people(context) == []


def test_badge_name_is_kept_searchable_and_other_scripts_are_found_in_latin(context, tmp_path: Path) -> None:
    write(
        tmp_path,
        "First name,Last name,Badge Name,Email\n"
        "Robert,Smith,Bobby Tables,r@example.org\n"
        "Γιώργος,Παπαδόπουλος,,g@example.org\n"
        "Ivan,Petrov,,i@example.org\n",
    )
    import_attendees(context, tmp_path / "people.csv")
    assert [p.called for p in search_people(context, "bobby")] == ["Bobby Tables"]
    assert [p.name for p in search_people(context, "papadopoulos")] == ["Γιώργος Παπαδόπουλος"]
    assert [p.name for p in search_people(context, "Петров")] == ["Ivan Petrov"]


def test_codes_differing_only_in_case_import_nothing(context, tmp_path: Path) -> None:
    import_attendees(context, write(tmp_path, "Name,Email,Code\nAnna Berg,anna@example.org,abc123secret\n"))
    against_stored = "Name,Email,Code\nBen Cole,ben@example.org,ABC123SECRET\n"
    with pytest.raises(AttendeeImportError, match="line 2: badge code differs only in upper/lower case"):
        import_attendees(context, write(tmp_path, against_stored, "stored.csv"))
    in_the_file = "Name,Email,Code\nCara Diaz,cara@example.org,xyz789secret\nDan Eld,dan@example.org,XYZ789Secret\n"
    with pytest.raises(
        AttendeeImportError, match="line 3: badge code differs only in upper/lower case from the code on line 2"
    ):
        import_attendees(context, write(tmp_path, in_the_file, "file.csv"))
    assert [p.name for p in people(context)] == ["Anna Berg"]
