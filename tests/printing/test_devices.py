"""Printers by URL: what reaches a network printer, and what a dead one makes us say."""

from __future__ import annotations

import os
import stat
import time

import pytest
import zxingcpp
from PIL import Image

from eventdesk.printing.badge import qr_image
from eventdesk.printing.devices import PrinterError, parse_printer_url, print_image
from eventdesk.printing.drivers.escpos import interpret, usb_backend_available
from eventdesk.printing.escpos_reader import read_escpos
from eventdesk.printing.status import COVER_OPEN, OFFLINE, ONLINE, PAPER_OUT, UNKNOWN, check_health
from eventdesk.settings import Settings

SETTINGS = Settings(printer_timeout_s=0.5)


def sample_image() -> Image.Image:
    image = Image.new("1", (512, 700), 1)
    image.paste(qr_image("DEVICE-TEST", 6), (100, 100))
    return image


def test_printer_urls():
    assert parse_printer_url("tcp://10.0.0.7").port == 9100
    assert parse_printer_url("tcp://10.0.0.7:9101").port == 9101
    usb = parse_printer_url("usb://04b8:0e15")
    assert (usb.vendor, usb.product) == (0x04B8, 0x0E15)
    serial = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.path, serial.options["baudrate"]) == ("/dev/ttyUSB0", "19200")
    assert parse_printer_url("file:///dev/usb/lp0").path == "/dev/usb/lp0"
    assert parse_printer_url("preview://badges").path == "badges"
    for bad in ("http://x", "tcp://", "usb://zz", "lp0", ""):
        with pytest.raises(PrinterError, match="not understood"):
            parse_printer_url(bad)


def test_a_job_is_one_connection_with_a_raster_image_and_a_cut(tcp_printer):
    print_image(tcp_printer.url, sample_image(), SETTINGS)
    assert tcp_printer.wait_for_jobs(1)
    stream = read_escpos(tcp_printer.jobs[0])
    assert stream.unknown == []
    assert [i.command for i in stream.images] == ["GS v 0"]
    assert stream.cuts == 1
    assert [r.text for r in zxingcpp.read_barcodes(stream.merged_image().convert("L"))] == ["DEVICE-TEST"]
    print_image(tcp_printer.url, sample_image(), SETTINGS)
    assert tcp_printer.wait_for_jobs(2)
    assert tcp_printer.connections == 2  # open, print, close: the printer is free between jobs


def test_refused_connection_names_the_printer(refused_url):
    started = time.monotonic()
    with pytest.raises(PrinterError) as error:
        print_image(refused_url, sample_image(), SETTINGS)
    assert str(error.value).startswith(f"Printer {refused_url} refused the connection")
    assert error.value.printer == refused_url
    assert time.monotonic() - started < 3


def test_printer_that_never_reads_times_out(make_printer):
    mute = make_printer("mute")
    big = Image.new("1", (512, 4000), 0)  # more than any socket buffer holds
    with pytest.raises(PrinterError, match=r"did not answer in 0.5 s"):
        print_image(mute.url, big, SETTINGS)


def test_printer_that_closes_mid_job(make_printer):
    dropping = make_printer("drop", drop_after=1000)
    big = Image.new("1", (512, 4000), 0)
    with pytest.raises(PrinterError, match="closed the connection during the job"):
        print_image(dropping.url, big, SETTINGS)


def test_preview_printer_writes_pngs(tmp_path):
    where = print_image(f"preview://{tmp_path}/out", sample_image(), SETTINGS, name="badge-7")
    assert where.endswith("badge-7.png")
    saved = Image.open(where)
    assert saved.size == (512, 700)
    assert stat.S_IMODE(os.stat(where).st_mode) == 0o600  # a badge carries a name


def test_file_printer_writes_the_stream(tmp_path):
    target = tmp_path / "lp0"
    target.touch()
    print_image(f"file://{target}", sample_image(), SETTINGS)
    assert read_escpos(target.read_bytes()).images[0].height == 700
    with pytest.raises(PrinterError, match=r"Printer file:///nonexistent/lp0: No such file"):
        print_image("file:///nonexistent/lp0", sample_image(), SETTINGS)


def test_an_unplugged_usb_printer_is_named_and_explained():
    # Without libusb the one line says what to install; with it, that the printer is not plugged in.
    expected = (
        r"Printer usb://04b8:0e15 is not connected"
        if usb_backend_available()
        else r"Printer usb://04b8:0e15 cannot be reached: .*apt install libusb-1\.0-0"
    )
    with pytest.raises(PrinterError, match=expected):
        print_image("usb://04b8:0e15", sample_image(), SETTINGS)


def test_a_missing_serial_port_is_named():
    with pytest.raises(PrinterError, match=r"serial:///dev/ttyUSB9\?baudrate=19200: could not open port /dev/ttyUSB9"):
        print_image("serial:///dev/ttyUSB9?baudrate=19200", sample_image(), SETTINGS)


# -- health ------------------------------------------------------------------------------------


def test_status_bytes():
    assert interpret(0x12, 0x12, 0x12).state == ONLINE
    assert interpret(0x1A, 0x16, 0x12).state == COVER_OPEN
    assert interpret(0x1A, 0x32, 0x72).state == PAPER_OUT
    assert interpret(0x1A, 0x12, 0x12).state == OFFLINE
    assert interpret(0x12, 0x12, 0x1E).detail == "paper is running low"
    assert interpret(None, None, None).state == UNKNOWN


def test_health_of_a_printer_that_answers(make_printer):
    ok = make_printer("record", status={1: 0x16, 2: 0x12, 4: 0x12})
    assert check_health(ok.url, SETTINGS).state == ONLINE
    cover = make_printer("record", status={1: 0x1E, 2: 0x16, 4: 0x12})
    assert check_health(cover.url, SETTINGS).state == COVER_OPEN
    empty = make_printer("record", status={1: 0x1E, 2: 0x32, 4: 0x72})
    assert check_health(empty.url, SETTINGS).state == PAPER_OUT


def test_silence_is_unknown_never_paper_ok(tcp_printer, make_printer):
    assert check_health(tcp_printer.url, SETTINGS).state == UNKNOWN
    assert check_health(make_printer("mute").url, SETTINGS).state == UNKNOWN


def test_unreachable_printer_is_offline(refused_url):
    health = check_health(refused_url, SETTINGS)
    assert health.state == OFFLINE
    assert refused_url in health.detail


def test_raster_commands_are_what_python_escpos_image_sends():
    import random

    from eventdesk.printing.drivers.escpos import escpos, raster_commands

    rng = random.Random(3)
    for width, height in [(512, 700), (125, 1500), (13, 7)]:  # strips above 960 dots, odd widths
        image = Image.new("1", (width, height), 255)
        pixels = image.load()
        for _ in range(width * height // 5):
            pixels[rng.randrange(width), rng.randrange(height)] = 0
        reference = escpos().printer.Dummy(profile="TM-T88V")
        reference.image(image, impl="bitImageRaster")
        assert raster_commands(image) == reference.output


def test_image_wider_than_the_profile_is_refused_before_sending(tcp_printer):
    with pytest.raises(PrinterError, match="wider than its profile allows"):
        print_image(tcp_printer.url, Image.new("1", (640, 100), 255), SETTINGS)  # TM-T20II: 576 dots


def test_importing_escpos_leaves_no_temporary_folder_and_no_log_handler(tmp_path):
    import subprocess
    import sys

    code = (
        "import logging\n"
        "from eventdesk.printing.drivers.escpos import escpos\n"
        "escpos()\n"
        "import escpos.printer\n"
        "print([type(h).__name__ for h in logging.getLogger().handlers])\n"
    )
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['NullHandler']"  # basicConfig found a handler: nothing paints the TUI
    assert [p.name for p in tmp_path.iterdir()] == [p.name for p in tmp_path.glob("eventdesk-escpos-*")]


# -- a job counts as printed only when the printer confirmed having all of it ---------------------


def answering(make_printer, **options):
    """A printer that answers DLE EOT 1 (online), as an Epson TM does."""
    return make_printer(status={1: 0x16}, **options)


def test_a_printer_hanging_up_after_the_job_fails_it_whatever_the_policy(make_printer):
    for policy in ("", "?confirm=none", "?confirm=status", "?confirm=auto"):
        printer = make_printer("hang up")
        with pytest.raises(PrinterError, match="closed the connection"):
            print_image(printer.url + policy, sample_image(), SETTINGS)
        assert printer.hung_up == 1 and printer.jobs == []


def test_a_printer_that_answered_status_once_must_confirm_every_job(make_printer):
    printer = answering(make_printer)
    print_image(printer.url, sample_image(), SETTINGS)  # answered: learned (confirm=auto)
    assert printer.wait_for_jobs(1)
    printer.status.clear()  # the same printer, now silent after a job: the job is not confirmed
    started = time.monotonic()
    with pytest.raises(PrinterError, match=rf"Printer {printer.url} did not confirm the job within 0.5 s"):
        print_image(printer.url, sample_image(), SETTINGS)
    assert time.monotonic() - started < 3


def test_a_health_check_that_got_an_answer_teaches_the_desk_too(make_printer):
    printer = answering(make_printer)
    assert check_health(printer.url, SETTINGS).state == ONLINE
    printer.status.clear()
    with pytest.raises(PrinterError, match="did not confirm the job"):
        print_image(printer.url, sample_image(), SETTINGS)


def test_confirm_status_refuses_silence_from_the_first_job(tcp_printer):
    with pytest.raises(PrinterError, match="did not confirm the job"):
        print_image(tcp_printer.url + "?confirm=status", sample_image(), SETTINGS)


def test_a_printer_that_never_answers_status_still_prints(tcp_printer, caplog):
    # Many clones and print servers ignore DLE EOT: silence counts as printed (policy auto or none),
    # and the desk says once that it cannot confirm their jobs.
    for _ in range(2):
        assert print_image(tcp_printer.url, sample_image(), SETTINGS) == tcp_printer.url
    assert tcp_printer.wait_for_jobs(2)
    assert read_escpos(tcp_printer.jobs[1]).cuts == 1
    assert print_image(tcp_printer.url + "?confirm=none", sample_image(), SETTINGS)
    warnings = [r.getMessage() for r in caplog.records if "does not answer status" in r.getMessage()]
    assert warnings == [
        f"printer {tcp_printer.url} does not answer status requests: its jobs count as printed "
        "once sent (add ?confirm=none to its URL if that is expected)"
    ]


def test_an_unknown_confirm_policy_is_refused():
    with pytest.raises(PrinterError, match="confirm=auto, status or none"):
        parse_printer_url("tcp://10.0.0.7:9100?confirm=maybe")
