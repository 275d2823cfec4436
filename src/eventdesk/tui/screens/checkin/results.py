"""Search results under the scan box: the people matching what is typed, best first. Not
focusable: the arrow keys reach it from the scan box, so a scan never lands here.

Drawn line by line (Textual's line API), not as an OptionList: a new answer to a keystroke is a
repaint of this widget only. An OptionList emptied and refilled per keystroke changed its virtual
size twice, and each change laid out the whole screen, then rendered every option again. Here the
height never depends on the results (the stylesheet gives it), an answer identical to the one shown
changes nothing, and each person's line is built and drawn once while the same results stay."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from eventdesk.domain.text import printable

HIGHLIGHT = "search-results--highlighted"
# People whose drawn line is kept (a few answers' worth; emptied when full).
CACHED_PEOPLE = 256


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
    """One row: what decides the desk's answer first (name, status, blocked, checked in today), then
    the organisation, category and the end of the badge code. A row is cut at the width of the list,
    never wrapped: what is cut is the least needed."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(printable(person.name, 60) or "(no name)", style="bold")
    called = getattr(person, "called", person.name)
    if called != person.name:
        line.append(f" “{printable(called, 40)}”", style="bold")  # the name they go by, as searched
    if person.status != "active":
        line.append(f"  {printable(person.status, 20).upper()}", style="bold red")
    if person.blocked:
        line.append("  BLOCKED", style="bold red")
    line.append_text(state_mark(state, zone))
    if person.organisation:
        line.append("  " + printable(person.organisation, 50))
    line.append(f"  [{printable(person.category, 20)}]", style="dim")
    line.append(f"  …{printable(person.badge_code[-4:], 4)}", style="dim")
    return line


class SearchResults(Widget, can_focus=False):
    """One row a person; the highlighted row is the one Enter checks in. When there are more
    people than rows, the rows shown follow the highlight and the border says how many there are."""

    COMPONENT_CLASSES = {HIGHLIGHT}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.people: list = []
        self.states: dict = {}  # person id -> DayState (checked in today on the desk's list)
        self.query_text: str | None = None  # what the shown results answer
        self.highlighted: int | None = None
        self.lines: list[Text] = []  # what each row shows, as text (never markup)
        self._rows: tuple = ()  # (person, state) per row
        self._zone = None
        self._top = 0  # the person on the first row
        # Kept across answers: typing one more letter mostly shows people already drawn.
        self._texts: dict[tuple, Text] = {}  # (person, state, zone) -> their line
        self._strips: dict[tuple, Strip] = {}  # (person, state, zone, width, style) -> the drawn row
        self._styles: tuple[Style, Style] = (Style(), Style())  # a row's style, plain and highlighted

    def show_people(self, query_text: str, people: list, states: dict | None = None, zone=None) -> None:
        states = dict(states or {})
        self.query_text = query_text
        rows = tuple((person, states.get(person.id)) for person in people)
        if rows == self._rows and zone == self._zone and self.display == bool(people):
            return  # the same people in the same state: the highlight stays where the person put it
        before = self._visible()
        self._rows, self._zone = rows, zone
        self.people = list(people)
        self.states = states
        if len(self._texts) > CACHED_PEOPLE:
            self._texts.clear()
        self.lines = [self._line(person, state, zone) for person, state in rows]
        # A new answer starts at its best match, the one Enter takes without looking further.
        self.highlighted = 0 if people else None
        self._top = 0
        self._show_count()
        if self.display != bool(people):
            self.display = bool(people)  # appearing takes rows from the answer: a layout, once
            self.refresh()
        else:
            self._refresh_changed(before)

    def _line(self, person, state, zone) -> Text:
        key = (person, state, zone)
        line = self._texts.get(key)
        if line is None:
            line = self._texts[key] = person_line(person, state, zone)
        return line

    def clear_people(self) -> None:
        if not self.people and self.query_text is None and not self.display:
            return  # already empty: clearing again would lay out the screen (every key of a scan)
        self.people = []
        self.states = {}
        self.query_text = None
        self.lines = []
        self._rows = ()
        self.highlighted = None
        self._top = 0
        self.display = False

    def move(self, delta: int) -> None:
        if not self.people:
            return
        current = self.highlighted if self.highlighted is not None else 0
        self._highlight(max(0, min(len(self.people) - 1, current + delta)))

    def _highlight(self, row: int) -> None:
        before = self._visible()
        self.highlighted = row
        rows = self.size.height
        if rows:  # the rows shown follow the highlight
            self._top = min(self._top, row)
            self._top = max(self._top, row - rows + 1)
        self._refresh_changed(before)

    @property
    def selected(self):
        if not self.people or self.highlighted is None:
            return None
        return self.people[self.highlighted]

    def row_text(self, index: int) -> str:
        """What the row of person ``index`` reads (tests)."""
        return self.lines[index].plain

    def _visible(self) -> list[tuple]:
        """What each row of the widget shows: (person, state, zone, highlighted), None below the last."""
        rows = []
        for y in range(self.size.height):
            row = self._top + y
            rows.append((*self._rows[row], self._zone, row == self.highlighted) if row < len(self._rows) else None)
        return rows

    def _refresh_changed(self, before: list[tuple]) -> None:
        """Repaint the rows that show something else now, not the whole widget: Textual draws
        every repainted row again with its border and padding."""
        width = self.size.width
        for y, shown in enumerate(self._visible()):
            if y >= len(before) or before[y] != shown:
                self.refresh(Region(0, y, width, 1))

    def _show_count(self) -> None:
        """The border's subtitle, when there are more people than rows: how many."""
        count = len(self.people)
        rows = self.size.height
        subtitle = f"{count} found · ↑↓" if count and rows and count > rows else ""
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle

    def on_resize(self, event: events.Resize) -> None:
        self._show_count()
        if self.highlighted is not None:
            self._highlight(self.highlighted)

    def on_click(self, event: events.Click) -> None:
        row = self._top + event.y
        if event.y >= 0 and 0 <= row < len(self.people):
            self._highlight(row)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once a paint, not once a row: a widget's style is worked out from its ancestors.
        self._styles = (self.get_visual_style().rich_style, self.get_visual_style(HIGHLIGHT).rich_style)
        if len(self._strips) > CACHED_PEOPLE:
            self._strips.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = self._top + y
        plain, lit = self._styles
        if not 0 <= row < len(self.lines):
            return Strip.blank(width, plain)
        style = lit if row == self.highlighted else plain
        key = (*self._rows[row], self._zone, width, style)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._draw(self.lines[row], width, style)
        return strip

    def _draw(self, line: Text, width: int, style: Style) -> Strip:
        text = line.copy()
        text.truncate(width, overflow="ellipsis")
        return Strip(text.render(self.app.console)).apply_style(style).extend_cell_length(width, style).crop(0, width)
