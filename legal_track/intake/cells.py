"""Cell parsers: one raw spreadsheet value in, one typed value out (or a CellError).

Raw values are what the readers give: text from CSV; text, int, float, bool,
datetime or None from XLSX. Every parser is a pure function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from legal_track.identity import IdNumberError, check_digit, normalize_id_number
from legal_track.intake.problems import CellError
from legal_track.money import MoneyError, parse_amount

Parser = Callable[[Any], Any]

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug
_SERIAL_RANGE = (61, 2_958_465)  # 1900-03-01 .. 9999-12-31
_TEXT_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")  # "46027" / "46027.5" (General-formatted dates)
_YYYYMMDD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:(?P<sep>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=sep)\s*(?P<d1>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
)
_TIME = re.compile(
    r"^(?:[T\s]+(?P<h>\d{1,2})\s*[:：时]\s*(?P<mi>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6}))?\s*秒?)?\s*分?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
FORMULA_START = frozenset("=@+-")  # first characters that may start a spreadsheet formula
_NUMBER_LIKE = re.compile(r"^[+-][\s\d.,，¥￥%元]*\d[\s\d.,，¥￥%元]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")
_WHOLE = re.compile(r"^[+-]?\d+$")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """The cell as the user sees it: numbers without a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _shown(value: Any, limit: int = 40) -> str:
    text = as_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_formula(value: Any) -> None:
    """Refuse text that a spreadsheet would run as a formula when exported again.

    '=' and '@' always start a formula; '+' and '-' only when what follows is not
    a number ('-5' is a negative number, '+86 138 0013 8000' a phone number).
    """
    if not isinstance(value, str):
        return
    if "\0" in value:  # no database stores it in text (PostgreSQL refuses it)
        raise CellError("nul_char")
    text = value.strip()
    if not text:
        return
    head = text[0]
    if head in "=@" or (head in "+-" and len(text) > 1 and not _NUMBER_LIKE.match(text)):
        raise CellError("formula", value=_shown(text))


def text(limit: int | None = None) -> Parser:
    def parse(value: Any) -> str:
        result = as_text(value)
        if limit is not None and len(result) > limit:
            raise CellError("too_long", length=len(result), limit=limit)
        return result

    return parse


def email(value: Any) -> str:
    result = as_text(value)
    if not _EMAIL.match(result) or len(result) > 254:
        raise CellError("bad_email", value=_shown(result))
    return result


def _from_serial(value: float) -> datetime:
    if not _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
        raise ValueError(value)
    seconds = round((value - int(value)) * 86_400)
    return datetime.combine(EXCEL_EPOCH, time()) + timedelta(days=int(value), seconds=seconds)


def _date_prefix(text: str) -> tuple[date, str]:
    """Parse the date at the start of `text`; return it and the rest."""
    if m := _YYYYMMDD.match(text):
        return date(int(m[1]), int(m[2]), int(m[3])), ""
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    month, day = (m["m1"], m["d1"]) if m["sep"] else (m["m2"], m["d2"])
    return date(int(m["y"]), int(month), int(day)), text[m.end() :]


def _time_suffix(rest: str) -> tuple[time, tzinfo | None]:
    m = _TIME.match(rest)
    if not m:
        raise ValueError(rest)
    tz: tzinfo | None = None
    if m["tz"]:
        if m["tz"] == "Z":
            tz = UTC
        else:
            sign = -1 if m["tz"][0] == "-" else 1
            digits = m["tz"][1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    if m["h"] is None:
        return time(), tz
    micro = int((m["f"] or "0").ljust(6, "0"))
    return time(int(m["h"]), int(m["mi"]), int(m["s"] or 0), micro), tz


def a_date(value: Any) -> date:
    """2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105, Excel date cells and serials."""
    try:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _from_serial(float(value)).date()
        text_value = as_text(value)
        if len(text_value) == 10 and text_value[4] == "-" and text_value[7] == "-":
            return date.fromisoformat(text_value)  # the common case, fast
        if _TEXT_SERIAL.match(text_value):
            return _from_serial(float(text_value)).date()
        day, rest = _date_prefix(text_value)
        clock, _tz = _time_suffix(rest)
        if clock != time():  # a date column with a time of day other than midnight
            raise ValueError(text_value)
        return day
    except (ValueError, OverflowError):
        raise CellError("bad_date", value=_shown(value)) from None


def a_datetime(zone: tzinfo) -> Parser:
    """Date and time; naive values are in `zone` (Asia/Shanghai); result is aware UTC."""

    def parse(value: Any) -> datetime:
        try:
            if isinstance(value, datetime):
                moment = value
            elif isinstance(value, date):
                moment = datetime.combine(value, time())
            elif isinstance(value, int | float) and not isinstance(value, bool):
                moment = _from_serial(float(value))
            else:
                text_value = as_text(value)
                if _TEXT_SERIAL.match(text_value):
                    moment = _from_serial(float(text_value))
                else:
                    day, rest = _date_prefix(text_value)
                    clock, tz = _time_suffix(rest)
                    moment = datetime.combine(day, clock, tzinfo=tz)
        except (ValueError, OverflowError):
            raise CellError("bad_datetime", value=_shown(value)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)

    return parse


def amount(value: Any) -> Decimal:
    """A non-negative amount in yuan: '¥12,345.60', '12,345.6元', Excel numbers."""
    if isinstance(value, bool):
        raise CellError("bad_amount", value=_shown(value))
    try:
        result = parse_amount(value)
    except MoneyError as exc:
        code = "amount_places" if "decimal places" in str(exc) else "bad_amount"
        raise CellError(code, value=_shown(value)) from None
    if result < 0:
        raise CellError("negative_amount", value=_shown(value))
    return result


def positive_amount(value: Any) -> Decimal:
    """An amount in yuan greater than zero (an instalment of a repayment plan)."""
    result = amount(value)
    if result == 0:
        raise CellError("zero_amount", value=_shown(value))
    return result


def whole_number(low: int, high: int) -> Parser:
    """A whole number from `low` to `high`: '3', '+3', Excel numbers 3 and 3.0 ('3.5' is not)."""

    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError("bad_whole_number", value=_shown(value))
        if isinstance(value, int):
            result = value
        elif isinstance(value, float) and value.is_integer():
            result = int(value)
        elif isinstance(value, str) and _WHOLE.match(value.strip()):
            result = int(value.strip())
        else:
            raise CellError("bad_whole_number", value=_shown(value))
        if not low <= result <= high:
            raise CellError("number_range", value=_shown(value), low=low, high=high)
        return result

    return parse


def rate(value: Any) -> Decimal:
    """A yearly rate as a fraction: '0.18', '18%', '18.25 %', Excel percent cells."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, float):
            result = Decimal(repr(value))
        elif isinstance(value, int):
            result = Decimal(value)
        else:
            raw = as_text(value).replace(" ", "")
            result = Decimal(raw[:-1]) / 100 if raw.endswith(("%", "％")) else Decimal(raw)
        if not result.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise CellError("bad_rate", value=_shown(value)) from None
    if not 0 <= result <= 1:
        raise CellError("rate_range", value=_shown(value))
    # drop float noise from spreadsheets (0.18000000000000002) and trailing zeros
    return result.quantize(Decimal("1e-10")).normalize()


def choice(mapping: Mapping[str, str]) -> Parser:
    """An enum given in English (any case) or Chinese; returns the English value."""
    folded = {key.casefold(): value for key, value in mapping.items()}
    accepted = ", ".join(mapping)

    def parse(value: Any) -> str:
        key = as_text(value).casefold()
        if key not in folded:
            raise CellError("bad_enum", value=_shown(value), accepted=accepted)
        return folded[key]

    return parse


def id_number(value: Any) -> str:
    """An 18-character PRC ID number with a valid GB 11643 checksum (upper-case X)."""
    if isinstance(value, float):  # Excel kept it as a number: the last digits are gone
        raise CellError("id_as_number")
    raw = as_text(value).upper().replace(" ", "")
    try:
        return normalize_id_number(raw)
    except IdNumberError:
        pass
    # identity.py said no; name the reason with a catalog code (same English text)
    if not _ID_FORMAT.match(raw):
        raise CellError("id_format")
    try:
        date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise CellError("id_birth", birth=raw[6:14]) from None
    raise CellError("id_checksum", expected=check_digit(raw[:17]))
