"""Badges through the queue onto fake network printers: what is printed decodes to the badge code,
names print as images (never as code-page text), dead printers never hold up the desk, and a
failed badge moves to another printer."""

from __future__ import annotations

import time

import zxingcpp
from sqlmodel import Session

from eventdesk.printing.escpos_reader import read_escpos
from eventdesk.services import print_workers, printing
from eventdesk.services.checkin import check_in
from eventdesk.store import print_jobs
from eventdesk.store.models import Attendee, CheckinRecord, PrintJob

FAST = dict(poll_seconds=0.05, backoff=(0.1,), max_attempts=2)


def wait_for(predicate, timeout: float = 15.0):
    """Poll until ``predicate()`` is truthy (the workers are other threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the print queue")


def all_jobs(context) -> list[PrintJob]:
    with Session(context.engine) as session:
        return sorted(print_jobs.jobs(session), key=lambda j: j.id)


def finished_jobs(context, count: int):
    jobs = all_jobs(context)
    done = [j for j in jobs if j.state in ("printed", "failed")]
    return done if len(done) >= count else None


def badge_code(context, attendee_id: int) -> str:
    with Session(context.engine) as session:
        return session.get(Attendee, attendee_id).badge_code


def decode(job_bytes: bytes):
    stream = read_escpos(job_bytes)
    assert stream.unknown == []
    return [r.text for r in zxingcpp.read_barcodes(stream.merged_image().convert("L"))], stream


def test_check_in_prints_a_badge_whose_qr_checks_the_same_person_in(
    printing_context, use_printers, add_people, tcp_printer
):
    context = use_printers(printing_context, {"badge-1": tcp_printer.url})
    [lukas] = add_people(context, [("Lukas", "Nögel")])
    reports = []
    print_workers.start_workers(context, report=reports.append, **FAST)
    result = check_in(context, badge_code(context, lukas))
    assert result.ok and result.badge_queued
    [job] = wait_for(lambda: finished_jobs(context, 1))
    assert (job.state, job.attempts, job.attendee_id) == ("printed", 1, lukas)
    assert tcp_printer.wait_for_jobs(1)
    texts, stream = decode(tcp_printer.jobs[0])
    assert texts == [badge_code(context, lukas)]
    assert stream.cuts == 1
    again = check_in(context, texts[0])
    assert again.result == "already_checked_in" and again.person.id == lukas
    assert [(r.state, r.job_id) for r in reports] == [("printed", job.id)]


def test_names_with_diacritics_print_as_images_and_their_codes_check_them_in(
    printing_context, use_printers, add_people, tcp_printer, diacritic_names
):
    context = use_printers(printing_context, {"badge-1": tcp_printer.url})
    ids = add_people(context, diacritic_names)
    for attendee_id in ids:
        printing.queue_badge(context, attendee_id)
    print_workers.start_workers(context, **FAST)
    assert tcp_printer.wait_for_jobs(3)
    for attendee_id, sent in zip(ids, tcp_printer.jobs):  # one connection per job, in queue order
        texts, stream = decode(sent)
        assert texts == [badge_code(context, attendee_id)]
        # Nothing went out in text mode: no name bytes and no "?" for letters a code page lacks.
        assert bytes(stream.text) == b""
        assert [i.command for i in stream.images] == ["GS v 0"]
        scanned = check_in(context, texts[0])
        assert scanned.ok and scanned.person.id == attendee_id
    assert [j.state for j in all_jobs(context)] == ["printed"] * 3


def dead_printer_case(context, use_printers, add_people, url: str):
    """Check someone in with a dead printer: the scan answers at once, the job ends failed with a
    message naming the printer, and every row is kept."""
    context = use_printers(context, {"badge-1": url})
    [person] = add_people(context, [("Kíncső", "Izsak")])
    reports = []
    print_workers.start_workers(context, report=reports.append, **FAST)
    result = check_in(context, badge_code(context, person))
    assert result.ok and result.badge_queued  # answered without waiting for the printer
    [job] = wait_for(lambda: finished_jobs(context, 1))
    assert job.state == "failed" and job.attempts == 2
    assert job.last_error.startswith(f"Printer {url} ")
    assert [r.state for r in reports] == ["retrying", "failed"]
    assert "the badge is queued and will retry" in reports[0].text and "F7" in reports[0].text
    assert "F7" in reports[1].text
    with Session(context.engine) as session:
        assert session.get(CheckinRecord, result.record_id).attendee_id == person
    return job, person


def test_refused_connection(printing_context, use_printers, add_people, refused_url):
    job, _ = dead_printer_case(printing_context, use_printers, add_people, refused_url)
    assert "refused the connection" in job.last_error


def test_printer_that_accepts_and_never_reads(printing_context, use_printers, add_people, make_printer):
    mute = make_printer("mute")
    job, _ = dead_printer_case(printing_context, use_printers, add_people, mute.url)
    assert "did not answer in 0.5 s" in job.last_error


def test_printer_that_closes_mid_job(printing_context, use_printers, add_people, make_printer):
    dropping = make_printer("drop", drop_after=1000)
    job, _ = dead_printer_case(printing_context, use_printers, add_people, dropping.url)
    assert "closed the connection during the job" in job.last_error
    assert dropping.connections == 2  # both attempts reached it


def test_failed_badge_moves_to_another_printer_and_prints_there(
    printing_context, use_printers, add_people, refused_url, tcp_printer
):
    context = use_printers(printing_context, {"badge-1": refused_url, "badge-2": tcp_printer.url})
    [person] = add_people(context, [("Kristina", "Šermukšnytė-Alešiūnienė")])
    print_workers.start_workers(context, **FAST)
    job = printing.queue_badge(context, person)
    wait_for(lambda: finished_jobs(context, 1))
    printing.move_job(context, job.id, "badge-2")
    [moved] = wait_for(lambda: [j for j in all_jobs(context) if j.state == "printed"])
    assert (moved.id, moved.printer) == (job.id, "badge-2")
    assert tcp_printer.wait_for_jobs(1)
    assert decode(tcp_printer.jobs[0])[0] == [badge_code(context, person)]
    assert len(all_jobs(context)) == 1  # moved, not copied


def test_retry_prints_once_the_printer_is_back(printing_context, use_printers, add_people, make_printer):
    context = use_printers(printing_context, {"badge-1": "tcp://127.0.0.1:1"})
    [person] = add_people(context, [("Lukas", "Nögel")])
    workers = print_workers.start_workers(context, **FAST)
    job = printing.queue_badge(context, person)
    wait_for(lambda: finished_jobs(context, 1))
    assert workers.stop(timeout=3)
    printer = make_printer("record")  # the printer comes back on another address
    context = use_printers(context, {"badge-1": printer.url})
    print_workers.start_workers(context, **FAST)
    printing.retry_job(context, job.id)
    wait_for(lambda: [j for j in all_jobs(context) if j.state == "printed"])
    assert printer.wait_for_jobs(1)


def test_workers_stop_cleanly_while_a_printer_hangs(printing_context, use_printers, add_people, make_printer):
    mute = make_printer("mute")
    context = use_printers(printing_context, {"badge-1": mute.url})
    [person] = add_people(context, [("Lukas", "Nögel")])
    workers = print_workers.start_workers(context, **FAST)
    printing.queue_badge(context, person)
    wait_for(lambda: [j for j in all_jobs(context) if j.state == "printing"])
    assert workers.stop(timeout=3)  # the socket timeout bounds the wait
    assert all_jobs(context)[0].state in ("pending", "failed")
