"""The meeting slip: what reaches a network printer on 127.0.0.1 is, dot for dot, the image the
slip renderer draws for that person's remaining meetings, and those are the right meetings."""

from __future__ import annotations

from dataclasses import replace

from click.testing import CliRunner
from meetings_sample import MEETINGS_CSV, PEOPLE, add_people, at, build

from eventdesk.cli import main
from eventdesk.printing.escpos_reader import read_escpos
from eventdesk.printing.slip import render_slip
from eventdesk.services import meetings as service
from eventdesk.services.context import open_context
from eventdesk.services.meeting_slips import print_slip, queue_slip, slip_data, slip_layout

BEN, KRISTINA = PEOPLE["ben"][4], PEOPLE["kristina"][4]
ANSWERS_STATUS = {1: 0x16}  # DLE EOT 1: online, nothing wrong


def received_image(printer):
    stream = read_escpos(printer.data)
    assert stream.images and {i.command for i in stream.images} == {"GS v 0"}
    assert stream.cuts == 1
    return stream.merged_image()


def same_dots(received, expected) -> bool:
    """Byte for byte: the same size and the same packed 1-bit rows."""
    return received.size == expected.size and received.convert("1").tobytes() == expected.tobytes()


def test_slip_on_a_tcp_printer_is_the_rendered_image_of_the_remaining_meetings(tmp_db, make_printer):
    context = build(tmp_db, at(10, 40))
    printer = make_printer("record", status=ANSWERS_STATUS)
    data, where = print_slip(context, BEN, printer.url)
    assert where == printer.url
    assert printer.wait_for_jobs(1)

    # Ben's 10:00 meeting is over: the slip lists the two still to come, with partner and organisation.
    assert [(f"{m.start:%H:%M}", f"{m.end:%H:%M}", m.table, m.partner, m.organisation) for m in data.meetings] == [
        ("10:30", "11:00", 2, "Dara Ó Briain", "Irish Photonics [Cluster]"),
        ("11:00", "11:30", 3, "Kíncső Izsák", "Pannon Textile Cluster"),
    ]
    assert (data.name, data.organisation) == ("Ben Okafor", "Lagos Tech Hub")
    expected = render_slip(slip_data(context, BEN), slip_layout(context))
    assert expected.mode == "1"
    assert same_dots(received_image(printer), expected)


def test_slip_leaves_out_no_shows_and_shows_none_left(tmp_db, make_printer):
    context = build(tmp_db, at(10, 7))
    flagged = service.load_board(context).probable_no_shows(context.now())
    kristina_meeting = next(m for m in flagged if m.table == 2)
    service.confirm_no_show(context, kristina_meeting.id)
    data = slip_data(context, KRISTINA)
    assert data.meetings == ()
    printer = make_printer("record", status=ANSWERS_STATUS)
    print_slip(context, KRISTINA, printer.url)
    assert printer.wait_for_jobs(1)
    assert same_dots(received_image(printer), render_slip(data, slip_layout(context)))


def test_a_queued_slip_is_printed_by_the_printer_worker(tmp_db, make_printer):
    from eventdesk.services.print_workers import start_workers, stop_workers

    context = build(tmp_db, at(10, 40))
    printer = make_printer("record", status=ANSWERS_STATUS)
    context.settings = replace(context.settings, printers={"slips": printer.url}, default_printer="slips")
    ben = service.remaining_meetings(context, BEN)[0]
    assert queue_slip(context, ben.id) == "Slip queued on slips."
    start_workers(context, poll_seconds=0.05)
    try:
        assert printer.wait_for_jobs(1)
    finally:
        assert stop_workers(context, timeout=5)
    assert same_dots(received_image(printer), render_slip(slip_data(context, BEN), slip_layout(context)))


def test_slip_command_prints_on_a_network_printer(tmp_db, make_printer):
    add_people(open_context(tmp_db))
    CliRunner().invoke(main, ["import", "meetings", str(MEETINGS_CSV), "--db", tmp_db])
    printer = make_printer("record", status=ANSWERS_STATUS)
    result = CliRunner().invoke(
        main,
        ["meetings", "slip", PEOPLE["ana"][3], "--printer", printer.url, "--db", tmp_db, "--now", "2024-05-08T10:40"],
    )
    assert result.exit_code == 0, result.output
    assert f"Printed Ana Šermukšnytė's slip (2 meetings) on {printer.url}." in result.output
    assert printer.wait_for_jobs(1)
    nobody = CliRunner().invoke(
        main, ["meetings", "slip", "nobody@example.eu", "--printer", printer.url, "--db", tmp_db]
    )
    assert nobody.exit_code == 1 and "Nobody has the e-mail nobody@example.eu" in nobody.output
