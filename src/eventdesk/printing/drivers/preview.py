"""The preview driver: preview://DIR writes each job as a PNG into DIR (owner-readable only: a
badge carries a name), for a desk without a printer and for tests."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from eventdesk.domain.clock import utcnow
from eventdesk.printing.devices import PrinterAddress, PrinterError
from eventdesk.printing.drivers.base import Label
from eventdesk.printing.drivers.escpos import paper_label
from eventdesk.printing.status import OFFLINE, ONLINE, Health
from eventdesk.settings import Settings


def save_preview(address: PrinterAddress, png: bytes, name: str) -> Path:
    folder = Path(address.path).expanduser()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{_safe(name)}.png"
        # A badge carries a name: readable by its owner only, like the database.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            file.write(png)
    except OSError as error:
        raise PrinterError(
            address.url, f"Printer {address.url}: cannot write into {folder}: {error.strerror or error}"
        ) from error
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "job"


class PreviewDriver:
    """PNG files in a folder, laid out as the event's badge printer would print them."""

    def __init__(self, address: PrinterAddress, settings: Settings) -> None:
        self.address, self.url, self.settings = address, address.url, settings

    def label(self) -> Label:
        return paper_label(self.settings)

    def render(self, image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    def send(self, job: bytes, name: str = "badge") -> str:
        return str(save_preview(self.address, job, name))

    def confirm(self, connection) -> None:
        """A file written is a job confirmed."""

    def health(self) -> Health:
        folder = Path(self.address.path).expanduser()
        if folder.is_dir() and os.access(folder, os.W_OK) or not folder.exists():
            return Health(ONLINE, f"writes PNG files into {folder}")
        return Health(OFFLINE, f"cannot write into {folder}")
