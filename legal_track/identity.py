"""PRC resident identity numbers (GB 11643-1999): format and checksum."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FORMAT = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    pass


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    """Return the 18-character ID number, upper-case X; raise IdNumberError with the reason."""
    value = str(raw).strip().upper().replace(" ", "")
    if not _FORMAT.match(value):
        raise IdNumberError("ID number must be 17 digits followed by a digit or X")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(f"ID number has an impossible birth date {value[6:14]}") from None
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise IdNumberError(f"ID number checksum fails (last character should be {expected})")
    return value


def make_id_number(region: str, birth: date, sequence: int) -> str:
    """Build a valid 18-digit number (used by the demo generator and tests)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
