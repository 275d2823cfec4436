"""Speakers are people: each speaker entry of the programme is linked to the attendee behind it
(by e-mail, then by accent-folded full name, or by hand), so the desk can tell a speaker where to
go and the chair can see who has arrived."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session as DbSession

from eventdesk.domain.agenda import CANCELLED, ENDED
from eventdesk.domain.text import printable, words
from eventdesk.services.attendees import resolve_attendee
from eventdesk.services.context import Context
from eventdesk.store import speakers as store
from eventdesk.store.db import bump
from eventdesk.store.models import AuditEntry


class SpeakerError(Exception):
    """A link that cannot be made; the message says why."""


@dataclass
class LinkReport:
    linked: int = 0
    unmatched: list[str] = field(default_factory=list)  # speaker names nobody is registered under
    ambiguous: list[str] = field(default_factory=list)  # names several people share

    def lines(self) -> list[str]:
        out = [f"{self.linked} speaker entr{'y' if self.linked == 1 else 'ies'} linked to attendees."]
        if self.ambiguous:
            out.append(
                f"{len(self.ambiguous)} name(s) match several people (link them by hand with "
                f"'eventdesk agenda link SESSION_ID SPEAKER ATTENDEE'): {_listed(self.ambiguous)}"
            )
        if self.unmatched:
            out.append(
                f"{len(self.unmatched)} speaker name(s) match no attendee (import the attendees, then run "
                f"'eventdesk agenda link'): {_listed(self.unmatched)}"
            )
        return out

    def as_dict(self) -> dict:
        return {"linked": self.linked, "unmatched": self.unmatched, "ambiguous": self.ambiguous}


def _listed(names: list[str], most: int = 8) -> str:
    shown = ", ".join(printable(n, 60) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def name_key(name: str) -> str:
    """A full name as the linking compares it: folded words in any order ("Müller, Anna" and
    "anna muller" agree)."""
    return " ".join(sorted(words(name)))


def link_speakers(db: DbSession) -> LinkReport:
    """Link every unlinked speaker entry whose name is an e-mail of one attendee or the full name
    of exactly one attendee (accents, case and word order ignored). Runs in the caller's
    transaction: the agenda import calls it, and so does 'eventdesk agenda link'."""
    unlinked = store.unlinked_speakers(db)
    report = LinkReport()
    if not unlinked:
        return report
    by_name: dict[str, set[int]] = {}
    by_email: dict[str, set[int]] = {}
    for attendee_id, first, last, email in store.people_for_matching(db):
        by_name.setdefault(name_key(f"{first} {last}"), set()).add(attendee_id)
        if email:
            by_email.setdefault(email.strip().casefold(), set()).add(attendee_id)
    links: dict[int, int] = {}
    unmatched: set[str] = set()
    ambiguous: set[str] = set()
    for speaker_id, name in unlinked:
        found = by_email.get(name.strip().casefold()) if "@" in name else None
        found = found or by_name.get(name_key(name), set())
        if len(found) == 1:
            links[speaker_id] = next(iter(found))
        elif found:
            ambiguous.add(name)
        elif name.strip():
            unmatched.add(name)
    store.link(db, links)
    report.linked, report.unmatched, report.ambiguous = len(links), sorted(unmatched), sorted(ambiguous)
    return report


def relink_speakers(context: Context) -> LinkReport:
    """``link_speakers`` in its own transaction (after attendees were imported)."""
    with context.session() as db:
        report = link_speakers(db)
        if report.linked:
            bump(db, "agenda")
        return report


def link_speaker(context: Context, session_id: int, speaker: str, attendee: str) -> str:
    """Link one speaker entry of a session (SPEAKER: its position from 1, or its name) to an
    attendee (a badge code, id, e-mail or a name matching one person). Returns the message."""
    with context.session() as db:
        entries = store.speakers_of(db, [session_id])
        if not entries:
            raise SpeakerError(f"Session {session_id} has no speakers (ids: 'eventdesk agenda now --json').")
        if speaker.strip().isdigit() and 1 <= int(speaker) <= len(entries):
            entry = entries[int(speaker) - 1]
        else:
            matches = [e for e in entries if name_key(e.name) == name_key(speaker)]
            if len(matches) != 1:
                names = "; ".join(f"{n}. {printable(e.name, 40)}" for n, e in enumerate(entries, 1))
                raise SpeakerError(
                    f"Session {session_id} has no single speaker '{printable(speaker, 40)}'. Its speakers: {names}."
                )
            entry = matches[0]
        try:
            person = resolve_attendee(db, attendee)
        except LookupError as error:
            raise SpeakerError(str(error)) from None
        store.link(db, {entry.id: person.id})
        db.add(
            AuditEntry(
                desk=context.desk,
                action="speaker linked",
                subject=f"session:{session_id}",
                detail=f"speaker entry {entry.id} -> attendee:{person.id}",
            )
        )
        bump(db, "agenda")
        return f"{printable(entry.name, 60)} in session {session_id} is now {printable(person.name, 60)} ({person.badge_code})."


# --- arrival -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerArrival:
    name: str
    role: str
    attendee_id: int | None
    arrived_at: datetime | None  # first entry at an entrance today; None: not yet (or not linked)

    @property
    def linked(self) -> bool:
        return self.attendee_id is not None

    def as_dict(self, zone) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "attendee_id": self.attendee_id,
            "checked_in": self.arrived_at is not None,
            "checked_in_at": self.arrived_at.astimezone(zone).isoformat() if self.arrived_at else None,
        }


def speaker_arrivals(
    context: Context, session_ids: list[int], at: datetime | None = None
) -> dict[int, list[SpeakerArrival]]:
    """The speakers of each session and whether each has come through an entrance today."""
    since = context.day_start(at)
    with DbSession(context.engine) as db:
        entries = store.speakers_of(db, session_ids)
        arrived = store.entrance_arrivals(db, {e.attendee_id for e in entries if e.attendee_id}, since)
    result: dict[int, list[SpeakerArrival]] = {sid: [] for sid in session_ids}
    for e in entries:
        result[e.session_id].append(
            SpeakerArrival(e.name, e.role or "", e.attendee_id, arrived.get(e.attendee_id) if e.attendee_id else None)
        )
    return result


@dataclass(frozen=True)
class SpeakingSlot:
    """A session of today where a scanned person speaks: the desk tells them where to go."""

    title: str
    start: datetime  # effective (with the delay)
    room: str

    def line(self, zone, at: datetime) -> str:
        minutes = int((self.start - at).total_seconds() // 60)
        when = (
            f"in {minutes} min"
            if 0 < minutes < 120
            else f"in {minutes // 60} h {minutes % 60:02d} min"
            if minutes >= 120
            else "now"
        )
        room = f" in {printable(self.room, 40)}" if self.room else ""
        return f"Speaker: {printable(self.title, 80)} at {self.start.astimezone(zone):%H:%M}{room} ({when})"

    def as_dict(self, zone) -> dict:
        return {"title": self.title, "start": self.start.astimezone(zone).isoformat(), "room": self.room}


def speaking_today(db: DbSession, context: Context, attendee_id: int, at: datetime) -> list[SpeakingSlot]:
    """The person's sessions of this event day that have not ended yet (in the caller's
    transaction: the scan asks it only for a person who speaks)."""
    day = context.day_start(at)
    slots = []
    for title, start, end, shift, status, room in store.sessions_spoken_by(
        db, attendee_id, day, day + timedelta(days=1)
    ):
        effective_end = end + timedelta(minutes=shift)
        if status in (ENDED, CANCELLED) or effective_end <= at:
            continue
        slots.append(SpeakingSlot(title, start + timedelta(minutes=shift), room or ""))
    return slots
