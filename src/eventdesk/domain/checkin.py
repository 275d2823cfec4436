"""The check-in decision: one answer per scan from a fixed vocabulary, checked in a fixed order
(as pretix does), and the cleaning of what a barcode scanner types.

Pure Python: the store fetches a ``CodeLookup``, ``decide`` answers, the service records it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Result(StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_CODE = "unknown_code"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    NOT_ON_LIST = "not_on_list"
    BLOCKED = "blocked"
    FORGOTTEN = "forgotten"  # the person's data was erased at their request (attendee forget)


# What the desk reads on the banner.
LABELS: dict[str, str] = {
    Result.OK: "Welcome",
    Result.ALREADY_CHECKED_IN: "Already checked in",
    Result.UNKNOWN_CODE: "Unknown code",
    Result.CANCELLED: "Registration cancelled",
    Result.REVOKED: "Old badge: this code was replaced by a reissued badge",
    Result.NOT_ON_LIST: "Not admitted on this list",
    Result.BLOCKED: "Blocked: send to the registration supervisor",
    Result.FORGOTTEN: "Data erased: this person's details were deleted at their request",
}

ENTRY = "entry"
EXIT = "exit"
DIRECTIONS = (ENTRY, EXIT)

# A badge code is 26 characters; imported systems' secrets are longer but never this long.
MAX_CODE_LENGTH = 128
# Below this many characters (or with a space) a typed text is a name, not a code.
MIN_CODE_LENGTH = 8
# A scanner types about one key per millisecond; people rarely beat 60 ms between keys.
SCANNER_KEY_GAP_S = 0.035


@dataclass(frozen=True)
class CodeLookup:
    """What the store knows about a scanned code on one list, fetched in one query."""

    found: bool  # the code is a current badge code or a revoked one
    revoked: bool = False  # the code is an old code of a reissued badge
    status: str = "active"  # active | cancelled
    blocked: bool = False
    category: str = ""
    inside: bool = False  # the last valid scan of this person on this list was an entry
    forgotten: bool = False  # the person's data was erased (the code is revoked too)

    @classmethod
    def of(cls, person, *, revoked: bool, last_direction: str | None, forgotten: bool = False) -> CodeLookup:
        """The lookup of the person found behind a code (anything with ``status``, ``blocked`` and
        ``category``; None: nobody holds it) and the direction of their last valid scan today."""
        if person is None:
            return cls(found=False)
        return cls(
            found=True,
            revoked=revoked,
            status=person.status,
            blocked=person.blocked,
            category=person.category,
            inside=last_direction == ENTRY,
            forgotten=forgotten,
        )


def badge_due(result: str, *, direction: str, list_kind: str, badge_queued: bool) -> bool:
    """Whether this scan prints the person's badge: at an entrance, once. A door or meeting-desk
    scan means the badge (or the confirmation e-mail) is already in the person's hand, and the
    desk there has no badge printer."""
    return result == Result.OK and direction == ENTRY and list_kind == "entrance" and not badge_queued


def admits(categories: str, category: str) -> bool:
    """Whether a list admitting ``categories`` (comma-separated; empty = everybody) lets
    ``category`` in. Case and surrounding spaces do not matter."""
    allowed = {c.strip().casefold() for c in categories.split(",") if c.strip()}
    return not allowed or category.strip().casefold() in allowed


def decide(lookup: CodeLookup, *, list_categories: str = "", direction: str = ENTRY) -> Result:
    """The answer to one scan. The order is fixed: a code nobody holds, an erased person, an old code, a cancelled
    registration, a blocked person, a category the list does not admit; only then entry/exit.
    An exit is always ok for an admitted person; an entry is ok unless the person is inside
    already (re-entry after an exit is ok)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'entry' or 'exit', not {direction!r}")
    if not lookup.found:
        return Result.UNKNOWN_CODE
    if lookup.forgotten:
        return Result.FORGOTTEN
    if lookup.revoked:
        return Result.REVOKED
    if lookup.status == "cancelled":
        return Result.CANCELLED
    if lookup.blocked:
        return Result.BLOCKED
    if not admits(list_categories, lookup.category):
        return Result.NOT_ON_LIST
    if direction == EXIT:
        return Result.OK
    return Result.ALREADY_CHECKED_IN if lookup.inside else Result.OK


# AIM symbology identifiers a scanner may prefix: "]" + symbology letter + modifier ("]Q1" QR,
# "]C0" Code 128, "]d2" Data Matrix, "]E0" EAN-13).
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# Extended Channel Interpretation as typed by a keyboard-wedge scanner: a backslash and six digits.
_ECI_PREFIX = re.compile(r"^\\\d{6}")
# Also bidi controls, zero-width characters and lone surrogates (a broken paste): a code never holds them.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_code(raw: str) -> str:
    """What a scanner typed -> the code to look up: control characters (CR, LF, Tab, escape) and
    spaces removed anywhere (a code never holds them), AIM and ECI prefixes removed, cut to
    ``MAX_CODE_LENGTH`` characters."""
    text = _CONTROL_OR_SPACE.sub("", raw[: MAX_CODE_LENGTH * 8])
    while True:
        stripped = _ECI_PREFIX.sub("", _AIM_PREFIX.sub("", text, count=1), count=1)
        if stripped == text:
            break
        text = stripped
    return text[:MAX_CODE_LENGTH]


def strip_scanner_noise(raw: str) -> str:
    """The typed text with the scanner's prefixes and surrounding noise removed, but inner spaces
    kept (so "izsak k" stays a two-word search)."""
    text = _SURROGATE.sub("\ufffd", raw).strip(" \t\r\n\x00")  # lone surrogates cannot be stored
    for pattern in (_AIM_PREFIX, _ECI_PREFIX):
        text = pattern.sub("", text, count=1)
    return text.strip()


def looks_like_code(text: str, typed_fast: bool) -> bool:
    """Whether an unmatched text is a failed scan (record ``unknown_code``) rather than a name
    being searched: one word, long enough, and typed at scanner speed."""
    stripped = strip_scanner_noise(text)
    return typed_fast and len(stripped) >= MIN_CODE_LENGTH and not any(ch.isspace() for ch in stripped)


def typed_fast(key_times: list[float]) -> bool:
    """Whether keys (their monotonic times, Enter last) came at scanner speed."""
    if len(key_times) < 2:
        return False
    gaps = [b - a for a, b in zip(key_times, key_times[1:])]
    # One hiccup does not make a scan typed; a person waiting for results before Enter does.
    middle = median(gaps)
    return middle is not None and middle <= SCANNER_KEY_GAP_S and gaps[-1] <= 3 * SCANNER_KEY_GAP_S


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def seconds_per_attendee(ok_times: list[float], idle_gap_s: float = 300.0) -> float | None:
    """Median seconds between consecutive successful check-ins at a desk; pauses longer than
    ``idle_gap_s`` (nobody queued) are not service time."""
    ordered = sorted(ok_times)
    gaps = [b - a for a, b in zip(ordered, ordered[1:]) if b - a <= idle_gap_s]
    return median(gaps)
