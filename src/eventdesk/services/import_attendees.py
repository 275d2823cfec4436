"""Importing an attendee list (``eventdesk import attendees FILE``): all or nothing, and a
re-import updates people instead of duplicating them.

Desks keep scanning during an import of 100,000 people: the file is read, checked and planned
without any write lock, then written in short batches (each its own transaction of about
``BATCH_SECONDS``), so a desk's scan never waits long for SQLite's one write lock. All or nothing
holds through the import journal: each batch records in its own transaction what undoes it; an
import that fails half-way undoes its batches before it reports, and one that died half-way (the
process killed, the machine off) is undone by the next import, at once: a running import holds the
store's import lock, which its process loses when it dies. A person changed at a desk during the import keeps
what the desk set (the import checks, batch by batch, that nobody changed them since it read them).

People are matched by their key in the source system (``source_ref``), then by badge code, then
by name and e-mail. The columns the file has own their fields; fields the file has no column for
keep what the store holds. Messages carry counts and line numbers, never personal data."""

from __future__ import annotations

import gc
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import NamedTuple, Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from eventdesk.domain.clock import utcnow
from eventdesk.domain.codes import CodeFactory, code_key, new_badge_code
from eventdesk.importers.attendees_csv import (
    PERSON_FIELDS,
    AttendeeRow,
    FileProblem,
    ParsedFile,
    RowProblem,
    decode,
    parse_text,
    person_key,
)
from eventdesk.services.context import Context
from eventdesk.store.attendee_import import (
    IMPORTED_FIELDS,
    BulkWriter,
    StoredPerson,
    bump_attendees,
    changed_since,
    finish_run,
    insert_rows,
    journal_batch,
    record_import,
    revoke_codes,
    revoked_code_owners,
    running_imports,
    start_run,
    stored_people,
    token_tuples,
    tokens_changed,
    undo_run,
    update_rows,
)

SHOWN_PROBLEMS = 20
BATCH_SECONDS = 0.03  # the write lock one batch holds, about: the next batch is sized by the last
# After each batch the import leaves the lock free long enough for every process that waited for it
# to get it. Such a process sleeps and tries again (SQLite's busy handler: steps of up to 20 ms
# while it has waited under 53 ms, 25 ms up to 128 ms, 50 ms up to 228 ms, then 100 ms): a gap
# shorter than its step lets the import take the lock again before it wakes, batch after batch.
_WAITERS_STEP = ((0.053, 0.020), (0.128, 0.025), (0.228, 0.050), (float("inf"), 0.100))


def gap_after(held: float) -> float:
    """How long the lock stays free after a batch that held it ``held`` seconds."""
    return next(step for waited, step in _WAITERS_STEP if held < waited) + 0.005


FIRST_BATCH, MIN_BATCH, MAX_BATCH = 500, 50, 20_000
# Where the store cannot tell whether an import still runs (see BulkWriter.hold_import_lock): an
# unfinished import whose journal nobody touched for this long died half-way.
ABANDONED_AFTER = timedelta(seconds=60)


class AttendeeImportError(Exception):
    """Nothing was imported; the message says why (with line numbers) and what to do."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ImportProgress(Protocol):
    def stage(self, label: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def done(self) -> None: ...


class NoProgress:
    def stage(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def done(self) -> None:
        pass


@dataclass
class ImportSummary:
    file_format: str
    encoding: str
    delimiter: str
    rows: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0  # people the file marks as cancelled
    codes_generated: int = 0
    codes_revoked: int = 0  # old codes of people whose code the file changed
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    kept_desk_changes: int = 0  # people changed at a desk during the import: the desk's change stays
    columns: dict[str, str] = field(default_factory=dict)  # field -> column it was read from (CSV files)
    preview: list[dict[str, str]] = field(default_factory=list)  # dry run: the first rows as they will be stored

    @property
    def counts(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"

    def lines(self) -> list[str]:
        """The summary for a person: counts and column names only."""
        out = [
            f"{self.file_format}, {self.encoding}, delimiter {self.delimiter}: {self.rows} "
            f"{'person' if self.rows == 1 else 'people'}."
        ]
        if self.dry_run and self.columns:
            out.append("Columns used: " + "; ".join(f"{f} <- '{c}'" for f, c in self.columns.items()) + ".")
        if self.ignored_columns:
            out.append("Columns not imported: " + ", ".join(self.ignored_columns) + ".")
        extras = []
        if self.cancelled:
            extras.append(f"{self.cancelled} marked cancelled in the file")
        if self.codes_generated:
            extras.append(f"{self.codes_generated} new badge codes generated")
        if self.codes_revoked:
            extras.append(f"{self.codes_revoked} badge codes replaced (the old ones now scan as revoked)")
        if self.kept_desk_changes:
            extras.append(
                f"{self.kept_desk_changes} people changed at a desk during the import were left as the "
                "desk set them (import again to apply the file to them)"
            )
        if extras:
            sentence = "; ".join(extras)
            out.append(sentence[0].upper() + sentence[1:] + ".")
        if self.dry_run:
            if self.preview:
                out.append(
                    f"The first {len(self.preview)} {'row' if len(self.preview) == 1 else 'rows'} as they will be stored:"
                )
                out.extend("  " + " | ".join(f"{k}: {v}" for k, v in row.items()) for row in self.preview)
            out.append(f"Dry run, nothing written. Would be: {self.counts}.")
        else:
            out.append(f"{self.counts}.")
        return out


class _Update(NamedTuple):
    """A stored person the file changes: the columns it changes (indexes in IMPORTED_FIELDS), their
    IMPORTED_FIELDS before and after, and when the person last changed as read (see changed_since)."""

    id: int
    columns: tuple[int, ...]
    before: tuple
    after: tuple
    seen_at: object

    def changes(self) -> dict:
        return {IMPORTED_FIELDS[i]: self.after[i] for i in self.columns}

    def undo(self) -> dict:
        """What the journal keeps to undo the update: the former values of the columns it changes."""
        return {"id": self.id, **{IMPORTED_FIELDS[i]: self.before[i] for i in self.columns}}


@dataclass
class _Plan:
    inserts: list[tuple] = field(default_factory=list)  # new people as tuples of IMPORTED_FIELDS
    updates: list[_Update] = field(default_factory=list)
    revoked: list[tuple[str, int]] = field(default_factory=list)
    unchanged: int = 0
    keyed: int = 0  # updates that only record the file's key of a person: unchanged to the organiser
    generated: int = 0
    problems: list[RowProblem] = field(default_factory=list)


PREVIEW_ROWS = 5


def preview_rows(parsed: ParsedFile, count: int = PREVIEW_ROWS) -> list[dict[str, str]]:
    """The first rows of ``parsed`` as they will be stored (the fields the file sets; the badge
    name as it will print)."""
    shown = [f for f in PERSON_FIELDS if f in parsed.fields]
    out = []
    for row in parsed.rows[:count]:
        values = {f: getattr(row, f) for f in shown}
        values["badge_name"] = row.badge_name or f"{row.first_name} {row.last_name}".strip()
        values["badge_code"] = row.badge_code or "(new code)"
        out.append({k: v for k, v in values.items() if v})
    return out


def import_attendees(
    context: Context,
    path: str | Path,
    fmt: str = "auto",
    *,
    dry_run: bool = False,
    progress: ImportProgress | None = None,
    code_factory: CodeFactory = new_badge_code,
    mapping: dict[str, str] | None = None,
) -> ImportSummary:
    """Import the attendee CSV at ``path`` into the event of ``context``. Raises
    AttendeeImportError (nothing written) when any row is wrong. ``mapping`` (field -> column,
    ``--map``) says which column holds what where the names of the columns do not."""
    progress = progress or NoProgress()
    context.event()  # raises StoreError with what to do when the database holds no event
    with _collector_paused():
        return _import(context, Path(path), fmt, dry_run, progress, code_factory, mapping)


@contextmanager
def _collector_paused():
    """The cyclic garbage collector off while the import runs: the import's many rows, people and
    tuples hold no cycles, and the collector would walk them again and again; reference counting
    frees them as before (docs/decisions.md, Attendee import)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _import(
    context: Context,
    path: Path,
    fmt: str,
    dry_run: bool,
    progress: ImportProgress,
    code_factory: CodeFactory,
    mapping: dict[str, str] | None,
) -> ImportSummary:
    try:
        text, encoding = decode(path.read_bytes())
        progress.stage("Reading", text.count("\n"))
        parsed = parse_text(text, encoding, fmt, progress=progress.advance, mapping=mapping)
    except FileProblem as problem:
        raise AttendeeImportError(f"Nothing imported from {path.name}. {problem}") from None
    except OSError as error:
        raise AttendeeImportError(f"Cannot read {path}: {error.strerror or error}.") from None
    finally:
        progress.done()

    run = uuid.uuid4().hex
    writer = None if dry_run else BulkWriter(context.engine)
    try:
        if writer is not None:
            _claim_run(writer, run, context.desk)
        with Session(context.engine) as session:  # reading and planning take no write lock
            plan = _plan(session, parsed, code_factory)
        problems = sorted(parsed.problems + plan.problems, key=lambda p: p.line)
        if problems:
            raise _problems_error(path, problems, parsed.problem_count + len(plan.problems))
        summary = ImportSummary(
            file_format=parsed.format_label,
            encoding=parsed.encoding,
            delimiter=parsed.delimiter_label,
            rows=len(parsed.rows),
            added=len(plan.inserts),
            updated=len(plan.updates) - plan.keyed,
            unchanged=plan.unchanged + plan.keyed,
            cancelled=sum(1 for row in parsed.rows if row.status == "cancelled" and "status" in parsed.fields),
            codes_generated=plan.generated,
            codes_revoked=len(plan.revoked),
            ignored_columns=parsed.ignored_columns,
            dry_run=dry_run,
            columns=parsed.columns,
            preview=preview_rows(parsed) if dry_run else [],
        )
        if writer is None:
            return summary
        kept = _write(writer, run, plan, progress)
        summary.kept_desk_changes = len(kept)
        summary.updated -= sum(1 for u in plan.updates if u.id in kept and u.columns != _SOURCE_REF_ONLY)
        summary.unchanged -= sum(1 for u in plan.updates if u.id in kept and u.columns == _SOURCE_REF_ONLY)
        summary.codes_revoked -= sum(1 for _, person_id in plan.revoked if person_id in kept)
        writer.begin(durable=True)  # the import is published whole: its journal goes, every batch flushed with it
        record_import(writer, context.desk, f"{parsed.format}: {summary.counts}")
        finish_run(writer, run)
        writer.commit()
        writer.checkpoint()
    except BaseException as error:
        if writer is not None:
            writer.rollback()
            writer.begin(durable=True)
            undo_run(writer, run)
            writer.commit()
        if isinstance(error, (IntegrityError, context.engine.dialect.loaded_dbapi.IntegrityError)):
            raise AttendeeImportError(
                "Nothing imported: the database refused a badge code or key as taken (another desk may have "
                "changed attendees at the same moment). Run the import again."
            ) from None
        raise
    finally:
        if writer is not None:
            writer.close()
    return summary


def _claim_run(writer: BulkWriter, run: str, desk: str) -> None:
    """Register this import in the journal; undo one that died half-way; refuse while another runs."""
    free = writer.hold_import_lock()  # None: unknown; the age of the other's journal decides
    writer.begin(durable=True)
    try:
        others = running_imports(writer)
        alive = [o for o in others if free is False or (free is None and utcnow() - o.written_at < ABANDONED_AFTER)]
        if alive or free is False:
            where = alive[0].desk if alive and alive[0].desk else "another desk"
            raise AttendeeImportError(
                f"Nothing imported: another import of attendees is running (from {where}). "
                "Wait until it has finished, then import again."
            )
        for other in others:  # died half-way: undone before anything else is written
            undo_run(writer, other.run)
        start_run(writer, run, desk)
    except BaseException:
        writer.rollback()
        raise
    writer.commit()


def _problems_error(path: Path, problems: list[RowProblem], total: int) -> AttendeeImportError:
    shown = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    more = total - len(shown)
    head = f"Nothing imported from {path.name}: {total} {'row is' if total == 1 else 'rows are'} wrong. Fix {'it' if total == 1 else 'them'} and import again."
    tail = [f"... and {more} more"] if more > 0 else []
    return AttendeeImportError("\n".join([head, *shown, *tail]), problems)


def _write(writer: BulkWriter, run: str, plan: _Plan, progress: ImportProgress) -> set[int]:
    """Write the plan in batches of about BATCH_SECONDS each, journalled; the ids of the people
    left as a desk changed them meanwhile. What a batch writes is made before it takes the lock."""
    progress.stage("Writing", len(plan.inserts) + len(plan.updates))
    revoked_of = {person_id: code for code, person_id in plan.revoked}
    kept: set[int] = set()
    size, batch = FIRST_BATCH, 0
    released = gap = 0.0
    try:
        for work, inserting in ((plan.inserts, True), (plan.updates, False)):
            start = 0
            while start < len(work):
                chunk = work[start : start + size]
                if inserting:
                    tokens = [token_tuples(0, person) for person in chunk]
                else:
                    updates = plan.updates[start : start + size]  # the chunk, typed as updates
                    new_tokens = {
                        u.id: token_tuples(u.id, u.after) for u in updates if tokens_changed(u.before, u.after)
                    }
                batch += 1
                pause = gap - (time.perf_counter() - released)
                if pause > 0:
                    time.sleep(pause)
                writer.begin()
                began = time.perf_counter()
                try:
                    if inserting:
                        ids = insert_rows(writer, chunk, tokens)
                        journal_batch(writer, run, batch, inserted=ids, updated=[], revoked=[])
                    else:
                        changed = changed_since(writer, {u.id: u.seen_at for u in updates})
                        kept |= changed
                        todo = [u for u in updates if u.id not in changed]
                        update_rows(
                            writer,
                            [(u.id, u.changes()) for u in todo],
                            {u.id: new_tokens[u.id] for u in todo if u.id in new_tokens},
                        )
                        revoked = [(revoked_of[u.id], u.id) for u in todo if u.id in revoked_of]
                        revoke_codes(writer, revoked)
                        journal_batch(
                            writer,
                            run,
                            batch,
                            inserted=[],
                            updated=[u.undo() for u in todo],
                            revoked=[code for code, _ in revoked],
                        )
                    bump_attendees(writer)  # other desks see each batch as it lands
                except BaseException:
                    writer.rollback()
                    raise
                writer.commit()
                released = time.perf_counter()
                elapsed = released - began
                gap = gap_after(elapsed)
                writer.checkpoint()  # outside the lock: a desk's next commit finds no pages of ours to copy
                start += len(chunk)
                progress.advance(len(chunk))
                size = max(MIN_BATCH, min(MAX_BATCH, int(len(chunk) * BATCH_SECONDS / max(elapsed, 0.001))))
    finally:
        progress.done()
    return kept


def _plan(session: Session, parsed: ParsedFile, code_factory: CodeFactory) -> _Plan:
    """Decide for every row: new person, changed person or unchanged; collect what conflicts with
    the people already stored. A row is compared with the stored person as a tuple."""
    plan = _Plan()
    people = stored_people(session)
    by_ref = {p.source_ref: p for p in people if p.source_ref}
    by_code = {p.badge_code: p for p in people}
    by_folded = {code_key(p.badge_code): p for p in people}
    file_codes: dict[str, tuple[str, int]] = {}  # folded code -> the code as this file gives it, its line
    by_key: dict[tuple[str, str], list[StoredPerson]] | None = None  # made when a row needs it
    revoked = revoked_code_owners(session)
    claimed: dict[int, int] = {}  # stored person id -> line of the row that matched them
    matches: dict[int, StoredPerson | None] = {}  # line -> matched person (None: a new person)
    rejected: set[int] = set()

    def reject(row: AttendeeRow, message: str) -> None:
        plan.problems.append(RowProblem(row.line, message))
        rejected.add(row.line)

    def claim(row: AttendeeRow, person: StoredPerson) -> None:
        if person.id in claimed:
            reject(row, f"the same person as line {claimed[person.id]} (same badge code, key or name and e-mail)")
        else:
            claimed[person.id] = row.line
            matches[row.line] = person

    # First the rows with a key or a code of their own, so a name match never takes their person.
    if by_ref or by_code:
        for row in parsed.rows:
            person = by_ref.get(row.source_ref) if row.source_ref else None
            if person is None and row.badge_code and row.badge_code in by_code:
                person = by_code[row.badge_code]
                if _someone_else(person, row):
                    reject(row, "badge code belongs to another person already in the database")
                    continue
            if person is not None:
                claim(row, person)
    for row in parsed.rows:
        if row.line in matches or row.line in rejected:
            continue
        if by_key is None:
            by_key = defaultdict(list)
            for p in people:
                by_key[person_key(p.first_name, p.last_name, p.email)].append(p)
        candidates = [p for p in by_key.get(row.match_key(), ()) if p.id not in claimed] if by_key else None
        if candidates:
            claim(row, candidates[0])
        else:
            matches[row.line] = None

    # The file's own fields come from the row, the others stay as stored (a tuple of PERSON_FIELDS).
    own = tuple(name in parsed.fields for name in PERSON_FIELDS)
    owns_all = all(own)
    values_of = attrgetter(*PERSON_FIELDS)
    # The fields the file sets, of the row and of the stored person: equal (with code and key), the
    # person is unchanged and no tuple is built (most rows of a re-import).
    own_fields = [name for name in PERSON_FIELDS if name in parsed.fields]  # never empty: names at least
    row_own = attrgetter(*own_fields) if own_fields else None
    stored_own = itemgetter(*[StoredPerson._fields.index(name) for name in own_fields]) if own_fields else None
    for row in parsed.rows:
        if row.line not in matches:
            continue
        person = matches[row.line]
        code = _badge_code(row, person, by_code, revoked, plan)
        if code is None:
            continue
        if code and not _one_code_whatever_its_case(row, code, person, by_folded, file_codes, plan):
            continue
        if person is None:
            if not code:
                code = code_factory()
                while code in by_code:  # 130 random bits: never, but never is cheap to check
                    code = code_factory()
                plan.generated += 1
            plan.inserts.append((*values_of(row), code, row.source_ref))
            continue
        source_ref = person.source_ref
        if (
            row.source_ref
            and row.source_ref != source_ref
            and (source_ref is None or _same_system(source_ref, row.source_ref))
        ):
            source_ref = row.source_ref  # a new pretix secret, say; another system's key stays
        if (
            row_own is not None
            and stored_own is not None
            and code == person.badge_code
            and source_ref == person.source_ref
            and row_own(row) == stored_own(person)
        ):
            plan.unchanged += 1
            continue
        before = person[1:-1]  # IMPORTED_FIELDS as stored
        values = values_of(row)
        if not owns_all:
            values = tuple(new if mine else old for new, old, mine in zip(values, before, own))
        after = (*values, code, source_ref)
        if after == before:
            plan.unchanged += 1
            continue
        if code != person.badge_code:
            plan.revoked.append((person.badge_code, person.id))
        update = _Update(
            person.id,
            tuple(i for i, (new, old) in enumerate(zip(after, before)) if new != old),
            before,
            after,
            person.updated_at,
        )
        if update.columns == _SOURCE_REF_ONLY:
            plan.keyed += 1
        plan.updates.append(update)
    return plan


_SOURCE_REF_ONLY = (IMPORTED_FIELDS.index("source_ref"),)


def _same_system(ref: str, other: str) -> bool:
    return ref.split(":", 1)[0] == other.split(":", 1)[0]


def _someone_else(person: StoredPerson, row: AttendeeRow) -> bool:
    """Whether a row with ``person``'s badge code describes somebody else: a different ticket of
    the same system (pretix:A vs pretix:B), or another system's key with neither name nor e-mail
    in common. Without keys on both sides the code decides."""
    if not person.source_ref or not row.source_ref or person.source_ref == row.source_ref:
        return False
    if _same_system(person.source_ref, row.source_ref):
        return True
    stored_name, stored_email = person_key(person.first_name, person.last_name, person.email)
    name, email = row.match_key()
    return stored_name != name and not (email and email == stored_email)


def _one_code_whatever_its_case(
    row: AttendeeRow,
    code: str,
    person: StoredPerson | None,
    by_folded: dict[str, StoredPerson],
    file_codes: dict[str, tuple[str, int]],
    plan: _Plan,
) -> bool:
    """Whether ``code`` stays one person's whatever its case (a scan finds a code in any case, so
    two codes differing only in case would be ambiguous); else the row's problem is recorded."""
    folded = code_key(code)
    owner = by_folded.get(folded)
    if owner is not None and owner.badge_code != code and (person is None or owner.id != person.id):
        plan.problems.append(
            RowProblem(
                row.line,
                "badge code differs only in upper/lower case from the code of "
                "another person already in the database (a scan reads both alike)",
            )
        )
        return False
    earlier = file_codes.setdefault(folded, (code, row.line))
    if earlier[0] != code:
        plan.problems.append(
            RowProblem(
                row.line,
                f"badge code differs only in upper/lower case from the code on "
                f"line {earlier[1]} (a scan reads both alike)",
            )
        )
        return False
    return True


def _badge_code(
    row: AttendeeRow,
    person: StoredPerson | None,
    by_code: dict[str, StoredPerson],
    revoked: dict[str, int],
    plan: _Plan,
) -> str | None:
    """The code the person will have ("" = generate one), or None after recording a problem."""
    if not row.badge_code:
        return person.badge_code if person else ""
    if person is not None and row.badge_code == person.badge_code:
        return row.badge_code
    owner = by_code.get(row.badge_code)
    if owner is not None and (person is None or owner.id != person.id):
        plan.problems.append(RowProblem(row.line, "badge code belongs to another person already in the database"))
        return None
    if row.badge_code in revoked:
        if person is not None and revoked[row.badge_code] == person.id:
            return person.badge_code  # their badge was reissued at the desk: the new one stays
        plan.problems.append(
            RowProblem(row.line, "badge code was revoked (its badge was reissued); it cannot be given out again")
        )
        return None
    return row.badge_code
