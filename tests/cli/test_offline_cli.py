"""The command line of a desk on a server that went away: ``eventdesk checkin CODE`` decides from
the desk's own file and says ``"offline": true``, ``eventdesk sync`` uploads and names what
conflicted, ``eventdesk reconcile`` lists people admitted at two desks. Each command is a real
process; the server is cut with a real TCP proxy (tests/offline_sample.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from offline_sample import TcpProxy, offline_event

pytestmark = pytest.mark.postgres


def _eventdesk(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {**os.environ, "EVENTDESK_DATA_DIR": str(data_dir)}
    env.pop("EVENTDESK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_checkin_falls_back_offline_and_sync_uploads_and_names_the_conflict(pg_url, tmp_path):
    codes = offline_event(pg_url, people=20)
    proxy = TcpProxy()
    try:
        via_proxy = proxy.url(pg_url.rsplit("/", 1)[1])
        first = _eventdesk("sync", "--desk", "Desk X", "--json", "--db", via_proxy, data_dir=tmp_path)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["snapshot_people"] == 20

        proxy.cut()
        offline = _eventdesk("checkin", codes[0], "--desk", "Desk X", "--json", "--db", via_proxy, data_dir=tmp_path)
        assert offline.returncode == 0, offline.stderr
        answer = json.loads(offline.stdout)
        assert answer["offline"] is True and answer["result"] == "ok" and answer["person"]["name"] == "Person0 Nögel0"
        again = _eventdesk("checkin", codes[0], "--desk", "Desk X", "--db", via_proxy, data_dir=tmp_path)
        assert again.returncode == 2  # refused, as a normal scan would exit
        assert again.stdout.startswith("already_checked_in") and "OFFLINE" in again.stdout
        other = _eventdesk("checkin", codes[1], "--desk", "Desk X", "--json", "--db", via_proxy, data_dir=tmp_path)
        assert json.loads(other.stdout)["offline"] is True
        down = _eventdesk("sync", "--desk", "Desk X", "--db", via_proxy, data_dir=tmp_path)
        assert down.returncode == 1 and "3 offline scans" in down.stderr and "Traceback" not in down.stderr

        online = _eventdesk("checkin", codes[1], "--desk", "Desk Y", "--json", "--db", pg_url, data_dir=tmp_path)
        assert json.loads(online.stdout)["offline"] is False and json.loads(online.stdout)["result"] == "ok"

        synced = _eventdesk("sync", "--desk", "Desk X", "--json", "--db", pg_url, data_dir=tmp_path)
        assert synced.returncode == 0, synced.stderr
        report = json.loads(synced.stdout)
        assert report["uploaded"] == 3 and report["waiting"] == 0
        assert report["results"] == {"ok": 1, "already_checked_in": 2}
        assert [c["code"] for c in report["conflicts"]] == [codes[1]]
        text = _eventdesk("sync", "--desk", "Desk X", "--db", pg_url, data_dir=tmp_path)
        assert "uploaded 0 offline scans" in text.stdout

        reconciled = _eventdesk("reconcile", "--json", "--db", pg_url, data_dir=tmp_path)
        found = json.loads(reconciled.stdout)["conflicts"]
        assert [(c["person"]["badge_code"], c["offline_desk"], c["other_desk"]) for c in found] == [
            (codes[1], "Desk X", "Desk Y")
        ]
        table = _eventdesk("reconcile", "--db", pg_url, data_dir=tmp_path)
        assert "Person1 Nögel1" in table.stdout and "Desk Y" in table.stdout
    finally:
        proxy.close()


def test_a_desk_that_never_was_online_says_what_to_do(pg_url, tmp_path):
    offline_event(pg_url, people=3)
    proxy = TcpProxy()
    via_proxy = proxy.url(pg_url.rsplit("/", 1)[1])
    proxy.cut()
    done = _eventdesk("checkin", "ABCDEFGHIJKLMNOPQRSTVWXYZ0", "--desk", "Desk Z", "--db", via_proxy, data_dir=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no offline copy" in done.stderr and "eventdesk sync" in done.stderr


def test_an_offline_checkin_with_a_printer_prints_the_badge_before_it_returns(pg_url, tmp_path):
    """Issue 19 item 3: `eventdesk checkin CODE --desk NAME` offline answers badge_queued and the
    badge is printed by the time the command returns (not when the desk app next starts)."""
    from eventdesk.store.offline_copy import OfflineCopy

    codes = offline_event(pg_url, people=5)
    proxy = TcpProxy()
    badges = tmp_path / "badges"
    try:
        via_proxy = proxy.url(pg_url.rsplit("/", 1)[1])
        assert _eventdesk("sync", "--desk", "Desk P", "--db", via_proxy, data_dir=tmp_path).returncode == 0
        proxy.cut()
        env_printer = {"EVENTDESK_PRINTER": f"preview://{badges}"}
        offline = subprocess.run(
            [sys.executable, "-m", "eventdesk", "checkin", codes[0], "--desk", "Desk P", "--json", "--db", via_proxy],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "EVENTDESK_DATA_DIR": str(tmp_path), **env_printer},
        )
        assert offline.returncode == 0, offline.stderr
        answer = json.loads(offline.stdout)
        assert answer["offline"] is True and answer["badge_queued"] is True
        assert len(list(badges.glob("*.png"))) == 1
        copy = OfflineCopy(next(tmp_path.glob("*.db")))
        assert [e.badge_printed for e in copy.journal()] == [True]
        copy.close()
    finally:
        proxy.close()
