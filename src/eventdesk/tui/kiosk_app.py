"""The kiosk's App (``eventdesk kiosk``): one screen and no way out but the PIN (see
``screens/kiosk``)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from eventdesk.resources import stylesheet
from eventdesk.services.context import Context
from eventdesk.tui.app_base import AppBase
from eventdesk.tui.scanning.burst import BurstFilter
from eventdesk.tui.screens.kiosk.screen import RESULT_SECONDS, KioskPin, KioskScreen
from eventdesk.tui.textual_compat import forward_event


class KioskError(Exception):
    """The kiosk cannot start; the message says what to set."""


class KioskApp(AppBase):
    CSS_PATH = [stylesheet("kiosk.tcss")]
    TITLE = "eventdesk kiosk"
    PRINTS = True  # the badge prints from here
    DESK = True  # scans through the desk: offline from its copy when the server is gone
    # The App's own ways out and in, made to do nothing: leaving takes the PIN (Escape).
    BINDINGS = [
        Binding("ctrl+q", "nothing", show=False, priority=True, id="kiosk.no-quit"),
        Binding("ctrl+c", "nothing", show=False, priority=True, system=True, id="kiosk.no-interrupt"),
        Binding("ctrl+p", "nothing", show=False, priority=True, id="kiosk.no-palette"),
        Binding("tab,shift+tab", "nothing", show=False, priority=True, id="kiosk.no-focus-change"),
    ]

    def __init__(
        self,
        context: Context,
        list_name: str | None = None,
        pin: str | None = None,
        result_seconds: float = RESULT_SECONDS,
        desk=None,
    ) -> None:
        pin = pin if pin is not None else context.settings.kiosk_pin
        if not pin or not str(pin).strip():
            raise KioskError(
                'The kiosk needs a PIN to leave it: set kiosk_pin = "..." in eventdesk.toml '
                "(or EVENTDESK_KIOSK_PIN) and start it again."
            )
        super().__init__(context, watch_store=False, desk=desk)  # a kiosk shows no data that others change
        self.pin = str(pin).strip()
        self.list_name = list_name or context.settings.kiosk_list
        self.result_seconds = result_seconds
        self.scan_filter = BurstFilter(self._scanned_at_pin, self._hand_on_key, self.set_timer, self.call_later)

    async def on_event(self, event: events.Event) -> None:
        """Over the PIN prompt a scanner's burst is a scan, never a wrong PIN: the same filter as
        the desk's forms (the kiosk screen itself reads every key as a scan)."""
        over_pin = isinstance(event, events.Key) and not event.is_forwarded and isinstance(self.screen, KioskPin)
        if over_pin and self.scan_filter.feed(event):
            return
        await super().on_event(event)

    def _hand_on_key(self, event: events.Key) -> None:
        forward_event(self.focused or self.screen, event)

    def _scanned_at_pin(self, text: str, at: float) -> None:
        if isinstance(self.screen, KioskPin):
            self.screen.dismiss(None)  # the attendee reads the answer; staff press Escape again
        kiosk = next((s for s in self.screen_stack if isinstance(s, KioskScreen)), None)
        if kiosk is not None:
            kiosk.submit(text, True)

    def open_screens(self) -> None:
        self.push_screen(KioskScreen(self.list_name, self.result_seconds))

    def action_nothing(self) -> None:
        """Keys that would leave the kiosk or reveal anything do nothing."""

    def action_command_palette(self) -> None:
        """No command palette at a kiosk."""

    async def action_quit(self) -> None:
        """Only the PIN leaves the kiosk."""


def make_kiosk_app(
    context: Context,
    list_name: str | None = None,
    pin: str | None = None,
    result_seconds: float = RESULT_SECONDS,
    desk=None,
) -> KioskApp:
    """The kiosk on ``context``'s event; KioskError without a PIN or with an unknown list (checked
    while the server answers: offline, a wrong list answers each scan "see the desk")."""
    from eventdesk.services.checkin import checkin_lists

    wanted = list_name or context.settings.kiosk_list
    if wanted is not None and not (desk is not None and desk.offline):
        names = [info.name for info in checkin_lists(context)]
        if wanted not in names:
            raise KioskError(f"There is no check-in list '{wanted}' (lists: {', '.join(names)}).")
    return KioskApp(context, wanted, pin, result_seconds, desk)
