"""The result banner: one big answer per scan (green ok, yellow already checked in, red anything
else) with the person's name, organisation, category and note. It needs no key to dismiss: it stays
until the next answer and fades after a few seconds."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from eventdesk.domain.text import printable
from eventdesk.tui.screens.checkin.big import plain_letters, wrapped_lines

FADE_SECONDS = 6.0
ROOM_NEARLY_FULL = 0.9  # a door list's room at 90% of its capacity: amber; at 100%: red
STYLE_CLASSES = ("-ok", "-exit", "-warn", "-error", "-info")
# The screen class that lets the banner grow (CheckinScreen sets it when the terminal is tall).
ROOMY_CLASS = "-tall"
BIG_SCALES = (4, 2, 1)  # even scales keep the half-block letters smooth


def _when(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return "?"
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%H:%M")


class ResultBanner(Static):
    """Shows the latest answer. ``kind`` is ok / warn / error / info."""

    def __init__(self, **kwargs) -> None:
        self.lines = Text("Ready: scan a badge or type a name", style="bold")
        super().__init__(self.lines, **kwargs)
        self._fade_timer = None
        self.kind = "info"
        self.big: tuple[str, str] | None = None  # (headline, name) to draw in block letters
        self.big_scale = 0  # the scale of the last drawing, 0 when compact
        self._drawn_for: tuple | None = None  # (what was drawn, the drawing)

    def show(self, kind: str, headline: str, person=None, detail: str = "", alert: Text | None = None) -> None:
        lines = Text()
        if alert:
            lines.append_text(alert)
            lines.append("\n")
        headline = printable(headline, 200).upper()
        lines.append(headline, style="bold")
        if detail:
            lines.append("\n" + printable(detail, 300))
        if person is not None:
            lines.append("\n")
            called = getattr(person, "called", person.name)
            lines.append(printable(called, 120) or "(no name)", style="bold")
            pronouns = getattr(person, "pronouns", "")
            if pronouns:
                lines.append(f" ({printable(pronouns, 30)})")
            if called != person.name and person.name:
                lines.append("\n" + printable(person.name, 120))  # the legal name, to compare with an ID
            facts = [printable(person.organisation, 80), printable(person.category, 40)]
            lines.append("\n" + "  ·  ".join(f for f in facts if f))
            if person.note:
                lines.append("\n⚠ " + printable(person.note, 200), style="bold")
        name = printable(getattr(person, "called", person.name), 120) if person is not None else ""
        self.show_lines(kind, lines, big=(headline, name))

    def show_lines(self, kind: str, lines: Text, big: tuple[str, str] | None = None) -> None:
        self.lines = lines
        self.big = big
        # On a tall screen the banner's size is fixed by the layout: a new answer needs a repaint,
        # not a layout of the whole screen.
        self.update(lines, layout=not self._fixed_size())
        self.kind = kind
        style = f"-{kind}"
        if self.has_class("-faded") or not self.has_class(style):  # a class change restyles the widget
            self.remove_class(*STYLE_CLASSES, "-faded", update=False)
            self.add_class(style, update=False)
            self.update_node_styles()  # once, at once: the frame painted right after has the colour
        if self._fade_timer is not None:
            self._fade_timer.stop()
        self._fade_timer = self.set_timer(FADE_SECONDS, self.fade)

    def fade(self) -> None:
        self.add_class("-faded")

    @property
    def text(self) -> str:
        return self.lines.plain

    def _fixed_size(self) -> bool:
        try:
            return self.screen.has_class(ROOMY_CLASS) and type(self) is ResultBanner
        except Exception:  # noqa: BLE001 - not mounted yet
            return False

    def render(self):
        # The layout and the paint both render: draw the block letters once per answer and size.
        key = (self.lines, self.big, self.content_size, self.screen.has_class(ROOMY_CLASS))
        if self._drawn_for is None or self._drawn_for[0] != key:
            self._drawn_for = (key, self._big_drawing())
        drawn = self._drawn_for[1]
        self.big_scale = drawn[0] if drawn else 0
        return drawn[1] if drawn else super().render()

    def _big_drawing(self) -> tuple[int, Text] | None:
        """On a tall screen the answer in block letters, as large as the banner allows: the
        headline, then the name, then the compact lines without their headline (the exact
        spelling, organisation, note). None when it does not fit: the compact lines."""
        if self.big is None or not self.screen.has_class(ROOMY_CLASS):
            return None
        width, height = self.content_size
        headline, name = self.big
        lines = list(self.lines.split("\n"))
        at = next((i for i, line in enumerate(lines) if line.plain == headline), 0)
        above, rest = lines[:at], lines[at + 1 :]  # a room alert stays above the big word
        rest_rows = sum(max(1, -(-line.cell_len // max(width, 1))) for line in above + rest) + len(above)
        for scale in BIG_SCALES:
            word = wrapped_lines(plain_letters(headline) or "", scale, width)
            if not word:
                continue
            letters = plain_letters(name)
            called = wrapped_lines(letters, max(1, scale // 2), width) if letters and letters.strip() else []
            if called is None or len(word) + 1 + len(called) + 1 + rest_rows > height:
                called = []  # the name in letters only, if the big one does not fit
            if len(word) + 1 + len(called) + 1 + rest_rows > height:
                continue
            drawn = Text()
            for line in above:
                drawn.append_text(line)
                drawn.append("\n\n")
            drawn.append("\n".join(word), style="bold")
            if called:
                drawn.append("\n\n" + "\n".join(called), style="bold")
            drawn.append("\n")
            for line in rest:
                drawn.append("\n")
                drawn.append_text(line)
            return scale, drawn
        return None

    def show_result(self, result, zone: tzinfo | None, printer_trouble: str = "") -> None:
        """A ``CheckinResult`` on the banner. ``printer_trouble`` names a printer that cannot
        print now ("printer offline"): a queued badge then says it is waiting."""
        from eventdesk.domain.checkin import Result

        code = printable(result.code, 60)
        if result.result == Result.OK and result.direction == "exit":
            # Exits look nothing like a welcome: their own colour, and amber when nobody was inside.
            kind = "warn" if result.exit_without_entry else "exit"
            detail = f"{result.list_name} · EXIT"
            if result.exit_without_entry:
                detail += (
                    " · recorded, but this person has no entry on this list today: check the badge (a badge passed on?)"
                )
        elif result.result == Result.OK:
            kind = "ok"
            detail = result.list_name
            if result.badge_queued and printer_trouble:
                detail += f" · badge waiting: {printable(printer_trouble, 80)} (F7)"
            elif result.badge_queued:
                detail += " · badge queued"
            elif result.returning:
                detail += " · here on an earlier day: no new badge"
        elif result.result == Result.ALREADY_CHECKED_IN:
            kind = "warn"
            detail = (
                f"First checked in today {_when(result.first_checkin_at, zone)} at "
                f"{printable(result.first_checkin_desk or '?', 40)}"
            )
        elif result.result == Result.FORGOTTEN:
            kind = "error"
            detail = f"{result.list_name} · not admitted: register the person again (F6 walk-in) if they attend"
        else:
            kind = "error"
            detail = f"Code {code}" if result.result == Result.UNKNOWN_CODE else result.list_name
        if result.replayed:
            detail += " · repeated scan, recorded once"
        for slot in result.speaking:  # where a speaker goes next, read out by the desk
            detail += " · " + slot.line(zone or result.scanned_at.tzinfo, result.scanned_at)
        if getattr(result, "offline", False):
            detail += " · OFFLINE: decided by this desk, uploaded when the server is back"
        person = None if result.result == Result.FORGOTTEN else result.person  # an erased person has no name to show
        self.show(kind, result.label, person, printable(detail, 300), room_alert(result))


def room_alert(result) -> Text | None:
    """The line nobody misses on a door list: "ROOM FULL: 200 of 200" in red at capacity, "ROOM
    NEARLY FULL: 181 of 200" in amber from 90%. The scan is recorded either way."""
    fill = getattr(result, "room_fill", None)
    if fill is None or fill < ROOM_NEARLY_FULL:
        return None
    words = "ROOM FULL" if fill >= 1.0 else "ROOM NEARLY FULL"
    style = "bold white on red" if fill >= 1.0 else "bold black on dark_orange"
    return Text(f" {words}: {result.occupancy} of {result.capacity} ", style=style)


class ScanNotice(ResultBanner):
    """The answer to a badge scanned while the desk shows another screen, a form or a dialog: the
    same colours and words as the check-in banner, docked on top of that screen (the form below
    keeps its content)."""

    @classmethod
    def show_on(cls, screen, kind: str, lines: Text) -> ScanNotice:
        notices = screen.query(cls)
        notice = notices.first() if notices else cls(classes="scan-notice")
        if not notices:
            screen.mount(notice)
        notice.show_lines(kind, lines)
        return notice
