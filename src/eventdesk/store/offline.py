"""Server-side queries of offline desks: the snapshot a desk keeps, the scans it uploads after
deciding them alone, and the people admitted twice that reconciliation lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from eventdesk.store.attendees import PERSON_COLUMNS
from eventdesk.store.models import (
    Attendee,
    CheckinList,
    CheckinRecord,
    OfflineScan,
    PrintJob,
    RevokedCode,
)

_VALID = and_(CheckinRecord.result == "ok", CheckinRecord.annulled_at.is_(None))


def snapshot_people(session: Session) -> list[dict]:
    """Every attendee with the columns a decision and a badge need, and whether a badge is queued
    or printed for them already."""
    queued = {
        row[0]
        for row in session.execute(
            select(PrintJob.attendee_id)
            .where(PrintJob.kind == "badge", PrintJob.state != "cancelled", PrintJob.attendee_id.is_not(None))
            .distinct()
        )
    }
    columns = [getattr(Attendee, c) for c in PERSON_COLUMNS]
    people = []
    for row in session.execute(select(*columns).order_by(Attendee.id)):
        person = dict(zip(PERSON_COLUMNS, row))
        person["badge_queued"] = person["id"] in queued
        people.append(person)
    return people


def snapshot_revoked(session: Session) -> list[tuple[str, int]]:
    return [
        (code, attendee_id) for code, attendee_id in session.execute(select(RevokedCode.code, RevokedCode.attendee_id))
    ]


def snapshot_lists(session: Session) -> list[tuple[int, str, str, str]]:
    query = select(CheckinList.id, CheckinList.name, CheckinList.kind, CheckinList.categories).order_by(CheckinList.id)
    return [(i, n, k, c or "") for i, n, k, c in session.execute(query)]


def snapshot_states(session: Session, since: datetime) -> list[tuple]:
    """(person, list, last valid direction, its time, first valid entry time, its desk) for
    everybody with a valid scan since ``since`` (the event day's start: presence ends at the night
    boundary): two window queries over the valid records."""
    today = and_(_VALID, CheckinRecord.attendee_id.is_not(None), CheckinRecord.scanned_at >= since)
    newest = func.row_number().over(
        partition_by=(CheckinRecord.attendee_id, CheckinRecord.list_id),
        order_by=(CheckinRecord.scanned_at.desc(), CheckinRecord.id.desc()),
    )
    last = (
        select(
            CheckinRecord.attendee_id,
            CheckinRecord.list_id,
            CheckinRecord.direction,
            CheckinRecord.scanned_at,
            newest.label("n"),
        )
        .where(today)
        .subquery()
    )
    oldest = func.row_number().over(
        partition_by=(CheckinRecord.attendee_id, CheckinRecord.list_id),
        order_by=(CheckinRecord.scanned_at, CheckinRecord.id),
    )
    first = (
        select(
            CheckinRecord.attendee_id,
            CheckinRecord.list_id,
            CheckinRecord.scanned_at,
            CheckinRecord.desk,
            oldest.label("n"),
        )
        .where(today, CheckinRecord.direction == "entry")
        .subquery()
    )
    states: dict[tuple[int, int], list] = {}
    last_rows = aliased(CheckinRecord, last)
    for person, list_id, direction, at in session.execute(
        select(last_rows.attendee_id, last_rows.list_id, last_rows.direction, last_rows.scanned_at).where(last.c.n == 1)
    ):
        states[(person, list_id)] = [direction, at, None, None]
    first_rows = aliased(CheckinRecord, first)
    for person, list_id, at, desk in session.execute(
        select(first_rows.attendee_id, first_rows.list_id, first_rows.scanned_at, first_rows.desk).where(first.c.n == 1)
    ):
        states.setdefault((person, list_id), [None, None, None, None])[2:] = [at, desk]
    return [(p, li, *values) for (p, li), values in states.items()]


def record_offline_scan(
    session: Session,
    *,
    nonce: str,
    record_id: int,
    desk: str,
    offline_result: str,
    badge_printed: bool,
    uploaded_at: datetime,
) -> bool:
    """Note that the record ``record_id`` was decided offline (once per nonce). True when new."""
    if session.get(OfflineScan, nonce) is not None:
        return False
    session.execute(
        insert(OfflineScan).values(
            nonce=nonce,
            record_id=record_id,
            desk=desk,
            offline_result=offline_result,
            badge_printed=badge_printed,
            uploaded_at=uploaded_at,
        )
    )
    return True


@dataclass(frozen=True)
class ConflictRow:
    """A scan a desk admitted offline that the server refused on upload (``server_result``)."""

    record_id: int
    attendee_id: int
    list_id: int
    list_name: str
    desk: str
    scanned_at: datetime
    direction: str
    server_result: str
    badge_printed: bool
    uploaded_at: datetime
    person: dict


def offline_conflicts(session: Session) -> list[ConflictRow]:
    """Scans admitted offline (``ok``) that the server, knowing every desk's scans, refused:
    oldest first. Undone (annulled) scans are not conflicts any more."""
    columns = [getattr(Attendee, c).label(f"a_{c}") for c in PERSON_COLUMNS]
    query = (
        select(
            CheckinRecord.id,
            CheckinRecord.attendee_id,
            CheckinRecord.list_id,
            CheckinList.name,
            CheckinRecord.desk,
            CheckinRecord.scanned_at,
            CheckinRecord.direction,
            CheckinRecord.result,
            OfflineScan.badge_printed,
            OfflineScan.uploaded_at,
            *columns,
        )
        .join(CheckinRecord, CheckinRecord.id == OfflineScan.record_id)
        .join(CheckinList, CheckinList.id == CheckinRecord.list_id)
        .join(Attendee, Attendee.id == CheckinRecord.attendee_id)
        .where(OfflineScan.offline_result == "ok", CheckinRecord.result != "ok", CheckinRecord.annulled_at.is_(None))
        .order_by(CheckinRecord.scanned_at, CheckinRecord.id)
    )
    rows = []
    for row in session.execute(query):
        m = row._mapping
        person = {c: m[f"a_{c}"] for c in PERSON_COLUMNS}
        rows.append(
            ConflictRow(
                m["id"],
                m["attendee_id"],
                m["list_id"],
                m["name"],
                m["desk"],
                m["scanned_at"],
                m["direction"],
                m["result"],
                bool(m["badge_printed"]),
                m["uploaded_at"],
                person,
            )
        )
    return rows


def valid_entries(session: Session, attendee_id: int, list_id: int) -> list[CheckinRecord]:
    """The person's valid entries on the list, oldest first."""
    query = (
        select(CheckinRecord)
        .where(
            _VALID,
            CheckinRecord.attendee_id == attendee_id,
            CheckinRecord.list_id == list_id,
            CheckinRecord.direction == "entry",
        )
        .order_by(CheckinRecord.scanned_at, CheckinRecord.id)
    )
    return list(session.execute(query).scalars())
