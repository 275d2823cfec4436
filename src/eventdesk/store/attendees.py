"""Attendee queries: saving with the search index kept in step, lookups and the accent-blind
prefix search.

The index is the ``attendee_token`` table (folded token, person, letters), fed by
``attendee_tokens`` and so by the one folding of ``domain/text.py``; it serves SQLite and
PostgreSQL alike, and it stays rather than an SQLite FTS5 index, which merges whole doclists for
a prefix longer than its prefix indexes where the token table's range scan stops after the first
hundred rows (docs/decisions.md, search). A multi-word search walks its rarest word (counted up
to a cap) and probes the others per person; each token row keeps the first letters of all its
person's tokens (``token_letters``), so most people lacking a word are passed over on the walked
row itself, far cheaper than a probe. Every writer of the index makes its rows with
``token_rows``; a row written without letters is probed, never missed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import delete, func, insert, inspect
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from eventdesk.domain.clock import utcnow
from eventdesk.domain.text import fold, query_terms, search_tokens, words
from eventdesk.store.models import Attendee, AttendeeToken, AuditEntry


def attendee_tokens(attendee: Attendee) -> set[str]:
    return person_tokens(
        attendee.first_name,
        attendee.last_name,
        attendee.badge_name,
        attendee.pronouns,
        attendee.organisation,
        attendee.email,
        attendee.badge_code,
    )


def person_tokens(
    first_name: str, last_name: str, badge_name: str, pronouns: str, organisation: str, email: str, badge_code: str
) -> set[str]:
    """The search tokens of a person given by the fields they are made of (``TOKEN_FIELDS``)."""
    tokens = search_tokens(first_name, last_name, badge_name, pronouns, organisation)
    if email:
        tokens.add(fold(email))
        tokens.update(search_tokens(email.split("@")[0]))
    if badge_code:
        tokens.add(fold(badge_code))
    tokens.discard("")
    return tokens


# The fields of a person their search tokens are made of, in ``person_tokens``' order.
TOKEN_FIELDS = ("first_name", "last_name", "badge_name", "pronouns", "organisation", "email", "badge_code")


# A multi-word search compares, before it probes a person for the other words, the bits of the
# first letter (bits 0-31) and the first two letters (bits 32-62) of every token of that person,
# kept on each of their token rows (``letters``): most people lacking a word are skipped without a
# probe. Plain code points, so that SQL computes the same bits (``LETTERS_SQL``, migration 0010).
ALL_LETTERS = 2**63 - 1  # what a row written without its letters holds: never skipped


def letter_bits(word: str) -> int:
    """The bits of ``word``'s first letter and first two letters (``word`` folded, not empty)."""
    first = ord(word[0])
    bits = 1 << (first % 32)
    if len(word) > 1:
        bits |= 1 << (32 + (first * 37 + ord(word[1])) % 31)
    return bits


def token_letters(tokens: Iterable[str]) -> int:
    """The ``letters`` of a person with these search tokens: what each of their token rows holds."""
    bits = 0
    for token in tokens:
        pair = token[:2]
        known = _PAIR_BITS.get(pair)
        if known is None:
            known = _PAIR_BITS[pair] = letter_bits(pair)
        bits |= known
    return bits


# letter_bits by a token's first two letters (an import computes them for a million tokens; folded
# tokens are ASCII, so this holds a few thousand pairs at most).
_PAIR_BITS: dict[str, int] = {}


def token_rows(attendee_id: int, tokens: Iterable[str]) -> list[dict]:
    """The ``attendee_token`` rows of one person: every writer of the index makes them here."""
    tokens = list(tokens)
    letters = token_letters(tokens)
    return [{"token": token, "attendee_id": attendee_id, "letters": letters} for token in tokens]


# ``token_letters`` of the tokens of a group of rows, as an SQL aggregate (for the migration and
# ``refresh_token_letters``). SQLite has no bitwise OR aggregate: distinct powers of two summed are
# their OR (bits 0-31 and 32-62 summed apart, each without overflow).
LETTERS_SQL = {
    "sqlite": "sum(DISTINCT 1 << (unicode(token) % 32)) + sum(DISTINCT CASE WHEN length(token) > 1 THEN "
    "1 << (32 + (unicode(token) * 37 + unicode(substr(token, 2, 1))) % 31) ELSE 0 END)",
    "postgresql": "bit_or((1::bigint << mod(ascii(token), 32)) | CASE WHEN length(token) > 1 THEN "  # mod(): no '%' for the driver
    "1::bigint << (32 + mod(ascii(token) * 37 + ascii(substr(token, 2, 1)), 31)) ELSE 0 END)",
}


def refresh_token_letters(connection, attendee_ids: Sequence[int] | None = None) -> None:
    """Recompute ``letters`` in SQL from the stored tokens, of ``attendee_ids`` or of everybody: for
    rows written without it (a bulk writer that inserts only token and person)."""
    where = ""
    if attendee_ids is not None:
        if not attendee_ids:
            return
        where = f" WHERE attendee_id IN ({', '.join(str(int(i)) for i in attendee_ids)})"
    aggregate = LETTERS_SQL[connection.dialect.name]
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"UPDATE attendee_token t SET letters = p.letters FROM (SELECT attendee_id, {aggregate} AS letters "
            f"FROM attendee_token{where} GROUP BY attendee_id) p WHERE t.attendee_id = p.attendee_id"
        )
    else:
        connection.exec_driver_sql(
            f"UPDATE attendee_token SET letters = (SELECT {aggregate} FROM attendee_token o "
            f"WHERE o.attendee_id = attendee_token.attendee_id){where}"
        )


def index_attendee(session: Session, attendee: Attendee) -> None:
    """Rewrite the search tokens of ``attendee`` (call after any change of its searchable fields;
    the attendee must have an id: flush first)."""
    assert attendee.id is not None, "flush the attendee before indexing it"
    session.exec(delete(AttendeeToken).where(AttendeeToken.attendee_id == attendee.id))
    rows = token_rows(attendee.id, attendee_tokens(attendee))
    if rows:
        session.exec(insert(AttendeeToken), params=rows)


TOKEN_SOURCE_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "badge_name",
    "pronouns",
    "organisation",
    "email",
    "badge_code",
)


def rebuild_search_index(connection, chunk: int = 2000) -> int:
    """Rewrite every attendee's search tokens (after a change of how text is folded); the number
    of people indexed. Works on a bare connection, so a migration can call it (a migration older
    than 0010 runs before the table has ``letters``: the rows then go without it)."""
    table, tokens = Attendee.__table__, AttendeeToken.__table__
    with_letters = "letters" in {c["name"] for c in inspect(connection).get_columns("attendee_token")}
    rows = connection.execute(select(*[table.c[name] for name in TOKEN_SOURCE_COLUMNS])).all()
    connection.execute(delete(tokens))
    for start in range(0, len(rows), chunk):
        batch = [token for row in rows[start : start + chunk] for token in token_rows(row.id, attendee_tokens(row))]
        if not with_letters:
            batch = [{"token": token["token"], "attendee_id": token["attendee_id"]} for token in batch]
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


def all_attendees(session: Session) -> Iterator[Attendee]:
    """Every attendee, in the order they were added."""
    return iter(session.exec(select(Attendee).order_by(Attendee.id)))


def attendees_by_id(session: Session, attendee_ids: Iterable[int]) -> dict[int, Attendee]:
    ids = list(attendee_ids)
    return {a.id: a for a in session.exec(select(Attendee).where(Attendee.id.in_(ids)))} if ids else {}


def index_new_attendees(session: Session, attendees: Iterable[Attendee]) -> None:
    """The search index of attendees just added, in one statement: the tokens ``index_attendee``
    writes, without its per-person delete (new attendees have none)."""
    rows = [row for attendee in attendees for row in token_rows(attendee.id, attendee_tokens(attendee))]
    if rows:
        session.execute(insert(AttendeeToken), rows)


def add_audit(session: Session, *, desk: str, action: str, subject: str, detail: str) -> None:
    """Who changed what; ``detail`` names fields, never personal values."""
    session.add(AuditEntry(desk=desk, action=action, subject=subject, detail=detail))


def by_code(session: Session, code: str) -> Attendee | None:
    """The attendee holding ``code``: exactly as typed, else whatever its case (``code_key``)."""
    from eventdesk.domain.codes import code_key

    return (
        session.exec(select(Attendee).where(Attendee.badge_code == code)).first()
        or session.exec(
            select(Attendee).where(func.lower(Attendee.badge_code) == code_key(code)).order_by(Attendee.id)
        ).first()
    )


def by_email(session: Session, email: str) -> list[Attendee]:
    """At most two people with this e-mail (case ignored): enough to tell one from several."""
    return list(session.exec(select(Attendee).where(func.lower(Attendee.email) == email.strip().lower()).limit(2)))


def count_attendees(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Attendee)).one()


# A query longer than this is not a name (a pasted paragraph, a stuck key): it is cut.
MAX_QUERY_CHARS = 100
MAX_QUERY_TERMS = 5
# The attendee columns a person (services.attendees.Person) is made of: search, scans, the offline copy.
PERSON_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "badge_name",
    "pronouns",
    "organisation",
    "role",
    "email",
    "country",
    "category",
    "status",
    "blocked",
    "note",
    "badge_code",
    "walk_in",
)
_FIRST, _LAST, _BADGE_NAME, _CODE = (
    PERSON_COLUMNS.index(c) for c in ("first_name", "last_name", "badge_name", "badge_code")
)


@dataclass(frozen=True)
class PersonHit:
    person: dict  # PERSON_COLUMNS of the attendee, as plain values
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
    # One statement for all the counts: on PostgreSQL each statement is a round trip to the server.
    count = _sql(
        connection,
        "SELECT "
        + ", ".join(
            f"(SELECT count(*) FROM (SELECT 1 FROM attendee_token WHERE token >= ? AND token < ? LIMIT ?) AS t{n})"
            for n in range(len(terms))
        ),
    )
    counts = dict(
        zip(
            terms,
            connection.exec_driver_sql(
                count, tuple(value for t in terms for value in (t, _upper_bound(t), SELECTIVITY_CAP))
            ).one(),
        )
    )
    return sorted(terms, key=lambda t: (counts[t], -len(t)))


def _search_rows(connection, terms: list[str], candidates: int) -> list[tuple]:
    """Attendees having a token that starts with the first term, walked in token order (exact
    words come before longer words), each probed by person for every other term, unless the
    letters kept on the walked row already show the person lacks one."""
    probes = "".join(
        " AND EXISTS (SELECT 1 FROM attendee_token o WHERE o.attendee_id = f.attendee_id "
        "AND o.token >= ? AND o.token < ?)"
        for _ in terms[1:]
    )
    letters = " AND (f.letters & ?) = ?" if len(terms) > 1 else ""
    statement = _sql(
        connection,
        f"SELECT {', '.join('a.' + c for c in PERSON_COLUMNS)} FROM attendee_token f "
        f"JOIN attendee a ON a.id = f.attendee_id WHERE f.token >= ? AND f.token < ?{letters}"
        f"{probes} ORDER BY f.token, f.attendee_id LIMIT ?",
    )
    wanted = [token_letters(terms[1:])] * 2 if len(terms) > 1 else []
    bounds = [value for term in terms[1:] for value in (term, _upper_bound(term))]
    return connection.exec_driver_sql(statement, (terms[0], _upper_bound(terms[0]), *wanted, *bounds, candidates)).all()


def search_attendees(session: Session, query: str, limit: int = 20) -> list[SearchHit]:
    """``search_people_rows`` as Attendee objects of ``session``."""
    return [
        SearchHit(session.get(Attendee, hit.person["id"]), hit.rank)
        for hit in search_people_rows(session, query, limit)
    ]


@lru_cache(maxsize=4096)
def _field_words(text: str) -> tuple[str, ...]:
    """Folded words of one name field. Cached: first names and common surnames repeat across the
    candidates of every keystroke, and folding an accented name is most of a search's Python time.
    (These caches hold a few thousand names, a few MB at most: the desk's memory has a budget.)"""
    return tuple(words(text))


@lru_cache(maxsize=4096)
def _sort_fold(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=4096)
def _name_keys(first: str, last: str, badge_name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """What ranking compares of a person's name: their exact name and badge name as sorted words
    (both as typed in any order), and every word of either."""
    name_words = _field_words(first) + _field_words(last)
    called_words = _field_words(badge_name)
    exact = frozenset((" ".join(sorted(set(name_words))), " ".join(sorted(set(called_words)))))
    return exact, name_words + called_words


def _rank(row: tuple, terms: list[str], wanted: str) -> int:
    """0 exact full name (or badge name) or code, 1 every term a whole word of the name, 2 every
    term starts a word of the name, 3 found through organisation, e-mail or code."""
    exact, name_words = _name_keys(row[_FIRST], row[_LAST], row[_BADGE_NAME])
    if wanted in exact or fold(row[_CODE]) == terms[0]:
        return 0
    if all(t in name_words for t in terms):
        return 1
    if all(any(w.startswith(t) for w in name_words) for t in terms):
        return 2
    return 3


def search_people_rows(
    session: Session | Connection, query: str, limit: int = 20, candidates: int | None = None
) -> list[PersonHit]:
    """People having, for every word of ``query``, a word that starts with it (any order, accents
    and case ignored), best first: exact full name or code, then exact words of the name, then
    name prefixes, then organisation/e-mail matches; one SELECT (two for several words). Runs in
    ``session``'s transaction, or on a bare connection (the desk's: autocommit)."""
    typed = query[:MAX_QUERY_CHARS].strip()
    if "@" in typed and not any(ch.isspace() for ch in typed):  # an e-mail address: its whole token
        terms = [fold(typed)]
    else:
        terms = query_terms(typed)[:MAX_QUERY_TERMS]
    if not terms:
        return []
    connection = session if isinstance(session, Connection) else session.connection()
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
        person = dict(zip(PERSON_COLUMNS, row))
        person["blocked"], person["walk_in"] = bool(person["blocked"]), bool(person["walk_in"])
        hits.append(PersonHit(person, rank))
    return hits
