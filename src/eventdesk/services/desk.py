"""The desk: one object for every store, so no screen and no command asks which.

``LocalDesk`` is a desk with its own SQLite file (one desk, nothing in between: never offline);
``services.offline.OfflineDesk`` a desk sharing a server, which decides from its offline copy when
the server does not answer. Both offer the same methods: ``submit`` and ``check_in`` (a scan),
``find`` (a name search with who is in today), ``figures``, ``printer_state``, ``queue_overview``, ``retry_job``,
``move_job``, ``start_printing``, ``undo_last``, ``undo_candidate`` (what an undo would annul), ``scans_today``
(the desk's last scans), ``register_walk_in``,
``correct_attendee``, ``reprint_badge``, ``status`` (online or not, scans waiting), ``offline``,
``journal_waiting``, ``on_change``, ``zone``, ``start`` and ``stop``. ``start_desk`` makes the
right one for a store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from eventdesk.domain.checkin import ENTRY
from eventdesk.domain.clock import Clock
from eventdesk.services import checkin as service
from eventdesk.services.attendees import Person, search_people
from eventdesk.services.context import Context
from eventdesk.services.events import MAIN_ENTRANCE


@dataclass(frozen=True)
class LinkStatus:
    """What the header shows: online or not, and the offline scans waiting to be uploaded."""

    online: bool
    waiting: int
    reason: str = ""
    offline_for_s: float | None = None
    on_server: bool = True  # False: a desk with its own file, with no link to show
    copy_age_s: float | None = None  # offline: how old the offline copy the desk decides from is


@dataclass(frozen=True)
class Found:
    """What a name search at the desk shows: the people, and who of them is in today."""

    people: list[Person]
    states: dict[int, service.DayState] = field(default_factory=dict)


class LocalDesk:
    """A desk with its own SQLite file: every call goes straight to the store."""

    offline = False

    def __init__(self, context: Context, name: str | None = None) -> None:
        self.context = context
        self.name = name or context.desk

    def status(self) -> LinkStatus:
        return LinkStatus(online=True, waiting=0, on_server=False)

    def journal_waiting(self) -> int | None:
        return None  # no journal: every scan is in the store at once

    def on_change(self, listener: Callable[[], None]) -> None:
        """Never called: a desk on its own file is never offline."""

    def zone(self) -> ZoneInfo:
        return self.context.zone()

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
        return service.submit(
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

    def check_in(
        self, code: str, list_name: str | None = None, direction: str = ENTRY, nonce: str | None = None
    ) -> service.CheckinResult:
        return service.check_in(self.context, code, list_name, self.name, direction, nonce)

    def search(self, text: str, limit: int | None = None) -> list[Person]:
        return search_people(self.context, text, limit)

    def find(self, text: str, list_name: str | None = None) -> Found:
        people = search_people(self.context, text)
        # Who of them is checked in today on this list: one query for all the shown rows.
        return Found(people, service.day_states(self.context, list_name or MAIN_ENTRANCE, [p.id for p in people]))

    def figures(self, list_name: str | None = None):
        from eventdesk.services.checkin_figures import desk_figures

        return desk_figures(self.context, list_name, self.name)

    def printer_state(self):
        from eventdesk.services.printer_config import badge_printer_state

        return badge_printer_state(self.context)

    def queue_overview(self):
        from eventdesk.services.printing import queue_overview

        return queue_overview(self.context)

    def retry_job(self, job_id: int) -> None:
        from eventdesk.services.printing import retry_job

        retry_job(self.context, job_id)

    def move_job(self, job_id: int, printer: str) -> None:
        from eventdesk.services.printing import move_job

        move_job(self.context, job_id, printer)

    def start_printing(self) -> None:
        """Nothing to start: badges wait in the store's queue for the desk app's print workers."""

    def undo_last(self, record_id: int | None = None) -> service.UndoResult:
        return service.undo_last(self.context, self.name, record_id)

    def undo_candidate(self) -> service.UndoResult:
        return service.undo_candidate(self.context, self.name)

    def scans_today(self, limit: int) -> list:
        return service.desk_scans_today(self.context, limit, self.name)

    def register_walk_in(self, walk_in: service.WalkIn, list_name: str | None = None) -> service.CheckinResult:
        return service.register_walk_in(self.context, walk_in, list_name, self.name)

    def correct_attendee(self, attendee_id: int, changes: dict[str, str]) -> service.Correction:
        return service.correct_attendee(self.context, attendee_id, changes, self.name)

    def reprint_badge(self, attendee_id: int) -> None:
        service.reprint_badge(self.context, attendee_id, self.name)

    def start(self, print_badges: bool = True) -> LocalDesk:
        return self

    def stop(self) -> None:
        """Nothing runs in the background."""


def start_desk(context: Context, name: str | None = None, *, print_badges: bool = True, background: bool = True):
    """The desk for this store: ``LocalDesk`` on a SQLite file, ``OfflineDesk`` on a server (its
    background sync started unless ``background`` is False)."""
    from eventdesk.services.offline.desk import start_server_desk
    from eventdesk.services.offline.link import uses_server

    if not uses_server(context.engine):
        return LocalDesk(context, name)
    return start_server_desk(context, name, print_badges=print_badges, background=background)


def start_for_app(context: Context, desk=None):
    """(the started desk, a problem to tell or ""): ``desk`` (or the store's own) started; a desk on
    a server that cannot keep its offline copy works online through a ``LocalDesk`` instead."""
    try:
        return (start_desk(context) if desk is None else desk.start()), ""
    except Exception as error:  # noqa: BLE001 - the desk works online without its offline copy
        return LocalDesk(context), (
            f"This desk cannot keep an offline copy ({error}); it stops scanning if the server goes away."
        )


def open_desk(settings, *, create: bool = False, clock_for: Callable[[str], Clock] | None = None):
    """(context, desk) for an app on the store ``settings.db``, not started yet. A desk on a server
    that does not answer within a moment opens offline from its copy (``ServerUnreachable`` when
    it never was online). ``clock_for(time zone)`` makes the clock once the event's zone is known."""
    from eventdesk.services.context import open_context
    from eventdesk.services.offline.desk import open_server_desk
    from eventdesk.store.db import database_url

    if database_url(settings.db).startswith("postgresql"):
        desk = open_server_desk(settings, settings.desk, clock_for=clock_for, create=create)
        return desk.context, desk
    context = open_context(settings.db, settings, create=create)
    if clock_for is not None:
        context.clock = clock_for(context.event().timezone)
    return context, LocalDesk(context)
