"""The readiness check on screen (the Printers screen's Ctrl+D): the same checks as
``eventdesk doctor``, run in a worker thread, one row per check with its verdict."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from eventdesk.domain.text import printable

VERDICT_STYLE = {"ok": "bold green", "warn": "bold yellow", "fail": "bold red"}


class DoctorScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="doctor.close"),
        Binding("ctrl+d", "run_checks", "Check again", id="doctor.again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report = None

    def compose(self) -> ComposeResult:
        with Vertical(id="doctor-body"):
            yield Static(Text("Readiness check", style="bold"))
            table: DataTable = DataTable(id="doctor-checks", cursor_type="row", zebra_stripes=True)
            table.add_columns("", "Check", "What was found")
            yield table
            yield Static(Text("Checking…", style="dim"), id="doctor-verdict")

    def on_mount(self) -> None:
        self.action_run_checks()

    def action_run_checks(self) -> None:
        self.query_one("#doctor-verdict", Static).update(Text("Checking…", style="dim"))
        self._run()

    @work(thread=True, exclusive=True, group="doctor", exit_on_error=False)
    def _run(self) -> None:
        from eventdesk.services.doctor import run_checks

        report = run_checks(self.app.context)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, report)

    def _show(self, report) -> None:
        self.report = report
        table = self.query_one("#doctor-checks", DataTable)
        table.clear()
        for check in report.checks:
            table.add_row(
                Text(check.verdict.upper(), style=VERDICT_STYLE[check.verdict]),
                Text(check.name),
                Text(printable(check.detail, 300)),
            )
        verdict = (
            Text("Ready: nothing blocks the desk.", style="bold green")
            if report.ok
            else Text("NOT READY: fix the FAIL lines.", style="bold red")
        )
        self.query_one("#doctor-verdict", Static).update(verdict)
