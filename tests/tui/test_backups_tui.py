"""The open app copies the store every N minutes in a worker thread, and on demand from the palette."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from eventdesk.domain.clock import Clock
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.tui.app import make_app
from eventdesk.tui.textual_compat import notifications, timer_interval


def _app(db: str, **settings):
    context = open_context(
        db, Settings(db=db, **settings), Clock.frozen(datetime(2024, 5, 8, 10, 15, tzinfo=ZoneInfo("Europe/Brussels")))
    )
    return make_app(context, watch_store=False)


async def test_backups_every_n_minutes_and_back_up_now_from_the_palette(tmp_db, tmp_path):
    folder = tmp_path / "copies"
    app = _app(tmp_db, backup_every_minutes=7, backup_keep=2, backup_dir=str(folder))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.backups is not None and timer_interval(app.backups) == 7 * 60
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "every 7 min" in commands["Back up now"].help
        for _ in range(3):
            commands["Back up now"].callback()
            await app.workers.wait_for_complete()
            await pilot.pause()
        copies = sorted(p.name for p in folder.iterdir())
        assert 1 <= len(copies) <= 2  # the newest two kept (copies in the same second share a name)
        assert all(name.startswith("test-conference-") and name.endswith("Z.db") for name in copies)
        assert app.last_backup.path == folder / copies[-1]


async def test_no_timer_when_backups_are_switched_off(tmp_db):
    app = _app(tmp_db, backup_every_minutes=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.backups is None


async def test_a_failing_backup_is_said_and_the_desk_stays_up(tmp_db, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app = _app(tmp_db, backup_dir=str(blocker / "sub"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        {c.title: c for c in app.get_system_commands(app.screen)}["Back up now"].callback()
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in notifications(app)]
        assert any(m.startswith("Backup failed: Cannot create the backup folder") for m in messages)
        assert app.is_running
