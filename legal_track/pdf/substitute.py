"""Embedded substitutes for the standard PDF fonts (``bundle make --embed-fonts``).

E-filing systems reject a PDF whose fonts are not embedded, and exhibits often use
Helvetica, Times or Courier without embedding them (fpdf2, many scanners' text layers,
LibreOffice's form fields). With ``BundleOptions.embed_fonts`` every reference to such
a font on an exhibit page (its resources, its form XObjects, its widgets' appearance
streams) points, in the bundle, to an embedded TrueType substitute with the same
metrics: Liberation Sans, Serif and Mono are metric-compatible with Helvetica, Times
and Courier. The font keeps the standard font's ``/Widths`` and the exhibit's own
encoding, so every glyph stays exactly where it was; the embedded program is a subset
holding the glyphs that encoding can reach.

The substitute carries the original font dictionary as ``/LTOriginal``: the page
digest (:mod:`legal_track.pdf.digest`) hashes the original in its place, so the exhibit
page still matches the register's file; each substitute is hashed in full too and
listed in the manifest, and ``bundle verify`` refuses any other.

Symbol and ZapfDingbats have no free metric-compatible substitute: they stay as they
are and the index row says so. Only simple Type 1 references to the 14 standard names
are replaced; any other unembedded font (a TrueType "Arial", a CJK CID font) is left
alone and reported.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from legal_track.pdf.digest import ORIGINAL_KEY
from legal_track.pdf.model import BundleError
from legal_track.pdf.normalize import appearance_streams

INSTALL_HINT = "install the Liberation fonts (Debian/Ubuntu: apt-get install fonts-liberation2)"

_SANS, _SERIF, _MONO = "Liberation Sans", "Liberation Serif", "Liberation Mono"
# standard font -> (family, style) of its substitute
SUBSTITUTES: dict[str, tuple[str, str]] = {
    "Helvetica": (_SANS, "Regular"),
    "Helvetica-Bold": (_SANS, "Bold"),
    "Helvetica-Oblique": (_SANS, "Italic"),
    "Helvetica-BoldOblique": (_SANS, "Bold Italic"),
    "Times-Roman": (_SERIF, "Regular"),
    "Times-Bold": (_SERIF, "Bold"),
    "Times-Italic": (_SERIF, "Italic"),
    "Times-BoldItalic": (_SERIF, "Bold Italic"),
    "Courier": (_MONO, "Regular"),
    "Courier-Bold": (_MONO, "Bold"),
    "Courier-Oblique": (_MONO, "Italic"),
    "Courier-BoldOblique": (_MONO, "Bold Italic"),
}
STANDARD_14 = frozenset(SUBSTITUTES) | {"Symbol", "ZapfDingbats"}
_FONT_DIRS = (
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/liberation",
    "/usr/share/fonts/liberation-sans",
    "/usr/share/fonts/liberation-serif",
    "/usr/share/fonts/liberation-mono",
)


def substitute_name(base_font: str) -> str | None:
    """The family that replaces a standard font (None: not replaceable)."""
    found = SUBSTITUTES.get(base_font.lstrip("/"))
    return found[0] if found else None


@lru_cache(maxsize=16)
def face_path(family: str, style: str) -> Path:
    """The font file of a substitute face: fontconfig first, then the usual folders.
    :class:`BundleError` with the install command when it is missing."""
    wanted = f"{family.replace(' ', '')}-{style.replace(' ', '')}.ttf"
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            listing = subprocess.run(
                [fc_list, f"{family}:style={style}", "--format", "%{file}\n"],
                capture_output=True, text=True, timeout=30, check=False,
            ).stdout  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            listing = ""
        for line in sorted(listing.splitlines()):
            if line.endswith(".ttf") and Path(line).is_file():
                return Path(line)
    for folder in _FONT_DIRS:
        path = Path(folder) / wanted
        if path.is_file():
            return path
    raise BundleError(f"embedding substitute fonts needs {family} {style}: {INSTALL_HINT}")


def replaceable(font: DictionaryObject) -> bool:
    """A simple Type 1 reference to a standard font without an embedded program."""
    if font.get("/Subtype") not in ("/Type1", "/MMType1"):
        return False
    if substitute_name(str(font.get("/BaseFont", ""))) is None:
        return False
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    if isinstance(descriptor, DictionaryObject):
        return not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return True


@dataclass(frozen=True)
class _Program:
    """One embedded subset: its descriptor and font name."""

    descriptor: IndirectObject
    base_font: str


class FontSubstituter:
    """Replaces standard-font references on the exhibit pages of one writer."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self._done: dict[tuple[int, int], IndirectObject] = {}
        self._programs: dict[tuple[str, str, str], _Program] = {}
        self._visited: set[tuple[int, int]] = set()

    def page(self, page: DictionaryObject) -> None:
        """Replace the standard fonts the page and its appearance streams use."""
        self._resources(page.get("/Resources"))
        for stream in appearance_streams(page):
            self._resources(stream.get("/Resources"))

    def _seen(self, obj) -> bool:
        ref = getattr(obj, "indirect_reference", None)
        if ref is None:
            return False
        key = (id(ref.pdf), ref.idnum)
        if key in self._visited:
            return True
        self._visited.add(key)
        return False

    def _resources(self, resources) -> None:
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject) or self._seen(resources):
            return
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        if isinstance(fonts, DictionaryObject):
            for name in list(fonts):
                raw = fonts.raw_get(name)
                font = raw.get_object()
                if isinstance(font, DictionaryObject) and replaceable(font):
                    fonts[NameObject(name)] = self._substitute(raw, font)
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if isinstance(xobjects, DictionaryObject):
            for ref in xobjects.values():
                xobject = ref.get_object()
                form = isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form"
                if form and not self._seen(xobject):
                    self._resources(xobject.get("/Resources"))

    def _substitute(self, raw, font: DictionaryObject) -> IndirectObject:
        key = (id(raw.pdf), raw.idnum) if isinstance(raw, IndirectObject) else None
        if key is not None and key in self._done:
            return self._done[key]
        base = str(font["/BaseFont"]).lstrip("/")
        family, style = SUBSTITUTES[base]
        chars = _code_chars(font)
        program = self._program(family, style, chars)
        widths = _widths(font, base, chars)
        substitute = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/TrueType"),
                NameObject("/BaseFont"): NameObject(program.base_font),
                NameObject("/FirstChar"): NumberObject(0),
                NameObject("/LastChar"): NumberObject(255),
                NameObject("/Widths"): ArrayObject(NumberObject(round(w)) for w in widths),
                NameObject("/FontDescriptor"): program.descriptor,
                NameObject("/Encoding"): _encoding(font, chars),
                # what the exhibit said: the page digest hashes this instead
                NameObject(ORIGINAL_KEY): raw,
            }
        )
        ref = self.writer._add_object(substitute)
        if key is not None:
            self._done[key] = ref
        return ref

    def _program(self, family: str, style: str, chars: tuple[str, ...]) -> _Program:
        wanted = "".join(sorted(set(chars)))
        cache_key = (family, style, wanted)
        if cache_key in self._programs:
            return self._programs[cache_key]
        path = face_path(family, style)
        data, metrics = _subset(str(path), wanted)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(data).digest()[:6])
        base_font = f"{tag}+{family.replace(' ', '')}-{style.replace(' ', '')}"
        program = DecodedStreamObject()
        program.set_data(data)
        encoded = program.flate_encode()
        encoded[NameObject("/Length1")] = NumberObject(len(data))
        flags = 32 | (2 if family == _SERIF else 0) | (1 if family == _MONO else 0)
        flags |= 64 if "Italic" in style else 0
        descriptor = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/FontDescriptor"),
                NameObject("/FontName"): NameObject("/" + base_font),
                NameObject("/Flags"): NumberObject(flags),
                NameObject("/FontBBox"): ArrayObject(FloatObject(v) for v in metrics["bbox"]),
                NameObject("/ItalicAngle"): FloatObject(metrics["italic_angle"]),
                NameObject("/Ascent"): FloatObject(metrics["ascent"]),
                NameObject("/Descent"): FloatObject(metrics["descent"]),
                NameObject("/CapHeight"): FloatObject(metrics["cap_height"]),
                NameObject("/StemV"): NumberObject(80),
                NameObject("/FontFile2"): self.writer._add_object(encoded),
            }
        )
        made = _Program(self.writer._add_object(descriptor), "/" + base_font)
        self._programs[cache_key] = made
        return made


def _code_chars(font: DictionaryObject) -> tuple[str, ...]:
    """The character each code 0-255 stands for under the font's encoding."""
    from pypdf._codecs import adobe_glyphs, charset_encoding

    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if encoding is not None else None
    base_name = "/StandardEncoding"
    differences: Iterable = ()
    if isinstance(encoding, DictionaryObject):
        base_name = str(encoding.get("/BaseEncoding", base_name))
        found = encoding.get("/Differences")
        differences = found.get_object() if found is not None else ()
    elif encoding is not None:
        base_name = str(encoding)
    chars = list(charset_encoding.get(base_name, charset_encoding["/StandardEncoding"]))
    code = 0
    for item in differences:
        item = item.get_object() if isinstance(item, IndirectObject) else item
        if isinstance(item, int):
            code = int(item)
        elif 0 <= code < 256:
            chars[code] = _glyph_char(str(item), adobe_glyphs)
            code += 1
    return tuple("\0" if ord(c) < 32 else c for c in chars)


def _glyph_char(name: str, adobe_glyphs) -> str:
    found = adobe_glyphs.get(name if name.startswith("/") else "/" + name)
    if found:
        return found[0]
    match = re.fullmatch(r"/?uni([0-9A-Fa-f]{4})", name)
    return chr(int(match.group(1), 16)) if match else "\0"


def _widths(font: DictionaryObject, base: str, chars: tuple[str, ...]) -> list[float]:
    """The advance width of each code as the exhibit's page is laid out: its own
    ``/Widths`` where it gives them, else the standard font's metrics."""
    from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS

    metrics = CORE_FONT_METRICS[base].character_widths
    default = metrics.get("default", 0)
    widths = [0 if c == "\0" else metrics.get(c, default) for c in chars]
    given = font.get("/Widths")
    given = given.get_object() if given is not None else None
    if isinstance(given, ArrayObject):
        first = int(font.get("/FirstChar", 0))
        for offset, value in enumerate(given):
            if 0 <= first + offset < 256:
                widths[first + offset] = float(value.get_object())
    return widths


def _encoding(font: DictionaryObject, chars: tuple[str, ...]):
    """The exhibit's encoding, spelled so a TrueType font can use it: WinAnsi and
    MacRoman by name, anything else as WinAnsi plus the codes that differ."""
    from pypdf._codecs import charset_encoding

    encoding = font.get("/Encoding")
    if encoding is not None and encoding.get_object() in ("/WinAnsiEncoding", "/MacRomanEncoding"):
        return NameObject(str(encoding.get_object()))
    names = _glyph_names()
    win = charset_encoding["/WinAnsiEncoding"]
    differences: list = []
    last = -2
    for code, char in enumerate(chars):
        if char == "\0" or char == win[code] or char not in names:
            continue
        if code != last + 1:
            differences.append(NumberObject(code))
        differences.append(NameObject("/" + names[char]))
        last = code
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Encoding"),
            NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/Differences"): ArrayObject(differences),
        }
    )


@lru_cache(maxsize=1)
def _glyph_names() -> dict[str, str]:
    """Character -> its shortest Adobe glyph name."""
    from pypdf._codecs import adobe_glyphs

    names: dict[str, str] = {}
    for name, char in adobe_glyphs.items():
        if len(char) != 1:
            continue
        name = name.lstrip("/")
        if char not in names or (len(name), name) < (len(names[char]), names[char]):
            names[char] = name
    return names


@lru_cache(maxsize=32)
def _subset(path: str, chars: str) -> tuple[bytes, dict]:
    """A TrueType subset holding ``chars`` (with its cmap), and its metrics per 1000."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, recalcTimestamp=False)
    options = subset.Options()
    options.recalc_timestamp = False
    options.hinting = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a viewer needs
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars if c != "\0"])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    scale = 1000 / font["head"].unitsPerEm
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    metrics = {
        "bbox": [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
        "italic_angle": float(font["post"].italicAngle),
        "ascent": round(hhea.ascent * scale),
        "descent": round(hhea.descent * scale),
        "cap_height": round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    }
    return out.getvalue(), metrics
