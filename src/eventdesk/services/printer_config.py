"""This desk's printers as its settings name them, and the state of its badge printer: what the
check-in screen and the desk's heartbeat read at every start, kept apart from badge rendering
and the printer drivers (Pillow, qrcode, python-escpos: imported by ``services.printing`` only
when a badge is drawn or a printer is driven)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from eventdesk.services.context import Context
from eventdesk.settings import Settings
from eventdesk.store import print_jobs


class PrintingError(Exception):
    """A badge that cannot be queued or printed; the message says what to do."""


def configured_printers(settings: Settings) -> list[tuple[str, str]]:
    """(name, URL) of every printer of this desk; the default printer first."""
    printers = dict(settings.printers)
    default = settings.default_printer
    if default and default not in printers:
        url = settings.printer_url(default)
        assert url is not None  # a non-empty name always gives a URL (the name itself when unknown)
        printers = {default: url, **printers}
    names = sorted(printers, key=lambda n: (n != default, n))
    return [(name, printers[name]) for name in names]


def printer_for(settings: Settings, printer: str | None) -> tuple[str, str]:
    """(name, URL) of a configured printer by name or URL, else of the default printer."""
    printers = configured_printers(settings)
    wanted = printer or settings.default_printer
    for name, url in printers:
        if wanted in (name, url):
            return name, url
    if wanted is None:
        raise PrintingError(
            "No printer is configured: add a [printers] section to eventdesk.toml "
            '(e.g. badge-1 = "tcp://10.0.0.7:9100") or set EVENTDESK_PRINTER.'
        )
    raise PrintingError(
        f"'{wanted}' is not a configured printer; configured: {', '.join(n for n, _ in printers) or 'none'}."
    )


@dataclass(frozen=True)
class BadgePrinterState:
    """This desk's badge printer as the check-in screen shows it."""

    name: str
    url: str
    waiting: int
    failed: int
    error: str  # the newest error of its waiting or failed jobs ("" when all is well)
    others: tuple[str, ...]  # the other configured printers, in order

    @property
    def in_trouble(self) -> bool:
        return bool(self.failed or (self.waiting and self.error))


def printer_keys(name: str, url: str) -> set[str]:
    # A job names its printer by name or URL; one queued while no printer was set names none.
    return {name, url, ""}


def badge_printer_state(context: Context) -> BadgePrinterState | None:
    """The printer this desk's check-ins queue badges on, with its backlog (None: no printer)."""
    printers = configured_printers(context.settings)
    if not printers or context.settings.default_printer is None:
        return None
    name, url = printer_for(context.settings, None)
    with Session(context.engine) as session:
        waiting, failed, error = print_jobs.backlog(session, printer_keys(name, url))
    return BadgePrinterState(name, url, waiting, failed, error, tuple(n for n, _ in printers if n != name))
