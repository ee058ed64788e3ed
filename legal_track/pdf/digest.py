"""Content digests of PDF pages, independent of object numbers and file layout.

A page digest hashes everything that draws the page: its dictionary (boxes,
resources, annotations …), its content streams and, recursively, every object they
reference (fonts, images, forms), streams by their stored (encoded) bytes. Object
numbers do not matter, so the same page gives the same digest in the bundle, in a
re-read bundle and when its exhibit is normalised again from the register's file.

The bundle's own stamp (first and last content stream, the stamp font resource) is
hashed separately, so :func:`page_digests` tells an altered exhibit page from an
altered stamp; the stamp font itself is hashed once per volume (:meth:`object_digest`).

Both sides must hash the same objects: the bundle never writes into an object it
shares with the exhibit (see :func:`legal_track.pdf.stamp.add_page_font`), so an
exhibit page in the bundle is its original page plus the stamp, and nothing else.
"""

from __future__ import annotations

import hashlib
import zlib
from io import BytesIO

from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

STAMP_OPEN = b"q\n"
# a font the bundle embedded in place of a standard font keeps the original here
# (legal_track.pdf.substitute): the page digest hashes the original
ORIGINAL_KEY = "/LTOriginal"
STAMP_MARK = b"\nQ\n% legal-track stamp"
_SKIP_KEYS = frozenset({"/Parent", "/Length", "/StructParents", "/Contents"})


class Digester:
    """Digests pages of one document, remembering shared objects (fonts, images)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int], bytes] = {}
        self._busy: set[tuple[int, int]] = set()
        self.substitutes: set[str] = set()  # full digests of the substitute fonts met

    def page_digests(self, page: DictionaryObject, *, stamp_font: str | None) -> tuple[str, str]:
        """``(content, stamp)`` hex digests of a page.

        ``content`` leaves out the bundle stamp named by ``stamp_font`` (when the page
        carries it); ``stamp`` covers the stamp stream alone (empty string if none).
        """
        parts = [ref.get_object() for ref in _parts(page)]
        stamp = b""
        if stamp_font and len(parts) >= 2:
            first, last = parts[0], parts[-1]
            if (
                isinstance(first, StreamObject)
                and isinstance(last, StreamObject)
                and first.get_data() == STAMP_OPEN
                and last.get_data().startswith(STAMP_MARK)
            ):
                stamp = last.get_data()
                parts = parts[1:-1]
        content = self.content_digest(page, parts, drop_font=stamp_font if stamp else None)
        stamp_hex = hashlib.sha256(stamp).hexdigest() if stamp else ""
        return content, stamp_hex

    def content_digest(self, page: DictionaryObject, parts: list, *, drop_font: str | None) -> str:
        """The digest of a page drawn by the content streams ``parts``, leaving the font
        ``drop_font`` out of the page's own ``/Resources``."""
        content = hashlib.sha256()
        content.update(b"contents[")
        for part in parts:
            content.update(self._value(part))
        content.update(b"]")
        content.update(self._dict(page, top=True, drop_font=drop_font))
        return content.hexdigest()

    def object_digest(self, obj) -> str:
        """The hex digest of one object and everything it references (e.g. a font)."""
        return hashlib.sha256(self._value(obj)).hexdigest()

    def _value(self, obj) -> bytes:
        """Canonical bytes of a value; composite values become ``#`` + their SHA-256,
        so a direct object and a reference to the same object hash alike."""
        if isinstance(obj, IndirectObject):
            key = (id(obj.pdf), obj.idnum)
            cached = self._memo.get(key)
            if cached is not None:
                return cached
            if key in self._busy:
                return b"<cycle>"
            self._busy.add(key)
            try:
                value = self._value(obj.get_object())
            finally:
                self._busy.discard(key)
            self._memo[key] = value
            return value
        if isinstance(obj, StreamObject):
            return b"#" + _sha(self._dict(obj, stream=True) + b"stream" + _sha(_stream_bytes(obj)))
        if isinstance(obj, DictionaryObject):
            if obj.get("/Type") == "/Page":
                return b"<page>"  # a link target: its position is checked elsewhere
            if ORIGINAL_KEY in obj and obj.get("/Type") == "/Font":
                # the page says what the exhibit said; the substitute is checked on its own
                self.substitutes.add(_sha(self._dict(obj)).hex())
                return self._value(obj.raw_get(ORIGINAL_KEY))
            return b"#" + _sha(self._dict(obj))
        if isinstance(obj, ArrayObject):
            return b"#" + _sha(b"[" + b" ".join(self._value(item) for item in obj) + b"]")
        if isinstance(obj, NameObject):
            return b"/" + obj.encode("utf-8", "surrogateescape")
        if isinstance(obj, NumberObject):
            return b"%d" % obj
        if isinstance(obj, TextStringObject):
            return b"(" + obj.encode("utf-8", "surrogateescape") + b")"
        if isinstance(obj, ByteStringObject):
            return b"<" + bytes(obj).hex().encode() + b">"
        if obj is None or isinstance(obj, NullObject):
            return b"null"
        out = BytesIO()  # floats, booleans: as pypdf writes them (stable on re-reading)
        obj.write_to_stream(out)
        return out.getvalue()

    def _dict(
        self,
        obj: DictionaryObject,
        *,
        top: bool = False,
        drop_font: str | None = None,
        stream: bool = False,
    ):
        items = []
        flate = stream and _is_flate(obj)
        for key in sorted(obj):
            if key in _SKIP_KEYS and (top or key != "/Contents"):
                continue
            if key == "/Filter" and flate:
                continue  # Flate or not: the same bytes (see _stream_bytes)
            value = obj[key]
            if top and drop_font and key == "/Resources":
                value = _without_font(value.get_object(), drop_font)
            resolved = value.get_object() if isinstance(value, IndirectObject) else value
            if type(resolved) is DictionaryObject and not resolved:
                continue  # an empty dictionary says nothing; stamping may leave one
            items.append(key.encode("utf-8", "surrogateescape") + b" " + self._value(value))
        return b"<<" + b" ".join(items) + b">>"


def _is_flate(stream: DictionaryObject) -> bool:
    filters = stream.get("/Filter")
    if filters is None:
        return True
    filters = filters.get_object()
    if isinstance(filters, ArrayObject):
        return len(filters) == 1 and filters[0] == "/FlateDecode"
    return filters == "/FlateDecode"


def _stream_bytes(stream: StreamObject) -> bytes:
    """Unfiltered and Flate streams by their inflated bytes (predictors not applied), so
    a tool that compresses or recompresses them does not change the digest; any other
    filter (DCT, CCITT, JBIG2 …) by the stored bytes, never decoded."""
    raw = stream._data
    if "/Filter" not in stream:
        return raw
    if _is_flate(stream):
        try:
            return zlib.decompress(raw)
        except zlib.error:
            return raw
    return raw


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _parts(page: DictionaryObject) -> list:
    contents = page.get("/Contents")
    if contents is None:
        return []
    resolved = contents.get_object()
    if isinstance(resolved, ArrayObject):
        return list(resolved)
    return [contents]


def _without_font(resources, name: str) -> DictionaryObject:
    """A copy of the resources without the stamp font (a shallow, throw-away copy)."""
    if not isinstance(resources, DictionaryObject):
        return resources
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else None
    if not isinstance(fonts, DictionaryObject) or name not in fonts:
        return resources
    copy = DictionaryObject(resources)
    copy[NameObject("/Font")] = DictionaryObject({k: v for k, v in fonts.items() if k != name})
    return copy
