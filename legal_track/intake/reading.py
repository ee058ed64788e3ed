"""Reading import files: detect the format and encoding, then stream rows.

CSV comes from Chinese Excel as GBK/GB18030, from other tools as UTF-8 (with or
without a BOM). Detection: a BOM first, then strict UTF-8 over the whole file,
then strict GB18030; a file neither can decode is refused with the byte offset
and line of the first undecodable byte. XLSX is read with openpyxl in
read-only (streaming) mode; its date cells come back as datetimes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from legal_track.intake.problems import ProblemLog

CHUNK_BYTES = 1 << 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE compound files)
# what a damaged workbook makes openpyxl raise (ParseError is a SyntaxError)
_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, OSError)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Source:
    """A file to import: its name (for messages) and a way to open it again for each pass."""

    name: str
    open: Callable[[], BinaryIO]

    @classmethod
    def from_path(cls, path: Path) -> Source:
        return cls(path.name, lambda: path.open("rb"))

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> Source:
        return cls(name, lambda: io.BytesIO(data))


@dataclass(frozen=True, slots=True)
class Scan:
    """What the first look at the bytes found."""

    sha256: str
    size: int
    format: Literal["csv", "xlsx"]
    encoding: str | None  # for CSV: utf-8, utf-8-sig, utf-16 or gb18030


class ReadError(Exception):
    """The file broke while being read (bad CSV quoting, corrupt XLSX part)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DecodeFailure:
    offset: int
    line: int
    byte: int


def _chunks(source: Source) -> Iterator[bytes]:
    with source.open() as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def first_decode_failure(source: Source, encoding: str) -> DecodeFailure | None:
    """Decode the whole file strictly, chunk by chunk; where does it first fail?"""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    position = 0  # bytes before the current chunk
    lines = 0  # newlines before the current chunk
    for chunk in itertools.chain(_chunks(source), [b""]):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            offset = position - pending + exc.start
            inside = max(0, exc.start - pending)
            return DecodeFailure(
                offset, lines + chunk[:inside].count(b"\n") + 1, exc.object[exc.start]
            )
        position += len(chunk)
        lines += chunk.count(b"\n")
    return None


def scan(source: Source, log: ProblemLog) -> Scan | None:
    """Hash the file, tell CSV from XLSX, find the CSV encoding. None (and problems) if unusable."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in _chunks(source):
        if not head:
            head = chunk[:8]
        digest.update(chunk)
        size += len(chunk)
    sha = digest.hexdigest()
    if size == 0:
        log.add(None, None, "empty_file")
        return None
    if head.startswith(_OLE_MAGIC):
        log.add(None, None, "old_xls")
        return None
    if head.startswith(_ZIP_MAGIC):
        try:
            with open_rows(source, Scan(sha, size, "xlsx", None)):
                pass
        except ReadError as exc:
            log.add(None, None, exc.code, reason=exc.reason)
            return None
        return Scan(sha, size, "xlsx", None)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            candidates = [encoding]
            break
    else:
        candidates = ["utf-8", "gb18030"]
    failures = []
    for encoding in candidates:
        failure = first_decode_failure(source, encoding)
        if failure is None:
            return Scan(sha, size, "csv", encoding)
        failures.append(failure)
    # the encoding that got furthest is the likelier one: show where it broke
    worst = max(failures, key=lambda f: f.offset)
    log.add(
        worst.line, None, "encoding", byte=f"{worst.byte:02X}", offset=worst.offset, line=worst.line
    )
    return None


def _csv_rows(text: io.TextIOWrapper) -> Iterator[list[Any]]:
    first = text.readline()
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        yield from csv.reader(itertools.chain([first], text), delimiter=delimiter)
    except csv.Error as exc:
        raise ReadError("csv_error", str(exc)) from None


def _xlsx_rows(sheet) -> Iterator[list[Any]]:
    try:
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    except _XLSX_ERRORS as exc:
        raise ReadError("bad_xlsx", str(exc) or type(exc).__name__) from None


@contextmanager
def open_rows(source: Source, found: Scan) -> Iterator[Iterator[list[Any]]]:
    """Stream the rows of the file, header first, as lists of raw cell values.

    Rows keep their position: an empty spreadsheet row comes as an empty list,
    so `enumerate(rows, start=1)` gives the row number the user sees.
    """
    handle = source.open()
    try:
        if found.format == "xlsx":
            from openpyxl import load_workbook

            try:
                book = load_workbook(handle, read_only=True, data_only=False)
            except _XLSX_ERRORS as exc:
                raise ReadError("bad_xlsx", str(exc) or type(exc).__name__) from None
            try:
                sheet = book.worksheets[0]
                sheet.reset_dimensions()  # some writers store a wrong A1:A1 dimension
                yield _xlsx_rows(sheet)
            finally:
                book.close()
        else:
            text = io.TextIOWrapper(handle, encoding=found.encoding or "utf-8", newline="")
            rows = _csv_rows(text)
            try:
                yield rows
            finally:
                rows.close()
                text.close()
    finally:
        handle.close()
