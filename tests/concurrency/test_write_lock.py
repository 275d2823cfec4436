"""No desk action fails because another process holds SQLite's write lock for a while: every write
transaction waits its turn (``store.db.take_write_lock``) instead of giving up after one busy
timeout with "database is locked". Real processes behind a barrier on a real SQLite file."""

from __future__ import annotations

from datetime import date

from race_workers import SHORT_BUSY_TIMEOUT_MS, hold_write_lock, run_each, write_while_locked
from sqlmodel import Session, select

from eventdesk.store.models import Meeting

HELD_S = 1.5  # more than seven of the children's busy timeouts


def test_desk_actions_wait_for_a_store_locked_longer_than_the_busy_timeout(tmp_path):
    import meetings_sample

    from eventdesk.services.events import create_event

    path = str(tmp_path / "event.db")
    create_event(
        path,
        name="Test Conference",
        timezone="Europe/Brussels",
        start=date(2024, 5, 6),
        end=date(2024, 5, 8),
        venue="Brussels",
    )
    context = meetings_sample.build(path, now=meetings_sample.at(10, 12))
    with Session(context.engine) as session:
        meeting = session.exec(select(Meeting).order_by(Meeting.id)).first()
    people = meetings_sample.PEOPLE
    context.engine.dispose()
    assert HELD_S * 1000 > 5 * SHORT_BUSY_TIMEOUT_MS

    results = run_each(
        [
            (hold_write_lock, (path, HELD_S)),
            (write_while_locked, (path, "no-show", meeting.id)),  # a chair/meeting desk: no begin_write of its own
            (write_while_locked, (path, "meeting scan", people["eve"][4])),
            (write_while_locked, (path, "queue badge", meeting.attendee_a_id)),
            (write_while_locked, (path, "check-in", people["finn"][4])),
        ]
    )
    released, answers = results[0], results[1:]
    assert [outcome for outcome, _ in answers] == ["no_show", "no_meeting", "pending", "ok"]
    assert all(finished >= released for _, finished in answers)  # each one waited for the lock
