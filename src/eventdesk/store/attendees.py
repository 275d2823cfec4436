"""Attendee queries: saving with the search index kept in step, lookups and the accent-blind
prefix search.

The index is the ``attendee_token`` table (folded token, person), fed by ``attendee_tokens`` and
so by the one folding of ``domain/text.py``; it serves SQLite and PostgreSQL alike. Measured
against an SQLite FTS5 index with prefix indexes (see benchmarks/README.md) it stays: FTS5 merges
whole doclists for a prefix longer than its prefix indexes ("clus", "tusca": 35-40 ms of CPU at
1,000,000 people, "pers" 400 ms) where the token table's range scan stops after the first hundred
rows. What made the token table slow was the query: a multi-word search now walks its rarest word
(counted up to a cap) and probes the others, and goes to the driver without building a query."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.domain.text import fold, query_terms, search_tokens, words
from eventdesk.store.models import Attendee, AttendeeToken, AuditEntry


def attendee_tokens(attendee: Attendee) -> set[str]:
    tokens = search_tokens(attendee.first_name, attendee.last_name, attendee.badge_name, attendee.pronouns,
                           attendee.organisation)
    if attendee.email:
        tokens.add(fold(attendee.email))
        tokens.update(search_tokens(attendee.email.split("@")[0]))
    if attendee.badge_code:
        tokens.add(fold(attendee.badge_code))
    return {t for t in tokens if t}


def index_attendee(session: Session, attendee: Attendee) -> None:
    """Rewrite the search tokens of ``attendee`` (call after any change of its searchable fields;
    the attendee must have an id: flush first)."""
    assert attendee.id is not None, "flush the attendee before indexing it"
    session.exec(delete(AttendeeToken).where(AttendeeToken.attendee_id == attendee.id))
    rows = [{"token": t, "attendee_id": attendee.id} for t in attendee_tokens(attendee)]
    if rows:
        session.exec(insert(AttendeeToken), params=rows)


TOKEN_SOURCE_COLUMNS = ("id", "first_name", "last_name", "badge_name", "pronouns", "organisation", "email",
                        "badge_code")


def rebuild_search_index(connection, chunk: int = 2000) -> int:
    """Rewrite every attendee's search tokens (after a change of how text is folded); the number
    of people indexed. Works on a bare connection, so a migration can call it."""
    table, tokens = Attendee.__table__, AttendeeToken.__table__
    rows = connection.execute(select(*[table.c[name] for name in TOKEN_SOURCE_COLUMNS])).all()
    connection.execute(delete(tokens))
    for start in range(0, len(rows), chunk):
        batch = [{"token": token, "attendee_id": row.id}
                 for row in rows[start:start + chunk] for token in attendee_tokens(row)]
        if batch:
            connection.execute(insert(tokens), batch)
    return len(rows)


def save_attendee(session: Session, attendee: Attendee) -> Attendee:
    """Insert or update ``attendee`` and its search tokens."""
    attendee.updated_at = utcnow()
    session.add(attendee)
    session.flush()
    index_attendee(session, attendee)
    return attendee


def get_attendee(session: Session, attendee_id: int) -> Attendee | None:
    return session.get(Attendee, attendee_id)


def add_audit(session: Session, *, desk: str, action: str, subject: str, detail: str) -> None:
    """Who changed what; ``detail`` names fields, never personal values."""
    session.add(AuditEntry(desk=desk, action=action, subject=subject, detail=detail))


def by_code(session: Session, code: str) -> Attendee | None:
    return session.exec(select(Attendee).where(Attendee.badge_code == code)).first()


def by_email(session: Session, email: str) -> list[Attendee]:
    """At most two people with this e-mail (case ignored): enough to tell one from several."""
    return list(session.exec(select(Attendee).where(func.lower(Attendee.email) == email.strip().lower()).limit(2)))


def count_attendees(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Attendee)).one()


# A query longer than this is not a name (a pasted paragraph, a stuck key): it is cut.
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 5
SEARCH_COLUMNS = ("id", "first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "email", "country", "category",
                  "status", "blocked", "note", "badge_code", "walk_in")
_FIRST, _LAST, _BADGE_NAME, _CODE = (SEARCH_COLUMNS.index(c) for c in ("first_name", "last_name", "badge_name", "badge_code"))


@dataclass(frozen=True)
class PersonHit:
    person: dict  # SEARCH_COLUMNS of the attendee, as plain values
    rank: int  # lower is better


@dataclass(frozen=True)
class SearchHit:
    attendee: Attendee
    rank: int  # lower is better


def _upper_bound(term: str) -> str:
    return term[:-1] + chr(ord(term[-1]) + 1)


# Enough rows to tell a rare term from a common one; counting stops there.
SELECTIVITY_CAP = 2000


def _sql(connection, text: str) -> str:
    """``text`` with ``?`` markers in the driver's own style (the search runs per keystroke: its
    statements go straight to the driver, without building and compiling a query each time)."""
    return text if connection.dialect.paramstyle == "qmark" else text.replace("?", "%s")


def _rarest_first(connection, terms: list[str]) -> list[str]:
    """The terms ordered by how few tokens start with them (counted up to SELECTIVITY_CAP), longest
    first among equals: the search walks the rarest and probes the others per person, so "marek pr"
    walks the few "pr..." people instead of every Marek."""
    if len(terms) == 1:
        return terms
    count = _sql(connection, "SELECT count(*) FROM (SELECT 1 FROM attendee_token WHERE token >= ? AND token < ? LIMIT ?) AS t")
    counts = {t: connection.exec_driver_sql(count, (t, _upper_bound(t), SELECTIVITY_CAP)).scalar() for t in terms}
    return sorted(terms, key=lambda t: (counts[t], -len(t)))


def _search_rows(connection, terms: list[str], candidates: int) -> list[tuple]:
    """Attendees having a token that starts with the first term, walked in token order (exact
    words come before longer words), each probed by person for every other term."""
    probes = "".join(" AND EXISTS (SELECT 1 FROM attendee_token o WHERE o.attendee_id = f.attendee_id "
                     "AND o.token >= ? AND o.token < ?)" for _ in terms[1:])
    statement = _sql(connection, f"SELECT {', '.join('a.' + c for c in SEARCH_COLUMNS)} FROM attendee_token f "
                                 f"JOIN attendee a ON a.id = f.attendee_id WHERE f.token >= ? AND f.token < ?{probes} "
                                 "ORDER BY f.token, f.attendee_id LIMIT ?")
    bounds = [value for term in terms for value in (term, _upper_bound(term))]
    return connection.exec_driver_sql(statement, (*bounds, candidates)).all()


def search_attendees(session: Session, query: str, limit: int = 20) -> list[SearchHit]:
    """``search_people_rows`` as Attendee objects of ``session``."""
    return [SearchHit(session.get(Attendee, hit.person["id"]), hit.rank) for hit in search_people_rows(session, query, limit)]


@lru_cache(maxsize=65536)
def _field_words(text: str) -> tuple[str, ...]:
    """Folded words of one name field. Cached: first names and common surnames repeat across the
    candidates of every keystroke, and folding an accented name is most of a search's Python time."""
    return tuple(words(text))


@lru_cache(maxsize=65536)
def _sort_fold(text: str) -> str:
    return fold(text)


def _rank(row: tuple, terms: list[str], wanted: str) -> int:
    """0 exact full name (or badge name) or code, 1 every term a whole word of the name, 2 every
    term starts a word of the name, 3 found through organisation, e-mail or code."""
    name_words = _field_words(row[_FIRST]) + _field_words(row[_LAST])
    called_words = _field_words(row[_BADGE_NAME])
    if wanted in (" ".join(sorted(set(name_words))), " ".join(sorted(set(called_words)))) \
            or fold(row[_CODE]) == terms[0]:
        return 0
    name_words += called_words
    if all(t in name_words for t in terms):
        return 1
    if all(any(w.startswith(t) for w in name_words) for t in terms):
        return 2
    return 3


def search_people_rows(session: Session, query: str, limit: int = 20, candidates: int | None = None) -> list[PersonHit]:
    """People having, for every word of ``query``, a word that starts with it (any order, accents
    and case ignored), best first: exact full name or code, then exact words of the name, then
    name prefixes, then organisation/e-mail matches; one SELECT."""
    terms = query_terms(query[:MAX_QUERY_CHARS])[:MAX_QUERY_TERMS]
    if not terms:
        return []
    connection = session.connection()
    if candidates is None:  # enough to rank the shown ones; several words already narrow it down
        candidates = max(limit * 5, 100) if len(terms) == 1 else max(limit * 2, 40)
    rows = _search_rows(connection, _rarest_first(connection, terms), candidates)
    wanted = " ".join(sorted(terms))
    seen: set[int] = set()
    ranked = []
    for row in rows:
        if row[0] not in seen:  # a person found under several tokens of the range
            seen.add(row[0])
            ranked.append((_rank(row, terms, wanted), _sort_fold(row[_LAST]), _sort_fold(row[_FIRST]), row[0], row))
    ranked.sort(key=lambda r: r[:4])
    hits = []
    for rank, _, _, _, row in ranked[:limit]:  # plain values only for the people shown
        person = dict(zip(SEARCH_COLUMNS, row))
        person["blocked"], person["walk_in"] = bool(person["blocked"]), bool(person["walk_in"])
        hits.append(PersonHit(person, rank))
    return hits
