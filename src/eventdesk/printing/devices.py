"""Printers by URL, opened through python-escpos's own device classes.

    tcp://HOST[:9100]                      Network (short timeout; printers take one connection at a time)
    usb://VID:PID                          Usb (hex ids, e.g. usb://04b8:0e15; needs pyusb)
    serial:///dev/ttyUSB0?baudrate=19200   Serial (needs pyserial)
    file:///dev/usb/lp0                    File
    preview://DIR                          writes each job as a PNG into DIR (no printer needed)

Every job opens the device, sends the raster image (GS v 0) and a cut, and closes it again.

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

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from eventdesk.domain.clock import utcnow
from eventdesk.settings import Settings

SCHEMES = ("tcp", "usb", "serial", "file", "preview")
URL_HELP = ("use tcp://HOST:9100 (optionally ?confirm=auto, status or none), usb://VID:PID, serial:///dev/ttyUSB0?baudrate=19200, "
            "file:///dev/usb/lp0 or preview://DIR")
LIBUSB_MISSING = "USB printers need the libusb library (Debian/Ubuntu: apt install libusb-1.0-0)"
# A small send buffer: a printer that stops reading stalls the job within the timeout instead of
# the whole badge vanishing into kernel buffers and counting as printed.
TCP_SEND_BUFFER = 16 * 1024
# How long to listen for an answer from a printer not known to answer status (policy none, or auto
# before it answered once): a hang-up right after the job shows within this, silence proves nothing.
CONFIRM_SECONDS = 0.3
CONFIRM_POLICIES = ("auto", "status", "none")


class PrinterError(Exception):
    """A printer that could not print; ``str()`` names the printer and says what happened."""

    def __init__(self, printer: str, message: str) -> None:
        super().__init__(message)
        self.printer = printer


def escpos():
    """The python-escpos package, imported the tame way (see ``eventdesk.logs``)."""
    from eventdesk.logs import tame_escpos_import

    tame_escpos_import()
    import escpos.exceptions
    import escpos.printer

    return escpos


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


def _seconds(value: float) -> str:
    return f"{value:g} s"


def make_device(address: PrinterAddress, settings: Settings):
    """The python-escpos device for ``address`` (not opened yet)."""
    printer = escpos().printer
    profile = settings.badge.profile
    timeout = settings.printer_timeout_s
    if address.scheme == "tcp":
        return printer.Network(address.host, address.port, timeout=timeout, profile=profile)
    if address.scheme in ("usb", "serial"):
        cls, package = (printer.Usb, "pyusb") if address.scheme == "usb" else (printer.Serial, "pyserial")
        if not cls.is_usable():
            raise PrinterError(address.url, f"Printer {address.url} needs the {package} package: "
                                            f"pip install {package}")
    if address.scheme == "usb":
        return printer.Usb(address.vendor, address.product, timeout=int(timeout * 1000), profile=profile)
    if address.scheme == "serial":
        return printer.Serial(address.path, baudrate=int(address.options.get("baudrate", 9600)),
                              timeout=timeout, profile=profile)
    if address.scheme == "file":
        return printer.File(address.path, profile=profile)
    raise PrinterError(address.url, f"Printer {address.url} is not an ESC/POS device.")


def usb_backend_available() -> bool:
    """Whether pyusb finds a libusb to talk to USB devices through."""
    try:
        import usb.backend.libusb1
        import usb.backend.libusb0
        import usb.backend.openusb
    except ImportError:
        return False
    return any(module.get_backend() is not None
               for module in (usb.backend.libusb1, usb.backend.libusb0, usb.backend.openusb))


def profile_width(profile: str) -> int | None:
    """Dots across that the python-escpos profile allows (None when the profile does not say)."""
    escpos()
    from escpos.capabilities import get_profile

    try:
        width = get_profile(profile).profile_data["media"]["width"]["pixels"]
    except KeyError:
        raise PrinterError(profile, f"Printer profile '{profile}' is unknown to python-escpos; "
                                    "set [badge] profile to a model such as TM-T20II or TM-T88V.") from None
    return int(width) if isinstance(width, int) or str(width).isdigit() else None


def describe_failure(url: str, error: BaseException, timeout: float) -> str:
    """What happened, in words a person at the desk understands."""
    ex = escpos().exceptions
    cause = error.__context__ if isinstance(error, ex.DeviceNotFoundError) and error.__context__ else error
    if isinstance(cause, ConnectionRefusedError):
        return f"Printer {url} refused the connection (is it on, and is the port right?)"
    if isinstance(cause, NotConfirmed):
        return f"Printer {url} {cause}"
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return f"Printer {url} did not answer in {_seconds(timeout)}"
    if isinstance(cause, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
        return f"Printer {url} closed the connection during the job"
    if isinstance(cause, socket.gaierror):
        return f"Printer {url}: host name not found"
    if type(cause).__name__ == "NoBackendError":  # pyusb found no libusb on this machine
        return f"Printer {url} cannot be reached: {LIBUSB_MISSING}"
    if isinstance(cause, AssertionError) or isinstance(error, ex.USBNotFoundError):
        return f"Printer {url} is not connected (no such USB device)"
    if isinstance(cause, ex.ImageWidthError):
        return f"Printer {url}: the image is wider than its profile allows ({cause})"
    if isinstance(cause, RuntimeError) and "dependenc" in str(cause).lower():
        return f"Printer {url} needs a package that is not installed: {cause}"
    if isinstance(cause, OSError):
        return f"Printer {url}: {cause.strerror or cause}"
    return f"Printer {url} failed: {str(cause).splitlines()[0] if str(cause) else type(cause).__name__}"


@contextmanager
def opened(url: str, settings: Settings) -> Iterator[object]:
    """The escpos device of ``url``, opened for one job and closed after it (errors: PrinterError)."""
    address = parse_printer_url(url)
    with printer_lock(url):
        device = None
        try:
            device = make_device(address, settings)
            device.open()
            if address.scheme == "tcp":
                device.device.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, TCP_SEND_BUFFER)
            yield device
        except PrinterError:
            raise
        except Exception as error:  # noqa: BLE001 - escpos and the OS raise many kinds
            raise PrinterError(url, describe_failure(url, error, settings.printer_timeout_s)) from error
        finally:
            if device is not None:
                try:
                    device.close()
                except Exception:  # noqa: BLE001 - closing a dead connection must not mask the cause
                    pass


RASTER_STRIP = 960  # python-escpos's fragment height: printers buffer a limited raster height


def raster_commands(image: Image.Image) -> bytes:
    """GS v 0 commands for ``image``, in strips of at most 960 dots: byte for byte what
    python-escpos's ``image(..., impl="bitImageRaster")`` sends (a test holds them equal), without
    its four image conversions per badge."""
    image = image if image.mode == "1" else image.convert("1")
    width_bytes = (image.width + 7) // 8
    out = bytearray()
    for top in range(0, image.height, RASTER_STRIP):
        strip = image.crop((0, top, width_bytes * 8, min(top + RASTER_STRIP, image.height)))
        if image.width % 8:  # the padding dots stay blank, as python-escpos pads them
            strip.paste(255, (image.width, 0, width_bytes * 8, strip.height))
        out += b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + strip.height.to_bytes(2, "little")
        out += strip.tobytes("raw", "1;I")  # ESC/POS: a set bit burns a dot
    return bytes(out)


def write_raster(device, image: Image.Image, max_width: int | None = None) -> None:
    """ESC @, the image as GS v 0 raster, feed and cut."""
    if max_width is not None and image.width > max_width:
        raise escpos().exceptions.ImageWidthError(f"{image.width} > {max_width}")
    device._raw(b"\x1b@" + raster_commands(image))
    device.cut()


def encode_raster(image: Image.Image, settings: Settings) -> bytes:
    """The bytes a printer receives for ``image`` (what ``print_image`` sends)."""
    device = escpos().printer.Dummy(profile=settings.badge.profile)
    write_raster(device, image, profile_width(settings.badge.profile))
    return device.output


def print_image(url: str, image: Image.Image, settings: Settings, name: str = "badge") -> str:
    """Print ``image`` on the printer at ``url``: one job, open-print-close. Returns where it went."""
    address = parse_printer_url(url)
    if address.scheme == "preview":
        return str(save_preview(address, image, name))
    with opened(url, settings) as device:
        write_raster(device, image, profile_width(settings.badge.profile))
        if address.scheme == "tcp":
            confirm_received(device, address, settings.printer_timeout_s)
    return url


def written_file(url: str, where: str) -> str | None:
    """The file ``print_image(url, ...)`` wrote (it returned ``where``), for a preview printer; None
    for a real printer."""
    return str(Path(where).absolute()) if parse_printer_url(url).scheme == "preview" else None


class NotConfirmed(Exception):
    """A network printer that did not confirm having the whole job (see the module's docstring)."""


# Printers (by URL) that have answered a status request in this process: for ``confirm=auto``.
_answers_status: set[str] = set()
_warned_silent: set[str] = set()


def confirm_policy(address: PrinterAddress) -> str:
    """``status`` or ``none``: what silence after a job means for this printer now."""
    policy = address.options.get("confirm", "auto")
    if policy == "auto":
        return "status" if address.url in _answers_status else "none"
    return policy


def learn_answers_status(url: str) -> None:
    """The printer at ``url`` answered a status request: from now on (confirm=auto) its silence
    after a job is a failure."""
    _answers_status.add(url)


def confirm_received(device, address: PrinterAddress, timeout: float) -> None:
    """Ask the printer for its status after a job and wait for the answer that says it holds the
    whole job. Raises ``NotConfirmed`` (or the socket's error) when the job cannot count as printed."""
    policy = confirm_policy(address)
    device.device.settimeout(timeout if policy == "status" else min(CONFIRM_SECONDS, timeout))
    device._raw(b"\x10\x04\x01")
    try:
        answer = device._read()
    except (TimeoutError, socket.timeout):
        if policy == "status":
            raise NotConfirmed(f"did not confirm the job within {_seconds(timeout)}") from None
        if address.options.get("confirm", "auto") == "auto" and address.url not in _warned_silent:
            _warned_silent.add(address.url)
            import logging

            logging.getLogger(__name__).warning(
                "printer %s does not answer status requests: its jobs count as printed once sent "
                "(add ?confirm=none to its URL if that is expected)", address.url)
        return
    if not answer:  # end of stream: the printer hung up with the job in its socket buffers
        raise ConnectionResetError("the printer closed the connection before confirming the job")
    learn_answers_status(address.url)


def save_preview(address: PrinterAddress, image: Image.Image, name: str) -> Path:
    folder = Path(address.path).expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{_safe(name)}.png"
        # A badge carries a name: readable by its owner only, like the database.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            image.save(file, format="PNG")
    except OSError as error:
        raise PrinterError(address.url, f"Printer {address.url}: cannot write into {folder}: "
                                        f"{error.strerror or error}") from error
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "job"
