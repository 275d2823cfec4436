"""Store queries of the agenda import: rooms by name, sessions by source_ref, speaker rows and
the door list of each room. All run inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from eventdesk.store.models import CheckinList, Room, SessionSpeaker
from eventdesk.store.models import Session as ProgrammeSession


def rooms_by_name(session: Session) -> dict[str, Room]:
    return {room.name: room for room in session.exec(select(Room))}


def next_room_position(session: Session) -> int:
    highest = session.exec(select(func.max(Room.position))).one()
    return 0 if highest is None else highest + 1


def sessions_by_ref(session: Session) -> dict[str, ProgrammeSession]:
    rows = session.exec(select(ProgrammeSession).where(ProgrammeSession.source_ref.is_not(None)))
    return {row.source_ref: row for row in rows}


def count_sessions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ProgrammeSession)).one()


def insert_sessions(session: Session, rows: list[dict]) -> dict[str, int]:
    """Insert new sessions (each dict has the planned fields, ``source_ref`` and ``updated_at``);
    returns their ids by ``source_ref``. On-site fields start at their defaults."""
    if not rows:
        return {}
    defaults = {
        "shift_minutes": 0,
        "fixed_end": False,
        "status": "scheduled",
        "started_at": None,
        "ended_at": None,
        "chair": "",
    }
    session.exec(insert(ProgrammeSession), params=[{**defaults, **row} for row in rows])
    refs = [row["source_ref"] for row in rows]
    ids: dict[str, int] = {}
    for chunk in range(0, len(refs), 500):
        query = select(ProgrammeSession.source_ref, ProgrammeSession.id).where(
            ProgrammeSession.source_ref.in_(refs[chunk : chunk + 500])
        )
        ids.update({ref: sid for ref, sid in session.exec(query)})
    return ids


def speaker_names(session: Session, session_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, role) of the speakers of each session, in order."""
    ids = list(session_ids)
    result: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.exec(
        select(SessionSpeaker)
        .where(SessionSpeaker.session_id.in_(ids))
        .order_by(SessionSpeaker.session_id, SessionSpeaker.position)
    )
    for row in rows:
        result[row.session_id].append((row.name, row.role))
    return result


def replace_speakers(session: Session, speakers: dict[int, list[tuple[str, str]]]) -> int:
    """Set the speakers of each session id to the given (name, role) list; returns rows written."""
    if not speakers:
        return 0
    ids = list(speakers)
    for chunk in range(0, len(ids), 500):
        session.exec(delete(SessionSpeaker).where(SessionSpeaker.session_id.in_(ids[chunk : chunk + 500])))
    rows = [
        {"session_id": sid, "position": position, "name": name, "role": role}
        for sid, people in speakers.items()
        for position, (name, role) in enumerate(people)
    ]
    if rows:
        session.exec(insert(SessionSpeaker), params=rows)
    return len(rows)


def ensure_room_list(session: Session, room: Room) -> tuple[CheckinList, bool]:
    """The check-in list of kind "room" for ``room``'s door scans (created when missing)."""
    existing = session.exec(
        select(CheckinList).where(CheckinList.kind == "room", CheckinList.room_id == room.id)
    ).first()
    if existing is not None:
        return existing, False
    name = room.name
    taken = set(session.exec(select(CheckinList.name).where(CheckinList.name.startswith(room.name))))
    suffix = 1
    while name in taken:  # "Main entrance" could also be a room's name
        suffix += 1
        name = f"{room.name} (room {suffix})" if suffix > 2 else f"{room.name} (room)"
    door = CheckinList(name=name, kind="room", room_id=room.id)
    session.add(door)
    return door, True
