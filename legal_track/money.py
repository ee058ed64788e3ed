"""Money: exact decimal yuan in Python, integer fen in the database. Never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def quantize(value: Decimal) -> Decimal:
    """Round to whole fen, half up (the rounding Chinese courts use for fees)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Yuan -> integer fen. Refuses amounts with more than two decimal places."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"{amount} has more than two decimal places")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


_AMOUNT_JUNK = re.compile(r"[\s,，¥￥]|元$|RMB|CNY", re.IGNORECASE)


def parse_amount(text: str) -> Decimal:
    """Parse '¥12,345.60', '12,345.6元', '1 000' into Decimal yuan (2 places).

    Raises MoneyError with the offending text when it is not a number or has
    more than two decimal places.
    """
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):  # Excel cells: go through repr, which round-trips
        value = Decimal(repr(text))
    else:
        cleaned = _AMOUNT_JUNK.sub("", str(text).strip())
        if not cleaned:
            raise MoneyError("empty amount")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise MoneyError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise MoneyError(f"not an amount: {text!r}")
    if value != value.quantize(FEN):
        # tolerate float noise from spreadsheets (e.g. 0.30000000000000004)
        rounded = value.quantize(Decimal("0.000001"))
        if rounded != rounded.quantize(FEN):
            raise MoneyError(f"more than two decimal places: {text!r}")
    return value.quantize(FEN)


def format_yuan(amount: Decimal) -> str:
    """'12,345.60' (grouped, two places)."""
    return f"{quantize(amount):,.2f}"
