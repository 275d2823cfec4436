"""Block letters three rows high, for what must be read from two metres: the EXIT mark of a desk
in exit mode and the banner's headline on a large screen."""

from __future__ import annotations

from functools import lru_cache

GLYPHS = {
    "A": ("▄▀▄", "█▀█", "▀ ▀"),
    "B": ("█▀▄", "█▀▄", "▀▀ "),
    "C": ("▄▀▀", "█  ", " ▀▀"),
    "D": ("█▀▄", "█ █", "▀▀ "),
    "E": ("█▀▀", "█▀ ", "▀▀▀"),
    "F": ("█▀▀", "█▀ ", "▀  "),
    "G": ("▄▀▀", "█ ▄", " ▀▀"),
    "H": ("█ █", "█▀█", "▀ ▀"),
    "I": ("▀█▀", " █ ", "▀▀▀"),
    "J": ("  █", "  █", "▀▀ "),
    "K": ("█ ▄", "█▀▄", "▀ ▀"),
    "L": ("█  ", "█  ", "▀▀▀"),
    "M": ("█▄█", "█ █", "▀ ▀"),
    "N": ("█▄ █", "█ ▀█", "▀  ▀"),
    "O": ("▄▀▄", "█ █", " ▀ "),
    "P": ("█▀▄", "█▀ ", "▀  "),
    "Q": ("▄▀▄", "█ █", " ▀▄"),
    "R": ("█▀▄", "█▀▄", "▀ ▀"),
    "S": ("▄▀▀", " ▀▄", "▀▀ "),
    "T": ("▀█▀", " █ ", " ▀ "),
    "U": ("█ █", "█ █", " ▀ "),
    "V": ("█ █", "▀▄▀", " ▀ "),
    "W": ("█ █", "█ █", "▀▄▀"),
    "X": ("▀▄▀", " █ ", "▀ ▀"),
    "Y": ("█ █", " █ ", " ▀ "),
    "Z": ("▀▀█", " █ ", "▀▀▀"),
    " ": ("  ", "  ", "  "),
    "-": ("   ", "▀▀▀", "   "),
    "!": ("█", "█", "▄"),
    ":": (" ", "▀", "▀"),
    "'": ("█", " ", " "),
}


def big_text(text: str) -> str | None:
    """Three lines of block letters, or None when ``text`` holds a character without a glyph."""
    rows = ["", "", ""]
    for ch in text.upper():
        glyph = GLYPHS.get(ch)
        if glyph is None:
            return None
        for row in range(3):
            rows[row] += glyph[row] + " "
    return "\n".join(row.rstrip() for row in rows)


def big_width(text: str) -> int:
    drawn = big_text(text)
    return max((len(line) for line in drawn.splitlines()), default=0) if drawn else 0


# A glyph cell holds two pixels, one above the other: ▀ top, ▄ bottom, █ both.
_PIXELS = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}
_CELL = {(0, 0): " ", (1, 0): "▀", (0, 1): "▄", (1, 1): "█"}


# Letters that carry their mark inside the letter, so that no Unicode decomposition drops it.
BASE_LETTERS = str.maketrans(
    {
        "Ł": "L",
        "Đ": "D",
        "Ð": "D",
        "Ø": "O",
        "Ħ": "H",
        "Ŧ": "T",
        "Ŀ": "L",
        "Ƚ": "L",
        "Ɨ": "I",
        "Æ": "AE",
        "Œ": "OE",
        "Þ": "TH",
        "Ŋ": "N",
        "ẞ": "SS",
    }
)


def plain_letters(text: str) -> str | None:
    """``text`` upper-cased with its accents dropped ("Kíncső" → "KINCSO", "Błaszczyk" →
    "BLASZCZYK"), so a name can be drawn in block letters; other signs without a glyph become
    spaces. None when a letter has no glyph (Cyrillic, Greek, CJK ...): drawn with holes it would
    be another name, so the caller shows it in plain text."""
    import unicodedata

    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text.upper().translate(BASE_LETTERS))
        if not unicodedata.combining(ch)
    ).translate(BASE_LETTERS)
    if any(ch not in GLYPHS and unicodedata.category(ch).startswith("L") for ch in bare):
        return None
    return "".join(ch if ch in GLYPHS else " " for ch in bare)


# One glyph row as its top and bottom pixel rows ("1" inked), and a pixel pair back to a glyph.
_TOP = str.maketrans({" ": "0", "▀": "1", "▄": "0", "█": "1"})
_BOTTOM = str.maketrans({" ": "0", "▀": "0", "▄": "1", "█": "1"})
_SOLID = str.maketrans({"0": " ", "1": "█"})


def scaled_lines(text: str, scale: int) -> list[str]:
    """``text`` in block letters, each pixel of the three-row font drawn ``scale`` times wider and
    taller (3 × ``scale`` rows); no lines for a character without a glyph."""
    return list(_scaled(text, scale))


@lru_cache(maxsize=512)
def _scaled(text: str, scale: int) -> tuple[str, ...]:
    """Cached: the banner draws the same few words again and again, at each repaint."""
    drawn = big_text(text)
    if drawn is None:
        return ()
    rows = drawn.splitlines()
    if scale == 1:
        return tuple(rows)
    width = max((len(row) for row in rows), default=0)
    pixels = []  # six pixel rows, each ``scale`` times wider
    for row in rows:
        row = row.ljust(width)
        for table in (_TOP, _BOTTOM):
            pixels.append("".join(bit * scale for bit in row.translate(table)))
    if scale % 2 == 0:  # each cell holds two copies of one pixel row: a solid block or nothing
        return tuple(line.translate(_SOLID).rstrip() for line in pixels for _ in range(scale // 2))
    tall = [line for line in pixels for _ in range(scale)]
    return tuple(
        "".join(_CELL[(top == "1", bottom == "1")] for top, bottom in zip(tall[i], tall[i + 1])).rstrip()
        for i in range(0, len(tall), 2)
    )


def wrapped_lines(text: str, scale: int, width: int) -> list[str] | None:
    """``text`` in block letters at ``scale``, its words wrapped to ``width`` columns (a blank row
    between lines of words), or None when a single word is wider than ``width``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if scale * big_width(candidate) <= width:  # a drawing is exactly ``scale`` times wider
            current = candidate
            continue
        if not current:
            return None
        lines.extend(([""] if lines else []) + scaled_lines(current, scale))
        current = word
        if scale * big_width(word) > width:
            return None
    if current:
        lines.extend(([""] if lines else []) + scaled_lines(current, scale))
    return lines
