"""The desk's figures beside the scan box."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from eventdesk.domain.text import printable

WIDTH = 34


def _row(label: str, value: str, style: str = "") -> Text:
    label = printable(label, WIDTH - len(value) - 1)
    return Text(label + " " * max(1, WIDTH - len(label) - len(value)) + value + "\n", style=style)


def _minutes(minutes: float) -> str:
    """ "~25 min", "~1 h 40 min"."""
    whole = max(1, round(minutes))
    return f"~{whole} min" if whole < 60 else f"~{whole // 60} h {whole % 60:02d} min"


class FiguresPanel(Static):
    def show(self, figures, zone: tzinfo | None) -> None:
        if isinstance(figures, Exception):
            self.update(Text("Figures not available just now; scanning goes on.", style="italic"))
            return
        if figures is None:
            self.update(Text("This list does not exist any more: press Ctrl+N to choose another.", style="bold red"))
            return
        lst = figures.checkin_list
        text = Text()
        copy_taken_at = getattr(figures, "copy_taken_at", None)
        if copy_taken_at is not None:
            taken = copy_taken_at.astimezone(zone) if zone else copy_taken_at
            text.append(f"OFFLINE · copy of {taken:%H:%M} + this desk's scans\n", style="bold")
        text.append(_row("Today", f"{lst.checked_in_today:,} / {lst.expected:,}", "bold"))
        for row in lst.categories[:8]:
            text.append(_row("  " + row.category, f"{row.checked_in:,} / {row.expected:,}"))
        text.append(_row("Event total", f"{lst.checked_in:,} / {lst.expected:,}"))
        text.append(_row("Inside now", f"{lst.inside_now:,}"))
        text.append(_row("Entries / exits today", f"{lst.entries:,} / {lst.exits:,}"))
        waiting = getattr(figures, "waiting", 0)
        if waiting:
            clear = getattr(figures, "minutes_to_clear", None)
            text.append(_row("Queue clears in", "–" if clear is None else _minutes(clear)))
        turned_away = getattr(figures, "not_on_list", None)
        if turned_away:
            text.append(_row("Not on this list", f"{sum(turned_away.values()):,}"))
        text.append("\n")
        if getattr(figures, "desk_range", None):
            text.append(_row("This desk: last names", printable(figures.desk_range, 12), "bold"))
        text.append(_row(figures.desk, "last 10 min", "bold"))
        text.append(_row("Scans per minute", f"{figures.scans_per_minute:.1f}"))
        spa = figures.seconds_per_attendee
        text.append(_row("Seconds per attendee", "–" if spa is None else f"{spa:.0f} s"))
        last = figures.last_scan_at
        text.append(
            _row("Last scan", "–" if last is None else (last.astimezone(zone) if zone else last).strftime("%H:%M:%S"))
        )
        text.rstrip()
        self.update(text)

    @property
    def text(self) -> str:
        return str(self.render())
