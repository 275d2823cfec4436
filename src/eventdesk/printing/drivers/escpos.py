"""The ESC/POS driver (python-escpos's own device classes): tcp://, usb://, serial:// and file://
printers. A badge goes as a GS v 0 raster image and a cut; a network job counts as printed only
when the printer confirmed it (DLE EOT 1, see ``printing.devices`` for ``?confirm=``); health comes
from the real-time status requests DLE EOT 1, 2 and 4.

python-escpos's ``paper_status()`` says "adequate" when nothing comes back; here silence is
"unknown", never "paper OK". A printer that cannot be reached is "offline"."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from PIL import Image

from eventdesk.printing.badge import printable_dots
from eventdesk.printing.devices import PrinterAddress, PrinterError, parse_printer_url, printer_lock
from eventdesk.printing.drivers.base import Label
from eventdesk.printing.status import COVER_OPEN, OFFLINE, ONLINE, PAPER_OUT, UNKNOWN, Health
from eventdesk.settings import Settings

log = logging.getLogger(__name__)

# A small send buffer: a printer that stops reading stalls the job within the timeout instead of
# the whole badge vanishing into kernel buffers and counting as printed.
TCP_SEND_BUFFER = 16 * 1024
# How long to listen for an answer from a printer not known to answer status (policy none, or auto
# before it answered once): a hang-up right after the job shows within this, silence proves nothing.
CONFIRM_SECONDS = 0.3


LIBUSB_MISSING = "USB printers need the libusb library (Debian/Ubuntu: apt install libusb-1.0-0)"


def escpos():
    """The python-escpos package, imported the tame way (see ``eventdesk.logs``)."""
    from eventdesk.logs import tame_escpos_import

    tame_escpos_import()
    import escpos.exceptions
    import escpos.printer

    return escpos


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
            raise PrinterError(address.url, f"Printer {address.url} needs the {package} package: pip install {package}")
    if address.scheme == "usb":
        return printer.Usb(address.vendor, address.product, timeout=int(timeout * 1000), profile=profile)
    if address.scheme == "serial":
        return printer.Serial(
            address.path, baudrate=int(address.options.get("baudrate", 9600)), timeout=timeout, profile=profile
        )
    if address.scheme == "file":
        return printer.File(address.path, profile=profile)
    raise PrinterError(address.url, f"Printer {address.url} is not an ESC/POS device.")


def usb_backend_available() -> bool:
    """Whether pyusb finds a libusb to talk to USB devices through."""
    try:
        import usb.backend.libusb0
        import usb.backend.libusb1
        import usb.backend.openusb
    except ImportError:
        return False
    return any(
        module.get_backend() is not None for module in (usb.backend.libusb1, usb.backend.libusb0, usb.backend.openusb)
    )


def profile_width(profile: str) -> int | None:
    """Dots across that the python-escpos profile allows (None when the profile does not say)."""
    escpos()
    from escpos.capabilities import get_profile

    try:
        width = get_profile(profile).profile_data["media"]["width"]["pixels"]
    except KeyError:
        raise PrinterError(
            profile,
            f"Printer profile '{profile}' is unknown to python-escpos; "
            "set [badge] profile to a model such as TM-T20II or TM-T88V.",
        ) from None
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
        except Exception as error:
            raise PrinterError(url, describe_failure(url, error, settings.printer_timeout_s)) from error
        finally:
            if device is not None:
                try:
                    device.close()
                except Exception:  # noqa: BLE001 - closing a dead connection must not mask the cause
                    pass


DLE_EOT = b"\x10\x04"
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
    except TimeoutError:
        if policy == "status":
            raise NotConfirmed(f"did not confirm the job within {_seconds(timeout)}") from None
        if address.options.get("confirm", "auto") == "auto" and address.url not in _warned_silent:
            _warned_silent.add(address.url)
            log.warning(
                "printer %s does not answer status requests: its jobs count as printed once sent "
                "(add ?confirm=none to its URL if that is expected)",
                address.url,
            )
        return
    if not answer:  # end of stream: the printer hung up with the job in its socket buffers
        raise ConnectionResetError("the printer closed the connection before confirming the job")
    learn_answers_status(address.url)


def _status_byte(answer: bytes) -> int | None:
    """The status byte of an answer, or None when it is missing or malformed (bits 1 and 4 are
    always set and bits 0 and 7 always clear in a real status byte)."""
    if not answer:
        return None
    byte = answer[-1]
    return byte if byte & 0x93 == 0x12 else None


def interpret(printer: int | None, offline: int | None, paper: int | None) -> Health:
    """Health from the answers to DLE EOT 1 (printer), 2 (offline cause) and 4 (paper roll)."""
    if printer is None:
        return Health(UNKNOWN, "no answer to the status request")
    if offline is not None and offline & 0x04:
        return Health(COVER_OPEN, "the cover is open")
    if (paper is not None and paper & 0x60) or (offline is not None and offline & 0x20):
        return Health(PAPER_OUT, "the paper roll is empty")
    if printer & 0x08:
        if offline is not None and offline & 0x40:
            return Health(OFFLINE, "the printer reports an error")
        return Health(OFFLINE, "the printer reports it is offline")
    if paper is not None and paper & 0x0C:
        return Health(ONLINE, "paper is running low")
    if paper is None:
        return Health(ONLINE, "paper status not reported")
    return Health(ONLINE, "")


def _ask(device, n: int) -> int | None:
    try:
        device._raw(DLE_EOT + bytes([n]))
        return _status_byte(bytes(device._read()))
    except (TimeoutError, OSError, NotImplementedError):
        return None


@lru_cache(maxsize=16)
def _paper_label(paper_mm: int, dpi: int, profile: str) -> Label:
    width = printable_dots(paper_mm, dpi)
    limit = profile_width(profile)
    return Label(min(width, limit) if limit else width, dpi)


def paper_label(settings: Settings) -> Label:
    """The label of the event's ``[badge]`` paper, dpi and printer profile (never wider than the
    profile allows: python-escpos refuses wider images)."""
    badge = settings.badge
    return _paper_label(badge.paper_mm, badge.dpi, badge.profile)


class EscposDriver:
    """One ESC/POS printer: a receipt roll, as wide as ``[badge]`` paper and profile say."""

    def __init__(self, address: PrinterAddress, settings: Settings) -> None:
        self.address, self.url, self.settings = address, address.url, settings

    def label(self) -> Label:
        return paper_label(self.settings)

    def render(self, image: Image.Image) -> bytes:
        """ESC @, the image as GS v 0 raster, feed and cut: the bytes the printer receives."""
        try:
            return encode_raster(image, self.settings)
        except Exception as error:
            raise PrinterError(self.url, describe_failure(self.url, error, self.settings.printer_timeout_s)) from error

    def send(self, job: bytes, name: str = "badge") -> str:
        """One job: open, send, confirm (network printers), close. Returns where it went."""
        with opened(self.url, self.settings) as device:
            device._raw(job)
            self.confirm(device)
        return self.url

    def confirm(self, device) -> None:
        """Raises when the job just sent on ``device`` cannot count as printed (network printers)."""
        if self.address.scheme == "tcp":
            confirm_received(device, self.address, self.settings.printer_timeout_s)

    def health(self) -> Health:
        if self.address.scheme == "file":
            path = Path(self.address.path)
            if not os.access(path, os.W_OK):
                return Health(OFFLINE, f"{path} is missing or not writable")
            return Health(UNKNOWN, "a device file cannot report status")
        try:
            with opened(self.url, self.settings) as device:
                printer = _ask(device, 1)
                if printer is None:
                    return Health(UNKNOWN, "connected, but no answer to the status request")
                learn_answers_status(self.url)  # its silence after a job will now mean a lost job
                return interpret(printer, _ask(device, 2), _ask(device, 4))
        except PrinterError as error:
            return Health(OFFLINE, str(error))
