"""Badge codes are random, 130 bits, in an alphabet that reads unambiguously on paper."""

from eventdesk.domain.codes import ALPHABET, CODE_LENGTH, new_badge_code


def test_codes_are_long_random_and_unambiguous():
    codes = [new_badge_code() for _ in range(20_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("ILOU") & set("".join(codes))
    # every position takes every symbol: no position is fixed or derived from a counter
    for position in range(CODE_LENGTH):
        assert len({c[position] for c in codes}) == len(ALPHABET)
