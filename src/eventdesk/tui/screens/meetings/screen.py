"""The meeting desk: the running slot as a table grid with its countdown, the next slot below,
a scan box (a badge scanned anywhere on the screen lands there), probable no-shows to confirm,
free tables, per-slot usage, ad-hoc bookings and printed slips.

The store is read in one worker (``services.meetings.load_board``); every second the screen
recomputes what the clock changes (which slot, countdown, no-show flags) from that board in
memory and applies it by keyed diffs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import meetings as service
from eventdesk.services.meeting_slips import SlipError, queue_slip
from eventdesk.services.meetings import Board, MeetingInfo, PersonRef, ScanResult
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.scanning.input import SUBMIT_KEYS, ScanInput
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.screens.meetings.booking import BookingForm
from eventdesk.tui.screens.meetings.grid import MeetingGrid, NoShowList, countdown, grid_columns, slot_label
from eventdesk.tui.screens.meetings.scan import ScanPanel
from eventdesk.tui.screens.meetings.standby import ConfirmNoShow, PersonPicker, StandbyOffer

# Below SIDE_BY_SIDE columns the side panel (free tables, no-shows) sits under the grid.
SIDE_BY_SIDE, WIDE = 130, 200


def side_width(width: int) -> int:
    return 0 if width < SIDE_BY_SIDE else (60 if width >= WIDE else 44)


class MeetingsScreen(MainScreen):
    CSS_PATH = stylesheet("meetings.tcss")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (SIDE_BY_SIDE, "-side"), (WIDE, "-wide")]
    WATCHES = frozenset({"meetings", "attendees"})
    # Scanner keys are letters and digits: every binding here is a function key or a ctrl combo.
    BINDINGS = [
        Binding("f6", "confirm_no_show", "Confirm no-show", id="meetings.no_show"),
        Binding("f8", "book", "Ad-hoc booking", id="meetings.book"),
        Binding("f9", "print_slip", "Print slip", id="meetings.slip"),
        Binding("f10", "standby", "Stand-by partners", id="meetings.standby"),
        Binding("ctrl+l", "focus_scan", "Scan box", id="meetings.scan", show=False),
        # From the scan box ↑/↓ choose among the probable no-shows (see on_scan_input_move); Tab
        # goes into that list (the scan box would take a lone Tab as a scanner's suffix).
        Binding("tab", "tab", "Next field", id="meetings.tab", show=False, priority=True),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.board: Board | None = None
        self.last_person: PersonRef | None = None
        self._shown_slots: tuple[int | None, int | None, bool] | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="meetings-scan-row"):
            yield ScanInput(
                placeholder="Scan a badge, or type a name + Enter", id="meetings-scan", select_on_focus=False
            )
            yield ScanPanel(
                Text("Scan a badge: the person's next meeting, table and partner appear here."), id="meetings-result"
            )
        with Horizontal(id="meetings-body"):
            with Vertical(id="meetings-slots"):
                yield Static(id="meetings-now-title", classes="slot-title")
                yield MeetingGrid(id="meetings-now")
                yield Static(id="meetings-next-title", classes="slot-title")
                yield MeetingGrid(id="meetings-next")
            with Vertical(id="meetings-side"):
                yield Static(id="meetings-free")
                yield Static("Probable no-shows (↑/↓, F6 confirms)", classes="side-title")
                yield NoShowList(id="meetings-no-shows")
                yield Static(id="meetings-usage")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)
        self.query_one("#meetings-scan", ScanInput).focus()

    # -- reading ---------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="meetings-load", exit_on_error=False)
    def _load(self) -> None:
        board = service.load_board(self.context)
        self.app.call_from_thread(self._show_board, board)

    def _show_board(self, board: Board) -> None:
        self.board = board
        self._show_side()
        self.tick()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.areas & self.WATCHES:
            self.refresh_data()

    def on_resize(self) -> None:
        self._shape()

    def _shape(self) -> None:
        side = side_width(self.size.width)
        columns = grid_columns(self.size.width - (side + 2 if side else 0) - 2)
        for grid in self.query(MeetingGrid):
            grid.reshape(columns)

    def tick(self) -> None:
        """Once a second: the countdown, the flags and, when a slot ends, the next slot."""
        board = self.board
        if board is None:
            return
        self._shape()
        now = self.context.now()
        focus, following, running = board.window(now)
        with self.app.batch_update():
            self._title("#meetings-now-title", focus, now, running, board, first=True)
            self._title("#meetings-next-title", following, now, False, board, first=False)
            self.query_one("#meetings-now", MeetingGrid).show(board.grid(focus, now) if focus else [])
            self.query_one("#meetings-next", MeetingGrid).show(board.grid(following, now) if following else [])
            self.query_one("#meetings-no-shows", NoShowList).show(board.probable_no_shows(now), now)
        slots = (focus.id if focus else None, following.id if following else None, running)
        if slots != self._shown_slots:
            self._shown_slots = slots
            self._show_side()

    def _title(self, selector: str, slot, now: datetime, running: bool, board: Board, first: bool) -> None:
        zone = self.context.zone()
        if slot is None:
            text = Text("No more meeting slots today." if first else "", style="bold")
        else:
            in_use = len(board.tables) - len(board.free_tables(slot))
            label = slot_label(slot.start, slot.end, zone)
            if running:
                text = Text.assemble(
                    ("Now ", "bold"),
                    (label, "bold"),
                    ("  ·  ends in ", ""),
                    (countdown((slot.end - now).total_seconds()), "bold"),
                )
            elif first:
                text = Text.assemble(
                    ("Next ", "bold"),
                    (label, "bold"),
                    ("  ·  starts in ", ""),
                    (countdown((slot.start - now).total_seconds()), "bold"),
                )
            else:
                text = Text.assemble(("Then ", "bold"), (label, "bold"))
            text.append(f"  ·  {in_use}/{len(board.tables)} tables in use")
        self.query_one(selector, Static).update(text)

    def _show_side(self) -> None:
        board = self.board
        if board is None:
            return
        now = self.context.now()
        zone = self.context.zone()
        focus, _following, running = board.window(now)
        free = Text("Free tables ", style="bold")
        if focus is None:
            free.append("—")
        else:
            free.append("now" if running else f"at {focus.start.astimezone(zone):%H:%M}", style="bold")
            tables = board.free_tables(focus)
            free.append(f" ({len(tables)}): ", style="bold")
            free.append(", ".join(str(t) for t in tables) if tables else "none", style="green")
            for table, person in sorted(board.half_free(focus).items()):
                free.append(f"\nHalf-free {table}: ", style="bold yellow")
                free.append(printable(person.name, 30))
                free.append(" waits for a partner (F10)", style="dim")
        self.query_one("#meetings-free", Static).update(free)
        usage = Text("Tables in use per slot\n", style="bold")
        for item in board.usage():
            marker = "▶ " if focus is not None and item.slot.id == focus.id else "  "
            usage.append(
                f"{marker}{slot_label(item.slot.start, item.slot.end, zone)}  ", style="bold" if marker.strip() else ""
            )
            usage.append(
                f"{item.in_use:>3} in use / {item.available:>3} free\n", style="dim" if item.slot.end <= now else ""
            )
        if not board.slots:
            usage.append("No slots yet: import meetings with 'eventdesk import meetings FILE'.", style="dim")
        self.query_one("#meetings-usage", Static).update(usage)

    # -- the scanner -----------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A key that reached the screen instead of the scan box (the grid or the no-show list has
        the focus): hand it to the box, in order, so a scanner works whatever has the focus."""
        box = self.query_one("#meetings-scan", ScanInput)
        if self.app.screen is not self or self.focused is box:
            return
        if event.is_printable or event.key in SUBMIT_KEYS:
            event.stop()
            event.prevent_default()
            box.focus()
            box.post_message(events.Key(event.key, event.character))

    def action_focus_scan(self) -> None:
        self.query_one("#meetings-scan", ScanInput).focus()

    def on_scan_input_scanned(self, event: ScanInput.Scanned) -> None:
        if event.text.strip():  # a scanner's CR before Enter submits an empty box: ignore it
            self._scan(event.text)

    @work(thread=True, group="meetings-scan", exit_on_error=False)
    def _scan(self, code: str) -> None:
        result = service.scan(self.context, code)
        if result is not None and result.outcome == service.UNKNOWN_CODE:
            # Not a badge: a name typed at the desk, searched as the check-in desk does.
            people = service.find_people(self.context, code)
            if people:
                self.app.call_from_thread(self._pick_person, code, people)
                return
        if result is not None:
            self.app.call_from_thread(self._show_scan, result)

    def _pick_person(self, query: str, people: list[PersonRef]) -> None:
        def picked(person: PersonRef | None) -> None:
            self.query_one("#meetings-scan", ScanInput).focus()
            if person is not None:
                self._scan(person.badge_code)

        self.app.push_screen(PersonPicker(query, people), picked)

    def _show_scan(self, result: ScanResult) -> None:
        self.query_one("#meetings-result", ScanPanel).show(result, self.context.zone())
        if result.person is not None:
            self.last_person = result.person
        if result.outcome in (service.UNKNOWN_CODE, service.NO_MEETING, service.RELEASED):
            self.app.bell()
        if result.outcome == service.PRESENT:
            self.refresh_data()

    # -- no-shows, bookings, slips ---------------------------------------------------------------

    def on_scan_input_move(self, event: ScanInput.Move) -> None:
        event.stop()
        self.action_no_show_cursor(event.delta)

    def action_tab(self) -> None:
        box = self.query_one("#meetings-scan", ScanInput)
        if self.focused is box and box.value.strip():
            box.submit_now()  # a scanner that ends its code with Tab
        else:
            self.focus_next()

    def action_no_show_cursor(self, step: int) -> None:
        flagged = self.query_one("#meetings-no-shows", NoShowList)
        if flagged.row_count:
            flagged.move_cursor(row=max(0, min(flagged.row_count - 1, flagged.cursor_row + step)))

    def action_confirm_no_show(self) -> None:
        meeting_id = self.query_one("#meetings-no-shows", NoShowList).selected_meeting_id
        meeting = self._meeting(meeting_id)
        if meeting is None:
            self.notify("No probable no-show to confirm.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._confirm(meeting.id)

        self.app.push_screen(ConfirmNoShow(meeting, self.context.zone()), answered)

    def _meeting(self, meeting_id: int | None) -> MeetingInfo | None:
        if self.board is None or meeting_id is None:
            return None
        return next((m for ms in self.board.meetings.values() for m in ms if m.id == meeting_id), None)

    @work(thread=True, group="meetings-no-show", exit_on_error=False)
    def _confirm(self, meeting_id: int) -> None:
        try:
            meeting = service.confirm_no_show(self.context, meeting_id)
        except service.MeetingsError as error:
            self.app.call_from_thread(self.notify, str(error), severity="warning")
        else:
            missing = " and ".join(printable(p.name) for p in meeting.missing())
            waiting = meeting.waiting
            if waiting is None:
                self.app.call_from_thread(self.notify, f"No-show confirmed ({missing}): table {meeting.table} is free.")
            else:
                self.app.call_from_thread(
                    self.notify,
                    f"No-show confirmed ({missing}): {printable(waiting.name)} "
                    f"stays at table {meeting.table} (half-free).",
                )
                self.app.call_from_thread(self._offer_standby, meeting.slot, waiting, meeting.table)
        self.app.call_from_thread(self.refresh_data)

    def _offer_standby(self, slot, waiting: PersonRef, table: int | None) -> None:
        def done(message: str | None) -> None:
            self.query_one("#meetings-scan", ScanInput).focus()
            if message:
                self.notify(message)
            self.refresh_data()

        self.app.push_screen(StandbyOffer(self.context, slot, waiting, table), done)

    def action_standby(self) -> None:
        """Offer stand-by partners again: to the last scanned person if they sit at a half-free
        table, else to the first person waiting at one in the running slot."""
        board = self.board
        if board is None:
            return
        focus, _following, running = board.window(self.context.now())
        if focus is None or not running:
            self.notify("No meeting slot is running.", severity="warning")
            return
        half_free = board.half_free(focus)
        seats = {p.id: t for t, p in half_free.items()}
        if self.last_person is not None and self.last_person.id in seats:
            self._offer_standby(focus, self.last_person, seats[self.last_person.id])
        elif half_free:
            table, person = sorted(half_free.items())[0]
            self._offer_standby(focus, person, table)
        else:
            self.notify("Nobody is waiting at a half-free table.", severity="warning")

    def action_book(self) -> None:
        if self.board is None:
            return
        form = BookingForm(self.context, self.board, self.context.now(), self.last_person)
        self.app.push_screen(form, self._booked)

    def _booked(self, meeting: MeetingInfo | None) -> None:
        if meeting is None:
            return
        zone = self.context.zone()
        self.notify(
            f"Booked table {meeting.table} at {meeting.slot.start.astimezone(zone):%H:%M}: "
            f"{printable(meeting.a.name)} with {printable(meeting.b.name)}."
        )
        self.refresh_data()

    def action_print_slip(self) -> None:
        if self.last_person is None:
            self.notify("Scan the person's badge first; F9 then prints their remaining meetings.", severity="warning")
            return
        self._print_slip(self.last_person)

    @work(thread=True, group="meetings-slip", exit_on_error=False)
    def _print_slip(self, person: PersonRef) -> None:
        try:
            message = queue_slip(self.context, person.id)
        except SlipError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        else:
            self.app.call_from_thread(self.notify, message)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Meetings: confirm the selected no-show", "Asks with the names (F6)", self.action_confirm_no_show
        )
        yield SystemCommand(
            "Meetings: stand-by partners", "For the person waiting at a half-free table (F10)", self.action_standby
        )
        yield SystemCommand("Meetings: ad-hoc booking", "Two people at a free table (F8)", self.action_book)
        yield SystemCommand(
            "Meetings: print the scanned person's slip", "Their remaining meetings (F9)", self.action_print_slip
        )
