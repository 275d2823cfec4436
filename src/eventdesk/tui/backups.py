"""The open app copies the store every ``[backup] every_minutes`` (keeping the newest
``[backup] keep``) in a worker thread: a copy never holds up a scan."""

from __future__ import annotations

from functools import partial

from textual.app import App
from textual.timer import Timer

from eventdesk.services.backup import BackupError, take_backup


def start_backups(app: App) -> Timer | None:
    minutes = app.context.settings.backup_every_minutes
    if minutes <= 0:
        return None
    return app.set_interval(minutes * 60, partial(backup_now, app, quiet=True), name="backups")


def backup_now(app: App, quiet: bool = False) -> None:
    app.run_worker(partial(_take, app, quiet), thread=True, exclusive=True, group="backup", exit_on_error=False)


def _take(app: App, quiet: bool) -> None:
    settings = app.context.settings
    try:
        done = take_backup(app.context, keep=settings.backup_keep or None)
    except BackupError as error:
        app.call_from_thread(app.notify, f"Backup failed: {error}", severity="error", timeout=15)
        return
    app.last_backup = done
    if not quiet:
        app.call_from_thread(app.notify, f"Backup written: {done.path}", timeout=6)
