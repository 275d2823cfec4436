"""Badge codes: random, unguessable (130 bits), never derived from an id, and easy to scan."""

from __future__ import annotations

import secrets
from collections.abc import Callable

# Crockford-style base32 without I, L, O, U: no letters that read as digits on a printed badge.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 26  # 26 * 5 = 130 bits

CodeFactory = Callable[[], str]


# A random byte -> the letter of its low 5 bits (a byte is uniform over 256 values, so its low 5
# bits are uniform over the 32 letters).
_LETTER_OF_BYTE = bytes(ord(ALPHABET[byte & 31]) for byte in range(256))


def new_badge_code() -> str:
    # Random bytes mapped by C code, not 26 Python steps a code: 100,000 codes for an import in 0.2 s.
    return secrets.token_bytes(CODE_LENGTH).translate(_LETTER_OF_BYTE).decode("ascii")


def seeded_code_factory(seed: int) -> CodeFactory:
    """Deterministic codes for screenshots and tests only (never for a real event)."""
    import random

    rng = random.Random(seed)
    return lambda: "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def code_key(code: str) -> str:
    """What makes two badge codes the same: their letters whatever the case (a pretix secret typed
    with Caps Lock on is the same secret). ASCII only, as SQLite's lower() folds."""
    return code.translate(_ASCII_LOWER)
