"""What every printer driver offers: its label (dots across and dots per inch, so a badge is laid
out for the printer it goes to), rendering an image into the bytes that printer receives, sending
them as one job, confirming the job was taken, and reading the printer's health."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from eventdesk.printing.status import Health


@dataclass(frozen=True)
class Label:
    width_dots: int  # printable dots across
    dpi: int
    height_dots: int | None = None  # None: a continuous roll, as long as the image


class PrinterDriver(Protocol):
    url: str

    def label(self) -> Label:
        """The label this printer prints on."""

    def render(self, image: Image.Image) -> bytes:
        """``image`` (1-bit, at most ``label().width_dots`` wide) as the bytes of one job."""

    def send(self, job: bytes, name: str = "badge") -> str:
        """Deliver one rendered job and confirm it; returns where it went. Raises PrinterError."""

    def confirm(self, connection) -> None:
        """Raise when the job just sent on ``connection`` cannot count as printed."""

    def health(self) -> Health:
        """What the printer says of itself now (never "ok" from silence)."""
