"""The tables. Every datetime is timezone-aware (stored as UTC, shown in the event's zone).

A schema change here needs a migration in ``store/migrations/versions`` (see README)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel

from eventdesk.domain.clock import utcnow
from eventdesk.store.types import UTCDateTime


def _created():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Event(SQLModel, table=True):
    __tablename__ = "event"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    venue: str = ""
    timezone: str = "UTC"
    start_date: date
    end_date: date
    created_at: datetime = _created()


class Attendee(SQLModel, table=True):
    __tablename__ = "attendee"
    id: int | None = Field(default=None, primary_key=True)
    first_name: str = ""
    last_name: str = ""
    # The name the person is called by ("Rufname"), printed large on the badge; empty: first + last.
    badge_name: str = ""
    pronouns: str = ""  # printed on the badge when the person gave them
    organisation: str = ""
    role: str = ""  # job title or role, printed under the name when set
    email: str = Field(default="", index=True)
    country: str = ""  # ISO 3166-1 alpha-2 where known
    category: str = Field(default="participant", index=True)  # participant, speaker, press, staff, organiser, ...
    status: str = Field(default="active")  # active | cancelled
    blocked: bool = False
    note: str = ""  # something the desk must see at check-in ("collect invoice", "wheelchair")
    # Random, at least 128 bits, never derived from an id; imported systems' secrets are kept.
    badge_code: str = Field(unique=True, index=True)
    # Key of the row in the system it came from (pretix secret, Eventbrite attendee #, ...),
    # so re-importing a file updates people instead of duplicating them.
    source_ref: str | None = Field(default=None, unique=True, index=True)
    walk_in: bool = False
    created_at: datetime = _created()
    updated_at: datetime = _created()
    # Set when the person's personal data was erased (GDPR): the row stays for the counts.
    forgotten_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def called(self) -> str:
        """The name on the badge and the banner: the badge name, else first + last name."""
        return self.badge_name.strip() or self.name


class AttendeeToken(SQLModel, table=True):
    """Folded search words of an attendee (name, organisation, e-mail, code): a prefix search on
    an indexed column that works the same on SQLite and PostgreSQL."""

    __tablename__ = "attendee_token"
    # By person: re-indexing one person and the "every other word" probe of a multi-word search.
    # SQLite: the table is its (token, attendee_id) key (WITHOUT ROWID), so a walk reads ``letters``
    # beside the token; PostgreSQL's key INCLUDEs it (migration 0010).
    __table_args__ = (Index("ix_attendee_token_attendee", "attendee_id", "token"), {"sqlite_with_rowid": False})
    token: str = Field(primary_key=True)
    attendee_id: int = Field(primary_key=True, foreign_key="attendee.id", ondelete="CASCADE")
    # The first letter and first two letters of every token of the same person, as bits
    # (store/attendees.py ``token_letters``): a multi-word search skips most people without a
    # probe. A row written without it has every bit set: found as before, only not skipped.
    letters: int = Field(sa_column=Column(BigInteger, nullable=False, server_default=text(str(2**63 - 1))))


class RevokedCode(SQLModel, table=True):
    """An old badge code of a badge that was reissued: scanning it answers ``revoked``."""

    __tablename__ = "revoked_code"
    code: str = Field(primary_key=True)
    attendee_id: int = Field(foreign_key="attendee.id", index=True)
    revoked_at: datetime = _created()


class Room(SQLModel, table=True):
    __tablename__ = "room"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    capacity: int | None = None
    position: int = 0  # display order


class CheckinList(SQLModel, table=True):
    __tablename__ = "checkin_list"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str = "entrance"  # entrance | room | meetings
    room_id: int | None = Field(default=None, foreign_key="room.id")
    # Comma-separated categories admitted on this list; empty admits everybody.
    categories: str = ""


class CheckinRecord(SQLModel, table=True):
    """Append-only: every scan, failures included. Annulling (undo) sets ``annulled_at``; the row
    stays."""

    __tablename__ = "checkin_record"
    __table_args__ = (
        # "id" last: a scan's ORDER BY scanned_at, id among a person's records (migration 0012).
        Index("ix_checkin_record_attendee_list", "attendee_id", "list_id", "scanned_at", "id"),
        Index("ix_checkin_record_list_time", "list_id", "scanned_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(unique=True)  # one per scan; a replayed scan carries the same nonce
    code: str  # what was scanned, cleaned and cut to a sane length
    attendee_id: int | None = Field(default=None, foreign_key="attendee.id")
    list_id: int = Field(foreign_key="checkin_list.id")
    direction: str = "entry"  # entry | exit
    result: str  # ok, already_checked_in, unknown_code, cancelled, revoked, not_on_list, blocked
    desk: str = ""
    scanned_at: datetime = _created()
    annulled_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    annulled_by: str | None = None


class Session(SQLModel, table=True):
    """A programme item. ``start``/``end`` are as planned (re-imports overwrite them);
    ``shift_minutes`` is the delay recorded on site (re-imports keep it)."""

    __tablename__ = "session"
    __table_args__ = (Index("ix_session_room_start", "room_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    source_ref: str | None = Field(default=None, unique=True)  # guid / id in the imported file
    title: str
    type: str = "talk"  # talk, plenary, panel, break, registration, workshop, ...
    start: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    end: datetime = Field(sa_type=UTCDateTime, nullable=False)
    shift_minutes: int = 0
    fixed_end: bool = False  # the room must be free by ``end`` (a shift past it is flagged)
    status: str = "scheduled"  # scheduled | running | ended | cancelled
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    room_id: int | None = Field(default=None, foreign_key="room.id")
    track: str = ""
    chair: str = ""
    description: str = ""
    updated_at: datetime = _created()


class SessionSpeaker(SQLModel, table=True):
    __tablename__ = "session_speaker"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str
    role: str = ""
    organisation: str = ""
    # The person behind the name (linked by e-mail or name at import, or by hand): their arrival
    # at the desk tells the chair the speaker is here. Indexed: a scan asks "does this person speak?".
    attendee_id: int | None = Field(default=None, foreign_key="attendee.id", index=True)


class MeetingTable(SQLModel, table=True):
    __tablename__ = "meeting_table"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    label: str = ""


class MeetingSlot(SQLModel, table=True):
    __tablename__ = "meeting_slot"
    id: int | None = Field(default=None, primary_key=True)
    start: datetime = Field(sa_type=UTCDateTime, nullable=False, unique=True)
    end: datetime = Field(sa_type=UTCDateTime, nullable=False)


# The meetings that hold their table: cancelled ones and no-shows free it.
LIVE_MEETINGS = "state NOT IN ('cancelled', 'no_show')"


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    __table_args__ = (
        # One live meeting per table and slot; cancelled ones and no-shows free the table.
        Index(
            "ux_meeting_slot_table_live",
            "slot_id",
            "table_id",
            unique=True,
            # PostgreSQL's option is added by postgresql_options(): naming it here would load
            # SQLAlchemy's PostgreSQL dialect into every desk's start, also on SQLite.
            sqlite_where=text(LIVE_MEETINGS),
        ),
        Index("ix_meeting_a", "attendee_a_id", "slot_id"),
        Index("ix_meeting_b", "attendee_b_id", "slot_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="meeting_slot.id")
    table_id: int = Field(foreign_key="meeting_table.id")
    attendee_a_id: int = Field(foreign_key="attendee.id")
    attendee_b_id: int = Field(foreign_key="attendee.id")
    state: str = "scheduled"  # scheduled, one_present, both_present, no_show, done, cancelled
    a_present_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    b_present_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    notes: str = ""
    source_ref: str | None = None
    # Set for a meeting booked at the desk while its slot runs: the no-show grace starts here.
    booked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    updated_at: datetime = _created()


class MeetingRequest(SQLModel, table=True):
    """A wish to meet, not yet placed at a table and slot."""

    __tablename__ = "meeting_request"
    id: int | None = Field(default=None, primary_key=True)
    attendee_a_id: int = Field(foreign_key="attendee.id")
    attendee_b_id: int = Field(foreign_key="attendee.id")
    notes: str = ""
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    unplaced_reason: str = ""


class Unavailability(SQLModel, table=True):
    """A slot in which a person cannot meet anybody."""

    __tablename__ = "unavailability"
    attendee_id: int = Field(primary_key=True, foreign_key="attendee.id")
    slot_id: int = Field(primary_key=True, foreign_key="meeting_slot.id")


class PrintJob(SQLModel, table=True):
    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_state_printer", "state", "printer"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = "badge"  # badge | slip | test
    attendee_id: int | None = Field(default=None, foreign_key="attendee.id", index=True)
    printer: str = ""  # printer name (from settings) or URL
    state: str = "pending"  # pending | printing | printed | failed | cancelled
    attempts: int = 0
    last_error: str = ""
    reprint: bool = False
    desk: str = ""
    created_at: datetime = _created()
    updated_at: datetime = _created()
    printed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # The file a preview printer wrote (an absolute path): forgetting the person deletes it.
    output_path: str | None = Field(default=None, nullable=True)


class AuditEntry(SQLModel, table=True):
    """Who changed what, when. ``detail`` names fields, not their personal values."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    desk: str = ""
    action: str
    subject: str = ""  # "attendee:12", "session:40", ...
    detail: str = ""


class ImportJournal(SQLModel, table=True):
    """An attendee import writes in short batches (desks keep scanning between them); each batch
    leaves here, in its own transaction, what undoes it. Batch 0 is the run's header, touched by
    every batch. A finished import deletes its rows; rows left behind are an import that died
    half-way, undone by the next import (all or nothing)."""

    __tablename__ = "import_journal"
    run: str = Field(primary_key=True)
    batch: int = Field(primary_key=True)
    written_at: datetime = _created()
    desk: str = ""
    undo: str = ""  # JSON: ids inserted, the former state of people updated, codes revoked


class Change(SQLModel, table=True):
    """A monotonically growing change counter per area ("checkin", "agenda", "meetings",
    "print"), bumped by every write: open screens poll it cheaply to refresh within a second when
    another process changed the store."""

    __tablename__ = "change"
    area: str = Field(primary_key=True)
    version: int = 0


class OfflineScan(SQLModel, table=True):
    """A scan a desk decided on its own while the server was unreachable, uploaded later: the
    record holds what the server decided on upload, this row what the desk decided (a person the
    desk admitted whom the server refuses was admitted twice: reconciliation lists them)."""

    __tablename__ = "offline_scan"
    nonce: str = Field(primary_key=True)
    record_id: int = Field(foreign_key="checkin_record.id", index=True)
    desk: str = ""
    offline_result: str
    badge_printed: bool = False  # the desk printed the badge itself while offline
    uploaded_at: datetime = _created()


class DeskHeartbeat(SQLModel, table=True):
    """What each open app says about itself every few seconds, for the Desks screen: when it was
    last seen (wall-clock UTC, whatever its rehearsal clock says), its version, its printers
    (JSON list of {name, url, health, detail}) and how many offline scans wait in its journal."""

    __tablename__ = "desk_heartbeat"
    desk: str = Field(primary_key=True)
    last_seen: datetime = Field(sa_type=UTCDateTime, nullable=False)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    app_version: str = ""
    printers: str = "[]"
    journal_waiting: int | None = None


def postgresql_options() -> None:
    """Declare the tables' PostgreSQL-only options (loads SQLAlchemy's PostgreSQL dialect): for
    Alembic's comparison of these tables with a PostgreSQL store. The store's PostgreSQL schema
    itself is made by the migrations, which name the same options."""
    live = next(index for index in Meeting.__table__.indexes if index.name == "ux_meeting_slot_table_live")
    live.dialect_kwargs["postgresql_where"] = text(LIVE_MEETINGS)
