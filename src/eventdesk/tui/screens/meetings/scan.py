"""What the meeting desk shows after a scan: the person, their next meeting, table and partner."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from eventdesk.domain import meetings as rules
from eventdesk.domain.text import printable
from eventdesk.services import meetings as service
from eventdesk.services.meetings import ScanResult

OUTCOME_CLASSES = {
    service.PRESENT: "-ok",
    service.ALREADY_PRESENT: "-warn",
    service.LATER: "-info",
    service.NO_MEETING: "-warn",
    service.RELEASED: "-warn",
    service.UNKNOWN_CODE: "-error",
}


def scan_text(result: ScanResult, zone: ZoneInfo) -> Text:
    if result.outcome == service.UNKNOWN_CODE or result.person is None:
        if " " in result.code or any(c.islower() for c in result.code):  # typed, not scanned
            return Text.assemble(
                ("✗ Nobody found for ", "bold"),
                (printable(result.code, 40), ""),
                (
                    "\nNeither a badge code nor a name of this event: check the spelling, "
                    "or send the person to the check-in desk.",
                    "",
                ),
            )
        return Text.assemble(
            ("✗ Unknown badge code ", "bold"),
            (printable(result.code, 40), ""),
            ("\nNot a badge of this event: send the person to the check-in desk.", ""),
        )
    person = result.person
    text = Text.assemble((printable(person.name), "bold"), ("  ", ""), (printable(person.organisation), "italic"))
    if result.outcome == service.NO_MEETING or result.meeting is None:
        text.append("\nNo more meetings today.")
        return text
    meeting = result.meeting
    partner = result.partner
    assert partner is not None
    start = meeting.slot.start.astimezone(zone)
    headline = {
        service.PRESENT: "✓ present",
        service.ALREADY_PRESENT: "already marked present",
        service.LATER: "next meeting later",
        service.RELEASED: "too late: meeting released",
    }[result.outcome]
    text.append(f"  ·  {headline}\n", style="bold")
    text.append(f"{start:%H:%M}  ")
    text.append(f"Table {meeting.table}", style="bold reverse")
    text.append("  with ")
    text.append(printable(partner.name), style="bold")
    if partner.organisation:
        text.append(f" ({printable(partner.organisation)})")
    partner_here = meeting.b_present if meeting.a.id == person.id else meeting.a_present
    if result.outcome == service.RELEASED:
        text.append("\nThe desk confirmed a no-show and freed the table: book them again (F8) if a table is free.")
    elif result.outcome == service.LATER:
        text.append(f"\nCome back at {(meeting.slot.start - rules.EARLY_ARRIVAL).astimezone(zone):%H:%M}.")
    elif partner_here:
        text.append("\nTheir partner is already at the table.")
    else:
        text.append("\nTheir partner has not arrived yet.")
    return text


class ScanPanel(Static):
    """The answer to the last scan; the outcome sets a class (``-ok``, ``-warn``, ``-error``, ...)."""

    def show(self, result: ScanResult, zone: ZoneInfo) -> None:
        for name in OUTCOME_CLASSES.values():
            self.remove_class(name)
        self.add_class(OUTCOME_CLASSES.get(result.outcome, "-info"))
        self.update(scan_text(result, zone))
