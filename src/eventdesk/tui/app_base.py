"""What every eventdesk app shares (the desk, the room board, the chair view, the kiosk): its
parts injected through a ``Context`` (engine, settings, clock), literal notifications, failed
workers reported, and optionally the live link to the store and the print workers. Each app
opens its own screens in ``open_screens`` and adds its keys; none cancels this start-up."""

from __future__ import annotations

import logging

from textual import events, work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services.changes import change_versions
from eventdesk.services.context import Context
from eventdesk.tui.live import LiveLink
from eventdesk.tui.messages import LinkChanged, StoreChanged, StoreNotified
from eventdesk.tui.textual_compat import app_size

log = logging.getLogger(__name__)


class AppBase(App[None]):
    CSS_PATH = [stylesheet("app.tcss")]
    ENABLE_COMMAND_PALETTE = False
    # A desk beats for the Desks screen; a board or a chair's laptop is no desk.
    HEARTBEAT = False
    # Only an app that prints badges starts the print workers (one per configured printer).
    PRINTS = False
    # How often the store is asked whether another process changed it.
    POLL_SECONDS = 0.5
    # An app that checks people in does it through the desk (services.desk), started here.
    DESK = False

    def __init__(self, context: Context, watch_store: bool = True, desk=None) -> None:
        super().__init__()
        self.context = context
        # Given when it was opened before the app (a desk on a server opening offline from its copy).
        self.desk = desk
        self.watch_store = watch_store
        self.title = context.event().name
        self.live: LiveLink | None = None
        self.print_workers = None
        self._versions: dict[str, int] | None = None

    def open_screens(self) -> None:
        """Show this app's first screen."""
        raise NotImplementedError

    def on_mount(self) -> None:
        if self.DESK:
            self._start_desk()
        self.open_screens()
        if self.watch_store:
            self.live = LiveLink(self, heartbeat=self.HEARTBEAT).start()  # PostgreSQL: LISTEN/NOTIFY
            self.set_interval(self.live.poll_seconds, self.poll_store)
        if self.PRINTS:
            from eventdesk.tui.screens.printers.screen import start_print_workers

            self.print_workers = start_print_workers(self)

    def on_unmount(self) -> None:
        if self.print_workers is not None:
            from eventdesk.tui.screens.printers.screen import stop_print_workers

            stop_print_workers(self)
        if self.live is not None:
            self.live.stop()
        if self.desk is not None:
            self.desk.stop()

    def _start_desk(self) -> None:
        """The desk for this store; a desk sharing a server keeps scanning when the server goes away."""
        from eventdesk.services.desk import start_for_app

        self.desk, problem = start_for_app(self.context, self.desk)
        if problem:
            self.desk_problem(problem)
        self.desk.on_change(lambda: self.post_message(LinkChanged()))

    def desk_problem(self, problem: str) -> None:
        """The desk works, but without its offline copy (an app with staff in front says so)."""
        log.warning("%s", problem)

    def on_link_changed(self, _message: LinkChanged) -> None:
        """The desk went offline or online, or its journal or own badge queue changed."""
        self.notify_store_changed(frozenset({"print"}))

    def on_resize(self, event: events.Resize) -> None:
        """A terminal size the app already has (the driver reports the size once more as it starts)
        changes nothing: Textual's own handler, which runs after this one, would still lay the
        whole screen out again at its next idle moment, just after the first frame, while the first
        scan's keys wait. A new size goes on to Textual's own handler."""
        size = app_size(self)
        if size is not None and event.size == size:
            event.prevent_default()
            event.stop()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notifications carry names and titles from outside: always shown literally, never as
        markup, whatever a caller (``Widget.notify`` passes markup=True) asks for: a title like
        "Q&A [/]" would otherwise crash the toast."""
        super().notify(printable(message, 500), title=title, severity=severity, timeout=timeout, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed (a locked or vanished database) is reported; the app stays up."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"Could not finish {event.worker.group or 'a task'}: {error}. It will be retried on the next refresh.",
                severity="error",
                timeout=8,
            )

    # --- live updates ------------------------------------------------------------------------

    def on_store_notified(self, message: StoreNotified) -> None:
        self.notify_store_changed(message.areas)

    def poll_store(self) -> None:
        self._poll_store()

    @work(thread=True, exclusive=True, group="store-poll", exit_on_error=False)
    def _poll_store(self) -> None:
        versions = change_versions(self.context)
        previous, self._versions = self._versions, versions
        # The first poll has nothing to compare with: what another desk wrote between the screens'
        # first read and this moment is re-read once, instead of being missed until the next change.
        changed = (
            frozenset(versions)
            if previous is None
            else frozenset(a for a, v in versions.items() if previous.get(a) != v)
        )
        if changed:
            self.call_from_thread(self.notify_store_changed, changed)

    def notify_store_changed(self, areas: frozenset[str]) -> None:
        """Tell the visible screen what changed (also called after this process's own writes)."""
        self.screen.post_message(StoreChanged(areas))
