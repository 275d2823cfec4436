"""Block letters three rows high, for what must be read from two metres: the EXIT mark of a desk
in exit mode and the banner's headline on a large screen."""

from __future__ import annotations

GLYPHS = {
    "A": ("▄▀▄", "█▀█", "▀ ▀"), "B": ("█▀▄", "█▀▄", "▀▀ "), "C": ("▄▀▀", "█  ", " ▀▀"), "D": ("█▀▄", "█ █", "▀▀ "),
    "E": ("█▀▀", "█▀ ", "▀▀▀"), "F": ("█▀▀", "█▀ ", "▀  "), "G": ("▄▀▀", "█ ▄", " ▀▀"), "H": ("█ █", "█▀█", "▀ ▀"),
    "I": ("▀█▀", " █ ", "▀▀▀"), "J": ("  █", "  █", "▀▀ "), "K": ("█ ▄", "█▀▄", "▀ ▀"), "L": ("█  ", "█  ", "▀▀▀"),
    "M": ("█▄█", "█ █", "▀ ▀"), "N": ("█▄ █", "█ ▀█", "▀  ▀"), "O": ("▄▀▄", "█ █", " ▀ "), "P": ("█▀▄", "█▀ ", "▀  "),
    "Q": ("▄▀▄", "█ █", " ▀▄"), "R": ("█▀▄", "█▀▄", "▀ ▀"), "S": ("▄▀▀", " ▀▄", "▀▀ "), "T": ("▀█▀", " █ ", " ▀ "),
    "U": ("█ █", "█ █", " ▀ "), "V": ("█ █", "▀▄▀", " ▀ "), "W": ("█ █", "█ █", "▀▄▀"), "X": ("▀▄▀", " █ ", "▀ ▀"),
    "Y": ("█ █", " █ ", " ▀ "), "Z": ("▀▀█", " █ ", "▀▀▀"), " ": ("  ", "  ", "  "), "-": ("   ", "▀▀▀", "   "),
    "!": ("█", "█", "▄"), ":": (" ", "▀", "▀"), "'": ("█", " ", " "),
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


def plain_letters(text: str) -> str:
    """``text`` upper-cased with its accents dropped ("Kíncső" → "KINCSO"), so a name can be drawn
    in block letters; characters still without a glyph become spaces."""
    import unicodedata

    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text.upper()) if not unicodedata.combining(ch))
    return "".join(ch if ch in GLYPHS else " " for ch in bare)


def scaled_lines(text: str, scale: int) -> list[str]:
    """``text`` in block letters, each pixel of the three-row font drawn ``scale`` times wider and
    taller (3 × ``scale`` rows); no lines for a character without a glyph."""
    drawn = big_text(text)
    if drawn is None:
        return []
    rows = drawn.splitlines()
    width = max((len(row) for row in rows), default=0)
    pixels = []  # six pixel rows
    for row in rows:
        cells = [_PIXELS.get(ch, (0, 0)) for ch in row.ljust(width)]
        pixels.append([cell[0] for cell in cells])
        pixels.append([cell[1] for cell in cells])
    tall = [[bit for bit in line for _ in range(scale)] for line in pixels for _ in range(scale)]
    return ["".join(_CELL[(tall[i][x], tall[i + 1][x])] for x in range(len(tall[i]))).rstrip()
            for i in range(0, len(tall), 2)]


def wrapped_lines(text: str, scale: int, width: int) -> list[str] | None:
    """``text`` in block letters at ``scale``, its words wrapped to ``width`` columns (a blank row
    between lines of words), or None when a single word is wider than ``width``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if max((len(line) for line in scaled_lines(candidate, scale)), default=0) <= width:
            current = candidate
            continue
        if not current:
            return None
        lines.extend(([""] if lines else []) + scaled_lines(current, scale))
        current = word
        if max((len(line) for line in scaled_lines(word, scale)), default=0) > width:
            return None
    if current:
        lines.extend(([""] if lines else []) + scaled_lines(current, scale))
    return lines
