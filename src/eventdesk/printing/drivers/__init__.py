"""Printer drivers, one per printer family, each behind ``PrinterDriver`` (``drivers.base``):
``driver_for(url, settings)`` picks the driver by the URL's scheme."""

from __future__ import annotations

from eventdesk.printing.devices import PrinterError, parse_printer_url
from eventdesk.printing.drivers.base import Label, PrinterDriver
from eventdesk.printing.drivers.escpos import EscposDriver
from eventdesk.printing.drivers.preview import PreviewDriver
from eventdesk.settings import Settings

# Which driver speaks each URL scheme (``printing.devices.SCHEMES``).
DRIVERS = {
    "tcp": EscposDriver,
    "usb": EscposDriver,
    "serial": EscposDriver,
    "file": EscposDriver,
    "preview": PreviewDriver,
}


def driver_for(url: str, settings: Settings) -> PrinterDriver:
    """The driver of the printer at ``url``; raises PrinterError for a URL not understood."""
    address = parse_printer_url(url)
    try:
        return DRIVERS[address.scheme](address, settings)
    except KeyError:
        raise PrinterError(url, f"Printer {url}: no driver speaks {address.scheme}://") from None


__all__ = ["DRIVERS", "Label", "PrinterDriver", "driver_for"]
