"""Text rules: accent-blind search keys and safe display of outside text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Letters that NFKD does not decompose into base letter + accent.
_FOLD_EXTRA = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "Ŀ": "l",
        "ŧ": "t",
        "Ŧ": "t",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
    }
)
# German spelling without umlauts: "Müller" is also typed "Mueller".
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


# Greek "ου" is the sound "ou" (Παπαδόπουλος is written Papadopoulos), not anyascii's "oy".
_GREEK_OU = re.compile("ου")


def fold(text: str) -> str:
    """Lower-case, accent-free, Latin-script form of ``text``: "Šermukšnytė" -> "sermuksnyte",
    "Петров" -> "petrov", "Παπαδόπουλος" -> "papadopoulos". The one folding function: search
    tokens, queries, import matching and queue ranges are all made with it, so a name written in
    any script is found by what desk staff type on a Latin keyboard, and the other way round."""
    if text.isascii():  # codes, e-mails, most names: nothing to decompose or transliterate
        return text.lower()
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    if stripped.isascii():
        return stripped
    # Other scripts by a maintained transliteration table (anyascii), not a hand-grown one.
    return anyascii(_GREEK_OU.sub("ou", stripped)).casefold()


def words(text: str) -> list[str]:
    """Folded words of ``text``; hyphens, apostrophes and dots split words."""
    return _WORD.findall(fold(text))


def search_tokens(*fields: str | None) -> set[str]:
    """Every token under which a person is found: folded words, German umlaut spellings,
    and joined forms of hyphenated names ("sermuksnytealesiuniene")."""
    tokens: set[str] = set()
    for field in fields:
        if field:
            tokens.update(_field_tokens(field))
    return tokens


@lru_cache(maxsize=65536)
def _field_tokens(field: str) -> frozenset[str]:
    """``search_tokens`` of one field. Cached: in a list of 100,000 people first names, surnames
    and organisations repeat, and an import or start-up folds each distinct one once."""
    tokens = set(words(field))
    german = field.translate(_GERMAN)
    if german != field:
        tokens.update(words(german))
    for chunk in field.split():
        parts = words(chunk)
        if len(parts) > 1:
            tokens.add("".join(parts))
    return frozenset(tokens)


def query_terms(query: str) -> list[str]:
    """The folded words of what a person typed, longest first (most selective first)."""
    return sorted(set(words(query)), key=len, reverse=True)


# Control characters (escape sequences), bidi embeddings, overrides, isolates and marks (they would
# reorder the neighbouring columns of a table on a terminal that applies bidi), lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str | None, limit: int | None = None) -> str:
    """Outside text made safe for a terminal: control characters (escape sequences included)
    become visible replacement marks; newlines and tabs become spaces. Never interpreted as
    markup: callers render it with ``rich.text.Text``, never as a markup string."""
    if not text:
        return ""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    text = _CONTROL.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text
