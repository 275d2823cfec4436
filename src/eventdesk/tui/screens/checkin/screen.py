"""The check-in desk: scanner first, search as you type, walk-ins, corrections, undo and figures.

Every key lands in the scan box (the only focusable widget; stray keys are sent there). Enter
hands the text to one long-lived scan thread, which serves requests in order and posts answers
back; the screen never waits for the store. Function keys and Ctrl combinations only: a scanner
types letters and digits."""

from __future__ import annotations

import time
from dataclasses import asdict
from functools import cached_property

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from eventdesk.domain.checkin import ENTRY, EXIT, LABELS, clean_code
from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.services import checkin as service
from eventdesk.services.events import MAIN_ENTRANCE
from eventdesk.services.storage import is_disk_full, store_room
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.scanning.input import SUBMIT_KEYS, ScanInput
from eventdesk.tui.scanning.loop import LatestOnlyLoop, ScanDone, ScanLoop, ScanRequest
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.screens.checkin.banner import ROOMY_CLASS, ResultBanner, ScanNotice
from eventdesk.tui.screens.checkin.big import big_text
from eventdesk.tui.screens.checkin.figures import FiguresPanel
from eventdesk.tui.screens.checkin.forms import CorrectionForm, ReprintQuestion, WalkInForm
from eventdesk.tui.screens.checkin.recent import SHOWN as SHOWN_RECENT
from eventdesk.tui.screens.checkin.recent import RecentScans
from eventdesk.tui.screens.checkin.results import SearchResults
from eventdesk.tui.textual_compat import can_paint_now, hand_refresh_to_screen, paint_now
from eventdesk.tui.widgets.confirm import Confirm

# Keys closer together than this are a scanner's burst: wait for the burst to end before searching.
BURST_GAP_S = 0.02
SEARCH_DEBOUNCE_S = 0.04
# The figures are re-read at most this often while scans come in.
FIGURES_EVERY_S = 1.0
PREVIEW_AFTER_S = 0.4
PREVIEW_COLUMNS = 34
# Columns from which the figures and the badge preview stand beside the answer.
SIDE_PANELS_FROM = 110
# Rows from which the answer grows into block letters.
BIG_BANNER_FROM = 40
# The key hints of the mode line, longest first: the first that fits is shown.
KEY_HINTS = (
    "   F6 walk-in · F8 correct · F9 undo · F10 entry/exit · Ctrl+N list · Ctrl+B reprint",
    "   F6 walk-in · F8 correct · F9 undo · F10 entry/exit",
    "   F6 walk-in · F9 undo",
    "",
)


class SearchDone(Message):
    def __init__(self, generation: int, text: str, people: list, key_at: float, states: dict | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.text = text
        self.people = people
        self.key_at = key_at
        self.states = states or {}  # person id -> DayState: checked in today on the desk's list


class FiguresDone(Message):
    def __init__(self, figures, seconds: float, printer=None) -> None:
        super().__init__()
        self.figures = figures
        self.seconds = seconds  # how long the store took: later refreshes keep their distance
        self.printer = printer  # services.printer_config.BadgePrinterState, None without a printer


class BadgesMoved(Message):
    def __init__(self, moved: int, target: str, error: str = "") -> None:
        super().__init__()
        self.moved = moved
        self.target = target
        self.error = error


class PaintAnswer(Message):
    """Write the frame now: the answer's repaint requests are queued ahead of this."""


class ListsLoaded(Message):
    def __init__(self, lists: list) -> None:
        super().__init__()
        self.lists = lists


class UndoAsked(Message):
    def __init__(self, candidate, error: str = "") -> None:
        super().__init__()
        self.candidate = candidate  # services.checkin.UndoResult of what F9 would annul, or None
        self.error = error


class RecentLoaded(Message):
    def __init__(self, scans: list) -> None:
        super().__init__()
        self.scans = scans  # (CheckinResult, annulled), newest first


class CheckinScreen(MainScreen):
    CSS_PATH = stylesheet("checkin.tcss")
    WATCHES = frozenset({"checkin", "attendees", "print"})
    AUTO_FOCUS = "#scan-input"
    # Narrow: the figures go below the answer instead of squeezing it (the badge preview goes).
    # Tall: the answer takes the free rows and is drawn in block letters (ResultBanner).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (SIDE_PANELS_FROM, "-side")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (BIG_BANNER_FROM, ROOMY_CLASS)]
    BINDINGS = [
        Binding("f6", "walk_in", "Walk-in", id="checkin.walk_in"),
        Binding("f8", "correct", "Correct", id="checkin.correct", tooltip="Correct the details of the last person"),
        Binding("f9", "undo", "Undo", id="checkin.undo", tooltip="Annul this desk's last check-in (15 min)"),
        Binding("f10", "toggle_direction", "Entry/exit", id="checkin.direction"),
        Binding("ctrl+n", "next_list", "Next list", id="checkin.next_list", tooltip="Next check-in list"),
        Binding(
            "ctrl+b",
            "reprint",
            "Reprint",
            id="checkin.reprint",
            tooltip="Reprint the badge of the selected or last person",
        ),
        Binding(
            "ctrl+o",
            "other_printer",
            "Other printer",
            id="checkin.other_printer",
            tooltip="Send every waiting badge to the next printer, and the next badges too",
        ),
        Binding("escape", "clear", "Clear the box", id="checkin.clear", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.list_name = MAIN_ENTRANCE
        self.direction = ENTRY
        self.lists: list = []
        self.last_person = None
        self.pending_scans = 0
        # Bookkeeping read by tests and benchmarks/checkin.py.
        self.results_shown = 0
        self.last_result_latency = 0.0
        self.searches_shown = 0
        self.last_search_latency = 0.0
        self.last_search_shown_cpu = 0.0
        self.last_outcome: object = None
        self._search_generation = 0
        self._search_timer = None
        self._burst_search: tuple[str, int, float] | None = None  # (text, generation, key time) typed in a burst
        self._last_change_at = 0.0
        self._figures_running = False
        self._figures_dirty = False
        self._figures_last = 0.0
        self._figures_every = FIGURES_EVERY_S
        self._figures_loaded = False
        self._loop: ScanLoop | None = None
        self._searcher: LatestOnlyLoop | None = None
        self._preview_timer = None
        self._preview_person = None
        self._exit_timer = None
        self.printer_state = None  # services.printer_config.BadgePrinterState
        self._upload_seen = None  # the offline journal's last upload report already shown

    # --- layout -------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="checkin-mode")
        yield Static(id="exit-mark")  # a large EXIT while the desk scans people out
        yield Static(id="printer-state")  # the badge printer, lasting: a dead one cannot be missed
        yield ScanInput(placeholder="Scan a badge, or type a name (3+ letters) and pick with ↑↓ Enter", id="scan-input")
        with Horizontal(id="checkin-main"):
            with Vertical(id="checkin-left"):
                with Horizontal(id="checkin-answer"):
                    yield ResultBanner(id="result-banner")
                    yield RecentScans(id="recent-scans")
                yield SearchResults(id="search-results")
            with Vertical(id="checkin-right"):
                yield FiguresPanel(id="desk-figures")
                yield self._badge_preview()

    def _badge_preview(self):
        from eventdesk.tui.widgets.badge_preview import BadgePreview

        return BadgePreview(columns=PREVIEW_COLUMNS, id="badge-preview")

    def _preview_later(self, person) -> None:
        """Show the badge of the last person once the desk pauses: rendering a badge image is CPU
        work that must not slow down a queue of scans."""
        self._preview_person = person
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_AFTER_S, self._show_preview)

    def _show_preview(self) -> None:
        self._preview_timer = None
        if self._preview_person is not None:
            self.query_one("#badge-preview").show_person(self._preview_person)

    @cached_property  # composed once, never replaced: no DOM query per key
    def scan_input(self) -> ScanInput:
        return self.query_one("#scan-input", ScanInput)

    @cached_property  # composed once, never replaced: no DOM query per key
    def banner(self) -> ResultBanner:
        return self.query_one("#result-banner", ResultBanner)

    @cached_property
    def _recent_scans(self) -> RecentScans:
        return self.query_one("#recent-scans", RecentScans)

    @cached_property
    def _checkin_main(self) -> Horizontal:
        return self.query_one("#checkin-main", Horizontal)

    @cached_property  # composed once, never replaced: no DOM query per key
    def results(self) -> SearchResults:
        return self.query_one("#search-results", SearchResults)

    def on_mount(self) -> None:
        self.app.checkin_screen = self  # type: ignore[attr-defined]  # scans on other screens come here
        self.results.display = False
        self._loop = ScanLoop(self._serve, self.post_message)
        self._loop.start()
        self._searcher = LatestOnlyLoop(self._run_search, self.post_message)
        self._searcher.start()
        self._show_mode()
        self._load_lists()
        self._load_recent()
        self.set_interval(FIGURES_EVERY_S / 2, self._figures_tick)
        early, self.app.scans_before_checkin_screen = self.app.scans_before_checkin_screen, []  # type: ignore[attr-defined]
        for text, at in early:
            self.take_scan(text, at)

    def on_unmount(self) -> None:
        for thread in (self._loop, self._searcher):
            if thread is not None:
                thread.stop()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.scan_input.focus()

    def _show_mode(self) -> None:
        exiting = self.direction == EXIT
        mode = Text()
        mode.append(" List: ", style="dim")
        mode.append(printable(self.list_name, 60), style="bold")
        mode.append("   Direction: ", style="dim")
        mode.append(" EXIT: scanning people OUT " if exiting else "entry", style="bold reverse" if exiting else "bold")
        line = self.query_one("#checkin-mode", Static)
        room = line.size.width or self.app.size.width
        # The keys as far as they fit, whole (the footer lists them all): never a hint cut in half.
        for hints in KEY_HINTS:
            if mode.cell_len + len(hints) <= room:
                mode.append(hints, style="dim")
                break
        line.update(mode)
        self.set_class(exiting, "-exit-mode")
        mark = self.query_one("#exit-mark", Static)
        mark.display = exiting
        if exiting:
            drawn = big_text("EXIT  EXIT  EXIT")
            minutes = self.context.settings.exit_fallback_minutes
            mark.update(
                Text(
                    f"{drawn}\nEXIT MODE: every scan records a person leaving. F10: back to entry "
                    f"(automatic after {minutes:g} min without a scan).",
                    style="bold",
                )
            )

    def on_resize(self, _event: events.Resize) -> None:
        self._show_mode()  # the key hints that fit the new width

    def _restart_exit_fallback(self) -> None:
        """A desk left in exit mode would turn everybody arriving away as 'exit': after a quiet
        while it goes back to entry by itself (settings: exit_fallback_minutes)."""
        if self._exit_timer is not None:
            self._exit_timer.stop()
            self._exit_timer = None
        if self.direction == EXIT:
            self._exit_timer = self.set_timer(self.context.settings.exit_fallback_minutes * 60, self._exit_fallback)

    def _exit_fallback(self) -> None:
        self._exit_timer = None
        if self.direction == EXIT:
            self.direction = ENTRY
            self._show_mode()
            minutes = self.context.settings.exit_fallback_minutes
            self.banner.show(
                "info",
                "Back to entry",
                detail=f"No exit scan for {minutes:g} min: this desk checks people in again (F10: exit).",
            )

    # --- every key to the scan box --------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A key that reached the screen instead of the scan box (nothing focused, a click
        elsewhere): hand it to the box, in order."""
        box = self.scan_input
        if self.app.screen is not self or self.focused is box:
            return
        if event.is_printable or event.key in SUBMIT_KEYS or event.key in ("backspace", "up", "down"):
            event.stop()
            event.prevent_default()
            box.focus()
            box.post_message(events.Key(event.key, event.character))

    # --- search as you type -------------------------------------------------------------------

    @on(Input.Changed, "#scan-input")
    def _typed(self, event: Input.Changed) -> None:
        self._search_generation += 1
        now = self.scan_input.last_key_at or time.monotonic()
        gap, self._last_change_at = now - self._last_change_at, now
        text = event.value
        if len(text.strip()) < self.context.settings.search_min_chars:
            self._stop_burst_search()
            self._clear_results()
            return
        generation = self._search_generation
        if gap > BURST_GAP_S:
            self._stop_burst_search()
            self._search(text, generation, now)
            return
        # Inside a burst: maybe a scanner; search once the burst pauses. One timer a burst, not
        # one a key: it looks at the newest key when it fires (a scan's 16 keys made 16 timers,
        # each an asyncio task started and cancelled on the UI thread).
        self._burst_search = (text, generation, now)
        if self._search_timer is None:
            self._search_timer = self.set_timer(SEARCH_DEBOUNCE_S, self._search_after_burst)

    def _search_after_burst(self) -> None:
        self._search_timer = None
        if self._burst_search is None:
            return
        text, generation, key_at = self._burst_search
        wait = key_at + SEARCH_DEBOUNCE_S - time.monotonic()
        if wait > 0.001:  # keys came after the timer was set: wait for the pause after the newest
            self._search_timer = self.set_timer(wait, self._search_after_burst)
            return
        self._burst_search = None
        self._search(text, generation, key_at)

    def _stop_burst_search(self) -> None:
        self._burst_search = None
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None

    def _search(self, text: str, generation: int, key_at: float) -> None:
        assert self._searcher is not None
        self._searcher.put((text, generation, key_at, self.list_name))

    def _run_search(self, request: tuple[str, int, float, str]) -> SearchDone | None:
        """Runs on the search thread, for the newest text only."""
        text, generation, key_at, list_name = request
        if generation != self._search_generation:
            return None  # typed on meanwhile
        found = self.app.desk.find(text, list_name)  # type: ignore[attr-defined]  # offline: from the copy
        return SearchDone(generation, text, found.people, key_at, found.states)

    def on_search_done(self, message: SearchDone) -> None:
        if message.generation != self._search_generation:
            return  # the text changed since: a newer search is on its way
        self.results.show_people(message.text, message.people, message.states, self._zone())
        self._results_room()
        self._paint_now(self.results)
        self.searches_shown += 1
        self.last_search_latency = time.monotonic() - message.key_at
        self.last_search_shown_cpu = time.process_time()  # the process's CPU clock then (benchmark)

    def _clear_results(self) -> None:
        self.results.clear_people()
        self._results_room()

    def _results_room(self) -> None:
        """While results are shown a short, narrow terminal gives their rows to them instead of the
        figures (at 80×24 the list had no row left). Only when the list appears or goes: a change of
        class restyles what is inside #checkin-main."""
        self._checkin_main.set_class(self.results.display, "-searching")

    def on_scan_input_move(self, message: ScanInput.Move) -> None:
        self.results.move(message.delta)

    # --- scans --------------------------------------------------------------------------------

    def on_scan_input_scanned(self, message: ScanInput.Scanned) -> None:
        self._search_generation += 1  # results of searches still running are stale now
        self._stop_burst_search()
        text = message.text
        selected = self.results.selected if self.results.query_text == text else None
        self._clear_results()
        if not clean_code(text):
            return  # the Enter after a scanner's CR, or a lone Enter: nothing to do
        self._enqueue(
            ScanRequest(
                text=text,
                typed_fast=message.typed_fast,
                selected_code=selected.badge_code if selected else None,
                list_name=self.list_name,
                direction=self.direction,
                nonce=service.new_nonce(),
                at=message.at,
                burst=message.burst,
            )
        )

    def take_scan(self, text: str, at: float) -> None:
        """A badge scanned while another screen, a form or a dialog is shown (the app's burst
        filter kept it out of there): checked in exactly as a scan into the box; the answer is
        shown here and on the screen in front."""
        if not clean_code(text):
            return
        self._enqueue(
            ScanRequest(
                text=text,
                typed_fast=True,
                selected_code=None,
                list_name=self.list_name,
                direction=self.direction,
                nonce=service.new_nonce(),
                at=at,
            )
        )

    def _enqueue(self, request: ScanRequest) -> None:
        assert self._loop is not None
        if request.kind == "scan" and self.direction == EXIT:
            self._restart_exit_fallback()
        self.pending_scans += 1
        self._loop.put(request)

    def _serve(self, request: ScanRequest):
        """Runs on the scan thread."""
        desk = self.app.desk  # type: ignore[attr-defined]
        if request.kind == "scan":
            return desk.submit(
                request.text,
                typed_fast=request.typed_fast,
                selected_code=request.selected_code,
                list_name=request.list_name,
                direction=request.direction,
                nonce=request.nonce,
                burst=request.burst,
            )
        if request.kind == "walk_in":
            return desk.register_walk_in(request.payload, request.list_name)
        if request.kind == "undo":
            return desk.undo_last(record_id=request.payload)
        if request.kind == "correct":
            attendee_id, changes = request.payload
            return desk.correct_attendee(attendee_id, changes)
        if request.kind == "reprint":
            return desk.reprint_badge(request.payload)
        raise ValueError(request.kind)

    def on_scan_done(self, message: ScanDone) -> None:
        self.pending_scans -= 1
        request, outcome = message.request, message.outcome
        zone = self._zone()
        recent = None  # the "Last scans" line: added once the answer is painted
        self.last_outcome = outcome if message.error is None else message.error
        if message.error is not None:
            error = message.error
            room = store_room(self.app.context) if is_disk_full(error) else None
            if room is not None:
                text = (
                    f"The disk is full: {room.free / 1e6:,.1f} MB free in {room.folder}, the desk needs "
                    f"{room.needed / 1e6:,.0f} MB. This scan was not saved (the ones before were): free some "
                    "room there, then scan again."
                )
            else:
                text = (
                    str(error)
                    if isinstance(error, service.CheckinError)
                    else (
                        f"Could not record this: {type(error).__name__}: {error}. The scan was not saved; scan again."
                    )
                )
            self.banner.show("error", "Not done", detail=text)
            self.app.bell()
        elif isinstance(outcome, service.CheckinResult):
            self.banner.show_result(outcome, zone, self.printer_trouble())
            recent = (self.banner.kind, outcome)
            if outcome.person is not None:
                self.last_person = outcome.person
                self._preview_later(outcome.person)
            if not outcome.ok:
                self.app.bell()
        elif isinstance(outcome, service.NoMatch):
            # The text is not put back: the next scan would be appended to it.
            self.banner.show(
                "info",
                "Nobody chosen",
                detail=f"'{printable(outcome.text, 60)}' is no badge code. Type the name, wait for "
                "the list, pick the person with ↑↓ and Enter, or scan the badge.",
            )
        elif isinstance(outcome, service.UndoResult):
            self._recent_scans.annulled(outcome.record_id)
            who = printable(outcome.person.name, 60) if outcome.person else "an unknown code"
            self.banner.show(
                "info",
                "Undone",
                detail=f"The {outcome.direction} of {who} at {outcome.scanned_at.astimezone(self._zone()):%H:%M:%S} "
                + (
                    "is annulled here, offline (it never goes to the server)."
                    if outcome.offline
                    else "is annulled (the record keeps both)."
                )
                + (" Its badge had not printed and is cancelled." if outcome.badge_cancelled else ""),
            )
        elif isinstance(outcome, service.Correction):
            self.last_person = outcome.person
            self._preview_later(outcome.person)
            if not outcome.changed:
                self.banner.show("info", "Nothing changed", outcome.person)
            else:
                self.banner.show(
                    "info",
                    "Details corrected",
                    outcome.person,
                    detail="Changed: " + ", ".join(f.replace("_", " ") for f in outcome.changed),
                )
                if outcome.badge_changed:
                    self._ask_reprint(outcome.person, outcome.badge_changed)
        elif request.kind == "reprint":
            trouble = self.printer_trouble()
            self.banner.show(
                "info",
                "Badge queued for reprint",
                self.last_person,
                detail=f"badge waiting: {trouble} (F7)" if trouble else "",
            )
        front = self.app.screen
        if front is not self and request.kind == "scan":
            ScanNotice.show_on(front, self.banner.kind, self.banner.lines)
        self.results_shown += 1
        self.last_result_latency = time.monotonic() - request.at
        self._paint_now()
        # Secondary: in the next frame, never before the answer.
        if recent is not None:
            self._recent_scans.add(recent[0], recent[1], zone)
        self.request_figures()

    def _paint_now(self, widget=None) -> None:
        """Have the frame that shows the answer (the banner, or the search results) written at
        once, instead of at the screen's next update tick: that tick is up to 1/60 s away, counted
        from the frame that emptied the box just after the Enter (or echoed the typed letter).
        Only when no scan waits (a queued burst is painted at Textual's own frame rate) and this
        screen is in front. Uses two private methods of Textual (``textual_compat``); without them
        the answer is painted at the next tick as before."""
        if self.pending_scans or self.app.screen is not self:
            return
        widget = widget or self.banner
        if can_paint_now(widget, self):
            hand_refresh_to_screen(
                widget
            )  # the widget's repaint (and layout) requests go to this screen's queue now...
            self.post_message(PaintAnswer())  # ...and are handled before this

    def on_paint_answer(self, message: PaintAnswer) -> None:
        message.stop()
        if self.app.screen is self:
            paint_now(self)

    def _zone(self):
        try:
            return self.context.zone()
        except Exception:  # noqa: BLE001 - no event yet: show UTC
            return None

    # --- figures ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self.request_figures(now=True)

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.areas & self.WATCHES:
            self.request_figures()

    def request_figures(self, now: bool = False) -> None:
        if self._figures_running or (not now and time.monotonic() - self._figures_last < self._figures_every):
            self._figures_dirty = True
            return
        self._figures_running = True
        self._figures_dirty = False
        self._load_figures(self.list_name)

    def _figures_tick(self) -> None:
        if self._figures_dirty and not self._figures_running:
            self.request_figures()

    @work(thread=True, group="checkin-figures", exit_on_error=False)
    def _load_figures(self, list_name: str) -> None:
        started = time.monotonic()
        try:
            figures = self.app.desk.figures(list_name)  # type: ignore[attr-defined]  # offline: from the copy
        except Exception as error:  # noqa: BLE001 - a busy or broken store must not stop the desk from scanning
            figures = error
        try:
            printer = self.app.desk.printer_state()  # type: ignore[attr-defined]  # offline: its own badges
        except Exception:  # noqa: BLE001 - a misconfigured printer is reported by the print worker
            printer = None
        self.post_message(FiguresDone(figures, time.monotonic() - started, printer))

    def on_figures_done(self, message: FiguresDone) -> None:
        self._figures_running = False
        self._figures_last = time.monotonic()
        # A large event's figures take a while: never spend more than about a tenth of the time on them.
        self._figures_every = max(FIGURES_EVERY_S, 10 * message.seconds)
        self._figures_loaded = True
        self.query_one("#desk-figures", FiguresPanel).show(message.figures, self._zone())
        self._show_printer(message.printer)

    def _show_printer(self, state) -> None:
        self.printer_state = state
        line = self.query_one("#printer-state", Static)
        line.display = state is not None
        if state is None:
            return
        trouble = state.in_trouble
        line.set_class(trouble, "-trouble")
        text = Text()
        if trouble:
            text.append(f" ⚠ Badge printer {printable(state.name, 30)}: OFFLINE", style="bold")
            text.append(f" · {state.waiting} badge{'s' if state.waiting != 1 else ''} waiting")
            if state.failed:
                text.append(f", {state.failed} failed")
            if state.others:
                text.append(f" · Ctrl+O sends them all to {printable(state.others[0], 30)}", style="bold")
            text.append(f" · {printable(state.error, 90)}")
        else:
            text.append(f" Badge printer {printable(state.name, 30)}: ok · {state.waiting} waiting")
        line.update(text)

    def printer_trouble(self) -> str:
        state = self.printer_state
        return f"printer {state.name} offline" if state is not None and state.in_trouble else ""

    def action_other_printer(self) -> None:
        state = self.printer_state
        if state is None or not state.others:
            self.banner.show(
                "info",
                "No other printer",
                detail="Only one badge printer is configured: add another in [printers] of eventdesk.toml.",
            )
            return
        self._send_badges(state.others[0])

    @work(thread=True, group="checkin-printer", exit_on_error=False)
    def _send_badges(self, target: str) -> None:
        from eventdesk.services.printing import PrintingError, send_badges_to

        try:
            self.post_message(BadgesMoved(send_badges_to(self.context, target), target))
        except PrintingError as error:
            self.post_message(BadgesMoved(0, target, str(error)))

    def on_badges_moved(self, message: BadgesMoved) -> None:
        if message.error:
            self.banner.show("error", "Badges not moved", detail=message.error)
        else:
            self.banner.show(
                "info",
                f"Badges now print on {message.target}",
                detail=f"{message.moved} waiting badge{'s' if message.moved != 1 else ''} moved to "
                f"{message.target}; the next badges of this desk print there too.",
            )
        self.request_figures(now=True)

    async def figures_ready(self) -> None:
        """Wait until the figures have been shown once (tests, benchmark)."""
        import asyncio

        while not self._figures_loaded:
            await asyncio.sleep(0.01)

    async def wait_idle(self) -> None:
        """Wait until every submitted scan has its answer on screen and no search is running
        (tests: the scan thread is long-lived, so ``workers.wait_for_complete`` never returns)."""
        import asyncio

        while True:
            searching = self._searcher is not None and not self._searcher.idle
            if self.pending_scans == 0 and not searching and self._search_timer is None:
                await asyncio.sleep(0)
                if self.pending_scans == 0:
                    return
            await asyncio.sleep(0.005)

    # --- lists and direction ------------------------------------------------------------------

    @work(thread=True, group="checkin-lists", exit_on_error=False)
    def _load_lists(self) -> None:
        self.post_message(ListsLoaded(service.checkin_lists(self.context)))

    def on_lists_loaded(self, message: ListsLoaded) -> None:
        self.lists = message.lists

    @work(thread=True, group="checkin-recent", exit_on_error=False)
    def _load_recent(self) -> None:
        try:
            scans = self.app.desk.scans_today(SHOWN_RECENT)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the server is away (an offline desk): the list starts empty
            return
        self.post_message(RecentLoaded(scans))

    def take_upload_report(self) -> None:
        """After an offline desk's journal went up: the people it admitted whom the server refused
        (admitted at another desk meanwhile) lose their ✓ in Last scans, and the desk is told."""
        report = getattr(self.app.desk, "last_upload", None)  # type: ignore[attr-defined]  # a desk on a server
        if report is None or report is self._upload_seen:
            return
        self._upload_seen = report
        conflicts = report.conflicts
        for uploaded in conflicts:
            said = LABELS.get(uploaded.server_result, uploaded.server_result)
            self._recent_scans.refused(uploaded.entry.nonce, f"Server: {printable(said, 60)}")
        if conflicts:
            count = len(conflicts)
            self.app.notify(
                f"{count} {'person' if count == 1 else 'people'} admitted here while offline "
                f"{'was' if count == 1 else 'were'} refused by the server (admitted at another desk "
                "meanwhile, or blocked): F11 Reconcile lists them.",
                severity="warning",
                timeout=20,
            )

    def on_recent_loaded(self, message: RecentLoaded) -> None:
        self._recent_scans.load(message.scans, self._zone())

    def action_next_list(self) -> None:
        names = [checkin_list.name for checkin_list in self.lists] or [MAIN_ENTRANCE]
        index = names.index(self.list_name) if self.list_name in names else -1
        self.list_name = names[(index + 1) % len(names)]
        self._show_mode()
        self.request_figures(now=True)

    def action_toggle_direction(self) -> None:
        self.direction = EXIT if self.direction == ENTRY else ENTRY
        self._show_mode()
        self._restart_exit_fallback()

    def action_clear(self) -> None:
        self.scan_input.value = ""
        self._clear_results()

    # --- undo, walk-in, correction ------------------------------------------------------------

    def _desk_request(self, kind: str, payload: object = None) -> None:
        self._enqueue(
            ScanRequest(
                text="",
                typed_fast=False,
                selected_code=None,
                list_name=self.list_name,
                direction=self.direction,
                nonce=service.new_nonce(),
                kind=kind,
                payload=payload,
            )
        )

    def action_undo(self) -> None:
        """F9 asks first, naming whose check-in it annuls (read on a worker: the store may be slow)."""
        if self.app.desk.offline:  # type: ignore[attr-defined]
            self._desk_request("undo")  # refused with the reason: an undo needs the server
            return
        self._ask_undo()

    @work(thread=True, exclusive=True, group="checkin-undo", exit_on_error=False)
    def _ask_undo(self) -> None:
        try:
            self.post_message(UndoAsked(self.app.desk.undo_candidate()))  # type: ignore[attr-defined]
        except service.CheckinError as error:
            self.post_message(UndoAsked(None, str(error)))

    def on_undo_asked(self, message: UndoAsked) -> None:
        last = message.candidate
        if last is None:
            self.banner.show("info", "Nothing to undo", detail=message.error)
            return
        who = (printable(last.person.name, 60) or "(no name)") if last.person else "an unknown code"
        what = "exit" if last.direction == EXIT else "check-in"
        question = Text.assemble(
            "Undo the ",
            what,
            " of ",
            (who, "bold"),
            f" at {last.scanned_at.astimezone(self._zone()):%H:%M:%S} ({printable(last.list_name, 40)})?",
        )

        def answered(yes: bool | None) -> None:
            self.scan_input.focus()
            if yes:
                self._desk_request("undo", last.record_id)

        self.app.push_screen(Confirm(question, "undo it", "keep it", key="f9"), answered)

    def action_walk_in(self) -> None:
        def registered(values: dict | None) -> None:
            self.scan_input.focus()
            if values:
                self._desk_request("walk_in", service.WalkIn(**values))

        self.app.push_screen(WalkInForm(service.DEFAULT_CATEGORIES), registered)

    def action_correct(self) -> None:
        person = self.results.selected or self.last_person
        if person is None:
            self.banner.show(
                "info",
                "Whom to correct?",
                detail="Scan the badge or pick the person in the search first, then press F8.",
            )
            return
        values = {k: v for k, v in asdict(person).items() if k in service.EDITABLE_FIELDS}

        def corrected(changes: dict | None) -> None:
            self.scan_input.focus()
            if changes:
                self._desk_request("correct", (person.id, changes))

        self.app.push_screen(CorrectionForm(service.DEFAULT_CATEGORIES, values, person.name), corrected)

    def _ask_reprint(self, person, changed: tuple[str, ...] = ()) -> None:
        def answered(yes: bool | None) -> None:
            self.scan_input.focus()
            if yes:
                self._desk_request("reprint", person.id)

        self.app.push_screen(ReprintQuestion(person.called, changed), answered)

    def action_reprint(self) -> None:
        person = self.results.selected or self.last_person
        if person is None:
            self.banner.show(
                "info",
                "Whose badge?",
                detail="Scan the badge or pick the person in the search first, then press Ctrl+B.",
            )
            return
        self.last_person = person
        self._ask_reprint(person)

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand(
            "Walk-in", "Register, check in and print a badge for a new person (F6)", self.action_walk_in
        )
        yield SystemCommand("Correct details", "Edit the selected or last scanned person (F8)", self.action_correct)
        yield SystemCommand("Undo last check-in", "Annul this desk's last check-in (F9)", self.action_undo)
        yield SystemCommand("Entry/exit", "Switch between entry and exit scans (F10)", self.action_toggle_direction)
        yield SystemCommand("Next check-in list", "Main entrance, rooms, meeting area (Ctrl+N)", self.action_next_list)
        yield SystemCommand(
            "Reprint badge", "Print the badge of the selected or last person again (Ctrl+B)", self.action_reprint
        )
        yield SystemCommand(
            "Badges to another printer",
            "Move every waiting badge to the next printer; new badges print there (Ctrl+O)",
            self.action_other_printer,
        )
