"""The desk on a server seen by the person at it: the header says OFFLINE and how many scans wait
the moment the server stops answering, scans go on, and the header says online again once the
journal is uploaded; the reconciliation screen lists a person admitted at two desks. The server
is cut for real with a TCP proxy (tests/offline_sample.py)."""

from __future__ import annotations

import pytest
from offline_sample import TcpProxy, offline_event
from textual import events

from eventdesk.tui.textual_compat import app_driver, notifications

pytestmark = pytest.mark.postgres


async def _until(pilot, condition, what: str, rounds: int = 600) -> None:
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def _scan(pilot, screen, code: str) -> None:
    driver = app_driver(screen.app)
    for ch in code:
        driver.send_message(events.Key(ch, ch))
    driver.send_message(events.Key("enter", "\r"))
    await pilot.pause()
    await screen.wait_idle()


def _header(app) -> str:
    from eventdesk.tui.widgets.status_header import StatusHeader

    return app.screen.query_one(StatusHeader).render().plain


async def test_the_header_says_offline_and_how_many_wait_and_reconciliation_lists_the_double(pg_url, tmp_path):
    from eventdesk.services.checkin import check_in
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings
    from eventdesk.tui.app import make_app
    from eventdesk.tui.screens.checkin.screen import CheckinScreen
    from eventdesk.tui.screens.reconcile.screen import ReconcileScreen

    codes = offline_event(pg_url, people=20)
    proxy = TcpProxy()
    try:
        url = proxy.url(pg_url.rsplit("/", 1)[1])
        context = open_context(url, Settings(db=url, desk="Desk A", data_dir=str(tmp_path)))
        other_desk = open_context(pg_url, Settings(db=pg_url, desk="Desk B"))
        app = make_app(context)
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, CheckinScreen)
            desk = app.desk
            await _until(pilot, lambda: desk.copy.people_count() == 20, "the snapshot is taken")
            assert "online" in _header(app) and "OFFLINE" not in _header(app)

            proxy.cut()
            await _scan(pilot, screen, codes[0])
            await _scan(pilot, screen, codes[1])
            assert screen.last_outcome.offline and screen.last_outcome.result == "ok"
            await _until(
                pilot,
                lambda: "OFFLINE" in _header(app) and "2 scans waiting" in _header(app),
                "the header says OFFLINE with 2 waiting",
            )
            assert screen.banner.kind == "ok" and "OFFLINE" in screen.banner.text
            figures = screen.query_one("#desk-figures")
            screen.request_figures(now=True)
            await _until(
                pilot,
                lambda: figures.text.startswith("OFFLINE · copy of") and "2 / 20" in figures.text.splitlines()[1],
                "the figures come from the copy",
            )
            check_in(other_desk, codes[1], desk="Desk B")  # admitted again at a desk that is online

            proxy.restore()
            await _until(
                pilot,
                lambda: "OFFLINE" not in _header(app) and "online" in _header(app) and not desk.offline,
                "the journal uploads by itself and the desk is online",
            )
            assert desk.status().waiting == 0
            # Last scans no longer shows a ✓ for the double, and the desk is told
            await _until(
                pilot, lambda: "Server: Already checked in" in screen._recent_scans.text, "Last scans marks the double"
            )
            assert screen._recent_scans.text.count("✓") == 1
            assert any("F11 Reconcile" in n.message for n in notifications(app))

            await pilot.press("f11")
            await _until(
                pilot,
                lambda: isinstance(app.screen, ReconcileScreen) and app.screen.loaded,
                "the reconciliation screen is read",
            )
            found = app.screen.found
            assert [(c.person.badge_code, c.offline_desk, c.other_desk) for c in found] == [
                (codes[1], "Desk A", "Desk B")
            ]
            table = app.screen.query_one("#reconcile-table")
            assert "Desk B" in table.row_text(f"record:{found[0].record_id}")
    finally:
        proxy.close()


def test_the_header_link_part_reads_at_a_glance():
    from eventdesk.services.offline import LinkStatus
    from eventdesk.tui.widgets.status_header import link_text

    assert link_text(None).plain == ""  # a desk with its own file: never offline, nothing to say
    assert link_text(LinkStatus(online=True, waiting=0)).plain.strip() == "online"
    assert link_text(LinkStatus(online=True, waiting=4)).plain.strip() == "online · uploading 4"
    offline = link_text(LinkStatus(online=False, waiting=1, offline_for_s=185)).plain
    assert offline.startswith(" OFFLINE ") and "1 scan waiting to upload" in offline and "for 3 min" in offline
    assert "copy 1 h 05 min old" in link_text(LinkStatus(online=False, waiting=0, copy_age_s=3900)).plain
    assert link_text(LinkStatus(online=True, waiting=0, on_server=False)).plain == ""


async def test_offline_the_printer_line_stays_and_warns_when_the_printer_is_off(pg_url, tmp_path):
    """Issue 19 item 3: offline, the header's printer line and F7 are kept from the badges the desk
    prints itself, and a printer switched off meanwhile shows as trouble instead of vanishing."""
    import socket

    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings
    from eventdesk.tui.app import make_app

    with socket.socket() as free:  # a port nobody listens on: a printer switched off
        free.bind(("127.0.0.1", 0))
        printer = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    codes = offline_event(pg_url, people=5)
    proxy = TcpProxy()
    try:
        url = proxy.url(pg_url.rsplit("/", 1)[1])
        settings = Settings(
            db=url,
            desk="Desk A",
            data_dir=str(tmp_path),
            printers={"badge": printer},
            default_printer="badge",
            printer_timeout_s=1,
        )
        app = make_app(open_context(url, settings))
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await _until(pilot, lambda: app.desk.copy.people_count() == 5, "the snapshot is taken")
            proxy.cut()
            await _scan(pilot, screen, codes[0])
            assert screen.last_outcome.offline and screen.last_outcome.badge_queued
            line = screen.query_one("#printer-state")
            await _until(pilot, lambda: app.desk.badges.failed == 1, "the badge failed to print", rounds=1500)
            screen.request_figures(now=True)
            await _until(pilot, lambda: line.display and "1 failed" in str(line.render()), "the printer line warns")
            assert "⚠ Badge printer badge: OFFLINE" in str(line.render())

            await pilot.press("f7")  # the desk's own queue, with the failed badge
            jobs = app.screen.query_one("#jobs-table")
            await _until(pilot, lambda: "failed" in jobs.row_text("job:1"), "F7 lists the failed badge")
            assert "Person0 Nögel0" in jobs.row_text("job:1")
            await pilot.press("ctrl+r")  # retried here, on the same (still switched off) printer
            await _until(pilot, lambda: app.desk.badges.jobs[1].attempts == 6, "the badge is tried again", rounds=1500)
    finally:
        proxy.close()


async def test_f9_offline_undoes_the_desks_last_offline_scan(pg_url, tmp_path):
    from eventdesk.services.context import open_context
    from eventdesk.settings import Settings
    from eventdesk.tui.app import make_app

    codes = offline_event(pg_url, people=5)
    proxy = TcpProxy()
    try:
        url = proxy.url(pg_url.rsplit("/", 1)[1])
        app = make_app(open_context(url, Settings(db=url, desk="Desk A", data_dir=str(tmp_path))))
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            await _until(pilot, lambda: app.desk.copy.people_count() == 5, "the snapshot is taken")
            proxy.cut()
            await _scan(pilot, screen, codes[2])
            await _until(pilot, lambda: "1 scan waiting" in _header(app), "the scan waits")
            await pilot.press("f9")
            await screen.wait_idle()
            await _until(pilot, lambda: "annulled here, offline" in screen.banner.text, "the undo answers")
            assert "Person2 Nögel2" in screen.banner.text
            await _until(pilot, lambda: "0 scans waiting" in _header(app), "nothing waits any more")
    finally:
        proxy.close()
