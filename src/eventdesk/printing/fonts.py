"""The badge font: Noto Sans (shipped by the fontpkg-noto-sans dependency) or the TTF an event
configures in ``[badge] font``, with a Noto font per script for names it cannot hold (Arabic from
fontpkg-noto-sans-arabic, CJK from the system's fonts-noto-cjk, ...). Badges are images, so every
letter a font holds prints as written; ``unprintable`` tells which letters no font holds and
``install_hints`` what to install for them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
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
        raise FontError(
            f"Badge font {path} does not exist; fix [badge] font in the settings file or remove it to use Noto Sans."
        )
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


# -- fallback per script -------------------------------------------------------------------------
# Noto Sans holds Latin, Greek, Cyrillic and Devanagari; a name in another script is drawn with the
# Noto font of that script: from its fontpkg package on PyPI, else from the system's fonts.

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
)


@dataclass(frozen=True)
class ScriptFont:
    script: str
    ranges: tuple[tuple[int, int], ...]
    files: tuple[str, ...]  # file name patterns, best first
    module: str = ""  # fontpkg module shipping the font, if any
    install: str = ""  # what to install when no font of this script is found


SCRIPT_FONTS = (
    ScriptFont(
        "Arabic",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
        ("NotoSansArabic[[]*.ttf", "NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf"),
        "fontpkg_noto_sans_arabic",
        "pip install fontpkg-noto-sans-arabic",
    ),
    ScriptFont(
        "Hebrew",
        ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
        ("NotoSansHebrew[[]*.ttf", "NotoSansHebrew-Regular.ttf"),
        "",
        "apt-get install fonts-noto-core",
    ),
    ScriptFont(
        "Thai",
        ((0x0E00, 0x0E7F),),
        ("NotoSansThai[[]*.ttf", "NotoSansThai-Regular.ttf"),
        "fontpkg_noto_sans_thai",
        "pip install fontpkg-noto-sans-thai",
    ),
    ScriptFont(
        "Tamil",
        ((0x0B80, 0x0BFF),),
        ("NotoSansTamil[[]*.ttf", "NotoSansTamil-Regular.ttf"),
        "fontpkg_noto_sans_tamil",
        "pip install fontpkg-noto-sans-tamil",
    ),
    ScriptFont(
        "Telugu",
        ((0x0C00, 0x0C7F),),
        ("NotoSansTelugu[[]*.ttf", "NotoSansTelugu-Regular.ttf"),
        "fontpkg_noto_sans_telugu",
        "pip install fontpkg-noto-sans-telugu",
    ),
    ScriptFont(
        "Khmer",
        ((0x1780, 0x17FF),),
        ("NotoSansKhmer[[]*.ttf", "NotoSansKhmer-Regular.ttf"),
        "fontpkg_noto_sans_khmer",
        "pip install fontpkg-noto-sans-khmer",
    ),
    ScriptFont(
        "Georgian",
        ((0x10A0, 0x10FF), (0x1C90, 0x1CBF)),
        ("NotoSansGeorgian-Regular.ttf",),
        "",
        "apt-get install fonts-noto-core",
    ),
    ScriptFont(
        "Armenian", ((0x0530, 0x058F),), ("NotoSansArmenian-Regular.ttf",), "", "apt-get install fonts-noto-core"
    ),
    ScriptFont(
        "CJK",
        (
            (0x2E80, 0x2FDF),
            (0x3000, 0x30FF),
            (0x3100, 0x31FF),
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xAC00, 0xD7AF),
            (0xF900, 0xFAFF),
            (0xFF00, 0xFFEF),
            (0x20000, 0x2FA1F),
        ),
        (
            "NotoSansCJK-Regular.ttc",
            "NotoSansCJKsc-Regular.otf",
            "NotoSansSC-Regular.otf",
            "NotoSansSC[[]*.ttf",
            "NotoSansCJK-VF.ttc",
        ),
        "",
        "apt-get install fonts-noto-cjk (Debian/Ubuntu; see the README for other systems)",
    ),
)


def script_of(char: str) -> ScriptFont | None:
    code = ord(char)
    for entry in SCRIPT_FONTS:
        if any(low <= code <= high for low, high in entry.ranges):
            return entry
    return None


@cache
def script_font(entry: ScriptFont) -> Path | None:
    """The font file of ``entry``'s script: its fontpkg package if installed, else the system's."""
    if entry.module:
        try:
            module = __import__(entry.module)
            for pattern in entry.files:
                found = sorted((Path(module.ROOT) / "files").glob(pattern))
                if found:
                    return found[0]
        except ImportError:
            pass
    for pattern in entry.files:
        for folder in SYSTEM_FONT_DIRS:
            if folder.is_dir():
                found = sorted(folder.rglob(pattern))
                if found:
                    return found[0]
    return None


def font_for(text: str, primary: Path) -> Path:
    """The font to draw ``text`` with: ``primary`` when it holds every letter, else the font of
    the text's script that lacks the fewest (ties keep ``primary``)."""
    missing = missing_glyphs(text, primary)
    if not missing:
        return primary
    best, best_missing = primary, len(missing)
    for entry in dict.fromkeys(s for s in map(script_of, missing) if s is not None):
        path = script_font(entry)
        if path is not None:
            count = len(missing_glyphs(text, path))
            if count < best_missing:
                best, best_missing = path, count
    return best


def unprintable(text: str, primary: Path) -> list[str]:
    """The distinct characters of ``text`` that neither ``primary`` nor the font of their script holds."""
    out = []
    for char in missing_glyphs(text, primary):
        entry = script_of(char)
        path = script_font(entry) if entry is not None else None
        if path is None or not has_glyph(path, char):
            out.append(char)
    return out


def install_hints(chars: list[str] | tuple[str, ...]) -> list[str]:
    """What to install so that ``chars`` print: "Arabic: pip install fontpkg-noto-sans-arabic"."""
    hints = []
    for entry in dict.fromkeys(script_of(c) for c in chars):
        hints.append(
            f"{entry.script}: {entry.install}"
            if entry is not None
            else "other letters: configure a font that has them in [badge] font"
        )
    return hints


def visual(text: str) -> str:
    """``text`` ready to draw. Pillow with raqm shapes Arabic and lays it right to left itself;
    without raqm the letters are joined by arabic-reshaper and reordered by python-bidi, when
    installed."""
    if RAQM or not any(0x0590 <= ord(c) <= 0x08FF or 0xFB1D <= ord(c) <= 0xFEFF for c in text):
        return text
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:
        return text
    return get_display(arabic_reshaper.reshape(text))


def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


RAQM = _has_raqm()
