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
