"""Badge codes: random, unguessable (130 bits), never derived from an id, and easy to scan."""

from __future__ import annotations

import secrets
from typing import Callable

# Crockford-style base32 without I, L, O, U: no letters that read as digits on a printed badge.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 26  # 26 * 5 = 130 bits

CodeFactory = Callable[[], str]


def new_badge_code() -> str:
    # One randbits call instead of 26 choice calls: 100,000 codes for an import in a blink.
    bits = secrets.randbits(5 * CODE_LENGTH)
    return "".join(ALPHABET[(bits >> shift) & 31] for shift in range(0, 5 * CODE_LENGTH, 5))


def seeded_code_factory(seed: int) -> CodeFactory:
    """Deterministic codes for screenshots and tests only (never for a real event)."""
    import random

    rng = random.Random(seed)
    return lambda: "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))
