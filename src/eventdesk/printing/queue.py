"""The print queue: one long-lived worker thread per printer (like toolong's ``LineReader``), with
a clean stop. Jobs are rows in the store; a worker takes the oldest due job of its printer,
renders it with the renderer its owner gave for the job's kind, prints it, and marks it printed,
pending again with a backoff, or failed after the last attempt. Every outcome is reported through
a callback (the TUI turns it into a message). A check-in only inserts a row: it never waits here.

Renderers by job kind (``{"badge": fn, ...}``, the table is ``services.print_workers.RENDERERS``):
``fn(context, job)`` returns a 1-bit Pillow image no wider than the printer's badge layout."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from PIL import Image

from eventdesk.domain.clock import utcnow
from eventdesk.printing.devices import PrinterError, print_image, written_file
from eventdesk.store import print_jobs
from eventdesk.store.models import PrintJob

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (2.0, 5.0, 15.0, 30.0, 60.0)
MAX_ATTEMPTS = 5
# A job left "printing" this long ago belongs to a process that died.
STALE_AFTER = timedelta(minutes=2)

# The first argument is the services' Context, passed through untouched (printing does not import services).
Renderer = Callable[[Any, PrintJob], Image.Image]


class RenderError(Exception):
    """A job that cannot be drawn (unknown kind, attendee gone): retrying will not help."""


@dataclass(frozen=True)
class JobReport:
    """What happened to one job, as shown to the desk."""

    job_id: int
    kind: str
    attendee_id: int | None
    printer: str  # the printer's name (its URL when it has none)
    url: str
    state: str  # printed | retrying | failed
    attempts: int
    message: str
    retry_in: float | None = None

    @property
    def text(self) -> str:
        if self.state == "printed":
            return f"Printed on {self.printer}."
        if self.state == "retrying":
            return (
                f"{self.message}; the {self.kind} is queued and will retry in {self.retry_in:g} s (F7 shows the queue)."
            )
        return f"{self.message}; the {self.kind} failed after {self.attempts} attempts (F7: retry or move it)."


Report = Callable[[JobReport], None]


class PrintWorker(threading.Thread):
    """Prints the jobs of one printer, oldest first, until ``stop()``."""

    def __init__(
        self,
        context,
        name: str,
        url: str,
        renderers: Mapping[str, Renderer],
        keys: Iterable[str] | None = None,
        report: Report | None = None,
        poll_seconds: float = 0.5,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__(name=f"eventdesk-printer-{name}", daemon=True)
        self.context = context
        self.printer_name = name
        self.url = url
        self.renderers = dict(renderers)
        self.keys = sorted(set(keys or ()) | {name, url})
        self.report = report
        self.poll_seconds = poll_seconds
        self.backoff = tuple(backoff) or (1.0,)
        self.max_attempts = max_attempts
        self._stopping = threading.Event()
        self._wake = threading.Event()

    def run(self) -> None:
        try:
            with self.context.session() as session:
                print_jobs.release_stale(session, self.keys, utcnow() - STALE_AFTER)
        except Exception:
            log.exception("print worker %s could not release stale jobs", self.printer_name)
        while not self._stopping.is_set():
            try:
                worked = self.step()
            except Exception:
                log.exception("print worker %s failed a step", self.printer_name)
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def wake(self) -> None:
        """Look for jobs now (after this process queued one)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop after the current job; True when the thread has ended within ``timeout``."""
        self._stopping.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)
        return not self.is_alive()

    def step(self) -> bool:
        """Print the next due job, if any. True when a job was handled."""
        with self.context.session() as session:
            job = print_jobs.claim_next(session, self.keys)
        if job is None:
            return False
        try:
            image = self._renderer(job.kind)(self.context, job)
            where = print_image(self.url, image, self.context.settings, name=f"{job.kind}-{job.id}")
        except PrinterError as error:
            self._failed(job, str(error), transient=True)
        except RenderError as error:
            self._failed(job, str(error), transient=False)
        except Exception as error:
            log.exception("print job %s could not be rendered", job.id)
            self._failed(job, f"The {job.kind} could not be drawn: {type(error).__name__}: {error}", transient=False)
        else:
            with self.context.session() as session:
                print_jobs.mark_printed(session, job.id, written_file(self.url, where))
            log.info("print job %s (%s) printed on %s", job.id, job.kind, self.printer_name)
            self._report(job, "printed", f"Printed on {self.printer_name}")
        return True

    def _renderer(self, kind: str) -> Renderer:
        try:
            return self.renderers[kind]
        except KeyError:
            raise RenderError(f"No renderer for print jobs of kind '{kind}'") from None

    def _failed(self, job: PrintJob, message: str, transient: bool) -> None:
        # Ids and printer messages only: the log never names the person on the badge.
        log.warning("print job %s (%s) on %s: %s", job.id, job.kind, self.printer_name, message)
        if transient and job.attempts < self.max_attempts:
            delay = self.backoff[min(job.attempts, len(self.backoff)) - 1]
            with self.context.session() as session:
                print_jobs.mark_retry(session, job.id, message, utcnow() + timedelta(seconds=delay))
            self._report(job, "retrying", message, retry_in=delay)
        else:
            with self.context.session() as session:
                print_jobs.mark_failed(session, job.id, message)
            self._report(job, "failed", message)

    def _report(self, job: PrintJob, state: str, message: str, retry_in: float | None = None) -> None:
        if self.report is None:
            return
        try:
            self.report(
                JobReport(
                    job.id,
                    job.kind,
                    job.attendee_id,
                    self.printer_name,
                    self.url,
                    state,
                    job.attempts,
                    message,
                    retry_in,
                )
            )
        except Exception:
            log.exception("print report callback failed")


class PrintWorkers:
    """The workers of all printers of this desk."""

    def __init__(self, workers: Iterable[PrintWorker] = ()) -> None:
        self.workers: dict[str, PrintWorker] = {w.printer_name: w for w in workers}

    def start(self) -> PrintWorkers:
        for worker in self.workers.values():
            if not worker.is_alive():
                worker.start()
        return self

    def wake(self) -> None:
        for worker in self.workers.values():
            worker.wake()

    def stop(self, timeout: float = 5.0) -> bool:
        for worker in self.workers.values():
            worker._stopping.set()
            worker._wake.set()
        return all([worker.stop(timeout) for worker in self.workers.values()])  # noqa: C419 - stop every worker, not only up to the first that hangs
