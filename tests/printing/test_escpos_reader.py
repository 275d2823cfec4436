"""The ESC/POS reader on real printer streams of another tool (escpos-php) and on ours."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image, ImageChops

from eventdesk.printing.escpos_reader import read_escpos


@pytest.mark.realdata
def test_reads_gs_v_0_raster_images_of_a_real_stream(realdata):
    stream = read_escpos((realdata / "escpos" / "bit-image.bin").read_bytes())
    assert stream.unknown == []
    assert [(i.command, i.width, i.height) for i in stream.images] == [("GS v 0", 128, 148)] * 4
    assert stream.cuts == 1
    assert b"bit image" in stream.text
    tux = stream.images[0].image
    assert 0.1 < tux.histogram()[0] / (tux.width * tux.height) < 0.5  # a picture, neither blank nor noise


@pytest.mark.realdata
def test_reads_gs_paren_l_graphics_of_real_streams(realdata):
    graphics = read_escpos((realdata / "escpos" / "graphics.bin").read_bytes())
    assert graphics.unknown == []
    assert [(i.command, i.width, i.height) for i in graphics.images][0] == ("GS ( L", 125, 148)
    # The same Tux sent as GS v 0 (padded to 128 dots) decodes to the very same pixels.
    raster = read_escpos((realdata / "escpos" / "bit-image.bin").read_bytes()).images[0].image
    assert (
        ImageChops.difference(
            raster.crop((0, 0, 125, 148)).convert("L"), graphics.images[0].image.convert("L")
        ).getbbox()
        is None
    )
    receipt = read_escpos((realdata / "escpos" / "receipt-with-logo.bin").read_bytes())
    assert receipt.unknown == []
    assert [(i.command, i.width, i.height) for i in receipt.images] == [("GS ( L", 300, 236)]
    assert b"SALES INVOICE" in receipt.text


@pytest.mark.realdata
def test_reads_qr_commands_and_code_page_text_of_real_streams(realdata):
    qr = read_escpos((realdata / "escpos" / "qr-code.bin").read_bytes())
    assert qr.unknown == []
    assert qr.qr_data[0] == b"Testing 123"
    text = read_escpos((realdata / "escpos" / "character-encodings.bin").read_bytes())
    assert text.unknown == []
    assert text.images == []
    assert b"Danish" in text.text


def test_round_trips_a_raster_image_sent_by_python_escpos():
    from eventdesk.printing.badge import qr_image
    from eventdesk.printing.drivers.escpos import encode_raster
    from eventdesk.settings import Settings

    image = Image.new("1", (200, 1200), 1)
    image.paste(qr_image("ROUND-TRIP", 6), (10, 1000))  # below python-escpos's 960-dot strip
    stream = read_escpos(encode_raster(image, Settings()))
    assert stream.unknown == []
    assert [i.command for i in stream.images] == ["GS v 0", "GS v 0"]
    merged = stream.merged_image()
    assert merged.size == (200, 1200)
    assert [r.text for r in zxingcpp.read_barcodes(merged.convert("L"))] == ["ROUND-TRIP"]
    assert stream.cuts == 1
