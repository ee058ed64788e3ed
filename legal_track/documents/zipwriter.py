"""A small deterministic zip writer for .docx files.

Every entry gets the same timestamp (1980-01-01 00:00) and fixed attributes, so a
document's bytes depend only on its contents. Members can be handed in already
deflated (`Deflated`): a template's untouched parts are compressed once and copied
into every document of a batch instead of being recompressed each time.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
DOS_TIME = 0
LEVEL = 6
LIMIT = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Deflated:
    """A member's raw-deflate data with its CRC-32 and uncompressed size."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes, level: int = LEVEL) -> Deflated:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(c.compress(data) + c.flush(), zlib.crc32(data) & 0xFFFFFFFF, len(data))


def write_zip(members: Iterable[tuple[str, bytes | Deflated]]) -> bytes:
    """The zip archive of (name, data) in order; `bytes` are deflated here."""
    out = bytearray()
    central = bytearray()
    count = 0
    for name, payload in members:
        entry = payload if isinstance(payload, Deflated) else deflate(payload)
        raw_name = name.encode("utf-8")
        flags = 0 if raw_name.isascii() else 0x800
        if len(entry.data) > LIMIT or entry.size > LIMIT or len(out) > LIMIT:
            raise ValueError(f"zip member {name} is too large for a document")
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, DOS_TIME, DOS_DATE,
            entry.crc, len(entry.data), entry.size, len(raw_name), 0,
        )  # fmt: skip
        out += raw_name
        out += entry.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, flags, 8, DOS_TIME, DOS_DATE,
            entry.crc, len(entry.data), entry.size, len(raw_name), 0, 0, 0, 0,
            0o100644 << 16, offset,
        )  # fmt: skip
        central += raw_name
        count += 1
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), cd_offset, 0)
    return bytes(out)
