"""Search results under the scan box: the people matching what is typed, best first. Not
focusable: the arrow keys reach it from the scan box, so a scan never lands here."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from eventdesk.domain.text import printable


def state_mark(state, zone) -> Text:
    """The mark "✓ in 08:17 Desk 2": the person checked in today on the desk's list (and " · out 12:03" when
    their newest scan there is an exit)."""
    mark = Text()
    if state is None:
        return mark
    first = state.first_entry_at.astimezone(zone) if zone else state.first_entry_at
    mark.append(f"  ✓ in {first:%H:%M} {printable(state.first_entry_desk, 30)}", style="bold green")
    if not state.inside and state.last_exit_at is not None:
        out = state.last_exit_at.astimezone(zone) if zone else state.last_exit_at
        mark.append(f" · out {out:%H:%M}", style="bold")
    return mark


def person_line(person, state=None, zone=None) -> Text:
    line = Text()
    line.append(printable(person.name, 60) or "(no name)", style="bold")
    called = getattr(person, "called", person.name)
    if called != person.name:
        line.append(f" “{printable(called, 40)}”", style="bold")  # the name they go by, as searched
    if person.organisation:
        line.append("  " + printable(person.organisation, 50))
    line.append(f"  [{printable(person.category, 20)}]", style="dim")
    if person.status != "active":
        line.append(f"  {printable(person.status, 20).upper()}", style="bold red")
    if person.blocked:
        line.append("  BLOCKED", style="bold red")
    line.append(f"  …{printable(person.badge_code[-4:], 4)}", style="dim")
    line.append_text(state_mark(state, zone))
    return line


class SearchResults(OptionList):
    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.people: list = []
        self.states: dict = {}  # person id -> DayState (checked in today on the desk's list)
        self.query_text: str | None = None  # what the shown results answer

    def show_people(self, query_text: str, people: list, states: dict | None = None, zone=None) -> None:
        self.people = list(people)
        self.states = dict(states or {})
        self.query_text = query_text
        self.clear_options()
        if people:
            self.add_options([Option(person_line(p, self.states.get(p.id), zone), id=str(p.id)) for p in people])
            self.highlighted = 0
        self.display = bool(people)

    def clear_people(self) -> None:
        if not self.people and self.query_text is None and not self.display:
            return  # already empty: clearing again would lay out the screen (every key of a scan)
        self.people = []
        self.states = {}
        self.query_text = None
        self.clear_options()
        self.display = False

    def move(self, delta: int) -> None:
        if not self.people:
            return
        current = self.highlighted if self.highlighted is not None else 0
        self.highlighted = max(0, min(len(self.people) - 1, current + delta))

    @property
    def selected(self):
        if not self.people or self.highlighted is None:
            return None
        return self.people[self.highlighted]
