"""Pure formatting functions the template environment offers as filters.

They take the values a template context holds (Decimal or decimal text, ISO date
text, ``{"value": ...}`` / ``{"iso": ...}`` view-model objects) and return text.
The environment factory in :mod:`legal_track.documents.env` registers them; this
module registers nothing by itself.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from legal_track.money import FEN, MoneyError, format_yuan

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("仟", "佰", "拾", "")  # inside a four-digit group
GROUPS = ("", "万", "亿", "万亿")  # one per four-digit group, least significant first
MAX_AMOUNT = Decimal(10) ** 16  # 壹万亿亿 would need a fifth group
SMALL = "〇一二三四五六七八九"


def as_decimal(value: object) -> Decimal:
    """An amount from Decimal, int, decimal text or a view-model Amount ``{"value": ...}``."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, (bool, float)):
        raise MoneyError(f"amounts must be Decimal or decimal text, not {type(value).__name__}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | str):
        try:
            amount = Decimal(str(value).replace(",", "").strip())
        except InvalidOperation:
            raise MoneyError(f"not an amount: {value!r}") from None
    else:
        raise MoneyError(f"not an amount: {value!r}")
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    if amount != amount.quantize(FEN):
        raise MoneyError(f"{amount} has more than two decimal places")
    return amount.quantize(FEN)


def _group(value: int) -> str:
    """0 < value < 10000 -> 壹仟零贰拾 (inner zero runs collapse to one 零, tail zeros drop)."""
    out: list[str] = []
    zero = False
    for i, ch in enumerate(f"{value:04d}"):
        digit = int(ch)
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[digit] + UNITS[i])
    return "".join(out)


def rmb_upper(value: object) -> str:
    """Chinese financial capitals (大写金额) following the PBOC rules for cheques.

    12345.67 -> 壹万贰仟叁佰肆拾伍元陆角柒分; 100 -> 壹佰元整; 1409.50 -> 壹仟肆佰零玖元伍角整;
    16409.02 -> 壹万陆仟肆佰零玖元零贰分; 1680.32 -> 壹仟陆佰捌拾元零叁角贰分.
    整 follows 元 or 角 when nothing comes after it, never 分. A leading ten is written
    壹拾. Negative amounts are refused: a claim is never negative.
    """
    amount = as_decimal(value)
    if amount < 0:
        raise MoneyError(f"rmb_upper refuses a negative amount ({amount})")
    if amount >= MAX_AMOUNT:
        raise MoneyError(f"rmb_upper: {amount} is too large")
    fen_total = int(amount * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if fen_total == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        groups: list[int] = []
        rest = yuan
        while rest:
            rest, g = divmod(rest, 10000)
            groups.append(g)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            g = groups[index]
            if g == 0:
                pending_zero = bool(parts)
                continue
            if parts and (pending_zero or g < 1000):
                parts.append("零")
            unit = GROUPS[index]
            if index == 3 and (len(groups) < 3 or groups[2] != 0):
                unit = "万"  # 壹万贰仟亿: the 亿 of the next group carries over
            parts.append(_group(g) + unit)
            pending_zero = False
        parts.append("元")
    if jiao:
        if yuan and yuan % 10 == 0:
            parts.append("零")  # 元位是零、角位不是零: 壹仟陆佰捌拾元零叁角
        parts.append(DIGITS[jiao] + "角")
    elif fen and yuan:
        parts.append("零")  # 角位是零、分位不是零: 元后写零
    if fen:
        parts.append(DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)


def money(value: object) -> str:
    """12,345.67 (grouped, two places)."""
    return format_yuan(as_decimal(value))


def as_date(value: object, tz: ZoneInfo | None = None) -> date:
    """A date from a date, an aware datetime (in `tz`), ISO text or a view-model ``{"iso": ...}``."""
    if isinstance(value, dict) and "iso" in value:
        value = value["iso"]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        return value.astimezone(tz or ZoneInfo("Asia/Shanghai")).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)") from None
    raise ValueError(f"not a date: {value!r}")


def cn_date(value: object, tz: ZoneInfo | None = None) -> str:
    """2026年11月29日 (no zero padding, as courts write it)."""
    d = as_date(value, tz)
    return f"{d.year}年{d.month}月{d.day}日"


def cn_num(value: object) -> str:
    """Small counts and ordinals in Chinese numerals: 1 -> 一, 10 -> 十, 21 -> 二十一."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"cn_num needs a whole number, got {value!r}")
    n = int(value)
    if not 0 <= n < 100:
        raise ValueError(f"cn_num handles 0-99, got {n}")
    if n < 10:
        return SMALL[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else SMALL[tens]) + "十" + ("" if ones == 0 else SMALL[ones])


# The masks are privacy.py's. Imported on use: privacy imports every model (sqlmodel),
# which would double the start-up time of each batch worker process.


def mask_id(value: object) -> str:
    """110101********1234 (region code and last four stay)."""
    from legal_track.privacy import mask_id_number

    return mask_id_number(None if value is None else str(value))


def mask_mobile(value: object) -> str:
    """138****5678."""
    from legal_track.privacy import mask_phone

    return mask_phone(None if value is None else str(value))


def mask_person(value: object) -> str:
    """张** (surname stays)."""
    from legal_track.privacy import mask_name

    return mask_name(None if value is None else str(value))
