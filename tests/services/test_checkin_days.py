"""Day two at the desk: presence on a list ends at the day boundary, so a returning attendee's
first entry of a later day is a green "Welcome back" (no second badge) and a second entry the same
day is still "already checked in"; the figures show today beside the event."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from eventdesk.domain.clock import Clock
from eventdesk.services.checkin import check_in
from eventdesk.services.checkin_figures import desk_figures
from eventdesk.services.context import open_context
from eventdesk.settings import Settings, SettingsError
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, PrintJob

BRUSSELS = ZoneInfo("Europe/Brussels")
DAY_ONE = datetime(2024, 5, 6, 8, 40, tzinfo=BRUSSELS)


@pytest.fixture
def desk(tmp_db):
    context = open_context(tmp_db, Settings(db=tmp_db, desk="Desk 1"), Clock.frozen(DAY_ONE))
    with context.session() as session:
        for number, (first, last) in enumerate([("Anna", "Müller"), ("Petra", "Golob"), ("Léa", "Robert")]):
            save_attendee(session, Attendee(first_name=first, last_name=last, badge_code=f"DAYS{number:022d}"))
    return context


def code(number: int) -> str:
    return f"DAYS{number:022d}"


def badges(context) -> int:
    with Session(context.engine) as session:
        return len(session.exec(select(PrintJob).where(PrintJob.kind == "badge")).all())


def test_the_first_entry_of_a_later_day_is_welcome_back_without_a_second_badge(desk):
    first = check_in(desk, code(0))
    assert (first.result, first.label, first.returning, first.badge_queued) == ("ok", "Welcome", False, True)
    desk.clock.set(datetime(2024, 5, 7, 8, 35, tzinfo=BRUSSELS))
    back = check_in(desk, code(0), desk="Desk 3")
    assert (back.result, back.label, back.returning, back.badge_queued) == ("ok", "Welcome back", True, False)
    assert back.as_dict()["returning"] is True
    again = check_in(desk, code(0), desk="Desk 2")
    assert again.result == "already_checked_in"
    assert again.first_checkin_desk == "Desk 3"  # today's first entry, not Monday's
    assert again.first_checkin_at == datetime(2024, 5, 7, 8, 35, tzinfo=BRUSSELS)
    assert badges(desk) == 1


def test_before_the_boundary_the_night_still_belongs_to_the_day_before(desk):
    check_in(desk, code(1))
    desk.clock.set(datetime(2024, 5, 7, 3, 59, tzinfo=BRUSSELS))
    assert check_in(desk, code(1)).result == "already_checked_in"
    desk.clock.set(datetime(2024, 5, 7, 4, 0, tzinfo=BRUSSELS))
    assert check_in(desk, code(1)).label == "Welcome back"


def test_the_boundary_is_a_setting(tmp_db, desk):
    check_in(desk, code(2))
    late = open_context(
        tmp_db,
        Settings(db=tmp_db, desk="Desk 1", day_boundary="07:00"),
        Clock.frozen(datetime(2024, 5, 7, 6, 30, tzinfo=BRUSSELS)),
    )
    assert check_in(late, code(2)).result == "already_checked_in"
    with pytest.raises(SettingsError, match="04:00"):
        Settings.load(env={"EVENTDESK_DAY_BOUNDARY": "dawn"})
    assert Settings.load(env={"EVENTDESK_DAY_BOUNDARY": "05:00"}).day_boundary == "05:00"


def test_figures_show_today_beside_the_event_and_inside_now_starts_afresh(desk):
    check_in(desk, code(0))
    check_in(desk, code(1))
    check_in(desk, code(1), direction="exit")
    monday = desk_figures(desk).checkin_list
    assert (monday.checked_in_today, monday.checked_in, monday.expected, monday.inside_now) == (2, 2, 3, 1)
    desk.clock.set(datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS))
    tuesday = desk_figures(desk).checkin_list
    assert (tuesday.checked_in_today, tuesday.checked_in, tuesday.inside_now) == (0, 2, 0)
    assert (tuesday.entries, tuesday.exits) == (0, 0)
    check_in(desk, code(0))
    check_in(desk, code(2))
    tuesday = desk_figures(desk).checkin_list
    assert (tuesday.checked_in_today, tuesday.checked_in, tuesday.inside_now) == (2, 3, 2)
    assert {c.category: c.checked_in for c in tuesday.categories} == {"participant": 2}


def test_a_replayed_scan_of_a_later_day_names_that_days_first_entry(desk):
    check_in(desk, code(0))
    desk.clock.set(datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS))
    check_in(desk, code(0), desk="Desk 2")
    desk.clock.advance(timedelta(minutes=5))
    refused = check_in(desk, code(0), nonce="n-1")
    replay = check_in(desk, code(0), nonce="n-1")
    assert replay.replayed and replay.first_checkin_desk == refused.first_checkin_desk == "Desk 2"


def test_room_occupancy_on_the_board_starts_afresh_each_day(desk):
    from eventdesk.services.agenda import board_programme
    from eventdesk.store.models import CheckinList, Room

    with desk.session() as session:
        room = Room(name="Auditorium", capacity=200)
        session.add(room)
        session.flush()
        session.add(CheckinList(name="Auditorium door", kind="room", room_id=room.id))
        room_id = room.id
    check_in(desk, code(0), list_name="Auditorium door")
    check_in(desk, code(1), list_name="Auditorium door")
    assert board_programme(desk).occupancy[room_id] == 2
    desk.clock.set(datetime(2024, 5, 7, 9, 0, tzinfo=BRUSSELS))  # nobody scanned out last night
    assert board_programme(desk).occupancy.get(room_id, 0) == 0
    check_in(desk, code(0), list_name="Auditorium door")
    assert board_programme(desk).occupancy[room_id] == 1


def test_the_boards_kept_door_counts_follow_scans_undos_and_days(desk, tmp_db):
    """The board counts only the scans since its last read: a scan and an undo at another desk,
    a door list added, and the next day all show as a count from scratch would."""
    from eventdesk.services.agenda import BoardReader
    from eventdesk.services.checkin import undo_last
    from eventdesk.store.agenda import occupancy
    from eventdesk.store.models import CheckinList, Room

    with desk.session() as session:
        rooms = [Room(name="Auditorium", capacity=200), Room(name="Studio", capacity=20)]
        session.add_all(rooms)
        session.flush()
        session.add(CheckinList(name="Auditorium door", kind="room", room_id=rooms[0].id))
        auditorium, studio = rooms[0].id, rooms[1].id
    board = BoardReader(desk)
    other = open_context(tmp_db, Settings(db=tmp_db, desk="Desk 2"), Clock.frozen(DAY_ONE))

    def counts() -> dict[int, int]:
        kept = board.occupancy()
        with desk.session() as session:
            assert kept == occupancy(session, since=desk.day_start())
        return kept

    assert counts() == {}
    check_in(other, code(0), list_name="Auditorium door")
    check_in(other, code(1), list_name="Auditorium door")
    assert counts() == {auditorium: 2}
    check_in(other, code(1), list_name="Auditorium door", direction="exit")
    assert counts() == {auditorium: 1}
    undo_last(other)  # the exit was a mistake
    assert counts() == {auditorium: 2}
    with other.session() as session:  # a door for the studio, opened during the day
        session.add(CheckinList(name="Studio door", kind="room", room_id=studio))
    check_in(other, code(2), list_name="Studio door")
    assert counts() == {auditorium: 2, studio: 1}
    assert board.read()[1] == {auditorium: 2, studio: 1}
    for context in (desk, other):  # presence ends at night
        context.clock.set(DAY_ONE + timedelta(days=1))
    assert counts() == {}
    check_in(other, code(0), list_name="Studio door")
    assert counts() == {studio: 1}


def _door(context, name: str, capacity: int | None) -> None:
    from eventdesk.store.models import CheckinList, Room

    with context.session() as session:
        room = Room(name=name, capacity=capacity)
        session.add(room)
        session.flush()
        session.add(CheckinList(name=f"{name} door", kind="room", room_id=room.id))


def test_a_full_room_still_records_the_entry_but_says_room_full(desk):
    _door(desk, "Salon", 2)
    first = check_in(desk, code(0), list_name="Salon door")
    assert (first.ok, first.occupancy, first.capacity, first.room_full) == (True, 1, 2, False)
    second = check_in(desk, code(1), list_name="Salon door")
    assert (second.occupancy, second.room_full) == (2, True)  # the door stops the next one
    third = check_in(desk, code(2), list_name="Salon door")
    assert (third.ok, third.record_id is not None, third.occupancy, third.room_full) == (True, True, 3, True)
    data = third.as_dict()
    assert (data["occupancy"], data["capacity"], data["room_full"]) == (3, 2, True)
    out = check_in(desk, code(2), list_name="Salon door", direction="exit")
    assert (out.ok, out.occupancy, out.room_full) == (True, 2, False)
    check_in(desk, code(1), list_name="Salon door", direction="exit")
    back = check_in(desk, code(1), list_name="Salon door")
    assert (back.ok, back.occupancy, back.room_full) == (True, 2, True)
    check_in(desk, code(1), list_name="Salon door", direction="exit")
    check_in(desk, code(0), list_name="Salon door", direction="exit")
    under = check_in(desk, code(2), list_name="Salon door")
    assert (under.occupancy, under.room_full) == (1, False)


def test_room_fill_counts_the_event_day_only_and_only_doors_of_rooms_with_a_capacity(desk):
    _door(desk, "Salon", 2)
    _door(desk, "Foyer", None)
    check_in(desk, code(0), list_name="Salon door")
    check_in(desk, code(1), list_name="Salon door")
    desk.clock.set(datetime(2024, 5, 7, 8, 35, tzinfo=BRUSSELS))  # nobody scanned out last night
    morning = check_in(desk, code(2), list_name="Salon door")
    assert (morning.occupancy, morning.room_full) == (1, False)
    foyer = check_in(desk, code(0), list_name="Foyer door")
    assert (foyer.ok, foyer.occupancy, foyer.capacity, foyer.room_full) == (True, None, None, False)
    entrance = check_in(desk, code(1))
    assert (entrance.occupancy, entrance.as_dict()["room_full"]) == (None, False)
