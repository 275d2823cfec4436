"""The last scans beside the banner: time, name (or code), result, in the result's colour. In a
fast queue a refused scan is replaced on the banner within a second; here it stays in sight."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import tzinfo

from rich.text import Text
from textual.widgets import Static

from eventdesk.domain.checkin import Result
from eventdesk.domain.text import printable

SHOWN = 8
KIND_STYLE = {
    "ok": "bold green",
    "exit": "bold magenta",
    "warn": "bold yellow",
    "error": "bold white on red",
    "info": "dim",
    "undone": "dim",
}
KIND_MARK = {"ok": "✓", "exit": "⇥", "warn": "!", "error": "✗", "info": "·", "undone": "↶"}
UNDONE = "Undone (annulled)"


@dataclass(frozen=True)
class RecentScan:
    at: str  # HH:MM:SS, event time
    who: str
    label: str
    kind: str
    record_id: int | None = None  # what an undo annuls
    nonce: str = ""  # what an offline desk's upload reports on


def kind_of(result) -> str:
    """The banner's colour for a stored answer (a reloaded scan has no banner of its own)."""
    if result.ok:
        return "exit" if result.direction == "exit" else "ok"
    return "warn" if result.result == "already_checked_in" else "error"


class RecentScans(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scans: deque[RecentScan] = deque(maxlen=SHOWN)
        self.border_title = "Last scans"
        self._rows = 0
        self._render_scans()

    def add(self, kind: str, result, zone: tzinfo | None) -> None:
        """A ``CheckinResult`` (newest first)."""
        self.scans.appendleft(self._line(kind, result, zone))
        self._render_scans()

    def load(self, scans: list, zone: tzinfo | None) -> None:
        """The desk's scans from the store, newest first, as (``CheckinResult``, annulled): a
        restarted desk shows what it showed before. Scans already listed stay."""
        if self.scans:
            return
        for result, annulled in reversed(scans[:SHOWN]):
            line = self._line(kind_of(result), result, zone)
            self.scans.appendleft(replace(line, kind="undone", label=UNDONE) if annulled else line)
        self._render_scans()

    @staticmethod
    def _line(kind: str, result, zone: tzinfo | None) -> RecentScan:
        local = result.scanned_at.astimezone(zone) if zone else result.scanned_at
        who = result.person.name if result.person is not None else result.code
        if result.result == Result.FORGOTTEN:
            who = "(data erased)"
        return RecentScan(
            local.strftime("%H:%M:%S"),
            printable(who, 40) or "(no name)",
            result.label,
            kind,
            result.record_id,
            result.nonce,
        )

    def annulled(self, record_id: int) -> None:
        """An undo annulled this scan: it no longer shows a ✓."""
        self._mark(lambda scan: scan.record_id == record_id, "undone", UNDONE)

    def refused(self, nonce: str, label: str) -> None:
        """An offline scan that the server refused on upload (admitted at another desk meanwhile)."""
        self._mark(lambda scan: bool(nonce) and scan.nonce == nonce, "error", label)

    def _mark(self, which, kind: str, label: str) -> None:
        marked = [replace(scan, kind=kind, label=label) if which(scan) else scan for scan in self.scans]
        if marked != list(self.scans):
            self.scans = deque(marked, maxlen=SHOWN)
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
