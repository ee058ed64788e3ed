"""What a file is, decided from its bytes alone (the name's extension is ignored).

PDF ``%PDF-``, PNG, JPEG, TIFF (``II*`` / ``MM*``), ZIP containers told apart by their
``[Content_Types].xml`` (DOCX vs XLSX), e-mail by its RFC 822 header block, CSV as
text that decodes (UTF-8 or GB18030) and splits on a delimiter into a steady number
of columns. Anything else is refused as unsupported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from enum import StrEnum

from legal_track.models.evidence import EvidenceKind

# A ZIP whose members would unpack to more than this, or at a ratio above
# ZIP_MAX_RATIO, is treated as a decompression bomb.
ZIP_MAX_UNPACKED = 2 * 1024 * 1024 * 1024
ZIP_MAX_RATIO = 200
_DOCX_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_HEADER_RE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$")
_MAIL_HEADERS = {b"date", b"subject", b"to", b"message-id", b"mime-version", b"received", b"cc"}
_CSV_DELIMITERS = (",", "\t", ";", "|")
_CSV_SAMPLE_LINES = 50


class RefusalReason(StrEnum):
    empty = "empty"
    too_large = "too_large"
    unsupported = "unsupported"
    encrypted = "encrypted"
    damaged = "damaged"
    bomb = "bomb"


class EvidenceRefused(ValueError):
    """A file the register will not take; `reason` is machine-readable, the text is not."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _unsupported(name: str, what: str) -> EvidenceRefused:
    return EvidenceRefused(
        RefusalReason.unsupported,
        f"{name}: unsupported file type ({what}); accepted: PDF, JPG, PNG, TIFF, CSV, XLSX, "
        ".eml e-mail and DOCX",
    )


def sniff(data: bytes, *, name: str = "file") -> EvidenceKind:
    """The kind of `data`, or EvidenceRefused(unsupported / bomb)."""
    head = data[:1024]
    if head.lstrip(b"\x00\t\r\n\x0c ").startswith(b"%PDF-"):
        return EvidenceKind.pdf
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.png
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.jpeg
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return EvidenceKind.tiff
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name=name)
    if _looks_like_email(data):
        return EvidenceKind.eml
    try:
        text, _ = decode_text(data)
    except UnicodeDecodeError:
        raise _unsupported(name, "binary content") from None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
        raise _unsupported(name, "binary content")
    try:
        csv_dialect(text)
    except ValueError as exc:
        raise _unsupported(name, f"text that is not CSV: {exc}") from None
    return EvidenceKind.csv


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and its encoding: UTF-8 (with or without BOM) or GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", data, 0, 1, "neither UTF-8 nor GB18030")


def csv_dialect(text: str) -> str:
    """The delimiter that splits the first lines into the same number (>= 2) of columns."""
    lines = [ln for ln in text.splitlines()[: _CSV_SAMPLE_LINES + 1] if ln.strip()]
    if len(text.splitlines()) > _CSV_SAMPLE_LINES:
        lines = lines[:_CSV_SAMPLE_LINES]  # the last sampled line may be cut
    if not lines:
        raise ValueError("no text lines")
    for delimiter in _CSV_DELIMITERS:
        try:
            widths = {
                len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            }
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return delimiter
    raise ValueError("no delimiter (, tab ; |) gives a steady number of columns")


def zip_bomb_reason(zf: zipfile.ZipFile, packed: int) -> str | None:
    unpacked = sum(info.file_size for info in zf.infolist())
    if unpacked > ZIP_MAX_UNPACKED:
        return f"it would unpack to {unpacked:,} bytes"
    if packed and unpacked / packed > ZIP_MAX_RATIO:
        return f"its compression ratio {unpacked / packed:.0f}:1 is suspicious"
    return None


def _zip_kind(data: bytes, *, name: str) -> EvidenceKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bomb = zip_bomb_reason(zf, len(data))
            if bomb:
                raise EvidenceRefused(RefusalReason.bomb, f"{name}: refused as a ZIP bomb: {bomb}")
            try:
                types = zf.read("[Content_Types].xml").decode("utf-8", "replace")
            except KeyError:
                raise _unsupported(name, "ZIP archive") from None
    except zipfile.BadZipFile as exc:
        raise EvidenceRefused(
            RefusalReason.damaged, f"{name}: damaged ZIP container ({exc})"
        ) from exc
    if _DOCX_CT in types:
        return EvidenceKind.docx
    if _XLSX_CT in types:
        return EvidenceKind.xlsx
    raise _unsupported(name, "Office file other than DOCX or XLSX")


def _looks_like_email(data: bytes) -> bool:
    """An RFC 822 header block: header lines up to a blank line, with From and another
    typical mail header (Date, Subject, To, Message-ID, MIME-Version, Received, Cc)."""
    block = data[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    names: set[bytes] = set()
    lines = block.replace(b"\r\n", b"\n").split(b"\n")
    for i, line in enumerate(lines):
        if i > 0 and line[:1] in (b" ", b"\t"):
            continue  # folded continuation
        match = _HEADER_RE.match(line)
        if not match:
            return False
        names.add(match.group(1).lower())
    return b"from" in names and bool(names & _MAIL_HEADERS)
