"""Moving data between a desk's own file and the server: the snapshot down, the journal up.

The journal goes up through ``services.checkin.check_in`` itself, with each scan's nonce (a
replay records nothing twice) and its original time: the server decides again with everything
every desk recorded, so a person this desk admitted offline whom another desk had admitted is
refused by the server, and that difference is what reconciliation lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from eventdesk.services.checkin import CheckinError, check_in
from eventdesk.services.context import Context
from eventdesk.services.offline.link import ServerLink
from eventdesk.store import offline as server
from eventdesk.store.offline_copy import JournalEntry, LocalList, OfflineCopy, Snapshot

# A snapshot of a large event takes a while on a busy server: its own, longer deadline.
SNAPSHOT_DEADLINE_S = 30.0


@dataclass(frozen=True)
class Uploaded:
    entry: JournalEntry
    server_result: str  # what the server decided; "error: ..." when it could not record the scan
    record_id: int | None

    @property
    def conflict(self) -> bool:
        """Admitted here while offline, refused by the server (admitted elsewhere, blocked, ...)."""
        return self.entry.result == "ok" and self.server_result != "ok"


@dataclass
class UploadReport:
    uploaded: list[Uploaded] = field(default_factory=list)
    waiting: int = 0  # still in the journal (the server went away again)

    @property
    def conflicts(self) -> list[Uploaded]:
        return [u for u in self.uploaded if u.conflict]

    def as_dict(self) -> dict:
        results: dict[str, int] = {}
        for u in self.uploaded:
            results[u.server_result] = results.get(u.server_result, 0) + 1
        return {
            "uploaded": len(self.uploaded),
            "results": results,
            "waiting": self.waiting,
            "conflicts": [_entry_dict(u) for u in self.conflicts],
        }


def _entry_dict(u: Uploaded) -> dict:
    e = u.entry
    return {
        "nonce": e.nonce,
        "code": e.code,
        "list": e.list_name,
        "direction": e.direction,
        "desk": e.desk,
        "scanned_at": e.scanned_at.isoformat(),
        "offline_result": e.result,
        "server_result": u.server_result,
        "person_id": e.person_id,
        "record_id": u.record_id,
    }


# Offline scans noted on the server per transaction: one commit for many (the records themselves
# go through check_in one by one, each in its own transaction, as a scan does).
NOTE_BATCH = 50
# Fifty notes are more than one scan's work: a busy server gets longer before it counts as gone.
NOTE_DEADLINE_S = 10.0


def upload_journal(
    context: Context, copy: OfflineCopy, link: ServerLink, *, limit: int | None = None, before_each=None
) -> UploadReport:
    """Upload the waiting offline scans, oldest first, until the journal is empty or the server
    goes away again (``ServerUnreachable`` then stops the upload; what was sent stays sent).
    ``before_each(entry)`` may hold an entry back (its badge still printing): the upload stops there.

    An entry leaves the journal once its record and its offline note are both on the server; an
    upload cut between the two sends the record again (a replay: its nonce records nothing twice)."""
    report = UploadReport()
    batch: list[Uploaded] = []
    try:
        for entry in copy.waiting(limit):
            if before_each is not None and not before_each(entry):
                break
            try:
                result = link.guarded(
                    check_in,
                    context,
                    entry.code,
                    entry.list_name,
                    entry.desk,
                    entry.direction,
                    entry.nonce,
                    scanned_at=entry.scanned_at,
                    badge_printed=entry.badge_printed,
                )
            except CheckinError as error:  # the list was deleted meanwhile: keep the scan here, say so
                copy.mark_uploaded(entry.nonce, context.now(), f"error: {error}")
                report.uploaded.append(Uploaded(entry, f"error: {error}", None))
                continue
            batch.append(Uploaded(entry, result.result, result.record_id))
            if len(batch) >= NOTE_BATCH:
                _note_offline(context, copy, link, batch, report)
    finally:
        if batch:
            _note_offline(context, copy, link, batch, report)
    report.waiting = copy.waiting_count()
    return report


def _note_offline(
    context: Context, copy: OfflineCopy, link: ServerLink, batch: list[Uploaded], report: UploadReport
) -> None:
    """Note on the server which records were decided offline (one transaction), then let the
    entries leave the journal."""

    def write() -> None:
        with context.session() as session:
            for u in batch:
                assert u.record_id is not None  # only scans the server recorded are batched
                server.record_offline_scan(
                    session,
                    nonce=u.entry.nonce,
                    record_id=u.record_id,
                    desk=u.entry.desk,
                    offline_result=u.entry.result,
                    badge_printed=u.entry.badge_printed,
                    uploaded_at=context.now(),
                )

    link.guarded(write, deadline_s=NOTE_DEADLINE_S)
    for u in batch:
        copy.mark_uploaded(u.entry.nonce, context.now(), u.server_result)
    report.uploaded.extend(batch)
    batch.clear()


def refresh_snapshot(context: Context, copy: OfflineCopy, link: ServerLink) -> int:
    """Copy what a decision needs from the server into the desk's offline copy; returns the people count."""

    def read() -> Snapshot:
        event = context.event(refresh=True)
        with Session(context.engine) as session:
            taken_at = context.now()
            people = server.snapshot_people(session)
            revoked = server.snapshot_revoked(session)
            lists = [LocalList(*row) for row in server.snapshot_lists(session)]
            states = server.snapshot_states(session, context.day_start(taken_at))
        info = {
            "name": event.name,
            "timezone": event.timezone,
            "venue": event.venue,
            "start_date": event.start_date.isoformat(),
            "end_date": event.end_date.isoformat(),
        }
        return Snapshot(info, people, revoked, lists, states, taken_at)

    snapshot = link.guarded(read, deadline_s=SNAPSHOT_DEADLINE_S)
    copy.replace_snapshot(snapshot)
    return len(snapshot.people)


def snapshot_age_s(copy: OfflineCopy, now: datetime) -> float | None:
    taken = copy.meta().get("snapshot_at")
    if not taken:
        return None
    return (now - datetime.fromisoformat(taken)).total_seconds()
