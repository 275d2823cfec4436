"""One room, full screen, for the chair's laptop: the session, a countdown in large digits (amber
at five minutes, red when over time), who speaks now in a block, what follows, whether the
speakers have arrived, and the chair keys. The store is read when it changed (a delay or a scan at
any desk); the clock ticks the countdown every second without it."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import agenda as agenda_service
from eventdesk.services.agenda import AgendaError
from eventdesk.services.chair import CONCLUDE_STATE, OVER, SOON_STATE, ChairError, ChairSource, ChairState
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.screens.chair.countdown import BigCountdown
from eventdesk.tui.screens.chair.speakers import speakers_text

URGENCY_CLASSES = ("soon", "conclude", "over")


class ChairScreen(MainScreen):
    CSS_PATH = stylesheet("chair.tcss")
    WATCHES = frozenset({"agenda", "checkin"})
    BINDINGS = [
        Binding("s", "start", "Started", id="chair.start"),
        Binding("e", "end", "Ended", id="chair.end"),
        Binding("plus,equals_sign", "delay(5)", "+5 min", key_display="+", id="chair.delay"),
        Binding("minus", "delay(-5)", "-5 min", key_display="-", id="chair.pull_back"),
        Binding("escape", "leave", "Back", id="chair.back"),
    ]

    def __init__(self, room_name: str, *, standalone: bool = False) -> None:
        super().__init__()
        self.room_name = room_name
        self.standalone = standalone  # 'eventdesk chair': nothing to go back to
        self.source: ChairSource | None = None
        self._loading = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="chair-title")
        with Horizontal(id="chair-main"):
            with Vertical(id="chair-clock"):
                yield Static(id="chair-caption")
                yield BigCountdown(id="chair-countdown")
                yield Static(id="chair-order")
            yield Static(id="chair-speakers")
        yield Static(id="chair-next")
        yield Static(id="chair-message")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)
        self.refresh_data()

    def refresh_data(self) -> None:
        self._loading = True
        self._load()

    @work(thread=True, exclusive=True, group="chair-load", exit_on_error=False)
    def _load(self) -> None:
        source = ChairSource(self.context, self.room_name)
        try:
            source.load()
        except ChairError as error:
            self.app.call_from_thread(self._say, str(error), "bold red")
            return
        self.app.call_from_thread(self._show, source)

    def _show(self, source: ChairSource) -> None:
        self.source, self._loading = source, False
        self.tick()

    def on_store_changed(self, message: StoreChanged) -> None:
        message.prevent_default()
        if message.areas & self.WATCHES:
            self.refresh_data()

    # -- the second hand ------------------------------------------------------------------------

    def state(self) -> ChairState | None:
        return self.source.state(self.context.now()) if self.source and self.source.programme else None

    def tick(self) -> None:
        state = self.state()
        if state is None:
            return
        if state.at.astimezone(state.zone).date() != self.source.day and not self._loading:
            self.refresh_data()  # past midnight, or a rehearsal jumped: read the new day
        self.query_one("#chair-title", Static).update(self._title(state))
        countdown = self.query_one("#chair-countdown", BigCountdown)
        countdown.update(state.countdown())
        for name in URGENCY_CLASSES:
            countdown.set_class(state.current is not None and state.urgency == name, name)
        self.query_one("#chair-caption", Static).update(self._caption(state))
        self.query_one("#chair-order", Static).update(self._order(state))
        self.query_one("#chair-speakers", Static).update(speakers_text(state))
        self.query_one("#chair-next", Static).update(self._next(state))

    def _title(self, state: ChairState) -> Text:
        text = Text(printable(state.room.name, 40), style="bold")
        capacity = f"/{state.room.capacity}" if state.room.capacity else ""
        text.append(f"   {state.occupancy}{capacity} inside", style="dim")
        current = state.current
        text.append("\n")
        if current is None:
            text.append("No session running", style="bold")
            return text
        text.append(f"{current.local_start(state.zone):%H:%M}–{current.local_end(state.zone):%H:%M}  ", style="bold")
        text.append(printable(current.title, 200), style="bold")
        if current.slot.status == "running":
            text.append("  ▶ started", style="green")
        if current.slot.shift_minutes:
            text.append(f"  {agenda_service.rules.format_delay(current.slot.shift_minutes)}", style="bold yellow")
        return text

    def _caption(self, state: ChairState) -> Text:
        if state.current is None:
            return Text("until the next session" if state.next else "nothing more in this room today", style="dim")
        urgency = state.urgency
        if urgency == OVER:
            return Text("OVER TIME", style="bold white on red")
        if urgency == CONCLUDE_STATE:
            return Text("please conclude", style="bold black on yellow")
        if urgency == SOON_STATE:
            return Text("5 minutes or less", style="bold yellow")
        return Text(f"left · ends {state.current.local_end(state.zone):%H:%M}")

    def _order(self, state: ChairState) -> Text:
        talks = state.running_order()
        text = Text()
        if not talks:
            return text
        text.append("Running order\n", style="bold underline")
        for number, talk in enumerate(talks, 1):
            marker, style = ("▶ ", "bold reverse") if talk.now else ("  ", "")
            text.append(f"{marker}{number}. {printable(talk.text, 160)}\n", style=style)
        text.rstrip()
        return text

    def _next(self, state: ChairState) -> Text:
        upcoming = state.next
        if upcoming is None:
            return Text("Next: nothing more in this room today", style="dim")
        here = state.speakers(upcoming)
        text = Text("Next ", style="bold")
        text.append(f"{upcoming.local_start(state.zone):%H:%M} ", style="bold")
        text.append(printable(upcoming.title, 120))
        if here:
            arrived = sum(a.arrived_at is not None for a in here)
            text.append(
                f"   speakers here {arrived}/{len(here)}", style="green" if arrived == len(here) else "bold yellow"
            )
        return text

    # -- chair keys -----------------------------------------------------------------------------

    def _target(self, prefer_next: bool = False):
        state = self.state()
        if state is None:
            return None
        if prefer_next and (state.current is None or state.current.slot.status == "running"):
            return state.next
        return state.current or state.next

    def action_start(self) -> None:
        target = self._target(prefer_next=True)
        self._act(target, lambda ctx, sid: agenda_service.mark_started(ctx, sid), "nothing to start in this room")

    def action_end(self) -> None:
        state = self.state()
        target = state.current if state else None
        self._act(target, lambda ctx, sid: agenda_service.mark_ended(ctx, sid), "nothing runs in this room now")

    def action_delay(self, minutes: int) -> None:
        self._act(
            self._target(), lambda ctx, sid: agenda_service.delay(ctx, sid, minutes), "nothing to move in this room"
        )

    def _act(self, target, action, nothing: str) -> None:
        if target is None:
            self._say(f"Nothing done: {nothing}.", "bold yellow")
            return
        try:
            result = action(self.context, target.id)
        except AgendaError as error:
            self._say(str(error), "bold red")
            return
        self._say(result.message, "green")
        self.app.notify_store_changed(frozenset({"agenda"}))  # type: ignore[attr-defined]

    def _say(self, message: str, style: str) -> None:
        self.query_one("#chair-message", Static).update(Text(printable(message, 300), style=style))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "leave" and self.standalone)  # standalone: nothing to go back to, the key is not offered

    def action_leave(self) -> None:
        if not self.standalone:
            self.app.pop_screen()
