"""The printer driver seam: every URL gets its driver, and a badge is laid out for the label of the
printer it goes to (one event can mix a wide printer at one desk and a narrow one at another)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from test_print_queue import FAST, finished_jobs, wait_for

from eventdesk.printing.devices import PrinterError
from eventdesk.printing.drivers import DRIVERS, Label, driver_for
from eventdesk.printing.drivers.escpos import EscposDriver, encode_raster, paper_label
from eventdesk.printing.drivers.preview import PreviewDriver
from eventdesk.printing.escpos_reader import read_escpos
from eventdesk.services import print_workers, printing
from eventdesk.settings import Settings

NARROW = Label(width_dots=384, dpi=203)  # a 58 mm roll


class NarrowPreview(PreviewDriver):
    """A preview folder standing in for a printer with a narrower roll than the event's paper."""

    def label(self) -> Label:
        return NARROW if "narrow" in self.url else super().label()


def test_every_printer_url_has_a_driver_with_the_event_paper_as_its_label(tmp_path):
    settings = Settings()
    for url in ("tcp://10.0.0.7:9100", "usb://04b8:0e15", "serial:///dev/ttyUSB0", "file:///dev/usb/lp0"):
        assert isinstance(driver_for(url, settings), EscposDriver)
        assert driver_for(url, settings).label() == paper_label(settings) == Label(576, 203)
    assert isinstance(driver_for(f"preview://{tmp_path}", settings), PreviewDriver)
    with pytest.raises(PrinterError, match="not understood"):
        driver_for("tpc://10.0.0.7:9100", settings)


def test_the_escpos_driver_renders_the_raster_job_the_printer_receives():
    image = Image.new("1", (576, 100), 1)
    image.paste(0, (10, 10, 200, 60))
    job = driver_for("tcp://10.0.0.7:9100", Settings()).render(image)
    assert job == encode_raster(image, Settings())
    stream = read_escpos(job)
    assert stream.cuts == 1 and stream.merged_image().convert("1").tobytes() == image.tobytes()


def test_a_badge_is_laid_out_for_the_label_of_the_printer_it_prints_on(
    printing_context, use_printers, add_people, tmp_path, monkeypatch
):
    monkeypatch.setitem(DRIVERS, "preview", NarrowPreview)
    wide, narrow = tmp_path / "wide", tmp_path / "narrow"
    context = use_printers(
        printing_context, {"wide": f"preview://{wide}", "narrow": f"preview://{narrow}"}, default="wide"
    )
    [first, second] = add_people(context, [("Lukas", "Nögel"), ("Kíncső", "Izsák")])
    printing.queue_badge(context, first)
    printing.queue_badge(context, second, printer="narrow")
    print_workers.start_workers(context, **FAST)
    assert {j.state for j in wait_for(lambda: finished_jobs(context, 2))} == {"printed"}
    [wide_png], [narrow_png] = list(Path(wide).glob("*.png")), list(Path(narrow).glob("*.png"))
    assert Image.open(wide_png).width == 576
    assert Image.open(narrow_png).width == NARROW.width_dots
    assert printing.badge_layout(context.settings, "narrow").width == NARROW.width_dots
    assert printing.badge_layout(context.settings).width == 576
