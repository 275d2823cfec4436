"""A desk on a PostgreSQL server that keeps scanning when the server goes away. The connection is
cut for real: a TCP proxy on 127.0.0.1 in front of the real server (tests/offline_sample.py), closed
(refused) or turned into a black hole (open and silent)."""

from __future__ import annotations

import os
import stat
from dataclasses import replace

import pytest
from offline_sample import TcpProxy, offline_event
from sqlalchemy import func, select
from sqlmodel import Session

pytestmark = pytest.mark.postgres


@pytest.fixture
def event_url(pg_url):
    """A server database holding an event with 150 people; returns (url, badge codes)."""
    return pg_url, offline_event(pg_url)


@pytest.fixture
def proxy():
    tcp = TcpProxy()
    yield tcp
    tcp.close()


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _desk(url: str, name: str, data_dir, printer: str | None = None):
    from eventdesk.services.context import open_context
    from eventdesk.services.offline import start_desk
    from eventdesk.settings import Settings

    settings = Settings(db=url, desk=name, data_dir=str(data_dir))
    if printer:
        settings = replace(settings, printers={"badge": printer}, default_printer="badge")
    context = open_context(url, settings)
    return start_desk(context, background=False)


def _records(url: str) -> list:
    from eventdesk.store.db import make_engine
    from eventdesk.store.models import CheckinRecord

    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.execute(select(CheckinRecord)).scalars())
    engine.dispose()
    return rows


def test_a_desk_offline_for_100_scans_while_another_admits_10_of_them(event_url, proxy, tmp_path):
    """The issue's scenario: desk A (through the proxy) loses the server and scans 100 codes; desk B
    (direct) scans 10 of the same meanwhile. When A is back: 110 records, exactly those 10 people
    listed as conflicts with both desks and times, nothing lost, inside-now counts everybody once."""
    from eventdesk.services.checkin import check_in
    from eventdesk.services.checkin_figures import list_figures
    from eventdesk.services.offline import conflicts

    url, codes = event_url
    desk_a = _desk(proxy.url(_database(url)), "Desk A", tmp_path / "a")
    desk_b = _desk(url, "Desk B", tmp_path / "b")
    desk_a.refresh()

    proxy.cut()
    answers = [desk_a.check_in(code) for code in codes[:100]]
    assert all(a.offline and a.result == "ok" for a in answers)
    assert desk_a.offline and desk_a.status().waiting == 100
    twice = codes[40:50]
    assert [check_in(desk_b.context, code, desk="Desk B").result for code in twice] == ["ok"] * 10

    proxy.restore()
    assert desk_a.link.probe()
    report = desk_a.upload()
    assert report.waiting == 0 and len(report.uploaded) == 100 and not desk_a.offline

    records = _records(url)
    assert len(records) == 110
    assert {r.nonce for r in records} >= {a.nonce for a in answers}  # nothing lost
    by_nonce = {r.nonce: r for r in records}
    assert all(by_nonce[a.nonce].scanned_at == a.scanned_at for a in answers)  # the original scan times
    found = conflicts(desk_b.context)
    assert sorted(c.person.badge_code for c in found) == sorted(twice)
    assert {(c.offline_desk, c.other_desk) for c in found} == {("Desk A", "Desk B")}
    assert all(c.other_at is not None and c.admitted_twice for c in found)
    assert sorted(u.entry.code for u in report.conflicts) == sorted(twice)
    main = next(f for f in list_figures(desk_b.context) if f.name == "Main entrance")
    assert (main.checked_in, main.inside_now) == (100, 100)

    # Uploading again changes nothing: the nonces make it idempotent.
    from eventdesk.services.offline.sync import upload_journal

    for entry in desk_a.copy.journal()[:5]:
        check_in(
            desk_a.context,
            entry.code,
            entry.list_name,
            entry.desk,
            entry.direction,
            entry.nonce,
            scanned_at=entry.scanned_at,
        )
    assert upload_journal(desk_a.context, desk_a.copy, desk_a.link).uploaded == []
    assert len(_records(url)) == 110
    desk_a.stop()
    desk_b.stop()


def test_a_person_scanned_twice_offline_at_the_same_desk_is_already_checked_in(event_url, proxy, tmp_path):
    url, codes = event_url
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    online = desk.check_in(codes[0])  # admitted online a moment before the cut
    desk.refresh()
    desk.check_in(codes[1])  # online again after the snapshot: kept in the desk's offline copy too
    proxy.cut()
    first = desk.check_in(codes[2])
    second = desk.check_in(codes[2])
    again_online = desk.check_in(codes[1])
    earlier = desk.check_in(codes[0])
    unknown = desk.check_in("ZZZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert online.result == "ok" and not online.offline
    assert (first.result, second.result) == ("ok", "already_checked_in")
    assert second.first_checkin_desk == "Desk A" and second.first_checkin_at == first.scanned_at
    assert again_online.result == earlier.result == "already_checked_in"
    assert unknown.result == "unknown_code" and unknown.offline
    assert desk.status().waiting == 5 and not desk.status().online
    # A person without their badge is found by name in the desk's copy (accents ignored).
    found = desk.search("person7 Nogel7")  # Person7 and Person70..79: every word is a prefix
    assert found[0].badge_code == codes[7] and len(found) == 11
    assert desk.search("pe") == []  # below the minimum length, as online
    desk.stop()


def test_a_scan_into_a_black_hole_answers_offline(event_url, proxy, tmp_path):
    """The firewall case: the proxy keeps the connection open and forwards nothing. The scan still
    answers (after the deadline) from the desk's offline copy, and the next ones answer at once; when the
    server is reachable again the journal goes up by itself."""
    url, codes = event_url
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    desk.refresh()
    desk.check_in(codes[0])
    proxy.black_hole()
    first = desk.check_in(codes[1])
    assert first.offline and first.result == "ok"
    second = desk.check_in(codes[2])
    assert second.offline and desk.offline
    assert "no answer within" in desk.status().reason

    proxy.restore()
    desk.start(print_badges=False)  # the background sync probes, uploads and goes online
    import time

    for _ in range(200):
        if not desk.offline:
            break
        time.sleep(0.05)
    assert not desk.offline and desk.status().waiting == 0
    assert {r.nonce for r in _records(url)} >= {first.nonce, second.nonce}
    desk.stop()


def test_the_desk_file_is_private_and_one_per_event_and_desk(event_url, tmp_path):
    url, _codes = event_url
    desk = _desk(url, "Desk 7 / hall", tmp_path)
    desk.refresh()
    path = desk.copy.path
    assert path.parent == tmp_path and path.name == "offline-conference-desk-7-hall.db"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert desk.copy.people_count() == 150
    other = _desk(url, "Desk 8", tmp_path)
    assert other.copy.path != path
    desk.stop()
    other.stop()


def test_badges_of_people_admitted_offline_print_here_and_once(event_url, proxy, tmp_path):
    """The print queue lives in the server: a badge of a person admitted offline prints straight
    to the desk's printer, and the upload records it as printed instead of queueing it again."""
    from eventdesk.store.db import make_engine
    from eventdesk.store.models import PrintJob

    url, codes = event_url
    badges = tmp_path / "badges"
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path / "data", printer=f"preview://{badges}")
    desk.refresh()
    proxy.cut()
    desk.start()
    result = desk.check_in(codes[3])
    assert result.badge_queued and result.offline
    import time

    for _ in range(200):
        if list(badges.glob("*.png")):
            break
        time.sleep(0.05)
    assert len(list(badges.glob("*.png"))) == 1
    proxy.restore()
    for _ in range(200):
        if not desk.offline:
            break
        time.sleep(0.05)
    assert not desk.offline
    engine = make_engine(url)
    with Session(engine) as session:
        jobs = list(session.execute(select(PrintJob)).scalars())
        assert [(j.kind, j.state) for j in jobs] == [("badge", "printed")]
        assert session.execute(select(func.count()).select_from(PrintJob)).scalar_one() == 1
    engine.dispose()
    desk.stop()


def test_a_secret_scanned_with_caps_lock_on_is_found_on_the_server_and_in_the_offline_copy(event_url, proxy, tmp_path):
    from eventdesk.store.db import make_engine

    url, codes = event_url
    engine = make_engine(url)
    with engine.begin() as connection:  # two pretix secrets (lower case)
        for code in codes[:2]:
            connection.exec_driver_sql(
                "UPDATE attendee SET badge_code = %(new)s WHERE badge_code = %(old)s",
                {"new": code.lower(), "old": code},
            )
    engine.dispose()
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    desk.refresh()
    online = desk.check_in(codes[0].upper())
    proxy.cut()
    offline = desk.check_in(codes[1].upper())
    assert (online.result, online.offline, online.person.badge_code) == ("ok", False, codes[0].lower())
    assert (offline.result, offline.offline, offline.person.badge_code) == ("ok", True, codes[1].lower())
    desk.stop()


def test_search_marks_who_is_in_online_and_from_the_offline_copy_alike(event_url, proxy, tmp_path):
    """Issue 19 item 6: on PostgreSQL and offline a name search marks who is in today (first
    entry's time and desk), as on a SQLite file."""
    url, codes = event_url
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    desk.refresh()
    admitted = desk.check_in(codes[3])
    online = desk.find("person3 nogel3")
    proxy.cut()
    later = desk.check_in(codes[30])  # Person30 Nögel30: admitted offline
    offline = desk.find("person3 nogel3")
    assert [p.badge_code for p in online.people][:1] == [codes[3]]
    assert set(online.states) == {online.people[0].id}
    assert (online.states[online.people[0].id].first_entry_at, online.states[online.people[0].id].first_entry_desk) == (
        admitted.scanned_at,
        "Desk A",
    )
    by_code = {p.badge_code: p.id for p in offline.people}
    assert set(offline.states) == {by_code[codes[3]], by_code[codes[30]]}
    assert offline.states[by_code[codes[30]]].first_entry_at == later.scanned_at
    assert all(s.inside and s.first_entry_desk == "Desk A" for s in offline.states.values())
    desk.stop()


def test_offline_figures_come_from_the_copy_and_the_journal_and_say_so(event_url, proxy, tmp_path):
    """Issue 19 item 5: offline, the figures beside the scan box are counted from the offline copy
    plus this desk's own scans, labelled with the copy's time, instead of an error."""
    url, codes = event_url
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    desk.check_in(codes[0])
    desk.refresh()
    online = desk.figures()
    proxy.cut()
    desk.check_in(codes[1])
    desk.check_in(codes[2])
    offline = desk.figures()
    assert online.copy_taken_at is None and online.checkin_list.checked_in_today == 1
    assert offline.copy_taken_at is not None and offline.copy_taken_at <= desk.clock.now()
    assert (offline.checkin_list.checked_in_today, offline.checkin_list.expected, offline.checkin_list.inside_now) == (
        3,
        150,
        3,
    )
    assert offline.last_scan_at is not None and offline.waiting == 147
    desk.stop()


def test_undo_offline_annuls_this_desks_last_offline_scan_which_never_goes_up(event_url, proxy, tmp_path):
    """Issue 19, what to build 2: undo of this desk's own scans works offline. The annulled scan
    leaves the person as before it (scanned again: ok), and it is not uploaded."""
    from eventdesk.services.checkin import CheckinError

    url, codes = event_url
    desk = _desk(proxy.url(_database(url)), "Desk A", tmp_path)
    desk.refresh()
    proxy.cut()
    kept = desk.check_in(codes[0])
    wrong = desk.check_in(codes[1])
    undone = desk.undo_last()
    again = desk.check_in(codes[1])
    assert (kept.result, wrong.result, again.result) == ("ok", "ok", "ok")
    assert undone.person.badge_code == codes[1] and undone.scanned_at == wrong.scanned_at
    assert desk.status().waiting == 2
    desk.undo_last()  # the re-scan
    desk.undo_last()  # and the first one
    with pytest.raises(CheckinError, match="Nothing to undo offline"):
        desk.undo_last()
    assert desk.find("person1 nogel1").states == {}

    proxy.restore()
    assert desk.link.probe()
    report = desk.upload()
    assert report.waiting == 0 and report.uploaded == [] and not desk.offline
    assert _records(url) == []  # nothing annulled went up
    desk.stop()
