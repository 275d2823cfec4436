"""The meeting desk's use cases on the sample morning (see tests/meetings_sample.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest
from meetings_sample import MEETINGS_CSV, PEOPLE, at, meetings  # noqa: F401
from sqlmodel import Session, select

from eventdesk.importers.meetings_csv import MeetingsFileError
from eventdesk.services import meetings as svc
from eventdesk.store.db import change_versions
from eventdesk.store.models import Attendee, Meeting, MeetingRequest, MeetingSlot

ANA, BEN, KINCSO, KRISTINA, CHEN, DARA, EVE, FINN = (PEOPLE[k][4] for k in PEOPLE)


def count_meetings(context) -> int:
    with Session(context.engine) as session:
        return len(session.exec(select(Meeting)).all())


def test_import_creates_slots_tables_and_meetings(meetings):
    board = svc.load_board(meetings)
    assert [s.start for s in board.slots] == [at(10), at(10, 30), at(11)]
    assert [s.end for s in board.slots] == [at(10, 30), at(11), at(11, 30)]  # 30 min: the gap between starts
    assert board.tables == [1, 2, 3, 4]
    assert count_meetings(meetings) == 7
    again = svc.import_meetings(meetings, MEETINGS_CSV)
    assert (again.added, again.unchanged) == (0, 7)
    assert count_meetings(meetings) == 7


def test_a_bad_row_imports_nothing_and_names_its_line(meetings, tmp_path):
    bad = tmp_path / "more.csv"
    bad.write_text(
        "slot_start,table,participant_a,participant_b\n"
        "2024-05-08 11:30,1,eve@example.uk,finn@example.dk\n"
        "2024-05-08 11:30,2,ana@example.eu,nobody@example.eu\n",
        encoding="utf-8",
    )
    with pytest.raises(MeetingsFileError, match=r"^line 3: Nobody has the e-mail nobody@example.eu"):
        svc.import_meetings(meetings, bad)
    clash = tmp_path / "clash.csv"
    clash.write_text(
        "slot_start,table,participant_a,participant_b\n"
        "2024-05-08 11:30,1,eve@example.uk,finn@example.dk\n"
        f"2024-05-08 11:30,2,{FINN},ana@example.eu\n",
        encoding="utf-8",
    )
    with pytest.raises(MeetingsFileError, match=r"^line 3: .* already has a meeting in that slot on line 2"):
        svc.import_meetings(meetings, clash)
    assert count_meetings(meetings) == 7
    assert len(svc.load_board(meetings).slots) == 3  # the 11:30 slot was not left behind


def test_scan_marks_present_then_both_present(meetings):
    meetings.clock.set(at(9, 55))  # five minutes early counts as arrived
    versions = change_versions(meetings.engine)
    first = svc.scan(meetings, ANA)
    assert first.outcome == svc.PRESENT
    assert (first.meeting.table, first.partner.name, first.meeting.state) == (1, "Ben Okafor", "one_present")
    assert change_versions(meetings.engine)["meetings"] != versions["meetings"]
    assert svc.scan(meetings, ANA).outcome == svc.ALREADY_PRESENT
    second = svc.scan(meetings, f"  {BEN}\r")
    assert (second.outcome, second.meeting.state, second.partner.name) == (
        svc.PRESENT,
        "both_present",
        "Ana Šermukšnytė",
    )
    assert svc.scan(meetings, "") is None
    assert svc.scan(meetings, "NOPE").outcome == svc.UNKNOWN_CODE
    assert svc.scan(meetings, EVE).outcome == svc.NO_MEETING


def test_scan_too_early_shows_the_meeting_without_marking(meetings):
    meetings.clock.set(at(10, 10))
    later = svc.scan(meetings, FINN)
    assert later.outcome == svc.NO_MEETING
    ahead = svc.scan(meetings, KINCSO)  # 10:00 meeting is running: present now
    assert ahead.outcome == svc.PRESENT and ahead.meeting.slot.start == at(10)
    meetings.clock.set(at(10, 31))
    # Kíncső's next meeting is at 11:00, half an hour away: shown, not marked
    result = svc.scan(meetings, KINCSO)
    assert result.outcome == svc.LATER
    assert (result.meeting.table, result.partner.name) == (3, "Ben Okafor")
    assert not result.meeting.a_present


def test_probable_no_show_after_the_configured_minutes_then_confirmed(meetings):
    meetings.clock.set(at(10, 2))
    svc.scan(meetings, ANA)
    meetings.clock.set(at(10, 4, 59))
    assert svc.load_board(meetings).probable_no_shows(meetings.now()) == []
    meetings.clock.set(at(10, 5))
    flagged = svc.load_board(meetings).probable_no_shows(meetings.now())
    assert [(m.table, [p.name for p in m.missing()]) for m in flagged] == [
        (1, ["Ben Okafor"]),
        (2, ["Kíncső Izsák", "Kristina Šermukšnytė-Alešiūnienė"]),
        (3, ["Chen Wei", "Dara Ó Briain"]),
    ]
    slot, free = svc.free_tables_now(meetings)
    assert (slot.start, free) == (at(10), [4])
    svc.confirm_no_show(meetings, flagged[0].id)
    assert svc.free_tables_now(meetings)[1] == [4]  # Ana sits at table 1: it is half-free, not free
    assert {t: p.name for t, p in svc.load_board(meetings).half_free(slot).items()} == {1: "Ana Šermukšnytė"}
    assert [m.table for m in svc.load_board(meetings).probable_no_shows(meetings.now())] == [2, 3]
    late = svc.scan(meetings, BEN)  # Ben arrives after the desk released table 1
    assert (late.outcome, late.meeting.table, late.meeting.state) == (svc.RELEASED, 1, "no_show")
    svc.scan(meetings, CHEN)
    svc.scan(meetings, DARA)
    with pytest.raises(svc.MeetingsError, match="both present"):
        svc.confirm_no_show(meetings, flagged[2].id)


def test_ad_hoc_booking_refused_with_reasons_then_accepted(meetings):
    meetings.clock.set(at(10, 12))
    board = svc.load_board(meetings)
    now_slot, next_slot, _ = board.window(meetings.now())

    def refused(a, b, slot, table):
        with pytest.raises(svc.BookingRefused) as caught:
            svc.book(meetings, a, b, slot.id, table)
        return str(caught.value)

    assert refused(EVE, ANA, now_slot, 4) == "Ana Šermukšnytė already has a meeting at 10:00 (table 1 with Ben Okafor)."
    assert refused(EVE, FINN, now_slot, 2) == (
        "Table 2 is taken at 10:00 (Kíncső Izsák with Kristina Šermukšnytė-Alešiūnienė)."
    )
    assert refused(EVE, EVE, now_slot, 4) == "Choose two different people."
    assert refused(EVE, FINN, now_slot, 9) == "There is no table 9."
    assert refused("nobody here", FINN, now_slot, 4) == "Nobody matches 'nobody here'."
    meetings.clock.set(at(10, 31))
    assert refused(EVE, FINN, now_slot, 4) == "The 10:00 slot is over; choose the current or a later slot."
    svc.set_unavailable(meetings, "finn@example.dk", at(11))
    board = svc.load_board(meetings)
    last = board.slots[-1]
    assert refused(EVE, FINN, last, 4) == "Finn Larsen is unavailable at 11:00."

    booked = svc.book(meetings, "eve walker", "finn@example.dk", next_slot.id, 4)
    assert (booked.table, booked.slot.start, booked.state) == (4, at(10, 30), "scheduled")
    assert svc.free_tables_now(meetings)[1] == [3]
    assert refused(KINCSO, CHEN, next_slot, 4).startswith("Table 4 is taken at 10:30 (Eve Walker with Finn Larsen)")


def test_cancelled_registration_cannot_be_booked(meetings):
    with meetings.session() as session:
        eve = session.exec(select(Attendee).where(Attendee.badge_code == EVE)).one()
        eve.status = "cancelled"
        session.add(eve)
    slot = svc.load_board(meetings).slots[0]
    with pytest.raises(svc.BookingRefused, match="Eve Walker's registration is cancelled"):
        svc.book(meetings, EVE, FINN, slot.id, 4)


def test_usage_per_slot(meetings):
    usage = svc.usage(meetings)
    assert [(u.slot.start, u.in_use, u.available) for u in usage] == [
        (at(10), 3, 1),
        (at(10, 30), 2, 2),
        (at(11), 2, 2),
    ]


def test_remaining_meetings_skip_past_and_freed_ones(meetings):
    meetings.clock.set(at(10, 40))
    person, remaining = svc.remaining_meetings(meetings, ANA)
    assert person.name == "Ana Šermukšnytė"
    assert [(m.slot.start, m.table, m.partner_of(person.id).name) for m in remaining] == [
        (at(10, 30), 1, "Chen Wei"),
        (at(11), 1, "Dara Ó Briain"),
    ]
    meetings.clock.set(at(10, 36))
    svc.confirm_no_show(meetings, remaining[0].id)
    assert [m.slot.start for m in svc.remaining_meetings(meetings, "ana@example.eu")[1]] == [at(11)]


def test_export_writes_every_meeting_with_its_final_state(meetings):
    meetings.clock.set(at(10, 1))
    svc.scan(meetings, ANA)
    svc.scan(meetings, BEN)
    meetings.clock.set(at(10, 10))
    chen_dara = next(m for m in svc.load_board(meetings).probable_no_shows(meetings.now()) if m.table == 3)
    svc.confirm_no_show(meetings, chen_dara.id)
    meetings.clock.set(at(12))
    rows = list(csv.DictReader(io.StringIO(svc.export_csv(meetings))))
    assert len(rows) == 7
    assert [(r["slot_start"], r["table"], r["state"]) for r in rows[:3]] == [
        ("2024-05-08T10:00+02:00", "1", "done"),
        ("2024-05-08T10:00+02:00", "2", "scheduled"),
        ("2024-05-08T10:00+02:00", "3", "no_show"),
    ]
    assert rows[0]["participant_b"] == BEN  # no e-mail: the badge code names him
    assert rows[6]["notes"] == 'topic: Photonics "Lab" [2]'


def test_requests_scheduled_into_the_grid(tmp_db, tmp_path):
    from meetings_sample import add_people, build  # noqa: F401

    from eventdesk.domain.clock import Clock
    from eventdesk.services.context import open_context

    context = open_context(tmp_db, clock=Clock.frozen(at(8)))
    add_people(context)
    assert svc.ensure_grid(context, day=date(2024, 5, 8), first=time(10), count=2, minutes=20, tables=1) == (2, 1)
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "participant_a,participant_b,why\n"
        "ana@example.eu,chen@example.cn,batteries\n"
        f"ana@example.eu,{BEN},\n"
        "dara@example.ie,chen@example.cn,\n"
        "kincso@example.hu,kristina@example.lt,\n"
        "ana@example.eu,eve@example.uk,\n",
        encoding="utf-8",
    )
    summary = svc.import_meetings(context, requests)
    assert (summary.kind, summary.added) == ("requests", 5)
    svc.set_unavailable(context, "eve walker", at(10))
    result = svc.schedule_requests(context)
    assert len(result.placed) == 2
    reasons = sorted(reason for _a, _b, reason in result.unplaced)
    assert len(reasons) == 3 and all(reasons)
    assert "Ana Šermukšnytė is busy or unavailable in all 2 slots." in reasons
    with Session(context.engine) as session:
        live = session.exec(select(Meeting)).all()
        assert len({(m.slot_id, m.table_id) for m in live}) == len(live)
        people_slots = [(p, m.slot_id) for m in live for p in (m.attendee_a_id, m.attendee_b_id)]
        assert len(set(people_slots)) == len(people_slots)
        unplaced = session.exec(select(MeetingRequest).where(MeetingRequest.meeting_id.is_(None))).all()
        assert all(r.unplaced_reason for r in unplaced) and len(unplaced) == 3
        slots = session.exec(select(MeetingSlot)).all()
        assert all(s.end - s.start == (at(10, 20) - at(10)) for s in slots)


def test_presence_is_also_a_check_in_on_the_matchmaking_list(meetings):
    from eventdesk.store.models import CheckinList, CheckinRecord

    with meetings.session() as session:
        session.add(CheckinList(name=svc.MATCHMAKING_LIST, kind="meetings"))
    meetings.clock.set(at(10, 1))
    assert svc.scan(meetings, ANA).outcome == svc.PRESENT
    assert svc.scan(meetings, ANA).outcome == svc.ALREADY_PRESENT  # counted once
    with Session(meetings.engine) as session:
        records = session.exec(select(CheckinRecord, CheckinList).join(CheckinList)).all()
    assert [(r.code, r.result, lst.name) for r, lst in records] == [(ANA, "ok", "Matchmaking area")]


def test_presence_without_a_matchmaking_list_still_counts(meetings):
    meetings.clock.set(at(10, 1))
    assert svc.scan(meetings, ANA).meeting.state == "one_present"


def test_a_meeting_booked_during_its_slot_gets_its_grace_from_the_booking(meetings):
    meetings.clock.set(at(10, 12))
    slot = svc.load_board(meetings).slots[0]
    booked = svc.book(meetings, EVE, FINN, slot.id, 4)
    assert booked.booked_at == at(10, 12)
    meetings.clock.set(at(10, 16))
    assert 4 not in [m.table for m in svc.load_board(meetings).probable_no_shows(meetings.now())]
    meetings.clock.set(at(10, 17))
    assert 4 in [m.table for m in svc.load_board(meetings).probable_no_shows(meetings.now())]


def test_cancelling_frees_the_table_once(meetings):
    board = svc.load_board(meetings)
    first = board.meetings[board.slots[0].id][0]
    assert svc.cancel_meeting(meetings, first.id).state == "cancelled"
    assert svc.free_tables_now(meetings)[1] == [1, 4]
    with pytest.raises(svc.MeetingsError, match="already cancelled"):
        svc.cancel_meeting(meetings, first.id)
    with pytest.raises(svc.MeetingsError, match="no longer exists"):
        svc.confirm_no_show(meetings, 9999)
