"""What every use case needs, built once and injected: the store, the clock, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from eventdesk.domain.clock import Clock, day_start, parse_day_boundary
from eventdesk.settings import Settings
from eventdesk.store import migrate
from eventdesk.store.db import StoreError, current_event, make_engine, session_scope
from eventdesk.store.models import Event

if TYPE_CHECKING:
    from eventdesk.printing.queue import PrintWorkers


@dataclass
class Context:
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=Clock.system)
    # This desk's running print workers (``services.print_workers.start_workers``), woken by a new job.
    print_workers: PrintWorkers | None = field(default=None, repr=False, compare=False)

    @property
    def desk(self) -> str:
        return self.settings.desk

    def session(self):
        """``with ctx.session() as s:`` commits on success, rolls back on error."""
        return session_scope(self.engine)

    def wake_print_workers(self) -> None:
        """Look for jobs now: one was just queued (the workers also poll)."""
        if self.print_workers is not None:
            self.print_workers.wake()

    _event: Event | None = field(default=None, init=False, repr=False)

    def event(self, refresh: bool = False) -> Event:
        """The event of this store (cached: it changes only through ``init`` and imports)."""
        if self._event is not None and not refresh:
            return self._event
        with Session(self.engine, expire_on_commit=False) as session:
            event = current_event(session)
        if event is None:
            raise StoreError(
                "This database holds no event yet. Create one with 'eventdesk init' "
                "or import an agenda with 'eventdesk import agenda FILE'."
            )
        self._event = event
        return event

    def know_event(self, event: Event) -> None:
        """The event as known without the store (a desk opening offline from its copy)."""
        self._event = event

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.event().timezone)

    def now(self) -> datetime:
        return self.clock.now()

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.zone())

    def day_start(self, at: datetime | None = None) -> datetime:
        """When the event day holding ``at`` (default now) began: presence on a list counts from
        here (``settings.day_boundary``, local time)."""
        return day_start(at or self.now(), self.zone(), parse_day_boundary(self.settings.day_boundary))


def open_context(
    db: str, settings: Settings | None = None, clock: Clock | None = None, *, create: bool = False
) -> Context:
    """Open (and upgrade) the store at ``db``, a path or URL."""
    engine = make_engine(db, create=create)
    migrate.upgrade(engine)
    context = Context(engine=engine, settings=settings or Settings(db=db), clock=clock or Clock.system())
    try:
        context.event()  # read once here: the event's zone serves every scan (its day boundary)
    except StoreError:
        pass  # a store being created: 'init' or an agenda import adds the event
    return context
