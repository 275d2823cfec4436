"""The self check-in kiosk (``eventdesk kiosk``): an attendee scans their own code and reads a large
welcome with the name on their badge and "your badge is printing"; then the idle screen comes back.

It is an App of its own with one screen, so nothing else can be reached from it: no search, no
list of people, no other screen, no command palette, and F-keys, Ctrl+P, Ctrl+C and Ctrl+Q do
nothing. Any answer but a welcome (unknown, cancelled, blocked, revoked, already checked in, not
on this list) reads "Please see the registration desk" and nothing else: no reason, nobody's data.
Leaving takes Escape and the ``kiosk_pin`` of the settings; the kiosk refuses to start without one.
A scan goes through the very ``check_in`` of the desk, on a worker thread; a scan while the PIN
prompt is open (the next attendee does not wait for the staff) closes it and is checked in."""

from __future__ import annotations

import hmac
import time

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from eventdesk.domain.checkin import MAX_CODE_LENGTH, Result, clean_code, looks_like_code, typed_fast
from eventdesk.domain.text import printable

IDLE_TEXT = "Welcome!\n\nScan the QR code of your confirmation e-mail\nor of your badge.\n\nHold it under the scanner."
SEE_DESK = "Please see the registration desk"
RESULT_SECONDS = 6.0  # how long an answer stays before the idle screen returns
PIN_SECONDS = 30.0  # an unanswered PIN prompt closes by itself
PIN_TRIES = 3  # wrong PINs in a row before the prompt is locked
PIN_LOCK_SECONDS = 60.0


class KioskPin(ModalScreen[str | None]):
    """The staff's way out: the PIN, typed blind."""

    BINDINGS = [Binding("escape", "cancel", "Back to the kiosk", id="kiosk-pin.cancel", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Staff only: PIN to leave the kiosk", style="bold"))
            yield Input(password=True, id="kiosk-pin-input", max_length=64)

    def on_mount(self) -> None:
        self.set_timer(PIN_SECONDS, self.action_cancel)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        if self.is_current:
            self.dismiss(None)


class KioskScreen(Screen):
    """Idle instructions, or the answer to the last scan."""

    AUTO_FOCUS = None

    def __init__(self, list_name: str | None, result_seconds: float = RESULT_SECONDS) -> None:
        super().__init__()
        self.list_name = list_name
        self.result_seconds = result_seconds
        self.buffer: list[str] = []
        self.key_times: list[float] = []
        self.state = "idle"  # idle | checking | ok | desk
        self._back_timer = None
        self.wrong_pins = 0
        self.locked_until = 0.0

    def compose(self) -> ComposeResult:
        yield Static(id="kiosk-message")
        yield Static(Text(printable(self.app.context.event().name, 120)), id="kiosk-event")

    def on_mount(self) -> None:
        self.show_idle()

    @property
    def message(self) -> Static:
        return self.query_one("#kiosk-message", Static)

    @property
    def text(self) -> str:
        return str(self.message.render())

    def show_idle(self) -> None:
        self.state = "idle"
        self.message.remove_class("-ok", "-desk")
        self.message.update(Text(IDLE_TEXT, style="bold"))

    def _show(self, state: str, text: Text) -> None:
        self.state = state
        self.message.remove_class("-ok", "-desk")
        self.message.add_class(f"-{state}")
        self.message.update(text)
        if self._back_timer is not None:
            self._back_timer.stop()
        self._back_timer = self.set_timer(self.result_seconds, self.show_idle)

    def show_welcome(self, name: str, badge_queued: bool, returning: bool) -> None:
        text = Text(justify="center")
        text.append(("Welcome back,\n\n" if returning else "Welcome,\n\n"), style="bold")
        text.append(printable(name, 80) or "welcome", style="bold reverse")
        if badge_queued:
            text.append("\n\nYour badge is printing.\nPlease take it from the printer.", style="bold")
        else:
            text.append("\n\nYou are checked in. Enjoy the event!", style="bold")
        self._show("ok", text)

    def show_see_desk(self) -> None:
        self._show("desk", Text(SEE_DESK, style="bold", justify="center"))

    # --- keys: a scanner is a keyboard ---------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.buffer.clear()
            self.key_times.clear()
            self.ask_pin()
        elif event.key == "enter":
            text, times = "".join(self.buffer), [*self.key_times, time.monotonic()]
            self.buffer.clear()
            self.key_times.clear()
            if text.strip():
                self.submit(text, typed_fast(times))
        elif event.character and event.character.isprintable() and len(self.buffer) < MAX_CODE_LENGTH * 2:
            self.buffer.append(event.character)
            self.key_times.append(time.monotonic())

    def submit(self, text: str, fast: bool = True) -> None:
        code = clean_code(text)
        if not code or not looks_like_code(text.strip(), fast):
            self.show_see_desk()  # a typed name: never a search here, and never recorded
            return
        self.state = "checking"
        self.check_in(code)

    @work(thread=True, exclusive=True, group="kiosk-scan")
    def check_in(self, code: str) -> None:
        from eventdesk.services.checkin import CheckinError

        try:
            result = self.app.desk.check_in(code, self.list_name)  # offline: from the desk's copy
        except CheckinError:
            self.app.call_from_thread(self.show_see_desk)
            return
        if result.result == Result.OK and result.person is not None:
            self.app.call_from_thread(self.show_welcome, result.person.called, result.badge_queued, result.returning)
        else:
            self.app.call_from_thread(self.show_see_desk)

    # --- leaving ------------------------------------------------------------------------------

    def ask_pin(self) -> None:
        if time.monotonic() < self.locked_until:
            return

        def answered(pin: str | None) -> None:
            if pin is None:
                return
            if hmac.compare_digest(pin.encode(), str(self.app.pin).encode()):
                self.app.exit()
                return
            self.wrong_pins += 1
            if self.wrong_pins >= PIN_TRIES:
                self.wrong_pins = 0
                self.locked_until = time.monotonic() + PIN_LOCK_SECONDS

        self.app.push_screen(KioskPin(), answered)
