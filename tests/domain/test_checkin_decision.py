"""The check-in decision: a fixed vocabulary, a fixed order of checks, entry/exit rules, and the
cleaning of what scanners type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventdesk.domain.checkin import (
    ENTRY,
    EXIT,
    MAX_CODE_LENGTH,
    CodeLookup,
    Result,
    admits,
    clean_code,
    decide,
    looks_like_code,
    seconds_per_attendee,
    strip_scanner_noise,
    typed_fast,
)

CODE = "7Q2M0K4ZC3XWB8N5RT6VY1HJDA"


def test_the_vocabulary_is_fixed():
    assert {r.value for r in Result} == {
        "ok",
        "already_checked_in",
        "unknown_code",
        "cancelled",
        "revoked",
        "not_on_list",
        "blocked",
        "forgotten",
    }


def test_an_unknown_code_wins_over_everything():
    assert decide(CodeLookup(found=False, revoked=True, status="cancelled", blocked=True)) == Result.UNKNOWN_CODE


@pytest.mark.parametrize(
    "lookup, categories, expected",
    [
        # Each row has every later problem too: only the first in the fixed order is answered.
        (
            CodeLookup(
                found=True,
                forgotten=True,
                revoked=True,
                status="cancelled",
                blocked=True,
                category="press",
                inside=True,
            ),
            "speaker",
            Result.FORGOTTEN,
        ),
        (
            CodeLookup(found=True, revoked=True, status="cancelled", blocked=True, category="press", inside=True),
            "speaker",
            Result.REVOKED,
        ),
        (
            CodeLookup(found=True, status="cancelled", blocked=True, category="press", inside=True),
            "speaker",
            Result.CANCELLED,
        ),
        (CodeLookup(found=True, blocked=True, category="press", inside=True), "speaker", Result.BLOCKED),
        (CodeLookup(found=True, category="press", inside=True), "speaker", Result.NOT_ON_LIST),
        (CodeLookup(found=True, category="speaker", inside=True), "speaker", Result.ALREADY_CHECKED_IN),
        (CodeLookup(found=True, category="speaker"), "speaker", Result.OK),
    ],
)
def test_checks_come_in_a_fixed_order(lookup, categories, expected):
    assert decide(lookup, list_categories=categories) == expected


def test_exit_is_ok_inside_or_not_and_reentry_after_exit_is_ok():
    inside = CodeLookup(found=True, inside=True)
    outside = CodeLookup(found=True, inside=False)
    assert decide(inside, direction=EXIT) == Result.OK
    assert decide(outside, direction=EXIT) == Result.OK
    assert decide(outside, direction=ENTRY) == Result.OK  # came back after an exit
    assert decide(inside, direction=ENTRY) == Result.ALREADY_CHECKED_IN


def test_an_exit_still_refuses_a_cancelled_or_revoked_badge():
    assert decide(CodeLookup(found=True, status="cancelled"), direction=EXIT) == Result.CANCELLED
    assert decide(CodeLookup(found=True, revoked=True), direction=EXIT) == Result.REVOKED


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        decide(CodeLookup(found=True), direction="sideways")


def test_list_categories():
    assert admits("", "anything")
    assert admits("speaker, Press", "press")
    assert admits("speaker,press", " Speaker ")
    assert not admits("speaker,press", "participant")


@pytest.mark.parametrize(
    "raw",
    [
        CODE,
        f"  {CODE}\r\n",
        f"\t{CODE}\t",
        f"]Q1{CODE}",
        f"]C0{CODE}\r",
        f"]d2{CODE}",
        f"\\000001{CODE}",
        f"]Q2\\000026{CODE}",
        f"\x02{CODE}\x03",
        f"{CODE}\x1b",
        f"\ufeff{CODE}",
    ],
)
def test_scanner_noise_is_removed(raw):
    assert clean_code(raw) == CODE


def test_a_code_is_cut_to_a_sane_length():
    assert len(clean_code("A" * 10_000)) == MAX_CODE_LENGTH


def test_nothing_but_noise_is_empty():
    assert clean_code("\r") == "" and clean_code("  \t ") == "" and clean_code("]Q1") == ""


@given(st.text())
def test_cleaning_never_fails_and_leaves_no_control_characters(raw):
    cleaned = clean_code(raw)
    assert len(cleaned) <= MAX_CODE_LENGTH
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)


def test_names_keep_their_inner_spaces():
    assert strip_scanner_noise("  izsak k\r") == "izsak k"


def test_what_looks_like_a_scan():
    assert looks_like_code(CODE, typed_fast=True)
    assert not looks_like_code(CODE, typed_fast=False)  # typed by hand: maybe a name
    assert not looks_like_code("nogel", typed_fast=True)  # too short
    assert not looks_like_code("kincso izsak", typed_fast=True)  # two words


def test_typing_speed():
    scanner = [i * 0.001 for i in range(27)]
    person = [i * 0.15 for i in range(6)]
    waited = [i * 0.001 for i in range(11)] + [0.01 + 0.5]  # fast letters, then Enter after the results
    assert typed_fast(scanner)
    assert not typed_fast(person)
    assert not typed_fast(waited)
    assert not typed_fast([0.0])


def test_seconds_per_attendee_is_a_median_without_idle_pauses():
    assert seconds_per_attendee([0, 10, 30, 40, 1000, 1010]) == 10
    assert seconds_per_attendee([5]) is None


def test_a_badge_is_due_at_an_entrance_once_for_an_admitted_entry():
    from eventdesk.domain.checkin import badge_due

    assert badge_due(Result.OK, direction="entry", list_kind="entrance", badge_queued=False)
    assert not badge_due(Result.OK, direction="entry", list_kind="entrance", badge_queued=True)
    assert not badge_due(Result.OK, direction="exit", list_kind="entrance", badge_queued=False)
    assert not badge_due(Result.OK, direction="entry", list_kind="room", badge_queued=False)
    assert not badge_due(Result.ALREADY_CHECKED_IN, direction="entry", list_kind="entrance", badge_queued=False)


def test_the_lookup_of_a_found_person_carries_their_state():
    from types import SimpleNamespace

    from eventdesk.domain.checkin import CodeLookup

    person = SimpleNamespace(status="cancelled", blocked=False, category="press")
    assert CodeLookup.of(None, revoked=False, last_direction="entry") == CodeLookup(found=False)
    assert CodeLookup.of(person, revoked=True, last_direction="entry") == CodeLookup(
        found=True, revoked=True, status="cancelled", blocked=False, category="press", inside=True
    )
