"""The meeting desk under Pilot: scans, presence, probable no-shows, free tables and ad-hoc
bookings on the sample morning (tests/meetings_sample.py), with a frozen event clock."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from eventdesk.tui.app import make_app
from eventdesk.tui.screens.meetings import MeetingsScreen
from eventdesk.tui.widgets.meeting_booking import BookingForm
from eventdesk.tui.widgets.meeting_grid import MeetingGrid, NoShowList
from meetings_sample import PEOPLE, at, meetings  # noqa: F401

ANA, BEN, EVE, FINN = (PEOPLE[k][4] for k in ("ana", "ben", "eve", "finn"))


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
        await settle(app, pilot)
        assert grid(screen)["2"].endswith("| no-show · free")
        assert "Free tables now (2): 2, 4" in text_of(screen, "#meetings-free")
        assert [flagged.row_text(k).split(" | ")[0] for k in flagged.keys] == ["1", "3"]
        assert "2 in use /   2 free" in text_of(screen, "#meetings-usage")


async def test_ad_hoc_booking_refused_with_reason_then_accepted(app, meetings):
    meetings.clock.set(at(10, 12))
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await scan(app, pilot, EVE)  # the last scanned person fills in person A
        await pilot.press("f8")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BookingForm)
        assert form.query_one("#booking-a", Input).value == EVE
        assert form.query_one("#booking-slot", Select).value == screen.board.slots[0].id
        assert form.query_one("#booking-table", Input).value == "4"  # the first free table

        async def book(b: str, table: str) -> str:
            form.query_one("#booking-b", Input).value = b
            form.query_one("#booking-table", Input).value = table
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            return text_of(form, "#booking-error") if app.screen is form else ""

        assert await book(ANA, "4") == "Ana Šermukšnytė already has a meeting at 10:00 (table 1 with Ben Okafor)."
        assert await book(FINN, "2") == "Table 2 is taken at 10:00 (Kíncső Izsák with Kristina Šermukšnytė-Alešiūnienė)."
        assert app.screen is form
        assert await book(FINN, "4") == ""
        assert app.screen is screen
        assert "Eve Walker" in grid(screen)["4"] and "Finn Larsen" in grid(screen)["4"]
        assert "Free tables now (0): none" in text_of(screen, "#meetings-free")


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
    from dataclasses import replace

    from sqlmodel import Session, select

    from eventdesk.store.models import PrintJob

    meetings.clock.set(at(9, 58))
    app = make_app(meetings, start_screen="meetings", watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert "Scan the person's badge first" in " ".join(str(n.message) for n in app._notifications)
        # no printer configured: the desk is told how to add one
        await scan(app, pilot, BEN)
        await pilot.press("f9")
        await settle(app, pilot)
        assert "No printer is configured" in " ".join(str(n.message) for n in app._notifications)
        meetings.settings = replace(meetings.settings, printers={"slips": f"preview://{tmp_path}"},
                                    default_printer="slips")
        await pilot.press("f9")
        await settle(app, pilot)
        assert "Slip queued on slips." in " ".join(str(n.message) for n in app._notifications)
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
        await settle(app, pilot)
        await scan(app, pilot, BEN)
        result = text_of(screen, "#meetings-result")
        assert "too late: meeting released" in result and "Table 1  with Ana Šermukšnytė" in result
        assert screen.query_one("#meetings-result").has_class("-warn")


async def test_another_desks_scan_shows_up_when_the_store_changes(app, meetings):
    from eventdesk.services import meetings as service
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
