"""Printer health from the ESC/POS real-time status requests (DLE EOT 1, 2, 4).

python-escpos's ``paper_status()`` says "adequate" when nothing comes back; here silence is
"unknown", never "paper OK". A printer that cannot be reached is "offline"."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from eventdesk.printing.devices import PrinterError, learn_answers_status, opened, parse_printer_url
from eventdesk.settings import Settings

ONLINE, OFFLINE, COVER_OPEN, PAPER_OUT, UNKNOWN = "online", "offline", "cover open", "paper out", "unknown"

DLE_EOT = b"\x10\x04"


@dataclass(frozen=True)
class Health:
    state: str  # online | offline | cover open | paper out | unknown
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == ONLINE


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


def check_health(url: str, settings: Settings) -> Health:
    try:
        address = parse_printer_url(url)
    except PrinterError as error:
        return Health(OFFLINE, str(error))
    if address.scheme == "preview":
        folder = Path(address.path).expanduser()
        if folder.is_dir() and os.access(folder, os.W_OK) or not folder.exists():
            return Health(ONLINE, f"writes PNG files into {folder}")
        return Health(OFFLINE, f"cannot write into {folder}")
    if address.scheme == "file":
        path = Path(address.path)
        if not os.access(path, os.W_OK):
            return Health(OFFLINE, f"{path} is missing or not writable")
        return Health(UNKNOWN, "a device file cannot report status")
    try:
        with opened(url, settings) as device:
            printer = _ask(device, 1)
            if printer is None:
                return Health(UNKNOWN, "connected, but no answer to the status request")
            learn_answers_status(url)  # its silence after a job will now mean a lost job
            return interpret(printer, _ask(device, 2), _ask(device, 4))
    except PrinterError as error:
        return Health(OFFLINE, str(error))
