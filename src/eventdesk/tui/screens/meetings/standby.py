"""The meeting desk's dialogs around a no-show: confirm it with the names, offer the person left
waiting a stand-by partner (one key books the pair and prints both slips), and pick a person
found by name at the scan box."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import meetings as service
from eventdesk.services.meeting_slips import SlipError, queue_slip
from eventdesk.services.meetings import MeetingInfo, PersonRef, StandbyCandidate
from eventdesk.tui.screens.meetings.grid import slot_label


def person_line(person: PersonRef, extra: str = "") -> Text:
    text = Text(printable(person.name, 40), style="bold")
    if person.organisation:
        text.append(f"  {printable(person.organisation, 40)}", style="italic")
    if extra:
        text.append(f"  {extra}", style="dim")
    return text


class ConfirmNoShow(ModalScreen[bool]):
    """ "Ben Okafor did not come to table 1 … Ana stays at the table": Enter confirms, Esc goes back."""

    CSS_PATH = stylesheet("meetings.tcss")
    BINDINGS = [
        Binding("escape", "back", "Back", id="no_show.back"),
        Binding("ctrl+s", "confirm", "Confirm", id="no_show.confirm", show=False),
    ]

    def __init__(self, meeting: MeetingInfo, zone: ZoneInfo) -> None:
        super().__init__()
        self.meeting, self.zone = meeting, zone

    def compose(self) -> ComposeResult:
        m = self.meeting
        missing, present = m.missing(), m.present()
        text = Text(f"Table {m.table}, {slot_label(m.slot.start, m.slot.end, self.zone)}\n\n", style="bold")
        text.append(" and ".join(printable(p.name) for p in missing), style="bold red")
        text.append(" did not come." if len(missing) == 1 else " did not come (nobody is at the table).")
        if present:
            text.append("\n")
            text.append(printable(present[0].name), style="bold")
            text.append(" stays at the table; the desk offers a stand-by partner next.")
        else:
            text.append("\nThe table becomes free for the rest of the slot.")
        with Vertical(id="no-show-dialog", classes="desk-dialog"):
            yield Label(Text("Confirm no-show?", style="bold"))
            yield Static(text, id="no-show-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Confirm no-show (Enter)", variant="error", id="no-show-ok")
                yield Button("Back (Esc)", id="no-show-back")

    def on_mount(self) -> None:
        self.query_one("#no-show-ok", Button).focus()

    @on(Button.Pressed, "#no-show-ok")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no-show-back")
    def action_back(self) -> None:
        self.dismiss(False)


class StandbyOffer(ModalScreen[str | None]):
    """Stand-by partners for the person left waiting: ↑/↓ and Enter books the pair at the table
    (the ad-hoc rules apply) and prints both slips. Dismissed with what to tell the desk."""

    CSS_PATH = stylesheet("meetings.tcss")
    BINDINGS = [Binding("escape", "close", "Close", id="standby.close")]

    def __init__(self, context, slot: service.SlotInfo, waiting: PersonRef, table: int | None) -> None:
        super().__init__()
        self.context, self.slot, self.waiting, self.table = context, slot, waiting, table
        self.candidates: list[StandbyCandidate] = []

    def compose(self) -> ComposeResult:
        zone = self.context.zone()
        title = Text("Stand-by partner for ", style="bold")
        title.append(printable(self.waiting.name), style="bold")
        where = f"table {self.table}, " if self.table is not None else ""
        title.append(f"  ({where}{slot_label(self.slot.start, self.slot.end, zone)})")
        with Vertical(id="standby-dialog", classes="desk-dialog"):
            yield Label(title)
            yield Static("Looking for people left waiting and people in the area…", id="standby-status")
            yield OptionList(id="standby-list")
            yield Static(id="standby-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Book + print slips (Enter)", variant="primary", id="standby-ok")
                yield Button("Close (Esc)", id="standby-close")

    def on_mount(self) -> None:
        self.query_one("#standby-list", OptionList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="standby-load", exit_on_error=False)
    def _load(self) -> None:
        candidates = service.standby(self.context, self.slot.id, for_person=self.waiting.id)
        self.app.call_from_thread(self._show, candidates)

    def _show(self, candidates: list[StandbyCandidate]) -> None:
        self.candidates = candidates
        zone = self.context.zone()
        options = self.query_one("#standby-list", OptionList)
        options.clear_options()
        for c in candidates:
            extra = (
                f"partner did not come · table {c.table}"
                if c.kind == service.LEFT_WAITING
                else f"in the area since {c.since.astimezone(zone):%H:%M} · free now"
                if c.since
                else "free now"
            )
            options.add_option(Option(person_line(c.person, extra), id=str(c.person.id)))
        if candidates:
            options.highlighted = 0
            status = Text(
                f"{len(candidates)} stand-by partner{'s' if len(candidates) != 1 else ''}: "
                "↑/↓ and Enter books the pair and prints both slips."
            )
        else:
            status = Text(
                "Nobody is free in this slot yet. Esc keeps the table half-free; F10 offers partners again later.",
                style="yellow",
            )
        self.query_one("#standby-status", Static).update(status)

    @on(OptionList.OptionSelected, "#standby-list")
    def _picked(self) -> None:
        self._book_highlighted()

    @on(Button.Pressed, "#standby-ok")
    def _ok(self) -> None:
        self._book_highlighted()

    def _book_highlighted(self) -> None:
        index = self.query_one("#standby-list", OptionList).highlighted
        if index is None or not (0 <= index < len(self.candidates)):
            self.query_one("#standby-error", Static).update(Text("Choose a partner (↑/↓).", style="bold red"))
            return
        self.query_one("#standby-error", Static).update(Text("Booking…"))
        self._book(self.candidates[index].person)

    @work(thread=True, exclusive=True, group="standby-book", exit_on_error=False)
    def _book(self, partner: PersonRef) -> None:
        try:
            meeting = service.book_standby(self.context, self.waiting.id, partner.id, self.slot.id)
        except service.MeetingsError as error:
            self.app.call_from_thread(
                self.query_one("#standby-error", Static).update, Text(printable(str(error), 300), style="bold red")
            )
            return
        message = f"Booked table {meeting.table}: {printable(meeting.a.name)} with {printable(meeting.b.name)}."
        printed = []
        for person in (meeting.a, meeting.b):
            try:
                queue_slip(self.context, person.id)
                printed.append(person.name)
            except SlipError as error:
                message += f" Slip not printed: {error}"
                break
        if len(printed) == 2:
            message += " Both slips are printing."
        self.app.call_from_thread(self.dismiss, message)

    @on(Button.Pressed, "#standby-close")
    def action_close(self) -> None:
        self.dismiss(None)


class PersonPicker(ModalScreen[PersonRef | None]):
    """People a typed name found at the meeting desk: ↑/↓ and Enter takes one (as their scan)."""

    CSS_PATH = stylesheet("meetings.tcss")
    BINDINGS = [Binding("escape", "close", "Close", id="person_picker.close")]

    def __init__(self, query: str, people: list[PersonRef]) -> None:
        super().__init__()
        self.query_text, self.people = query, people

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog", classes="desk-dialog"):
            title = Text(
                f"{len(self.people)} {'person matches' if len(self.people) == 1 else 'people match'} ", style="bold"
            )
            title.append(f"'{printable(self.query_text, 40)}'", style="bold")
            title.append(" · ↑/↓ Enter takes the person as if their badge was scanned · Esc closes")
            yield Static(title)
            yield OptionList(
                *[Option(person_line(p, p.badge_code), id=str(p.id)) for p in self.people], id="picker-list"
            )

    def on_mount(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        options.focus()
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#picker-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.people[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
