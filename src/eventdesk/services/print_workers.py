"""The print workers of one desk: one thread per configured printer, drawing each job with the
renderer its kind names in ``RENDERERS``. The caller (the App, a kiosk, a CLI command) owns the
workers it starts and stops them; queueing through the same context wakes them."""

from __future__ import annotations

from eventdesk.printing.drivers.escpos import escpos
from eventdesk.printing.queue import PrintWorker, PrintWorkers, Renderer, Report
from eventdesk.services.context import Context
from eventdesk.services.meeting_slips import render_slip_job
from eventdesk.services.printer_config import configured_printers
from eventdesk.services.printing import render_badge_job, render_test_job

# Every kind of print job there is, and what draws it.
RENDERERS: dict[str, Renderer] = {
    "badge": render_badge_job,
    "slip": render_slip_job,
    "test": render_test_job,
}


def start_workers(
    context: Context, report: Report | None = None, poll_seconds: float = 0.5, **worker_options
) -> PrintWorkers:
    """One worker thread per configured printer; the default printer's worker also takes jobs
    queued without a printer. Stop them with ``stop_workers(context)`` (or ``.stop()``)."""
    printers = configured_printers(context.settings)
    if printers:  # a desk without printers does not pay for importing python-escpos at its start
        escpos()  # import it here, on the calling thread, not first inside a worker (see eventdesk.logs)
    default = context.settings.default_printer
    workers = []
    for name, url in printers:
        keys = {name, url} | ({""} if name == default else set())
        workers.append(
            PrintWorker(context, name, url, RENDERERS, keys, report=report, poll_seconds=poll_seconds, **worker_options)
        )
    context.print_workers = PrintWorkers(workers).start()
    return context.print_workers


def stop_workers(context: Context, timeout: float = 5.0) -> bool:
    """Stop the workers started on ``context``; True when every thread ended within ``timeout``."""
    workers, context.print_workers = context.print_workers, None
    return workers.stop(timeout) if workers is not None else True


__all__ = ["RENDERERS", "start_workers", "stop_workers"]
