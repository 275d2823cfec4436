"""The chair's list of speakers: who of this session and the next has come through an entrance
today (✓ with the time, ✗ not yet, ? not linked to a registered person)."""

from __future__ import annotations

from rich.text import Text

from eventdesk.domain.text import printable
from eventdesk.services.chair import ChairState

LEGEND = "✓ checked in · ✗ not yet"


def speakers_text(state: ChairState) -> Text:
    text = Text()
    for heading, session in (("Speakers now", state.current), ("Speakers next", state.next)):
        people = state.speakers(session)
        if session is None or not people:
            continue
        if text:
            text.append("\n")
        text.append(heading + "\n", style="bold underline")
        for person in people:
            if person.arrived_at is not None:
                text.append(f"✓ {person.arrived_at.astimezone(state.zone):%H:%M} ", style="bold green")
                text.append(printable(person.name, 40) + "\n")
            elif person.attendee_id is None:
                text.append("? ", style="dim")
                text.append(printable(person.name, 40) + " (not linked)\n", style="dim")
            else:
                text.append("✗ ", style="bold red")
                text.append(printable(person.name, 40) + "\n", style="red")
    if not text:
        return Text("No speakers listed", style="dim")
    text.append("\n" + LEGEND, style="dim")
    return text
