"""Printers by URL: what a URL says, the error a printer raises, and printing an image on one
through its driver (``printing.drivers``: ESC/POS through python-escpos, PNG previews).

    tcp://HOST[:9100]                      Network (short timeout; printers take one connection at a time)
    usb://VID:PID                          Usb (hex ids, e.g. usb://04b8:0e15; needs pyusb)
    serial:///dev/ttyUSB0?baudrate=19200   Serial (needs pyserial)
    file:///dev/usb/lp0                    File
    preview://DIR                          writes each job as a PNG into DIR (no printer needed)

Every ESC/POS job opens the device, sends the raster image (GS v 0) and a cut, and closes it again.

A network job counts as printed only when the printer confirmed having all of it: after the cut
the desk sends DLE EOT 1, a real-time status request that an Epson TM (and most ESC/POS printers)
answers as soon as it has taken every byte before it off the network. ``?confirm=`` on a tcp://
URL says what silence means (``CONFIRM_POLICIES``):

    status  the printer answers status: no answer within the printer timeout is a failed job (retried;
            a duplicate badge is better than a lost one)
    none    the printer never answers status (some clones and print servers): a job sent without
            an error counts as printed; only a reset or a hang-up is a failure
    auto    (default) learned per printer: once it has answered a status request (a job or a health
            check), it is a "status" printer; until then silence counts as printed and the desk
            logs once that this printer's jobs cannot be confirmed

A printer closing the connection (end of stream or reset) before answering is a failure in
every policy: a printer never hangs up on its own after a job it has.
A concrete profile (``[badge] profile``) is always passed: without one python-escpos prints
warnings to stdout and cannot check the image width. Errors become ``PrinterError`` with a
message that names the printer and says what happened."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from eventdesk.settings import Settings

SCHEMES = ("tcp", "usb", "serial", "file", "preview")
URL_HELP = (
    "use tcp://HOST:9100 (optionally ?confirm=auto, status or none), usb://VID:PID, serial:///dev/ttyUSB0?baudrate=19200, "
    "file:///dev/usb/lp0 or preview://DIR"
)
CONFIRM_POLICIES = ("auto", "status", "none")


class PrinterError(Exception):
    """A printer that could not print; ``str()`` names the printer and says what happened."""

    def __init__(self, printer: str, message: str) -> None:
        super().__init__(message)
        self.printer = printer


@dataclass(frozen=True)
class PrinterAddress:
    url: str
    scheme: str
    host: str = ""
    port: int = 9100
    path: str = ""
    vendor: int = 0
    product: int = 0
    options: dict[str, str] = field(default_factory=dict)


def parse_printer_url(url: str) -> PrinterAddress:
    url = (url or "").strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise PrinterError(url, f"Printer URL '{url}' is not understood: {URL_HELP}.")
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        if scheme == "tcp":
            if not parts.hostname:
                raise ValueError("no host")
            if options.get("confirm", "auto") not in CONFIRM_POLICIES:
                raise ValueError("confirm")
            return PrinterAddress(url, scheme, host=parts.hostname, port=parts.port or 9100, options=options)
        if scheme == "usb":
            vendor, product = parts.netloc.split(":")
            return PrinterAddress(url, scheme, vendor=int(vendor, 16), product=int(product, 16), options=options)
        path = parts.path if scheme != "preview" else (parts.netloc + parts.path)
        if not path:
            raise ValueError("no path")
        if scheme == "serial" and "baudrate" in options:
            int(options["baudrate"])
        return PrinterAddress(url, scheme, path=path, options=options)
    except ValueError:
        raise PrinterError(url, f"Printer URL '{url}' is not understood: {URL_HELP}.") from None


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def printer_lock(url: str) -> threading.Lock:
    """One lock per printer: a printer takes one connection at a time (jobs and status requests)."""
    with _locks_guard:
        return _locks.setdefault(url, threading.Lock())


def print_image(url: str, image: Image.Image, settings: Settings, name: str = "badge") -> str:
    """Print ``image`` on the printer at ``url``: one job, rendered for it, sent and confirmed by its
    driver (``printing.drivers``). Returns where it went; errors raise PrinterError."""
    from eventdesk.printing.drivers import driver_for  # the drivers import this module

    driver = driver_for(url, settings)
    return driver.send(driver.render(image), name)


def written_file(url: str, where: str) -> str | None:
    """The file ``print_image(url, ...)`` wrote (it returned ``where``), for a preview printer; None
    for a real printer."""
    return str(Path(where).absolute()) if parse_printer_url(url).scheme == "preview" else None
