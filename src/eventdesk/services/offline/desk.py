"""A desk that keeps working when the server goes away.

``OfflineDesk`` answers scans through the server while it answers within the deadline, and from
the desk's own file (snapshot + its own journal) when it does not, with the same decision
(``domain.checkin.decide``) and the same reading of a submitted text (``services.checkin.submit``).
A background thread (``DeskSync``) watches the link, uploads the journal when the server is back
(the desk stays offline until the journal is empty, so scans keep their order) and refreshes the
snapshot while online. The app's heartbeat (``services.desks``) tells the server how many offline
scans wait (``journal_waiting``)."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from eventdesk.domain.checkin import ENTRY, CodeLookup, Result, badge_due, clean_code, decide
from eventdesk.domain.clock import Clock
from eventdesk.domain.text import printable
from eventdesk.services import checkin as service
from eventdesk.services.attendees import Person
from eventdesk.services.context import Context
from eventdesk.services.desk import Found, LinkStatus
from eventdesk.services.events import MAIN_ENTRANCE
from eventdesk.services.offline.link import ServerLink, ServerUnreachable
from eventdesk.services.offline.paths import offline_copy_path, server_identity
from eventdesk.services.offline.sync import UploadReport, refresh_snapshot, snapshot_age_s, upload_journal
from eventdesk.settings import Settings
from eventdesk.store.db import StoreError, ping
from eventdesk.store.offline_copy import JournalEntry, OfflineCopy

log = logging.getLogger(__name__)

SNAPSHOT_EVERY_S = 30.0
HEARTBEAT_EVERY_S = 1.0
PROBE_EVERY_S = 1.0


class OfflineDesk:
    """One desk's scans, online when the server answers, offline from its own file when not."""

    def __init__(
        self,
        settings: Settings,
        name: str,
        copy: OfflineCopy,
        *,
        context: Context,
        link: ServerLink,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.name = name
        self.copy = copy
        self.context = context
        self.link = link
        self.clock = clock or context.clock
        # The desk decides offline until the journal is uploaded, even when the link is back.
        self.offline = not link.reachable
        self._mode = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        # The journal's count as last read: the header asks every second and must never wait
        # on the file while the background sync writes a snapshot into it.
        self.waiting = copy.waiting_count()
        self._last_online_ok_at: datetime | None = None  # this process's newest check-in the server decided
        self._copy_taken_at: tuple[datetime | None] | None = None  # the snapshot's time, once read
        self.badges: LocalBadges | None = None
        self.sync: DeskSync | None = None
        self.last_upload: UploadReport | None = None
        link.on_change(self._link_changed)

    # --- state --------------------------------------------------------------------------------

    def status(self) -> LinkStatus:
        link = self.link
        lost_at = link.lost_at
        return LinkStatus(
            online=not self.offline,
            waiting=self.waiting,
            on_server=True,
            reason=link.lost_reason if self.offline else "",
            offline_for_s=(time.monotonic() - lost_at) if lost_at and self.offline else None,
            copy_age_s=self.copy_age_s() if self.offline else None,
        )

    def copy_age_s(self) -> float | None:
        """How old the offline copy is (None: it holds no snapshot yet). Read from the copy's
        meta once and kept: the header asks every second."""
        taken_at = self._copy_time()
        return (self.clock.now() - taken_at).total_seconds() if taken_at else None

    def on_change(self, listener: Callable[[], None]) -> None:
        """``listener()`` is called (from any thread) when the desk goes offline or online, or its
        journal changes."""
        self._listeners.append(listener)

    def _tell(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # one listener failing must not keep the others from hearing
                log.exception("desk listener failed")

    def _went_offline(self) -> None:
        """A call found the server gone: offline at once (the link tells its listeners a moment
        later, from the thread that noticed)."""
        with self._mode:
            self.offline = True

    def _link_changed(self, reachable: bool) -> None:
        if not reachable:
            with self._mode:
                self.offline = True
        self._tell()
        if self.sync is not None:
            self.sync.wake()

    def zone(self) -> ZoneInfo | None:
        try:
            return self.context.zone()
        except Exception:  # noqa: BLE001 - the server went away before the event was read
            pass
        name = self.copy.meta().get("event_timezone")
        return ZoneInfo(name) if name else None

    def _day_start(self, at: datetime) -> datetime:
        """When the event day holding ``at`` began (``settings.day_boundary``, the event's zone)."""
        from eventdesk.domain.clock import day_start, parse_day_boundary

        return day_start(at, self.zone() or ZoneInfo("UTC"), parse_day_boundary(self.settings.day_boundary))

    # --- scans --------------------------------------------------------------------------------

    def submit(
        self,
        text: str,
        *,
        typed_fast: bool,
        selected_code: str | None = None,
        list_name: str | None = None,
        direction: str = ENTRY,
        nonce: str | None = None,
        burst: str = "",
    ):
        """``services.checkin.submit`` through the server, or from the desk's offline copy when the server
        does not answer within the deadline."""
        nonce = nonce or service.new_nonce()
        list_name = list_name or MAIN_ENTRANCE
        submit = partial(  # the same scan online or from the copy
            service.submit,
            self.context,
            text,
            typed_fast=typed_fast,
            selected_code=selected_code,
            list_name=list_name,
            desk=self.name,
            direction=direction,
            nonce=nonce,
            burst=burst,
        )
        if not self.offline:
            try:
                outcome = self.link.guarded(submit)
            except ServerUnreachable:
                self._went_offline()
            else:
                self._remember_online(outcome)
                return outcome
        with self._mode:
            return submit(scan=self._offline_scanner(list_name, direction, nonce))

    def check_in(
        self, code: str, list_name: str | None = None, direction: str = ENTRY, nonce: str | None = None
    ) -> service.CheckinResult:
        """``services.checkin.check_in`` with the same fallback (the command line's scan)."""
        nonce = nonce or service.new_nonce()
        list_name = list_name or MAIN_ENTRANCE
        if not self.offline:
            try:
                result = self.link.guarded(service.check_in, self.context, code, list_name, self.name, direction, nonce)
            except ServerUnreachable:
                self._went_offline()
            else:
                self._remember_online(result)
                return result
        with self._mode:
            result = self._offline_scanner(list_name, direction, nonce)(code, True)
        assert result is not None
        return result

    def search(self, text: str, limit: int | None = None) -> list[Person]:
        """``services.attendees.search_people`` through the server, or in the desk's copy when the
        desk is offline (a person without their badge is still found by name)."""
        from eventdesk.domain.text import query_terms
        from eventdesk.services.attendees import search_people

        if not self.offline:
            try:
                return self.link.guarded(search_people, self.context, text, limit)
            except ServerUnreachable:
                self._went_offline()
        if len(text.strip()) < self.settings.search_min_chars:
            return []
        found = self.copy.search(query_terms(text)[:8], limit or self.settings.search_limit)
        return [Person(**person) for person in found]

    def request(self, call: Callable, *args, what: str = "This", **kwargs):
        """A desk action that needs the server (undo, walk-in, correction): refused with a clear
        message while the desk is offline, instead of waiting."""
        if self.offline:
            raise service.CheckinError(
                f"{what} needs the server, which is unreachable: scans go on offline; "
                "try again when the header says online."
            )
        try:
            return self.link.guarded(call, *args, **kwargs)
        except ServerUnreachable:
            raise service.CheckinError(
                f"The server did not answer; {what.lower()} was not done. Scans go on "
                "offline; try again when the header says online."
            ) from None

    def journal_waiting(self) -> int | None:
        """The offline scans waiting for upload (as last read: never waits on the copy)."""
        return self.waiting

    def find(self, text: str, list_name: str | None = None) -> Found:
        """The people ``text`` finds and who of them is in today on ``list_name``: through the
        server, or from the offline copy (its own scans included) when the desk is offline."""
        from eventdesk.domain.text import query_terms
        from eventdesk.services.attendees import search_people

        list_name = list_name or MAIN_ENTRANCE
        if not self.offline:
            try:
                people = self.link.guarded(search_people, self.context, text)
                return Found(
                    people, self.link.guarded(service.day_states, self.context, list_name, [p.id for p in people])
                )
            except ServerUnreachable:
                self._went_offline()
        if len(text.strip()) < self.settings.search_min_chars:
            return Found([], {})
        people = [Person(**p) for p in self.copy.search(query_terms(text)[:8], self.settings.search_limit)]
        local_list = self.copy.list_by_name(list_name)
        if local_list is None or not people:
            return Found(people, {})
        day_start = self._day_start(self.clock.now())
        states = {
            person_id: service.DayState(
                first_at, first_desk or "", direction == ENTRY, last_at if direction != ENTRY else None
            )
            for person_id, direction, last_at, first_at, first_desk in self.copy.day_states(
                local_list.id, [p.id for p in people], day_start
            )
        }
        return Found(people, states)

    def figures(self, list_name: str | None = None):
        """``services.checkin_figures.desk_figures`` through the server; offline, counted from
        the offline copy and this desk's journal, and labelled with the copy's time."""
        from eventdesk.services.checkin_figures import desk_figures

        if not self.offline:
            try:
                return self.link.guarded(desk_figures, self.context, list_name, self.name)
            except ServerUnreachable:
                self._went_offline()
        return self._figures_from_copy(list_name or MAIN_ENTRANCE)

    def _figures_from_copy(self, list_name: str):
        from collections import Counter

        from eventdesk.domain.checkin import admits
        from eventdesk.services.checkin_figures import CategoryFigure, DeskFigures, ListFigures
        from eventdesk.services.desks import PACE_WINDOW, desk_pace

        local_list = self.copy.list_by_name(list_name)
        if local_list is None:
            return None
        now = self.clock.now()
        day_start = self._day_start(now)
        expected: Counter = Counter()
        today: Counter = Counter()
        inside = exits = 0
        for category, status, first_at, last_direction, last_at in self.copy.list_people(local_list.id):
            if status == "active" and admits(local_list.categories, category):
                expected[category] += 1
            if last_at is None or datetime.fromisoformat(last_at) < day_start:
                continue
            if first_at is not None and datetime.fromisoformat(first_at) >= day_start:
                today[category] += 1
            inside += last_direction == ENTRY
            exits += last_direction != ENTRY
        rows = tuple(
            CategoryFigure(c, today.get(c, 0), expected.get(c, 0))
            for c in sorted(set(expected) | set(today), key=lambda c: (-expected.get(c, 0), c))
        )
        arrived = sum(today.values())
        figures = ListFigures(
            name=local_list.name,
            kind=local_list.kind,
            checked_in=arrived,
            expected=sum(expected.values()),
            entries=arrived,
            exits=exits,
            inside_now=inside,
            categories=rows,
            admits=local_list.categories,
            checked_in_today=arrived,
        )
        mine = [e for e in self.copy.journal() if e.desk == self.name]
        pace = desk_pace((e.scanned_at, e.result) for e in mine if now - PACE_WINDOW <= e.scanned_at <= now)
        return DeskFigures(
            desk=self.name,
            checkin_list=figures,
            scans_per_minute=pace.scans_per_minute,
            seconds_per_attendee=pace.seconds_per_attendee,
            last_scan_at=max((e.scanned_at for e in mine if e.list_name == list_name), default=None),
            desk_range=self.settings.desk_range,
            waiting=max(0, figures.expected - arrived),
            copy_taken_at=self._copy_time(),
        )

    def _copy_time(self) -> datetime | None:
        if self._copy_taken_at is None:
            taken = self.copy.meta().get("snapshot_at")
            self._copy_taken_at = (datetime.fromisoformat(taken) if taken else None,)
        return self._copy_taken_at[0]

    def printer_state(self):
        """This desk's badge printer with its backlog (None: no printer): the server's queue while
        online; offline, the badges this desk prints itself (waiting, failed, the printer's error)."""
        from eventdesk.services.printer_config import (
            BadgePrinterState,
            badge_printer_state,
            configured_printers,
            printer_for,
        )

        if not self.offline:
            try:
                return self.link.guarded(badge_printer_state, self.context)
            except ServerUnreachable:
                self._went_offline()
        printers = configured_printers(self.settings)
        if not printers or self.settings.default_printer is None:
            return None
        name, url = printer_for(self.settings, None)
        badges = self.badges
        return BadgePrinterState(
            name,
            url,
            badges.waiting() if badges else 0,
            badges.failed if badges else 0,
            badges.last_error if badges else "",
            tuple(n for n, _ in printers if n != name),
        )

    def queue_overview(self):
        """The print queue (F7): the server's while online; offline, this desk's own badges."""
        from eventdesk.services.printing import QueueOverview, queue_overview

        if not self.offline:
            try:
                return self.link.guarded(queue_overview, self.context)
            except ServerUnreachable:
                self._went_offline()
        if self.badges is None:
            return QueueOverview((), (), {}, {}, {})
        return self.badges.overview()

    def retry_job(self, job_id: int) -> None:
        from eventdesk.services.printing import retry_job

        if self.offline and self.badges is not None:
            self.badges.again(job_id)
            return
        self.request(retry_job, self.context, job_id, what="A retry")

    def move_job(self, job_id: int, printer: str) -> None:
        from eventdesk.services.printing import move_job

        if self.offline and self.badges is not None:
            self.badges.again(job_id, printer)
            return
        self.request(move_job, self.context, job_id, printer, what="A move")

    def start_printing(self) -> None:
        """Print the badges of this desk's offline admissions at once (a command scanning offline);
        ``stop`` waits for them."""
        if self.badges is None:
            self.badges = LocalBadges(self)
            self.badges.start()

    def undo_last(self, record_id: int | None = None) -> service.UndoResult:
        """The desk's last check-in annulled: by the server while online (``record_id``: the one the
        desk asked about); offline, this desk's newest scan decided offline (annulled in the copy,
        never uploaded)."""
        if not self.offline or self.link.reachable:  # online, or uploading: the server decides
            return self.request(service.undo_last, self.context, self.name, record_id, what="Undo")
        return self._undo_offline()

    def undo_candidate(self) -> service.UndoResult:
        """What ``undo_last`` would annul now; nothing changes."""
        if not self.offline or self.link.reachable:
            return self.request(service.undo_candidate, self.context, self.name, what="Undo")
        entry = self._offline_undo_entry()
        return self._undone(entry, badge_cancelled=False)

    def scans_today(self, limit: int) -> list:
        return self.request(service.desk_scans_today, self.context, limit, self.name, what="Last scans")

    def _offline_undo_entry(self):
        from datetime import timedelta

        minutes = self.settings.undo_minutes
        now = self.clock.now()
        mine = [
            e
            for e in self.copy.waiting()
            if e.desk == self.name and e.result == "ok" and e.scanned_at >= now - timedelta(minutes=minutes)
        ]
        if not mine:
            raise service.CheckinError(
                f"Nothing to undo offline: {printable(self.name, 40)} decided no check-in "
                f"offline in the last {minutes} minutes."
            )
        entry = mine[-1]
        if self._last_online_ok_at is not None and self._last_online_ok_at > entry.scanned_at:
            raise service.CheckinError(
                "This desk's last check-in was made online: the server undoes it once it answers again (F9 then)."
            )
        return entry

    def _undone(self, entry, *, badge_cancelled: bool) -> service.UndoResult:
        found = self.copy.person(entry.person_id) if entry.person_id is not None else None
        return service.UndoResult(
            record_id=0,
            person=Person(**found) if found else None,
            direction=entry.direction,
            list_name=entry.list_name,
            scanned_at=entry.scanned_at,
            badge_cancelled=badge_cancelled,
            offline=True,
        )

    def _undo_offline(self) -> service.UndoResult:
        entry = self._offline_undo_entry()
        local_list = self.copy.list_by_name(entry.list_name)
        badge_cancelled = self.badges.cancel(entry.nonce) if self.badges is not None else False
        if local_list is None or not self.copy.annul(entry.nonce, self.clock.now(), local_list.id):
            raise service.CheckinError(
                "That check-in was uploaded meanwhile: press F9 again once the header says online."
            )
        self.waiting = self.copy.waiting_count()
        self._tell()
        return self._undone(entry, badge_cancelled=badge_cancelled)

    def register_walk_in(self, walk_in: service.WalkIn, list_name: str | None = None) -> service.CheckinResult:
        return self.request(service.register_walk_in, self.context, walk_in, list_name, self.name, what="A walk-in")

    def correct_attendee(self, attendee_id: int, changes: dict[str, str]) -> service.Correction:
        return self.request(
            service.correct_attendee, self.context, attendee_id, changes, self.name, what="A correction"
        )

    def reprint_badge(self, attendee_id: int) -> None:
        return self.request(service.reprint_badge, self.context, attendee_id, self.name, what="A reprint")

    def _remember_online(self, outcome) -> None:
        """An online scan of this desk, kept in its file: an offline decision a minute later knows it."""
        if not isinstance(outcome, service.CheckinResult) or not outcome.ok or outcome.person is None:
            return
        if outcome.replayed:
            return
        self._last_online_ok_at = outcome.scanned_at
        try:
            local_list = self.copy.list_by_name(outcome.list_name)
            if local_list is not None:
                self.copy.remember_scan(
                    person_id=outcome.person.id,
                    list_id=local_list.id,
                    direction=outcome.direction,
                    scanned_at=outcome.scanned_at,
                    desk=outcome.desk,
                    badge_queued=outcome.badge_queued,
                )
        except Exception:  # the local copy is a help, never a reason to fail a scan
            log.exception("could not keep an online scan in the offline copy")

    def _offline_scanner(self, list_name: str, direction: str, nonce: str):
        def scan(code: str, record_unknown: bool) -> service.CheckinResult | None:
            cleaned = clean_code(code)
            if not cleaned:
                raise service.CheckinError("The scan was empty: scan the badge again or type a name to search.")
            for earlier in self.copy.journal_by_nonce(nonce):
                return self._journal_answer(earlier, replayed=True)
            local_list = self.copy.list_by_name(list_name)
            if local_list is None:
                if not self.copy.has_snapshot():
                    raise service.CheckinError(
                        "The server is unreachable and this desk has no offline copy of the event yet "
                        "(a desk keeps one once it has been online): nothing was recorded."
                    )
                raise service.CheckinError(
                    f"There is no check-in list named '{printable(list_name, 60)}'; "
                    "'eventdesk checkin lists' shows the lists."
                )
            now = self.clock.now()
            found = self.copy.lookup(cleaned, local_list.id, self._day_start(now))
            person = Person(**found.person) if found.person else None
            lookup = CodeLookup.of(person, revoked=found.revoked, last_direction=found.last_direction)
            result = decide(lookup, list_categories=local_list.categories, direction=direction)
            if result == Result.UNKNOWN_CODE and not record_unknown:
                return None
            badge = badge_due(result, direction=direction, list_kind=local_list.kind, badge_queued=found.badge_queued)
            entry = JournalEntry(
                nonce=nonce,
                desk=self.name,
                code=cleaned,
                list_name=list_name,
                direction=direction,
                scanned_at=now,
                result=str(result),
                person_id=person.id if person else None,
                badge_printed=False,
            )
            self.copy.journal_add(entry, list_id=local_list.id, badge_queued=badge)
            self.waiting += 1
            if badge and self.badges is not None and person is not None:
                self.badges.put(nonce, person)
            self._tell()
            if self.sync is not None:
                self.sync.wake()
            already = result == Result.ALREADY_CHECKED_IN
            return service.CheckinResult(
                result=str(result),
                code=cleaned,
                direction=direction,
                list_name=list_name,
                desk=self.name,
                scanned_at=now,
                nonce=nonce,
                record_id=None,
                person=person,
                first_checkin_at=found.first_entry_at if already else None,
                first_checkin_desk=found.first_entry_desk if already else None,
                badge_queued=badge,
                offline=True,
            )

        return scan

    def _journal_answer(self, entry: JournalEntry, replayed: bool) -> service.CheckinResult:
        person = None
        if entry.person_id is not None:
            found = self.copy.person(entry.person_id)
            person = Person(**found) if found else None
        return service.CheckinResult(
            result=entry.result,
            code=entry.code,
            direction=entry.direction,
            list_name=entry.list_name,
            desk=entry.desk,
            scanned_at=entry.scanned_at,
            nonce=entry.nonce,
            record_id=None,
            person=person,
            replayed=replayed,
            offline=True,
        )

    # --- syncing ------------------------------------------------------------------------------

    def upload(self) -> UploadReport:
        """Upload the journal now; the desk is online again once it is empty."""
        hold = self.badges.settled if self.badges is not None else None
        report = upload_journal(self.context, self.copy, self.link, before_each=hold)
        with self._mode:
            report.waiting = self.waiting = self.copy.waiting_count()
            if report.waiting == 0 and self.link.reachable:
                self.offline = False
        self.last_upload = report  # before the listeners hear of it: the desk screen reads its refusals
        self._tell()
        return report

    def refresh(self) -> int:
        people = refresh_snapshot(self.context, self.copy, self.link)
        self._copy_taken_at = None
        return people

    def start(self, print_badges: bool = True) -> OfflineDesk:
        """Start the background sync (and the local badge printer, for badges printed offline)."""
        if print_badges:
            self.badges = LocalBadges(self)
            self.badges.start()
        self.sync = DeskSync(self)
        self.sync.start()
        return self

    def stop(self) -> None:
        for thread in (self.sync, self.badges):
            if thread is not None:
                thread.stop()
        self.link.close()


class DeskSync(threading.Thread):
    """Watches the link (a ping every second while online, a probe while not), uploads the journal
    when the server is back and refreshes the snapshot every ``SNAPSHOT_EVERY_S``."""

    def __init__(self, desk: OfflineDesk, snapshot_every_s: float = SNAPSHOT_EVERY_S) -> None:
        super().__init__(name="eventdesk-desk-sync", daemon=True)
        self.desk = desk
        self.snapshot_every_s = snapshot_every_s
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self.last_upload: UploadReport | None = None
        self.last_error = ""

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.step()
            except ServerUnreachable:
                pass
            except Exception as error:  # the sync never dies; the next round tries again
                self.last_error = f"{type(error).__name__}: {error}"
                log.exception("desk sync failed a round")
            self._wake.wait(HEARTBEAT_EVERY_S if not self.desk.offline else PROBE_EVERY_S)
            self._wake.clear()

    def step(self) -> None:
        desk, link, context = self.desk, self.desk.link, self.desk.context
        if not link.reachable and not link.probe():
            return
        uploaded = 0
        waiting = desk.copy.waiting_count()  # another process of this desk (a command) may have added some
        if waiting != desk.waiting:
            desk.waiting = waiting
            desk._tell()
        if desk.offline or waiting:
            report = desk.upload()
            self.last_upload = report
            uploaded = len(report.uploaded)
            if report.waiting:
                return  # a badge still printing holds the rest back a moment
        age = snapshot_age_s(desk.copy, context.now())
        if age is None or abs(age) >= self.snapshot_every_s or uploaded:
            desk.refresh()
        else:
            link.guarded(_ping, context)


def _ping(context: Context) -> None:
    ping(context.engine)


@dataclass
class LocalBadge:
    """One badge of an offline admission in the desk's own queue (F7 shows it while offline)."""

    id: int
    nonce: str
    person: Person
    printer: str  # a configured printer's name, or its URL
    state: str = "pending"  # pending | printing | printed | failed
    attempts: int = 0
    error: str = ""
    updated_at: datetime | None = None


class LocalBadges(threading.Thread):
    """Badges of people admitted offline, printed straight to this desk's printer: the print queue
    lives in the server, which is not there. A badge that could not print is left to the server's
    queue when the scan is uploaded (until then it can be retried or moved here)."""

    ATTEMPTS = 3

    def __init__(self, desk: OfflineDesk) -> None:
        super().__init__(name="eventdesk-offline-badges", daemon=True)
        self.desk = desk
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self.jobs: dict[int, LocalBadge] = {}
        self.last_error = ""  # the printer's newest error, "" once a badge printed again

    def put(self, nonce: str, person: Person) -> None:
        printer = self.desk.settings.default_printer or self.desk.settings.printer_url()
        if not printer:
            return  # no printer here: the server's queue prints it once the scan is uploaded
        with self._lock:
            job = LocalBadge(len(self.jobs) + 1, nonce, person, printer, updated_at=self.desk.clock.now())
            self.jobs[job.id] = job
        self._queue.put(job.id)

    def _count(self, *states: str) -> int:
        with self._lock:
            return sum(job.state in states for job in self.jobs.values())

    def waiting(self) -> int:
        return self._count("pending", "printing")

    @property
    def failed(self) -> int:
        return self._count("failed")

    def settled(self, entry: JournalEntry) -> bool:
        """Whether ``entry`` may be uploaded (its badge is not waiting or printing just now)."""
        with self._lock:
            return not any(
                job.nonce == entry.nonce and job.state in ("pending", "printing") for job in self.jobs.values()
            )

    def cancel(self, nonce: str) -> bool:
        """The waiting badge of an annulled offline scan is not printed (True when one waited)."""
        with self._lock:
            for job in self.jobs.values():
                if job.nonce == nonce and job.state in ("pending", "failed"):
                    job.state = "cancelled"
                    return True
        return False

    def again(self, job_id: int, printer: str | None = None) -> LocalBadge:
        """A failed or waiting badge printed again, here or on ``printer``; refused once its scan
        is uploaded (the server's queue prints it then: twice would be one badge too many)."""
        from eventdesk.services.printing import PrintingError

        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.state not in ("failed", "pending"):
                raise PrintingError(f"Job {job_id} is not waiting or failed.")
            if any(e.uploaded_at is not None for e in self.desk.copy.journal_by_nonce(job.nonce)):
                raise PrintingError(
                    f"Job {job_id}'s scan is uploaded: the server's queue prints that badge (F7 once online)."
                )
            job.printer = printer or job.printer
            requeue = job.state == "failed"
            job.state, job.error = "pending", ""
        if requeue:
            self._queue.put(job.id)
        return job

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            if self.jobs[job_id].state == "cancelled":
                continue
            self._print(self.jobs[job_id])
            self.desk._tell()  # the header's printer line and F7 read the local queue again
            if self.desk.sync is not None:
                self.desk.sync.wake()

    def _print(self, job: LocalBadge) -> None:
        from eventdesk.printing.devices import PrinterError, print_image
        from eventdesk.services.printing import render_person

        def settle(state: str, error: str = "") -> None:
            with self._lock:
                job.state, job.error, job.updated_at = state, error, self.desk.clock.now()

        settle("printing")
        try:
            image = render_person(self.desk.context, job.person).image
            url = self.desk.settings.printer_url(job.printer)
            if image is None or url is None:
                raise ValueError(f"no badge image or no printer URL for {job.printer!r}")
            for attempt in range(self.ATTEMPTS):
                job.attempts += 1
                try:
                    print_image(url, image, self.desk.settings, name=f"badge-offline-{job.nonce[:8]}")
                except PrinterError as error:
                    self.last_error = str(error)
                    if attempt + 1 < self.ATTEMPTS:
                        time.sleep(1.0 + attempt)
                    continue
                self.desk.copy.mark_badge_printed(job.nonce)
                self.last_error = ""
                settle("printed")
                return
            settle("failed", self.last_error)
        except Exception as error:  # the server's queue prints it after the upload
            log.exception("offline badge could not be printed")
            settle("failed", type(error).__name__)

    def overview(self):
        """The local queue as ``services.printing.queue_overview`` shows the server's."""
        from collections import Counter

        from eventdesk.services.printing import JobRow, QueueOverview

        with self._lock:
            jobs = list(self.jobs.values())
        rows = {
            job.id: JobRow(
                job.id,
                "badge",
                job.person.id,
                job.person.name,
                job.printer,
                job.state,
                job.attempts,
                job.error,
                False,
                job.updated_at,
            )
            for job in jobs
        }
        return QueueOverview(
            open_jobs=tuple(rows[j.id] for j in jobs if j.state in ("pending", "printing")),
            failed_jobs=tuple(rows[j.id] for j in reversed(jobs) if j.state == "failed"),
            counts=dict(Counter((j.printer, j.state) for j in jobs)),
            reprints={},
            reprint_names={},
        )


def open_offline_copy(settings: Settings, context: Context, desk: str) -> OfflineCopy:
    """The desk's offline copy of this event (created mode 0600), remembering its server and desk."""
    event = context.event()
    path = offline_copy_path(settings, event.name, desk)
    try:
        copy = OfflineCopy(path)
    except (OSError, sqlite3.Error) as error:
        raise StoreError(
            f"cannot write the desk's offline file {path}: {error} (set data_dir in "
            "eventdesk.toml or EVENTDESK_DATA_DIR to a writable folder)"
        ) from None
    copy.set_meta(
        desk=desk,
        server=server_identity(settings.db or str(context.engine.url)),
        event_name=event.name,
        event_timezone=event.timezone,
    )
    return copy


def start_server_desk(
    context: Context, name: str | None = None, *, print_badges: bool = True, background: bool = True
) -> OfflineDesk:
    """The desk of a store on a server, with its offline copy (``services.desk.start_desk`` picks
    it). Starts the background sync unless ``background`` is False."""
    name = name or context.desk
    link = ServerLink(context.engine)
    desk = OfflineDesk(
        context.settings, name, open_offline_copy(context.settings, context, name), context=context, link=link
    )
    if background:
        desk.start(print_badges=print_badges)
    return desk


# A command-line scan refreshes the desk's copy when it is older than this (a desk screen keeps
# it fresh in the background).
COMMAND_SNAPSHOT_EVERY_S = 15 * 60.0
# A desk opens offline from its copy when the server has not answered its first ping by then (the
# desk is up within 3 s of its start, whatever the network does).
FIRST_ANSWER_S = 0.8


def open_for_command(
    settings: Settings,
    desk: str,
    clock: Clock | None = None,
    *,
    prepare: bool = True,
    clock_for: Callable[[str], Clock] | None = None,
) -> OfflineDesk:
    """The desk for one command (``eventdesk checkin``, ``eventdesk sync``): see
    ``open_server_desk``. Online, the waiting journal is uploaded first and a stale copy refreshed."""
    offline_desk = open_server_desk(settings, desk, clock, clock_for=clock_for)
    if not prepare or offline_desk.offline:
        return offline_desk
    try:
        if offline_desk.copy.waiting_count():
            offline_desk.upload()
        age = snapshot_age_s(offline_desk.copy, offline_desk.context.now())
        if age is None or abs(age) >= COMMAND_SNAPSHOT_EVERY_S:
            offline_desk.refresh()
    except ServerUnreachable:
        pass  # the scan itself falls back
    return offline_desk


def open_server_desk(
    settings: Settings,
    desk: str,
    clock: Clock | None = None,
    *,
    clock_for: Callable[[str], Clock] | None = None,
    create: bool = False,
) -> OfflineDesk:
    """The desk of a store on a server, for an app or a command: through the server if it answers
    within the deadline, else offline from the copy the desk kept (its context then knows the
    event from the copy, and the link probes the server until it answers). ``ServerUnreachable``
    when the server does not answer and the desk kept no copy. ``clock_for(time zone)`` makes the
    clock once the event's zone is known (a rehearsal)."""
    from eventdesk.services.offline.paths import find_offline_copy
    from eventdesk.store import migrate
    from eventdesk.store.db import make_engine

    clock = clock or Clock.system()
    db = settings.db
    if not db:
        raise StoreError("No database given: use --db PATH or a postgresql:// URL.")
    engine = make_engine(db, create=create)
    link = ServerLink(engine)
    context = Context(engine=engine, settings=settings, clock=clock)
    try:
        if not link.answers_within(FIRST_ANSWER_S):
            raise ServerUnreachable(link.lost_reason)
        link.guarded(migrate.upgrade, engine, deadline_s=120)
        event = link.guarded(context.event)
        if clock_for is not None:
            context.clock = clock_for(event.timezone)
        return OfflineDesk(settings, desk, open_offline_copy(settings, context, desk), context=context, link=link)
    except ServerUnreachable as error:
        path = find_offline_copy(settings, db, desk)
        if path is None:
            link.close()
            engine.dispose(close=False)
            raise ServerUnreachable(
                f"The server {server_address(db)} did not answer ({error}) and desk '{printable(desk, 40)}' "
                "has never been online, so it has no offline copy to start from: start it once while the server "
                "answers (or run 'eventdesk sync --desk NAME' then)"
            ) from None
    copy = OfflineCopy(path)
    context.know_event(event_of_copy(copy))
    if clock_for is not None:
        context.clock = clock_for(context.event().timezone)
    return OfflineDesk(settings, desk, copy, context=context, link=link)


def event_of_copy(copy: OfflineCopy):
    """The event as the offline copy remembers it (its name, zone and days)."""
    from datetime import date

    from eventdesk.store.models import Event

    meta = copy.meta()
    return Event(
        name=meta.get("event_name", "?"),
        timezone=meta.get("event_timezone", "UTC"),
        start_date=date.fromisoformat(meta["event_start_date"]),
        end_date=date.fromisoformat(meta["event_end_date"]),
    )


def server_address(db: str) -> str:
    """host:port/database of a server URL, as a person reads it (no user, no password)."""
    from sqlalchemy.engine import make_url

    from eventdesk.store.db import database_url

    url = make_url(database_url(db))
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
