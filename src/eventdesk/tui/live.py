"""The app's live link to a shared store: on PostgreSQL one long-lived listener thread
(``store.notify.StoreListener``) whose notifications reach the screens at once as
``StoreChanged``; on every store the desk's heartbeat every ten seconds (for the Desks screen),
carrying its printers' health as last seen by its print workers or the Printers screen."""

from __future__ import annotations

import logging
import time

from eventdesk.domain.clock import utcnow
from eventdesk.tui.messages import StoreNotified

log = logging.getLogger(__name__)

# With a listener the poll is only a safety net; on SQLite it is the mechanism (see EventDeskApp).
FALLBACK_POLL_SECONDS = 5.0


class LiveLink:
    def __init__(self, app, heartbeat: bool = True) -> None:
        self.app = app
        self.heartbeat = heartbeat
        self.listener = None
        self.started_at = utcnow()
        self.printer_health: dict[str, tuple[str, str]] = {}  # name -> (health, detail)
        self.last_notified: float | None = None  # monotonic time of the last notification heard

    def start(self) -> LiveLink:
        from eventdesk.services.changes import start_listener

        self.listener = start_listener(self.app.context, self._heard)
        if self.heartbeat:
            from eventdesk.services.desks import HEARTBEAT_SECONDS

            self.app.set_interval(HEARTBEAT_SECONDS, self.beat)
            self.app.run_worker(self._check_printers, thread=True, group="desk-heartbeat", exit_on_error=False)
        return self

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop(timeout=1.0)

    @property
    def poll_seconds(self) -> float:
        return FALLBACK_POLL_SECONDS if self.listener is not None else self.app.POLL_SECONDS

    @property
    def listening(self) -> bool:
        return self.listener is not None and self.listener.connected

    def _heard(self, areas: frozenset[str]) -> None:  # on the listener's thread
        self.last_notified = time.monotonic()
        self.app.post_message(StoreNotified(areas))  # thread-safe

    # -- heartbeat ------------------------------------------------------------------------------

    def printer_reported(self, report) -> None:
        """A print outcome tells the printer's health: printed -> online; a failed attempt -> offline."""
        if report.state == "printed":
            self.printer_health[report.printer] = ("online", "")
        else:
            self.printer_health[report.printer] = ("offline", report.message)

    def health_checked(self, name: str, health) -> None:
        self.printer_health[name] = (health.state, health.detail)

    def beat(self) -> None:
        self.app.run_worker(self._beat, thread=True, exclusive=True, group="desk-heartbeat", exit_on_error=False)

    def journal_waiting(self) -> int | None:
        """The offline scans of this desk waiting for upload (None: a desk with no journal)."""
        desk = self.app.desk
        if desk is None:
            return None
        try:
            return desk.journal_waiting()
        except Exception:  # noqa: BLE001 - the journal's count never stops the heartbeat
            return None

    def _check_printers(self) -> None:
        """At start: each printer's health once (later outcomes of print jobs keep it current)."""
        from eventdesk.services.printer_config import configured_printers

        settings = self.app.context.settings
        printers = configured_printers(settings)
        if printers:  # the printer drivers are loaded by a desk that has printers only
            from eventdesk.printing.status import check_health
        for name, url in printers:
            try:
                self.health_checked(name, check_health(url, settings))
            except Exception as error:  # noqa: BLE001 - a health check never stops the desk
                self.printer_health[name] = ("unknown", type(error).__name__)
        self._beat()

    def _beat(self) -> None:
        from eventdesk.services.desks import beat
        from eventdesk.services.printer_config import configured_printers

        settings = self.app.context.settings
        printers = [
            {
                "name": name,
                "url": url,
                "default": name == settings.default_printer,
                "health": self.printer_health.get(name, ("unknown", ""))[0],
                "detail": self.printer_health.get(name, ("unknown", ""))[1],
            }
            for name, url in configured_printers(settings)
        ]
        try:
            beat(self.app.context, printers, started_at=self.started_at, journal_waiting=self.journal_waiting())
        except Exception as error:  # noqa: BLE001 - a store gone away: the next beat retries
            log.warning("desk heartbeat not written: %s", type(error).__name__)
