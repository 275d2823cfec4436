"""The ad-hoc booking form: two people (scan, e-mail or name) into a free table for the current or
a later slot. The form stays open and shows the reason when the booking is refused."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from eventdesk.domain.text import printable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from eventdesk.resources import stylesheet
from eventdesk.services import meetings as service
from eventdesk.services.meetings import Board, MeetingInfo
from eventdesk.tui.widgets.meeting_grid import slot_label


class BookingForm(ModalScreen[MeetingInfo | None]):
    """Dismissed with the booked meeting, or None when the desk gives up (Esc)."""

    CSS_PATH = stylesheet("meetings.tcss")
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="booking.cancel"),
        Binding("ctrl+s", "book", "Book", id="booking.book"),
    ]

    def __init__(self, context, board: Board, now: datetime, person_a: str = "") -> None:
        super().__init__()
        self.context = context
        self.board = board
        self.zone: ZoneInfo = context.zone()
        self.slots = [s for s in board.slots if s.end > now]
        self.person_a = person_a

    def compose(self) -> ComposeResult:
        options = [(self._slot_option(slot), slot.id) for slot in self.slots]
        with Vertical(id="booking-dialog"):
            yield Label(Text("Ad-hoc meeting", style="bold"))
            yield Input(self.person_a, placeholder="Person A: scan the badge, or type an e-mail or name",
                        id="booking-a")
            yield Input(placeholder="Person B: scan the badge, or type an e-mail or name", id="booking-b")
            yield Select(options, allow_blank=not options, prompt="Slot", id="booking-slot",
                         value=options[0][1] if options else Select.NULL)
            yield Input(self._first_free(self.slots[0].id) if self.slots else "", placeholder="Table number",
                        type="integer", id="booking-table")
            yield Static(id="booking-error")
            with Horizontal(id="booking-buttons"):
                yield Button("Book (Ctrl+S)", variant="primary", id="booking-ok")
                yield Button("Cancel (Esc)", id="booking-cancel")

    def _slot_option(self, slot) -> str:
        free = len(self.board.free_tables(slot))
        return f"{slot_label(slot.start, slot.end, self.zone)}  ({free} free)"

    def _first_free(self, slot_id: int) -> str:
        slot = next(s for s in self.slots if s.id == slot_id)
        free = self.board.free_tables(slot)
        return str(free[0]) if free else ""

    def on_mount(self) -> None:
        self.query_one("#booking-b" if self.person_a else "#booking-a", Input).focus()
        if not self.slots:
            self.show_error("No slot is left today: nothing can be booked.")

    @on(Select.Changed, "#booking-slot")
    def _slot_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self.query_one("#booking-table", Input).value = self._first_free(event.value)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "booking-table":
            self.action_book()
        elif event.value.strip():  # an empty submission (a scanner's extra CR) does not move on
            self.focus_next()

    @on(Button.Pressed, "#booking-ok")
    def _ok(self) -> None:
        self.action_book()

    @on(Button.Pressed, "#booking-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, reason: str) -> None:
        self.query_one("#booking-error", Static).update(Text(printable(reason, 300)))

    def action_book(self) -> None:
        a = self.query_one("#booking-a", Input).value.strip()
        b = self.query_one("#booking-b", Input).value.strip()
        slot_id = self.query_one("#booking-slot", Select).value
        table = self.query_one("#booking-table", Input).value.strip()
        if not a or not b:
            self.show_error("Give both people: scan their badges, or type an e-mail or a name.")
        elif not isinstance(slot_id, int):
            self.show_error("Choose a slot.")
        elif not table.isdigit():
            self.show_error("Give a table number.")
        else:
            self.show_error("Booking…")
            self._book(a, b, slot_id, int(table))

    @work(thread=True, exclusive=True, group="meeting-booking", exit_on_error=False)
    def _book(self, a: str, b: str, slot_id: int, table: int) -> None:
        try:
            meeting = service.book(self.context, a, b, slot_id, table)
        except service.MeetingsError as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self.dismiss, meeting)
