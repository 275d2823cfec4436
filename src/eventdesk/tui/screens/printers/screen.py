"""The printer panel (F7): every printer with its health, the queue, failed jobs (retry, or move to
another printer), test prints and reprint counts. Also the bridge between the print workers
(threads) and the app: ``start_print_workers(app)`` and the ``PrintReported`` message.

Keys are Ctrl combinations: a badge scanned while the panel is open must not trigger actions."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from eventdesk.domain.text import printable
from eventdesk.resources import stylesheet
from eventdesk.tui.messages import StoreChanged
from eventdesk.tui.screens.base import MainScreen
from eventdesk.tui.widgets.live_table import LiveTable

PRINTER_COLUMNS = [
    ("name", "Printer", 12),
    ("url", "URL", 28),
    ("waiting", "Waiting", 7),
    ("failed", "Failed", 6),
    ("printed", "Printed", 7),
    ("health", "Health", None),
]
JOB_COLUMNS = [
    ("job", "Job", 6),
    ("person", "Person", 28),
    ("kind", "Kind", 6),
    ("printer", "Printer", 14),
    ("state", "State", 9),
    ("tries", "Tries", 5),
    ("error", "Last error", None),
]
HEALTH_STYLE = {
    "online": "bold green",
    "offline": "bold white on red",
    "cover open": "bold black on yellow",
    "paper out": "bold black on yellow",
    "unknown": "yellow",
}
STATE_STYLE = {"pending": "", "printing": "bold cyan", "failed": "bold red"}


class PrintReported(Message):
    """A print worker finished a job or an attempt (sent from its thread)."""

    def __init__(self, report) -> None:
        super().__init__()
        self.report = report  # eventdesk.printing.queue.JobReport


def start_print_workers(app):
    """Start one print worker per configured printer of ``app.context``; reports come back to the
    app as ``PrintReported`` messages. Returns the workers (call ``.stop()`` on shutdown), None for
    a desk without printers: it does not load badge rendering and the printer drivers at its start."""
    from eventdesk.services.printer_config import configured_printers

    if not configured_printers(app.context.settings):
        return None
    from eventdesk.services.print_workers import start_workers

    def report(job_report) -> None:
        app.post_message(PrintReported(job_report))  # thread-safe in Textual

    return start_workers(app.context, report=report)


def stop_print_workers(app) -> None:
    """Stop the workers ``start_print_workers(app)`` started, if any (the app's unmount)."""
    if getattr(app, "print_workers", None) is not None:
        from eventdesk.services.print_workers import stop_workers

        stop_workers(app.context, timeout=5)
        app.print_workers = None


def show_print_report(app, report) -> None:
    """What the desk sees of a print outcome: a warning at the first failed attempt (not at every
    retry: a busy desk would drown in them), an error when the job failed for good."""
    if report.state == "retrying" and report.attempts == 1:
        app.notify(report.text, title=f"Printer {report.printer}", severity="warning", timeout=8)
    elif report.state == "failed":
        app.notify(report.text, title=f"Printer {report.printer}", severity="error", timeout=15)
    app.notify_store_changed(frozenset({"print"}))


def health_cell(health) -> Text:
    if health is None:
        return Text("checking…", style="dim")
    cell = Text(health.state, style=HEALTH_STYLE.get(health.state, ""))
    if health.detail:
        cell.append(f"  {printable(health.detail, 80)}", style="dim")
    return cell


class PrintersScreen(MainScreen):
    CSS_PATH = stylesheet("printers.tcss")
    WATCHES = frozenset({"print"})
    BINDINGS = [
        Binding("escape,f7", "close", "Close", id="printers.close"),
        Binding("ctrl+r", "retry", "Retry job", id="printers.retry"),
        Binding("ctrl+o", "move", "Other printer", id="printers.move"),
        Binding("ctrl+t", "test_print", "Test print", id="printers.test"),
        Binding("ctrl+u", "check_health", "Check health", id="printers.health"),
        Binding("ctrl+d", "doctor", "Readiness check", id="printers.doctor"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.health: dict[str, object] = {}
        self.printers: list[tuple[str, str]] = []
        self.overview = None

    def compose_body(self) -> ComposeResult:
        yield Static(Text("Printers", style="bold"), classes="panel-title")
        yield LiveTable(PRINTER_COLUMNS, id="printers-table")
        yield Static(Text("Queue and failed jobs", style="bold"), classes="panel-title")
        yield LiveTable(JOB_COLUMNS, id="jobs-table")
        yield Static(id="reprints")

    def on_mount(self) -> None:
        from eventdesk.services.printer_config import configured_printers

        self.printers = configured_printers(self.context.settings)
        self.query_one("#jobs-table", LiveTable).focus()
        self.action_check_health()

    def on_store_changed(self, message: StoreChanged) -> None:
        if "print" in message.areas:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="printers-load", exit_on_error=False)
    def _load(self) -> None:
        overview = self.app.desk.queue_overview()  # offline: the badges this desk prints itself
        self.app.call_from_thread(self._show, overview)

    def _show(self, overview) -> None:
        self.overview = overview
        counts = overview.counts
        if not self.printers:
            self.query_one("#reprints", Static).update(
                Text("No printer is configured: add a [printers] section to eventdesk.toml.", style="bold yellow")
            )
        rows = []
        for name, url in self.printers:

            def count(state, name=name, url=url):
                keys = {name, url} | ({""} if name == self.context.settings.default_printer else set())
                return sum(counts.get((key, state), 0) for key in keys)

            waiting = count("pending") + count("printing")
            failed = count("failed")
            rows.append(
                (
                    f"printer:{name}",
                    (
                        Text(printable(name), style="bold"),
                        Text(printable(url)),
                        Text(str(waiting)),
                        Text(str(failed), style="bold red" if failed else ""),
                        Text(str(count("printed"))),
                        health_cell(self.health.get(name)),
                    ),
                )
            )
        self.query_one("#printers-table", LiveTable).sync(rows)
        jobs = [*overview.failed_jobs, *overview.open_jobs]
        self.query_one("#jobs-table", LiveTable).sync(
            [
                (
                    f"job:{job.id}",
                    (
                        Text(str(job.id)),
                        Text(printable(job.person or "—", 40)),
                        Text(job.kind),
                        Text(printable(job.printer or "(default)")),
                        Text(job.state, style=STATE_STYLE.get(job.state, "")),
                        Text(str(job.attempts)),
                        Text(printable(job.last_error, 200), style="red" if job.state == "failed" else "dim"),
                    ),
                )
                for job in jobs
            ]
        )
        if self.printers:
            self.query_one("#reprints", Static).update(self._reprint_line(overview))

    @staticmethod
    def _reprint_line(overview) -> Text:
        if not overview.reprints:
            return Text("No badge was reprinted.", style="dim")
        total = sum(overview.reprints.values())
        line = Text(f"Reprinted badges: {total}  ", style="bold")
        people = sorted(overview.reprints.items(), key=lambda item: -item[1])[:8]
        line.append(", ".join(f"{printable(overview.reprint_names.get(a, f'#{a}'), 40)} ×{n}" for a, n in people))
        return line

    # -- health ---------------------------------------------------------------------------------

    def action_check_health(self) -> None:
        self.health = {}
        for name, url in self.printers:
            self.run_worker(partial(self._check_one, name, url), thread=True, group="printer-health")
        self.refresh_data()

    def _check_one(self, name: str, url: str) -> None:
        from eventdesk.printing.status import check_health

        health = check_health(url, self.context.settings)
        self.app.call_from_thread(self._health_known, name, health)

    def _health_known(self, name: str, health) -> None:
        self.health[name] = health
        if getattr(self.app, "live", None) is not None:
            self.app.live.health_checked(name, health)  # the desk's heartbeat carries it to the Desks screen
        if self.overview is not None:
            self._show(self.overview)

    # -- jobs -----------------------------------------------------------------------------------

    def _selected(self, table_id: str) -> str | None:
        table = self.query_one(table_id, LiveTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key.split(":", 1)[1] if key else None

    def _selected_job(self):
        job_id = self._selected("#jobs-table")
        if job_id is None or self.overview is None:
            return None
        for job in [*self.overview.failed_jobs, *self.overview.open_jobs]:
            if job.id == int(job_id):
                return job
        return None

    def action_retry(self) -> None:
        job = self._selected_job()
        if job is None:
            self.notify("Select a job first.", severity="warning")
            return
        self._run_job_action("retry", job.id, None)

    def action_move(self) -> None:
        job = self._selected_job()
        if job is None:
            self.notify("Select a job first.", severity="warning")
            return
        names = [name for name, _ in self.printers]
        current = job.printer if job.printer in names else self.context.settings.default_printer
        others = [n for n in names if n != current]
        if not others:
            self.notify("There is no other printer configured to move it to.", severity="warning")
            return
        after = names.index(current) + 1 if current in names else 0
        target = next(n for n in names[after:] + names[:after] if n != current)
        self._run_job_action("move", job.id, target)

    @work(thread=True, group="printers-action", exit_on_error=False)
    def _run_job_action(self, action: str, job_id: int, target: str | None) -> None:
        from eventdesk.services.checkin import CheckinError
        from eventdesk.services.printing import PrintingError

        desk = self.app.desk
        try:
            if action == "move":
                desk.move_job(job_id, target)
                message = f"Job {job_id} moved to {target}; it prints there now."
            else:
                desk.retry_job(job_id)
                message = f"Job {job_id} queued again."
        except (PrintingError, CheckinError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, message)
        self.app.call_from_thread(self.refresh_data)

    def action_test_print(self) -> None:
        name = self._selected("#printers-table")
        if name is None:
            self.notify("No printer is configured.", severity="warning")
            return
        self._queue_test(name)

    @work(thread=True, group="printers-action", exit_on_error=False)
    def _queue_test(self, name: str) -> None:
        from eventdesk.services.printing import PrintingError, queue_test

        try:
            queue_test(self.context, name)
        except PrintingError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Test badge queued on {name}.")
        self.app.call_from_thread(self.refresh_data)

    def action_doctor(self) -> None:
        from eventdesk.tui.screens.doctor.screen import DoctorScreen

        self.app.push_screen(DoctorScreen())

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand(
            "Printers: readiness check",
            "Store, printers, agenda, meetings, clock, disk, backups: as 'eventdesk doctor' (Ctrl+D)",
            self.action_doctor,
        )

    def action_close(self) -> None:
        self.app.action_leave_printers()  # type: ignore[attr-defined]
