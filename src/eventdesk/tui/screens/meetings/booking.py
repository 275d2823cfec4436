"""The ad-hoc booking form: two people found by scan or name (the check-in desk's search), then
the slots both have free with their free tables, listed to pick from. The form stays open and
shows the reason when the booking is refused.

Lists, not drop-downs: Tab moves from field to list to list, and typing never opens anything."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import meetings as service
from eventdesk.services.meetings import Board, MeetingInfo, PairSlot, PersonRef
from eventdesk.tui.screens.meetings.grid import slot_label
from eventdesk.tui.screens.meetings.standby import person_line

SIDES = ("a", "b")


class BookingForm(ModalScreen[MeetingInfo | None]):
    """Dismissed with the booked meeting, or None when the desk gives up (Esc)."""

    CSS_PATH = stylesheet("meetings.tcss")
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="booking.cancel"),
        Binding("ctrl+s", "book", "Book", id="booking.book"),
    ]

    def __init__(self, context, board: Board, now: datetime, person_a: PersonRef | None = None) -> None:
        super().__init__()
        self.context = context
        self.board = board
        self.zone: ZoneInfo = context.zone()
        self.chosen: dict[str, PersonRef | None] = {"a": person_a, "b": None}
        self.matches: dict[str, list[PersonRef]] = {"a": [], "b": []}
        self.options: list[PairSlot] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="booking-dialog", classes="desk-dialog"):
            yield Label(Text("Ad-hoc meeting", style="bold"))
            with Horizontal(id="booking-people"):
                for side in SIDES:
                    with Vertical(classes="booking-person"):
                        yield Label(f"Person {side.upper()}", classes="field-label")
                        yield Input(placeholder="badge or name + Enter", id=f"booking-{side}")
                        yield Static(id=f"booking-{side}-chosen", classes="booking-chosen")
                        yield OptionList(id=f"booking-{side}-matches", classes="booking-matches")
            with Horizontal(id="booking-choice"):
                with Vertical(id="booking-slots-box"):
                    yield Label("Slots both have free", classes="field-label")
                    yield OptionList(id="booking-slots")
                with Vertical(id="booking-tables-box"):
                    yield Label("Free tables", classes="field-label")
                    yield OptionList(id="booking-tables")
            yield Static(id="booking-error")
            with Horizontal(id="booking-buttons", classes="dialog-buttons"):
                yield Button("Book (Ctrl+S)", variant="primary", id="booking-ok")
                yield Button("Cancel (Esc)", id="booking-cancel")

    def on_mount(self) -> None:
        for side in SIDES:
            self.query_one(f"#booking-{side}-matches", OptionList).display = False
            self._show_chosen(side)
        self.query_one("#booking-b" if self.chosen["a"] else "#booking-a", Input).focus()
        if not any(s.end > self.context.now() for s in self.board.slots):
            self.show_error("No slot is left today: nothing can be booked.")
        self._pair_changed()

    # -- people ----------------------------------------------------------------------------------

    def _show_chosen(self, side: str) -> None:
        person = self.chosen[side]
        chosen = self.query_one(f"#booking-{side}-chosen", Static)
        chosen.update(
            Text("✓ ", style="bold green") + person_line(person) if person else Text("nobody chosen yet", style="dim")
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        side = (event.input.id or "")[-1]
        if side in SIDES and event.value.strip():
            self._search(side, event.value)

    @work(thread=True, exclusive=True, group="booking-search", exit_on_error=False)
    def _search(self, side: str, text: str, pick_single: bool = False) -> None:
        people = service.find_people(self.context, text)
        self.app.call_from_thread(self._show_matches, side, text, people, pick_single)

    def _show_matches(self, side: str, text: str, people: list[PersonRef], pick_single: bool) -> None:
        if self.query_one(f"#booking-{side}", Input).value != text:
            return  # typed on meanwhile: a newer search follows
        self.matches[side] = people
        matches = self.query_one(f"#booking-{side}-matches", OptionList)
        matches.clear_options()
        for person in people:
            matches.add_option(Option(person_line(person), id=str(person.id)))
        matches.display = bool(people)
        if people:
            matches.highlighted = 0
        if pick_single:
            if len(people) == 1:
                self._choose(side, people[0])
            elif people:
                matches.focus()
                self.show_error(f"{len(people)} people match: ↑/↓ and Enter picks one.")
            else:
                self.show_error(f"Nobody matches '{printable(text, 40)}'.")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        side = (event.input.id or "")[-1]
        if side not in SIDES or not event.value.strip():
            return  # an empty submission (a scanner's extra CR) does nothing
        self._search(side, event.value, pick_single=True)

    @on(OptionList.OptionSelected, ".booking-matches")
    def _match_picked(self, event: OptionList.OptionSelected) -> None:
        side = (event.option_list.id or "")[len("booking-")]
        self._choose(side, self.matches[side][event.option_index])

    def _choose(self, side: str, person: PersonRef) -> None:
        self.chosen[side] = person
        box = self.query_one(f"#booking-{side}", Input)
        with box.prevent(Input.Changed):
            box.value = ""
        self.query_one(f"#booking-{side}-matches", OptionList).display = False
        self._show_chosen(side)
        self.show_error("")
        other = "b" if side == "a" else "a"
        if self.chosen[other] is None:
            self.query_one(f"#booking-{other}", Input).focus()
        self._pair_changed()

    # -- slots and tables ------------------------------------------------------------------------

    def _pair_changed(self) -> None:
        a, b = self.chosen["a"], self.chosen["b"]
        if a is None or b is None:
            self._fill_slots([])
            return
        if a.id == b.id:
            self._fill_slots([])
            self.show_error("Choose two different people.")
            return
        self._load_options(a.id, b.id)

    @work(thread=True, exclusive=True, group="booking-options", exit_on_error=False)
    def _load_options(self, a: int, b: int) -> None:
        options = service.pair_free_slots(self.context, a, b)
        self.app.call_from_thread(self._fill_slots, options, True)

    def _fill_slots(self, options: list[PairSlot], pair: bool = False) -> None:
        self.options = options
        slots = self.query_one("#booking-slots", OptionList)
        slots.clear_options()
        for option in options:
            label = Text(slot_label(option.slot.start, option.slot.end, self.zone), style="bold")
            label.append(f"  {len(option.tables)} table{'s' if len(option.tables) != 1 else ''}")
            slots.add_option(Option(label, id=str(option.slot.id)))
        if options:
            slots.highlighted = 0
            if pair:
                slots.focus()
        elif pair:
            self.show_error("These two have no free slot in common left today.")
        self._fill_tables()

    @on(OptionList.OptionHighlighted, "#booking-slots")
    def _slot_highlighted(self) -> None:
        self._fill_tables()

    def _fill_tables(self) -> None:
        tables = self.query_one("#booking-tables", OptionList)
        tables.clear_options()
        option = self._slot_option()
        if option is None:
            return
        waiting = {t for t, p in self.board.half_free(option.slot).items()}
        for number in option.tables:
            label = Text(f"Table {number}", style="bold")
            if number in waiting:
                label.append("  (one of them sits here)", style="dim")
            tables.add_option(Option(label, id=str(number)))
        tables.highlighted = 0

    def _slot_option(self) -> PairSlot | None:
        index = self.query_one("#booking-slots", OptionList).highlighted
        return self.options[index] if index is not None and 0 <= index < len(self.options) else None

    @on(OptionList.OptionSelected, "#booking-slots")
    def _slot_picked(self) -> None:
        self.query_one("#booking-tables", OptionList).focus()

    @on(OptionList.OptionSelected, "#booking-tables")
    def _table_picked(self) -> None:
        self.action_book()

    # -- booking ---------------------------------------------------------------------------------

    @on(Button.Pressed, "#booking-ok")
    def _ok(self) -> None:
        self.action_book()

    @on(Button.Pressed, "#booking-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, reason: str) -> None:
        self.query_one("#booking-error", Static).update(Text(printable(reason, 300)))

    def action_book(self) -> None:
        a, b = self.chosen["a"], self.chosen["b"]
        option = self._slot_option()
        table_index = self.query_one("#booking-tables", OptionList).highlighted
        if a is None or b is None:
            self.show_error("Choose both people: scan their badges, or type a name and press Enter.")
        elif option is None:
            self.show_error("Choose a slot both have free.")
        elif table_index is None or not (0 <= table_index < len(option.tables)):
            self.show_error("Choose a table.")
        else:
            self.show_error("Booking…")
            self._book(a.badge_code, b.badge_code, option.slot.id, option.tables[table_index])

    @work(thread=True, exclusive=True, group="meeting-booking", exit_on_error=False)
    def _book(self, a: str, b: str, slot_id: int, table: int) -> None:
        try:
            meeting = service.book(self.context, a, b, slot_id, table)
        except service.MeetingsError as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self.dismiss, meeting)
