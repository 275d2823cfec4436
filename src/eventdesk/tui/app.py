"""The desk app: built by ``make_app`` with its parts injected (store, clock, settings), so the
CLI, the tests and the snapshot tests all run the same App. What it shares with the board, the
chair view and the kiosk is in ``app_base``."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from importlib import import_module
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from eventdesk.domain.text import printable
from eventdesk.services.context import Context
from eventdesk.tui.app_base import AppBase
from eventdesk.tui.backups import backup_now, start_backups
from eventdesk.tui.messages import LinkChanged
from eventdesk.tui.scanning.burst import BurstFilter
from eventdesk.tui.scanning.input import ScanInput
from eventdesk.tui.screens.checkin.screen import CheckinScreen
from eventdesk.tui.screens.help.screen import HelpScreen, key_name
from eventdesk.tui.screens.printers.screen import (
    PrintersScreen,
    PrintReported,
    show_print_report,
)
from eventdesk.tui.textual_compat import forward_event
from eventdesk.tui.widgets.confirm import Confirm
from eventdesk.tui.widgets.status_header import StatusHeader

SCREENS_IN_ORDER = (
    ("checkin", "Check-in", "f2"),
    ("agenda", "Agenda", "f3"),
    ("rooms", "Rooms", "f4"),
    ("meetings", "Meetings", "f5"),
    ("desks", "Desks", "f12"),
    ("reconcile", "Reconcile", "f11"),
)


def _opened_later(module: str, screen: str) -> Callable[[], Screen]:
    """A mode's screen, imported when the mode is first opened: a desk starts on the check-in
    screen, and loading the modules of the others (the agenda, meetings, ... and their services)
    at its start would delay the first scan for screens it may never open."""

    def make() -> Screen:
        return getattr(import_module(f"eventdesk.tui.screens.{module}.screen"), screen)()

    return make


class EventDeskApp(AppBase):
    TITLE = "eventdesk"
    ENABLE_COMMAND_PALETTE = True
    MODES = {
        "checkin": CheckinScreen,
        "agenda": _opened_later("agenda", "AgendaScreen"),
        "rooms": _opened_later("rooms", "RoomsScreen"),
        "meetings": _opened_later("meetings", "MeetingsScreen"),
        "desks": _opened_later("desks", "DesksScreen"),
        "printers": PrintersScreen,
        "reconcile": _opened_later("reconcile", "ReconcileScreen"),
    }
    # Priority: function keys switch screens from everywhere, also over a form or the help (a modal
    # screen otherwise hides the app's keys).
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", priority=True),
        Binding("f2", "go('checkin')", "Check-in", id="app.checkin", priority=True),
        Binding("f3", "go('agenda')", "Agenda", id="app.agenda", priority=True),
        Binding("f4", "go('rooms')", "Rooms", id="app.rooms", priority=True),
        Binding("f5", "go('meetings')", "Meetings", id="app.meetings", priority=True),
        Binding("f7", "printers", "Printers", id="app.printers", priority=True),
        Binding("f12", "go('desks')", "Desks", id="app.desks", priority=True),
        # Not in the footer (a rare look, after a desk was offline); F1 and the palette offer it.
        Binding(
            "f11",
            "go('reconcile')",
            "Reconcile",
            id="app.reconcile",
            show=False,
            priority=True,
            tooltip="People admitted at two desks while one was offline",
        ),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]
    HEARTBEAT = True  # for the Desks screen
    PRINTS = True
    DESK = True

    def __init__(self, context: Context, start_screen: str = "checkin", watch_store: bool = True, desk=None) -> None:
        super().__init__(context, watch_store=watch_store, desk=desk)
        self.start_screen = start_screen
        self.sub_title = context.desk
        self.checkin_screen: CheckinScreen | None = None  # the check-in screen registers itself when mounted
        # Scans recognised before the check-in screen was up (a badge scanned while the desk
        # starts): it checks them in, in order, as soon as it is mounted.
        self.scans_before_checkin_screen: list[tuple[str, float]] = []
        self._mode_before_printers = "checkin"
        self.scan_filter = BurstFilter(self.route_scan, self._hand_on_key, self.set_timer, self.call_later)
        self._screens_with_box: WeakKeyDictionary[Screen, bool] = WeakKeyDictionary()

    def open_screens(self) -> None:
        # The check-in screen is mounted first, whatever screen opens: a badge scanned on any
        # screen is checked in by it.
        self.switch_mode("checkin")
        if self.start_screen != "checkin":
            self.switch_mode(self.start_screen)
        self.call_after_refresh(settle_garbage_collector)
        self.last_backup = None
        self.backups = start_backups(self)  # every [backup] every_minutes, in a worker thread

    def desk_problem(self, problem: str) -> None:
        self.notify(problem, severity="warning", timeout=15)

    def on_link_changed(self, _message: LinkChanged) -> None:
        for header in self.screen.query(StatusHeader):
            header.refresh()
        if self.checkin_screen is not None:
            self.checkin_screen.take_upload_report()

    # --- a scan wherever the desk is --------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal pass the burst filter before the focused widget sees them,
        except where a scan box reads them itself (the bare check-in and meetings screens)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            focused = self.focused
            if isinstance(focused, ScanInput) and focused.drops(event):
                return  # the rest of a long paste into the scan box
            if self._reads_scans_itself():
                self.scan_filter.release_held()
            elif self.scan_filter.feed(event):
                return
        elif isinstance(event, events.Paste) and not event.is_forwarded:
            self.scan_filter.release_held()  # a paste is never a scan: it lands after the keys typed before it
        await super().on_event(event)

    def _reads_scans_itself(self) -> bool:
        if isinstance(self.focused, ScanInput):
            return True
        # Asked once a screen, not at every key: a DOM query per key was most of the cost of a
        # long paste typed into a form (the scan boxes are composed with their screens).
        screen = self.screen
        has_box = self._screens_with_box.get(screen)
        if has_box is None:
            has_box = self._screens_with_box[screen] = bool(screen.query(ScanInput))
        return has_box

    def _hand_on_key(self, event: events.Key) -> None:
        """A held key that was no scan: to the focused widget, as the app would have sent it (not to
        a full field, which would refuse it: the rest of a long paste costs nothing)."""
        if not (_full(self.focused) and event.is_printable):
            forward_event(self.focused or self.screen, event)

    def route_scan(self, text: str, at: float) -> None:
        """A scanner's burst outside a scan box: a check-in at the desk's current list (on the
        meetings screen and its dialogs: the meeting desk's scan)."""
        base = self.screen_stack[0] if self.screen_stack else None
        if base is not self.checkin_screen and base is not None:
            boxes = base.query(ScanInput)
            if boxes:
                boxes.first().deliver(text, at)
                return
        if self.checkin_screen is not None:
            self.checkin_screen.take_scan(text, at)
        else:
            self.scans_before_checkin_screen.append((text, at))

    def on_print_reported(self, message: PrintReported) -> None:
        if self.live is not None:
            self.live.printer_reported(message.report)
        show_print_report(self, message.report)

    def action_go(self, mode: str) -> None:
        """Function keys switch screens from everywhere (help and the palette close first)."""
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        self.switch_mode(mode)

    def action_printers(self) -> None:
        if self.current_mode == "printers":
            self.action_leave_printers()
            return
        self._mode_before_printers = self.current_mode
        self.action_go("printers")

    def action_leave_printers(self) -> None:
        self.action_go(self._mode_before_printers if self._mode_before_printers != "printers" else "checkin")

    def poll_store(self) -> None:
        if self.desk is not None and self.desk.offline:
            return  # the server is unreachable: nothing to ask it (the desk's sync probes it)
        super().poll_store()

    async def action_quit(self) -> None:
        """Ctrl+Q asks first: one key would close the desk with a queue in front of it (pressed
        again on the question, it closes)."""
        if isinstance(self.screen, Confirm) and self.screen.key == "ctrl+q":
            self.screen.dismiss(True)
            return
        question = Text.assemble(
            "Close the desk ",
            (printable(self.context.desk, 40), "bold"),
            "? It stops checking people in until it is started again.",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(Confirm(question, "close the desk", "keep scanning", key="ctrl+q"), answered)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        titles = {"printers": "Printers", **{mode: title for mode, title, _ in SCREENS_IN_ORDER}}
        where = titles.get(self.current_mode, "")
        rows = [(key_name(b.key, b.key_display), b.description, "everywhere") for b in self.BINDINGS if b.description]
        for binding in getattr(self.screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                rows.append((key_name(binding.key, binding.key_display), binding.description, where))
        self.push_screen(HelpScreen(rows, where))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, title, key in SCREENS_IN_ORDER:
            yield SystemCommand(
                f"Go to {title}", f"Open the {title} screen ({key.upper()})", lambda m=mode: self.action_go(m)
            )
        yield SystemCommand("Go to Printers", "Printer health, the badge queue, reprints (F7)", self.action_printers)
        yield SystemCommand("Help", "List every key (F1)", self.action_help)
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        yield SystemCommand(
            "Back up now",
            f"Copy the store into the backup folder (also every {self.context.settings.backup_every_minutes} min)",
            lambda: backup_now(self),
        )
        yield SystemCommand("Quit", "Leave eventdesk (Ctrl+Q)", self.action_quit)


def _full(widget) -> bool:
    return (
        isinstance(widget, Input)
        and not isinstance(widget, ScanInput)
        and bool(widget.max_length)
        and len(widget.value) >= widget.max_length
    )


def settle_garbage_collector() -> None:
    """Once the first screen is up: collect, then freeze what survived (Textual, SQLAlchemy, the
    screens, the caches) so the collector never walks it again: its full passes stay short instead
    of pausing a board refresh or a scan now and then; young collections run less often too (a
    refresh allocates a lot that dies young). Figures: docs/decisions.md, Garbage collector."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def make_app(context: Context, start_screen: str = "checkin", watch_store: bool = True, desk=None) -> EventDeskApp:
    return EventDeskApp(context, start_screen=start_screen, watch_store=watch_store, desk=desk)
