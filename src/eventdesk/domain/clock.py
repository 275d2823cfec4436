"""The event clock: real time, a rehearsal clock that starts at a chosen moment and may run
faster, or a frozen moment for tests and screenshots."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Clock:
    """``now()`` is ``start + (elapsed real time) * speed``; ``speed == 0`` freezes it.
    With no ``start`` it is the wall clock."""

    start: datetime | None = None
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic, repr=False)

    @classmethod
    def system(cls) -> Clock:
        return cls()

    @classmethod
    def rehearsal(cls, start: datetime, speed: float = 1.0) -> Clock:
        return cls(start=_aware(start), speed=speed)

    @classmethod
    def frozen(cls, at: datetime) -> Clock:
        return cls(start=_aware(at), speed=0.0)

    @property
    def is_wall_clock(self) -> bool:
        return self.start is None

    def now(self) -> datetime:
        if self.start is None:
            return utcnow()
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start + timedelta(seconds=elapsed)

    def set(self, at: datetime) -> None:
        """Jump the clock to ``at`` (tests, rehearsal), keeping its speed."""
        self.start = _aware(at)
        self._origin = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; give an offset such as +02:00")
    return moment


DEFAULT_DAY_BOUNDARY = "04:00"


def parse_day_boundary(text: str) -> dt_time:
    """``"04:00"`` -> a local time of day; a clear error for anything else."""
    try:
        return dt_time.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"The day boundary must be a time of day such as 04:00, not {text!r}") from None


def day_start(at: datetime, zone: ZoneInfo, boundary: dt_time) -> datetime:
    """The moment (UTC) the event day holding ``at`` began: the latest ``boundary`` local time at or
    before ``at`` in ``zone``. Presence on a list ends there, as pretix's automatic night check-out
    does. Computed on the local calendar, so a daylight-saving change keeps the boundary at its
    local hour."""
    local = at.astimezone(zone)
    start = datetime.combine(local.date(), boundary, tzinfo=zone)
    if start > local:
        start = datetime.combine(local.date() - timedelta(days=1), boundary, tzinfo=zone)
    return start.astimezone(UTC)
