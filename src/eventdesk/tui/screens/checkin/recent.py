"""The last scans beside the banner: time, name (or code), result, in the result's colour. In a
fast queue a refused scan is replaced on the banner within a second; here it stays in sight."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from eventdesk.domain.checkin import Result
from eventdesk.domain.text import printable

SHOWN = 8
KIND_STYLE = {"ok": "bold green", "exit": "bold magenta", "warn": "bold yellow", "error": "bold white on red",
              "info": "dim"}
KIND_MARK = {"ok": "✓", "exit": "⇥", "warn": "!", "error": "✗", "info": "·"}


@dataclass(frozen=True)
class RecentScan:
    at: str  # HH:MM:SS, event time
    who: str
    label: str
    kind: str


class RecentScans(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scans: deque[RecentScan] = deque(maxlen=SHOWN)
        self.border_title = "Last scans"
        self._rows = 0
        self._render_scans()

    def add(self, kind: str, result, zone: tzinfo | None) -> None:
        """A ``CheckinResult`` (newest first)."""
        local = result.scanned_at.astimezone(zone) if zone else result.scanned_at
        who = result.person.name if result.person is not None else result.code
        if result.result == Result.FORGOTTEN:
            who = "(data erased)"
        self.scans.appendleft(RecentScan(local.strftime("%H:%M:%S"), printable(who, 40) or "(no name)",
                                         result.label, kind))
        self._render_scans()

    def _render_scans(self) -> None:
        if not self.scans:
            self.update(Text("No scan since opening.", style="dim"))  # the store may hold earlier ones
            return
        lines = Text(no_wrap=True, overflow="ellipsis")
        for index, scan in enumerate(self.scans):
            style = KIND_STYLE.get(scan.kind, "")
            if index:
                lines.append("\n")
            lines.append(f"{scan.at} ", style="dim")
            lines.append(f"{KIND_MARK.get(scan.kind, '·')} ", style=style)
            lines.append(scan.who, style="bold")
            lines.append(f"  {printable(scan.label, 40)}", style=style)
        # One row per scan: the height changes (a layout of the screen) only while the list fills.
        self.update(lines, layout=len(self.scans) != self._rows)
        self._rows = len(self.scans)

    @property
    def text(self) -> str:
        return str(self.render())
