"""The chosen session for its chair: title, room, chair, speakers, flags, a large countdown and
what follows in that room."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from eventdesk.domain import agenda as rules
from eventdesk.domain.text import printable
from eventdesk.services.agenda import Programme, SessionInfo


def session_times(info: SessionInfo, programme: Programme) -> str:
    zone = programme.zone
    text = f"{info.local_start(zone):%H:%M}–{info.local_end(zone):%H:%M}"
    slot = info.slot
    if slot.status in (rules.RUNNING, rules.ENDED) and slot.started_at is not None:
        text += f" (planned {slot.start.astimezone(zone):%H:%M}–{slot.end.astimezone(zone):%H:%M}"
        text += f", {delay_words(slot.delay_minutes)})" if slot.delay_minutes else ", on time)"
    elif slot.delay_minutes:
        text += f" (planned {slot.start.astimezone(zone):%H:%M}, {rules.format_delay(slot.delay_minutes)})"
    return text


def delay_words(minutes: int) -> str:
    """``+5 min``, or ``12 min early`` for a session that started early."""
    return f"{-minutes} min early" if minutes < 0 else rules.format_delay(minutes)


FLAG_SHORT = {
    rules.OVERRUNS_FIXED_END: "past fixed end",
    rules.OVERRUNS_ROOM_DAY: "past room's end",
    rules.SPEAKER_CLASH: "speaker clash",
    rules.RUNS_INTO_FIXED: "into a break",
}


def flag_text(codes: set[str]) -> str:
    """Short words for a table cell (the detail pane spells them out)."""
    return ", ".join(FLAG_SHORT[c] for c in sorted(codes))


def countdown(info: SessionInfo, programme: Programme, at: datetime) -> tuple[str, str, str]:
    """(digits, caption, state class) for the session at ``at``."""
    slot = info.slot
    if slot.status == rules.CANCELLED:
        return "--:--", "cancelled", "-cancelled"
    if slot.status == rules.ENDED:
        return "--:--", "ended", "-ended"
    room = programme.by_room.get(info.room_id, [])
    current = rules.now_next([s.slot for s in room], at).current
    if current is not None and current.id == slot.id:
        left = rules.time_left(slot, at)
        if left.total_seconds() < 0:
            return rules.format_countdown(left), "over time", "-overrun"
        return rules.format_countdown(left), "left", "-running"
    until = rules.time_until_start(slot, at)
    if until.total_seconds() > 0:
        return rules.format_countdown(until), "until it starts", "-upcoming"
    return "--:--", "over", "-ended"


class SessionDetail(Vertical):
    """Shows one session; ``tick`` moves the countdown without touching the store."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._info: SessionInfo | None = None
        self._programme: Programme | None = None

    def compose(self) -> ComposeResult:
        # The countdown right under the title: on a short screen the rest scrolls, it stays.
        yield Static(id="detail-title")
        yield Digits("", id="detail-countdown")
        yield Static(id="detail-caption")
        yield Static(id="detail-flags")
        yield Static(id="detail-meta")
        yield Static(id="detail-next")

    @property
    def session_id(self) -> int | None:
        return self._info.id if self._info else None

    def show(self, info: SessionInfo | None, programme: Programme, at: datetime, arrivals: list | None = None) -> None:
        """``arrivals`` (``SpeakerArrival`` of this session) marks who has checked in today."""
        self._info, self._programme = info, programme
        if info is None:
            self.query_one("#detail-title", Static).update(Text("Choose a session (↑/↓)", style="dim"))
            for name in ("meta", "flags", "caption", "next"):
                self.query_one(f"#detail-{name}", Static).update("")
            self.query_one("#detail-countdown", Digits).update("")
            return
        self.query_one("#detail-title", Static).update(Text(printable(info.title), style="bold"))
        meta = Text()
        meta.append(printable(info.room_name) or "(no room)", "bold")
        meta.append(f"  ·  {session_times(info, programme)}")
        if info.chair:
            meta.append("\nChair: ").append(printable(info.chair))
        if arrivals and any(person.attendee_id is not None for person in arrivals):
            meta.append("\nSpeakers:")
            for person in arrivals:
                meta.append("\n  ")
                if person.arrived_at is not None:
                    meta.append("✓ ", "bold green").append(printable(person.name, 60))
                    meta.append(f"  here since {person.arrived_at.astimezone(programme.zone):%H:%M}", "green")
                elif person.attendee_id is None:
                    meta.append("? ", "dim").append(printable(person.name, 60)).append(
                        "  not linked to an attendee", "dim"
                    )
                else:
                    meta.append("✗ ", "bold red").append(printable(person.name, 60)).append("  not checked in", "red")
        elif info.speakers:
            meta.append("\nSpeakers: ").append(", ".join(printable(s) for s in info.speakers))
        if info.description:
            lines = [printable(line, 300) for line in info.description.splitlines() if line.strip()]
            meta.append("\n\n").append("\n".join(lines[:8]), "dim")
        self.query_one("#detail-meta", Static).update(meta)
        codes = programme.flags.get(info.id, set())
        flags = Text()
        for code in sorted(codes):
            flags.append(("\n" if flags else "") + "⚠ " + rules.FLAG_TEXT[code])
            if code == rules.SPEAKER_CLASH:
                for other in programme.clashes(info.id):
                    flags.append(
                        f"\n   also in {printable(other.room_name)} {other.local_start(programme.zone):%H:%M}: "
                    )
                    flags.append(printable(other.title, 50))
            if code == rules.RUNS_INTO_FIXED:
                for other in programme.fixed_items_run_into(info.id):
                    flags.append(
                        f"\n   {printable(other.title, 50)} in {printable(other.room_name)} "
                        f"{other.local_start(programme.zone):%H:%M}–{other.local_end(programme.zone):%H:%M}"
                    )
        self.query_one("#detail-flags", Static).update(flags)
        following = programme.following(info.id)
        if following is None:
            upcoming = Text(f"Nothing follows in {printable(info.room_name) or 'this room'}.", style="dim")
        else:
            upcoming = Text(f"Then in {printable(info.room_name)}: ")
            upcoming.append(f"{following.local_start(programme.zone):%H:%M} ", "bold")
            upcoming.append(printable(following.title))
            if following.slot.delay_minutes:
                upcoming.append(f" ({delay_words(following.slot.delay_minutes)})", "yellow")
        self.query_one("#detail-next", Static).update(upcoming)
        self.tick(at)

    def tick(self, at: datetime) -> None:
        if self._info is None or self._programme is None:
            return
        digits, caption, state = countdown(self._info, self._programme, at)
        widget = self.query_one("#detail-countdown", Digits)
        if widget.value != digits:
            widget.update(digits)
        for name in ("-running", "-overrun", "-upcoming", "-ended", "-cancelled"):
            widget.set_class(name == state, name)
        self.query_one("#detail-caption", Static).update(caption)
