"""Printer health as every driver reports it: online, offline, cover open, paper out or unknown
(silence is "unknown", never "paper OK"; a printer that cannot be reached is "offline")."""

from __future__ import annotations

from dataclasses import dataclass

from eventdesk.printing.devices import PrinterError
from eventdesk.settings import Settings

ONLINE, OFFLINE, COVER_OPEN, PAPER_OUT, UNKNOWN = "online", "offline", "cover open", "paper out", "unknown"


@dataclass(frozen=True)
class Health:
    state: str  # online | offline | cover open | paper out | unknown
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == ONLINE


def check_health(url: str, settings: Settings) -> Health:
    """What the printer at ``url`` says of itself, read by its driver; a URL not understood is offline."""
    from eventdesk.printing.drivers import driver_for  # the drivers import this module

    try:
        driver = driver_for(url, settings)
    except PrinterError as error:
        return Health(OFFLINE, str(error))
    return driver.health()
