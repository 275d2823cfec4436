"""Attendee queries: saving with the search index kept in step, lookups and the accent-blind
prefix search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.domain.text import fold, query_terms, search_tokens
from eventdesk.store.models import Attendee, AttendeeToken


def attendee_tokens(attendee: Attendee) -> set[str]:
    tokens = search_tokens(attendee.first_name, attendee.last_name, attendee.organisation)
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


def save_attendee(session: Session, attendee: Attendee) -> Attendee:
    """Insert or update ``attendee`` and its search tokens."""
    attendee.updated_at = utcnow()
    session.add(attendee)
    session.flush()
    index_attendee(session, attendee)
    return attendee


def by_code(session: Session, code: str) -> Attendee | None:
    return session.exec(select(Attendee).where(Attendee.badge_code == code)).first()


def count_attendees(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Attendee)).one()


@dataclass(frozen=True)
class SearchHit:
    attendee: Attendee
    rank: int  # lower is better


def _prefix_ids(term: str):
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return select(AttendeeToken.attendee_id).where(AttendeeToken.token >= term, AttendeeToken.token < upper)


def search_attendees(session: Session, query: str, limit: int = 20, candidates: int = 400) -> list[SearchHit]:
    """People whose words start with every word of ``query`` (any order, accents and case
    ignored), best first: exact full name, then exact words, then prefixes, then name order."""
    terms = query_terms(query)
    if not terms:
        return []
    ids = _prefix_ids(terms[0])
    for term in terms[1:]:
        ids = ids.intersect(_prefix_ids(term))
    rows = session.exec(select(Attendee).where(Attendee.id.in_(ids.limit(candidates).scalar_subquery()))).all()
    folded_query = " ".join(sorted(terms))
    hits = []
    for attendee in rows:
        name_words = set(fold(attendee.name).replace("-", " ").split())
        if " ".join(sorted(name_words)) == folded_query or fold(attendee.badge_code) == terms[0]:
            rank = 0
        elif all(t in name_words for t in terms):
            rank = 1
        elif all(any(w.startswith(t) for w in name_words) for t in terms):
            rank = 2
        else:
            rank = 3
        hits.append(SearchHit(attendee, rank))
    hits.sort(key=lambda h: (h.rank, fold(h.attendee.last_name), fold(h.attendee.first_name), h.attendee.id))
    return hits[:limit]
