"""The meeting desk under Pilot: scans, presence, probable no-shows (F6 asks with the names; the
seated partner stays at a half-free table and is offered stand-by partners), name search, free
tables and ad-hoc bookings on the sample morning (tests/meetings_sample.py), with a frozen event clock."""

from __future__ import annotations

from dataclasses import replace

import pytest
from meetings_sample import PEOPLE, at, meetings  # noqa: F401
from sqlmodel import Session, select
from textual.widgets import Input, OptionList

from eventdesk.services import meetings as service
from eventdesk.store.models import PrintJob
from eventdesk.tui.app import make_app
from eventdesk.tui.screens.meetings.booking import BookingForm
from eventdesk.tui.screens.meetings.grid import MeetingGrid, NoShowList
from eventdesk.tui.screens.meetings.screen import MeetingsScreen
from eventdesk.tui.screens.meetings.standby import ConfirmNoShow, PersonPicker, StandbyOffer
from eventdesk.tui.textual_compat import notifications

ANA, BEN, CHEN, EVE, FINN = (PEOPLE[k][4] for k in ("ana", "ben", "chen", "eve", "finn"))


async def settle(app, pilot) -> None:
    """Let the workers (a scan, then the reload it asks for) finish and the screen catch up."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def grid(screen, selector: str = "#meetings-now") -> dict[str, str]:
    table = screen.query_one(selector, MeetingGrid)
    return {key: table.row_text(key) for key in table.keys}


@pytest.fixture
def app(meetings):
    meetings.clock.set(at(9, 58))
    return make_app(meetings, start_screen="meetings", watch_store=False)


async def scan(app, pilot, code: str) -> None:
    await pilot.press(*code, "enter")
    await settle(app, pilot)


async def test_scan_marks_present_then_both_present(app):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MeetingsScreen)
        assert "Next 10:00–10:30" in text_of(screen, "#meetings-now-title")
        assert "starts in 02:00" in text_of(screen, "#meetings-now-title")
        assert set(grid(screen)) == {"1", "2", "3", "4"}
        # The scanner types while the grid has the focus: the code still lands in the scan box.
        screen.query_one("#meetings-now", MeetingGrid).focus()
        await scan(app, pilot, ANA)
        result = text_of(screen, "#meetings-result")
        assert "Ana Šermukšnytė" in result and "✓ present" in result
        assert "Table 1  with Ben Okafor (Lagos Tech Hub)" in result
        assert screen.query_one("#meetings-result").has_class("-ok")
        assert grid(screen)["1"].startswith("1 | ✓ Ana Šermukšnytė")
        assert grid(screen)["1"].endswith("| one present")
        await scan(app, pilot, BEN)
        assert "Their partner is already at the table." in text_of(screen, "#meetings-result")
        assert grid(screen)["1"].endswith("| both present")
        assert screen.query_one("#meetings-scan", Input).value == ""


async def test_empty_and_unknown_scans(app):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("enter")  # the CR some scanners send before Enter
        await settle(app, pilot)
        assert "Scan a badge" in text_of(screen, "#meetings-result")
        await scan(app, pilot, "NOTABADGE")
        assert "Unknown badge code NOTABADGE" in text_of(screen, "#meetings-result")
        assert screen.query_one("#meetings-result").has_class("-error")
        await scan(app, pilot, EVE)
        assert "No more meetings today." in text_of(screen, "#meetings-result")


async def test_probable_no_show_flagged_then_confirmed_frees_the_table(app, meetings):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await scan(app, pilot, ANA)
        meetings.clock.set(at(10, 4))
        screen.tick()
        await pilot.pause()
        assert screen.query_one("#meetings-no-shows", NoShowList).keys == []
        meetings.clock.set(at(10, 6))
        screen.tick()
        await pilot.pause()
        assert "ends in 24:00" in text_of(screen, "#meetings-now-title")
        flagged = screen.query_one("#meetings-no-shows", NoShowList)
        assert [flagged.row_text(k) for k in flagged.keys] == [
            "1 | Ben Okafor | 6 min",
            "2 | Kíncső Izsák & Kristina Šermukšnytė-Al… | 6 min",
            "3 | Chen Wei & Dara Ó Briain | 6 min",
        ]
        assert grid(screen)["2"].endswith("| ⚠ probable no-show")
        assert "Free tables now (1): 4" in text_of(screen, "#meetings-free")
        flagged.focus()
        await pilot.press("down")  # table 2
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("enter")  # the confirmation names them; Enter confirms
        await settle(app, pilot)
        assert grid(screen)["2"].endswith("| no-show · free")
        assert "Free tables now (2): 2, 4" in text_of(screen, "#meetings-free")
        assert [flagged.row_text(k).split(" | ")[0] for k in flagged.keys] == ["1", "3"]
        assert "2 in use /   2 free" in text_of(screen, "#meetings-usage")


async def test_ad_hoc_booking_refused_with_reason_then_accepted(app, meetings):
    from textual.widgets import OptionList

    meetings.clock.set(at(10, 12))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await scan(app, pilot, EVE)  # the last scanned person is person A, by name
        await pilot.press("f8")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BookingForm)
        assert "✓ Eve Walker" in text_of(form, "#booking-a-chosen")
        assert form.focused is form.query_one("#booking-b", Input)

        await pilot.press(*"ana", "enter")  # a name: searched, one match taken
        await settle(app, pilot)
        assert "✓ Ana Šermukšnytė" in text_of(form, "#booking-b-chosen")
        assert text_of(form, "#booking-error") == "These two have no free slot in common left today."

        form.query_one("#booking-b", Input).focus()  # choose again: Finn
        await pilot.press(*"finn lar", "enter")
        await settle(app, pilot)
        assert "✓ Finn Larsen" in text_of(form, "#booking-b-chosen")
        slots = form.query_one("#booking-slots", OptionList)
        assert [str(slots.get_option_at_index(i).prompt) for i in range(slots.option_count)] == [
            "10:00–10:30  1 table",
            "10:30–11:00  2 tables",
            "11:00–11:30  2 tables",
        ]
        assert form.focused is slots  # Tab or typing never opens a drop-down
        await pilot.press("down")  # 10:30
        await pilot.press("enter")  # to the tables
        tables = form.query_one("#booking-tables", OptionList)
        assert form.focused is tables
        assert [str(tables.get_option_at_index(i).prompt) for i in range(tables.option_count)] == ["Table 3", "Table 4"]
        await pilot.press("down", "enter")  # table 4
        await settle(app, pilot)
        assert app.screen is screen
        assert (
            "Eve Walker" in grid(screen, "#meetings-next")["4"] and "Finn Larsen" in grid(screen, "#meetings-next")["4"]
        )


async def test_a_refused_booking_keeps_the_form_open_with_the_reason(app, meetings):
    meetings.clock.set(at(10, 12))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("f8")
        await pilot.pause()
        form = app.screen
        await pilot.press(*"eve walker", "enter")
        await settle(app, pilot)
        await pilot.press(*"finn larsen", "enter")
        await settle(app, pilot)
        service.book(meetings, EVE, FINN, form.options[0].slot.id, 4)  # another desk was quicker
        await pilot.press("ctrl+s")  # the first slot and table, as listed
        await settle(app, pilot)
        assert app.screen is form
        assert text_of(form, "#booking-error") == "Table 4 is taken at 10:00 (Eve Walker with Finn Larsen)."


async def test_booking_form_closes_on_escape_without_booking(app):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, BookingForm)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert grid(screen)["4"].endswith("| free")


async def test_slot_change_moves_the_grid_on(app, meetings):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert "Then 10:30–11:00" in text_of(screen, "#meetings-next-title")
        meetings.clock.set(at(10, 31))
        screen.tick()
        await pilot.pause()
        assert "Now 10:30–11:00" in text_of(screen, "#meetings-now-title")
        assert "Then 11:00–11:30" in text_of(screen, "#meetings-next-title")
        assert "Ana Šermukšnytė" in grid(screen)["1"] and "Chen Wei" in grid(screen)["1"]
        assert "▶ 10:30–11:00" in text_of(screen, "#meetings-usage")


async def test_the_demo_events_meetings_load_on_the_screen(demo_db):
    from eventdesk.domain.clock import Clock
    from eventdesk.services import meetings as service
    from eventdesk.services.context import open_context

    context = open_context(demo_db, clock=Clock.frozen(at(10, 2)))
    board = service.load_board(context)
    assert sum(len(m) for m in board.meetings.values()) >= 800
    assert len(board.tables) == 60
    running = next(s for s in board.slots if s.start <= context.now() < s.end)
    booked = {m.table: m for m in board.meetings[running.id]}
    app = make_app(context, start_screen="meetings", watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        rows = grid(screen)
        assert len(rows) == 60
        assert f"{len(booked)}/60 tables in use" in text_of(screen, "#meetings-now-title")
        table, meeting = next(iter(sorted(booked.items())))
        assert meeting.a.name[:20] in rows[str(table)] and meeting.b.name[:20] in rows[str(table)]
        free = [n for n in range(1, 61) if n not in booked]
        assert all(rows[str(n)].endswith("| free") for n in free)
        # a demo participant scans in: present at their table
        await scan(app, pilot, meeting.a.badge_code)
        assert f"Table {table}  with" in text_of(screen, "#meetings-result")
        assert grid(screen)[str(table)].endswith("| one present")


async def test_f9_queues_the_scanned_persons_slip(meetings, tmp_path):
    meetings.clock.set(at(9, 58))
    app = make_app(meetings, start_screen="meetings", watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert "Scan the person's badge first" in " ".join(str(n.message) for n in notifications(app))
        # no printer configured: the desk is told how to add one
        await scan(app, pilot, BEN)
        await pilot.press("f9")
        await settle(app, pilot)
        assert "No printer is configured" in " ".join(str(n.message) for n in notifications(app))
        meetings.settings = replace(
            meetings.settings, printers={"slips": f"preview://{tmp_path}"}, default_printer="slips"
        )
        await pilot.press("f9")
        await settle(app, pilot)
        assert "Slip queued on slips." in " ".join(str(n.message) for n in notifications(app))
    with Session(meetings.engine) as session:
        jobs = session.exec(select(PrintJob)).all()
    assert [(j.kind, j.printer) for j in jobs] == [("slip", "slips")]
    from eventdesk.services.meetings import remaining_meetings

    assert jobs[0].attendee_id == remaining_meetings(meetings, BEN)[0].id


async def test_an_event_without_meetings_says_how_to_get_them(tmp_db):
    from eventdesk.domain.clock import Clock
    from eventdesk.services.context import open_context

    app = make_app(open_context(tmp_db, clock=Clock.frozen(at(10))), start_screen="meetings", watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert text_of(screen, "#meetings-now-title") == "No more meeting slots today."
        assert "eventdesk import meetings FILE" in text_of(screen, "#meetings-usage")
        assert grid(screen) == {}
        await pilot.press("f8")
        await pilot.pause()
        assert "No slot is left today" in text_of(app.screen, "#booking-error")


async def test_a_late_partner_hears_that_the_table_was_released(app, meetings):
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        meetings.clock.set(at(10, 8))
        screen.tick()
        await pilot.pause()
        await pilot.press("f6")  # table 1: Ana and Ben both missing
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        await scan(app, pilot, BEN)
        result = text_of(screen, "#meetings-result")
        assert "too late: meeting released" in result and "Table 1  with Ana Šermukšnytė" in result
        assert screen.query_one("#meetings-result").has_class("-warn")


async def test_another_desks_scan_shows_up_when_the_store_changes(app, meetings):
    from eventdesk.tui.messages import StoreChanged

    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        service.scan(meetings, ANA)  # the other desk, same store
        assert grid(screen)["1"].endswith("| scheduled")
        app.notify_store_changed(frozenset({"agenda"}))  # not ours: nothing to re-read
        await settle(app, pilot)
        assert grid(screen)["1"].endswith("| scheduled")
        screen.post_message(StoreChanged(frozenset({"meetings"})))
        await settle(app, pilot)
        assert grid(screen)["1"].endswith("| one present")


# --- no-shows turned into meetings, the list by keyboard, a name at the scan box ----------------


async def seven_past(meetings, screen, pilot) -> None:
    """10:07: everyone still missing at table 1-3 is a probable no-show."""
    meetings.clock.set(at(10, 7))
    screen.tick()
    await pilot.pause()


@pytest.fixture
def desk_app(meetings, tmp_path):
    meetings.clock.set(at(10, 2))
    meetings.settings = replace(meetings.settings, printers={"slips": f"preview://{tmp_path}"}, default_printer="slips")
    return make_app(meetings, start_screen="meetings", watch_store=False)


async def test_two_no_shows_confirmed_then_their_waiting_people_booked_together_with_both_slips(desk_app, meetings):
    app = desk_app
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await scan(app, pilot, ANA)  # table 1: Ben will not come
        await scan(app, pilot, CHEN)  # table 3: Dara will not come
        await seven_past(meetings, screen, pilot)
        flagged = screen.query_one("#meetings-no-shows", NoShowList)
        assert [flagged.row_text(k).split(" | ")[0] for k in flagged.keys] == ["1", "2", "3"]

        await pilot.press("down", "down")  # from the scan box: table 3
        await pilot.press("f6")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmNoShow)
        words = text_of(dialog, "#no-show-text")
        assert "Dara Ó Briain did not come" in words and "Chen Wei stays at the table" in words
        await pilot.press("enter")
        await settle(app, pilot)
        offer = app.screen
        assert isinstance(offer, StandbyOffer)  # Chen is offered partners: nobody is free yet
        assert "Nobody is free in this slot yet" in text_of(offer, "#standby-status")
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.query_one("#meetings-now").row_text("3").endswith("| no-show · half-free")
        assert "Chen Wei" in screen.query_one("#meetings-now").row_text("3")
        free = text_of(screen, "#meetings-free")
        assert "Free tables now (1): 4" in free and "Half-free 3: Chen Wei waits for a partner" in free

        screen.query_one("#meetings-no-shows", NoShowList).move_cursor(row=0)  # table 1
        await pilot.press("f6")
        await pilot.pause()
        assert "Ben Okafor did not come" in text_of(app.screen, "#no-show-text")
        await pilot.press("enter")
        await settle(app, pilot)
        offer = app.screen
        assert isinstance(offer, StandbyOffer)
        options = offer.query_one("#standby-list", OptionList)
        assert "Chen Wei" in str(options.get_option_at_index(0).prompt)
        assert "partner did not come · table 3" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # one key: book Ana with Chen at Ana's table, print both slips
        await settle(app, pilot)
        assert app.screen is screen
        row = screen.query_one("#meetings-now").row_text("1")
        assert "✓ Ana Šermukšnytė" in row and "Chen Wei" in row and row.endswith("| one present")
        assert "Free tables now (2): 3, 4" in text_of(screen, "#meetings-free")
        assert "Half-free" not in text_of(screen, "#meetings-free")
        notes = " ".join(str(n.message) for n in notifications(app))
        assert "Booked table 1: Ana Šermukšnytė with Chen Wei. Both slips are printing." in notes
    with Session(meetings.engine) as session:
        jobs = session.exec(select(PrintJob).where(PrintJob.kind == "slip")).all()
    both = [service.find_people(meetings, code)[0].id for code in (ANA, CHEN)]
    assert sorted(j.attendee_id for j in jobs) == sorted(both)


async def test_f6_asks_first_and_esc_changes_nothing(desk_app, meetings):
    app = desk_app
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await seven_past(meetings, screen, pilot)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmNoShow)
        assert "Ana Šermukšnytė and Ben Okafor did not come" in text_of(app.screen, "#no-show-text")
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen.query_one("#meetings-now").row_text("1").endswith("⚠ probable no-show")


async def test_the_probable_no_shows_answer_arrows_and_tab(desk_app, meetings):
    app = desk_app
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await seven_past(meetings, screen, pilot)
        flagged = screen.query_one("#meetings-no-shows", NoShowList)
        assert screen.focused is screen.query_one("#meetings-scan")
        await pilot.press("down")
        assert flagged.selected_key is not None and flagged.row_text(flagged.selected_key).startswith("2 |")
        await pilot.press("up")
        assert flagged.row_text(flagged.selected_key).startswith("1 |")
        await pilot.press("tab")
        assert screen.focused is flagged
        await pilot.press("down", "down")
        assert flagged.row_text(flagged.selected_key).startswith("3 |")


async def test_a_typed_name_is_searched_and_taken_as_that_persons_scan(desk_app, meetings):
    app = desk_app
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press(*"chen wei", "enter")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, PersonPicker)
        assert "Chen Wei" in str(picker.query_one("#picker-list", OptionList).get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        result = text_of(screen, "#meetings-result")
        assert "Chen Wei" in result and "✓ present" in result and "Table 3" in result
        await pilot.press(*"nobody at all", "enter")
        await settle(app, pilot)
        assert app.screen is screen and "Nobody found for nobody at all" in text_of(screen, "#meetings-result")
