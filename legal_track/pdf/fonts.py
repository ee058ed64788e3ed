"""Find a CJK font for generated PDFs (covers, indexes, stamps, data exhibits).

No Python package ships a trustworthy CJK font, so the font comes from the system:

1. ``settings.cjk_font`` (``LEGAL_TRACK_CJK_FONT``) when set;
2. ``fc-list :lang=zh``, preferring Noto Serif CJK SC, then Noto Sans CJK SC, then any
   Simplified-Chinese face, regular weight first;
3. a list of well-known install paths (Debian, Fedora, macOS, Windows).

In the Noto ``.ttc`` collections face 0 is the Japanese design; the Simplified
Chinese face is found by its family name (``… CJK SC``), never assumed to be 0.
OpenType/CFF fonts are fine: fpdf2 embeds a subset of them.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from legal_track.config import Settings, get_settings

INSTALL_HINT = (
    "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or set "
    "LEGAL_TRACK_CJK_FONT to a .ttf, .otf or .ttc file"
)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# A glyph every usable face has: the 证 of 证据.
PROBE_CHAR = "证"

# (path, collection index, family) tried when fontconfig is not available.
KNOWN_FONTS: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
    ("/System/Library/Fonts/Supplemental/Songti.ttc", 0, "Songti SC"),
    ("C:/Windows/Fonts/simsun.ttc", 0, "SimSun"),
    ("C:/Windows/Fonts/msyh.ttc", 0, "Microsoft YaHei"),
)

_SC_NAME = re.compile(r"\b(SC|CN|GB|Simplified|Hans)\b|简|宋体|黑体|SimSun|YaHei|WenQuanYi")


class FontMissingError(LookupError):
    """No usable CJK font: the message says how to install or configure one."""


@dataclass(frozen=True)
class FontSpec:
    """A font file and the face to use in it (``collection_index`` for .ttc files)."""

    path: Path
    collection_index: int
    family: str


def find_cjk_font(settings: Settings | None = None) -> FontSpec:
    """The CJK font for PDFs: the configured one, else the best one on the system.

    Raises :class:`FontMissingError` naming the install command when there is none.
    """
    settings = settings or get_settings()
    if settings.cjk_font is not None:
        return _configured_font(str(settings.cjk_font))
    return _system_font()


@lru_cache(maxsize=8)
def _configured_font(path_text: str) -> FontSpec:
    path = Path(path_text)
    if not path.is_file():
        raise FontMissingError(f"LEGAL_TRACK_CJK_FONT={path} does not exist; {INSTALL_HINT}")
    if path.suffix.lower() not in FONT_SUFFIXES:
        raise FontMissingError(
            f"LEGAL_TRACK_CJK_FONT={path} is not a TrueType/OpenType font "
            f"({', '.join(FONT_SUFFIXES)}); {INSTALL_HINT}"
        )
    faces = _faces(path)
    if not faces:
        raise FontMissingError(f"LEGAL_TRACK_CJK_FONT={path} cannot be read as a font")
    index, family = _prefer_sc(faces)
    if not _has_char(path, index, PROBE_CHAR):
        raise FontMissingError(
            f"LEGAL_TRACK_CJK_FONT={path} ({family}) has no Chinese glyphs; {INSTALL_HINT}"
        )
    return FontSpec(path=path, collection_index=index, family=family)


@lru_cache(maxsize=1)
def _system_font() -> FontSpec:
    candidates = _fontconfig_candidates()
    if candidates:
        return min(candidates, key=_rank)[1]
    for path_text, index, family in KNOWN_FONTS:
        path = Path(path_text)
        if path.is_file():
            return FontSpec(path=path, collection_index=index, family=family)
    raise FontMissingError(f"no CJK font found: {INSTALL_HINT}")


def _fontconfig_candidates() -> list[tuple[tuple, FontSpec]]:
    """Faces fontconfig knows for Chinese, each with a sort key (lower is better)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listing = subprocess.run(
            [fc_list, ":lang=zh", "--format", "%{file}\t%{index}\t%{family}\t%{style}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        file, index, families, styles = parts
        path = Path(file)
        if path.suffix.lower() not in FONT_SUFFIXES or not index.isdigit():
            continue
        family = families.split(",")[0].strip()
        style = styles.split(",")[0].strip()
        spec = FontSpec(path=path, collection_index=int(index), family=family)
        found.append(((family, style), spec))
    return found


def _rank(candidate: tuple[tuple[str, str], FontSpec]) -> tuple:
    (family, style), spec = candidate
    if family == "Noto Serif CJK SC":
        tier = 0
    elif family == "Noto Sans CJK SC":
        tier = 1
    elif "Mono" in family:
        tier = 4
    elif _SC_NAME.search(family):
        tier = 2
    else:
        tier = 3
    regular = 0 if style in ("Regular", "Book", "Normal", "Medium") else 1
    return (tier, regular, str(spec.path), spec.collection_index)


def _faces(path: Path) -> list[tuple[int, str]]:
    """(index, family) of every face in a font file or collection."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with open(path, "rb") as handle:  # our handle: closed even when parsing fails
            if path.suffix.lower() in (".ttc", ".otc"):
                collection = TTCollection(handle, lazy=True)
                return [(i, _family(font)) for i, font in enumerate(collection.fonts)]
            return [(0, _family(TTFont(handle, lazy=True)))]
    except (TTLibError, OSError, AssertionError, KeyError, struct.error):
        return []


def _family(font) -> str:
    name = font["name"]
    for name_id in (16, 1):
        record = name.getName(name_id, 3, 1) or name.getName(name_id, 1, 0)
        if record is not None:
            return str(record)
    return "unknown"


def _prefer_sc(faces: list[tuple[int, str]]) -> tuple[int, str]:
    for index, family in faces:
        if _SC_NAME.search(family) and "Mono" not in family:
            return index, family
    return faces[0]


def _has_char(path: Path, index: int, char: str) -> bool:
    from fontTools.ttLib import TTFont

    with open(path, "rb") as handle:
        cmap = TTFont(handle, fontNumber=index, lazy=True).getBestCmap() or {}
    return ord(char) in cmap
