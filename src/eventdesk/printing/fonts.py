"""The badge font: Noto Sans (shipped by the fontpkg-noto-sans dependency) or the TTF an event
configures in ``[badge] font``. Badges are images, so every letter the font holds prints as
written; ``missing_glyphs`` tells which letters it does not hold."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# A private-use code point no font maps: its rendering is the font's "missing glyph" box.
_NOT_A_GLYPH = "\U0010fffd"


class FontError(Exception):
    """The configured font cannot be used; the message says which file and why."""


def default_font_path() -> Path:
    import fontpkg_noto_sans

    files = sorted((fontpkg_noto_sans.ROOT / "files").glob("NotoSans[[]*.ttf"))
    if not files:
        raise FontError(f"Noto Sans is missing from {fontpkg_noto_sans.ROOT}; reinstall fontpkg-noto-sans.")
    return files[0]


def font_path(configured: str | None = None) -> Path:
    """The TTF/OTF file badges use: the configured one if set, else Noto Sans."""
    if not configured:
        return default_font_path()
    path = Path(configured).expanduser()
    if not path.is_file():
        raise FontError(f"Badge font {path} does not exist; fix [badge] font in the settings file "
                        "or remove it to use Noto Sans.")
    return path


@lru_cache(maxsize=256)
def load_font(path: Path, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """``path`` at ``size`` pixels; variable fonts are set to ``weight`` (400 regular, 700 bold)."""
    try:
        font = ImageFont.truetype(str(path), size)
    except OSError as error:
        raise FontError(f"Badge font {path} cannot be read: {error}") from None
    _set_weight(font, weight)
    return font


def _set_weight(font: ImageFont.FreeTypeFont, weight: int) -> None:
    try:
        axes = font.get_variation_axes()
    except (OSError, AttributeError):  # not a variable font
        return
    values = []
    for axis in axes:
        name = axis["name"].decode("ascii", "replace") if isinstance(axis["name"], bytes) else str(axis["name"])
        if name.strip().lower() in ("weight", "wght"):
            values.append(float(min(max(weight, axis["minimum"]), axis["maximum"])))
        else:
            values.append(float(axis["default"]))
    font.set_variation_by_axes(values)


@lru_cache(maxsize=8)
def _probe(path: Path) -> tuple[ImageFont.FreeTypeFont, tuple]:
    # Basic layout: raqm would draw a dotted circle under a lone combining mark.
    font = ImageFont.truetype(str(path), 24, layout_engine=ImageFont.Layout.BASIC)
    return font, _mask_key(font, _NOT_A_GLYPH)


def _mask_key(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


_glyph_cache: dict[tuple[Path, str], bool] = {}


def has_glyph(path: Path, char: str) -> bool:
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
        return True
    key = (path, char)
    known = _glyph_cache.get(key)
    if known is None:
        font, missing = _probe(path)
        known = _glyph_cache[key] = _mask_key(font, char) != missing
    return known


def missing_glyphs(text: str, path: Path) -> list[str]:
    """The distinct characters of ``text`` that ``path`` would print as an empty box."""
    text = unicodedata.normalize("NFC", text)
    return sorted({c for c in text if not has_glyph(path, c)})
