"""Attendee queries: saving with the search index kept in step, lookups and the accent-blind
prefix search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, func, insert
from sqlalchemy.orm import aliased
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


def _search_query(terms: list[str], candidates: int):
    """Attendees having a token that starts with the first (longest) term, walked in token order
    (exact words come before longer words), each probed by person for every other term."""
    first = aliased(AttendeeToken)
    query = (select(*[getattr(Attendee, c) for c in SEARCH_COLUMNS])
             .select_from(first).join(Attendee, Attendee.id == first.attendee_id)
             .where(first.token >= terms[0], first.token < _upper_bound(terms[0])))
    for term in terms[1:]:
        other = aliased(AttendeeToken)
        query = query.where(exists().where(other.attendee_id == first.attendee_id, other.token >= term,
                                           other.token < _upper_bound(term)))
    return query.order_by(first.token, first.attendee_id).limit(candidates)


def search_attendees(session: Session, query: str, limit: int = 20) -> list[SearchHit]:
    """``search_people_rows`` as Attendee objects of ``session``."""
    return [SearchHit(session.get(Attendee, hit.person["id"]), hit.rank) for hit in search_people_rows(session, query, limit)]


def search_people_rows(session: Session, query: str, limit: int = 20, candidates: int | None = None) -> list[PersonHit]:
    """People having, for every word of ``query``, a word that starts with it (any order, accents
    and case ignored), best first: exact full name or code, then exact words of the name, then
    name prefixes, then organisation/e-mail matches; one SELECT."""
    terms = query_terms(query[:MAX_QUERY_CHARS])[:MAX_QUERY_TERMS]
    if not terms:
        return []
    rows = session.exec(_search_query(terms, candidates or max(limit * 5, 100))).all()
    wanted = " ".join(sorted(terms))
    seen: set[int] = set()
    hits = []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        person = dict(zip(SEARCH_COLUMNS, row))
        name_words = words(f"{person['first_name']} {person['last_name']}")
        called_words = words(person["badge_name"])
        exact = {" ".join(sorted(set(name_words))), " ".join(sorted(set(called_words)))}
        name_words += called_words
        if wanted in exact or fold(person["badge_code"]) == terms[0]:
            rank = 0
        elif all(t in name_words for t in terms):
            rank = 1
        elif all(any(w.startswith(t) for w in name_words) for t in terms):
            rank = 2
        else:
            rank = 3
        hits.append(PersonHit(person, rank))
    hits.sort(key=lambda h: (h.rank, fold(h.person["last_name"]), fold(h.person["first_name"]), h.person["id"]))
    return hits[:limit]
