"""Court fees for property cases: acceptance, enforcement and preservation (rules/fees.toml).

Bands are cumulative: each band's rate applies to the part of the amount inside it, on top
of the flat fee for the first band. The fee is computed exactly, scaled by the procedure
(half for summary procedure, mediation or withdrawal; one third for a payment order) and
rounded to whole fen, half up. Also: small-claims eligibility (rules/small_claims.toml) and
delayed-performance interest after a judgment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache

from legal_track.money import ZERO, quantize
from legal_track.rules import load_pack

DELAYED_RATE = Decimal("0.000175")  # 0.0175 % a day
DELAYED_BASIS = (
    "CPL art. 264; SPC Interpretation 2014 arts. 1-3 (unpaid principal debt x 0.0175 % a day)"
)
DELAYED_BASIS_ZH = "《民事诉讼法》第二百六十四条；《最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的解释》第一条至第三条"


class FeeError(ValueError):
    """An amount or procedure the fee rules cannot price."""


class FeeKind(StrEnum):
    court = "court"
    enforcement = "enforcement"
    preservation = "preservation"


class Procedure(StrEnum):
    ordinary = "ordinary"
    summary = "summary"
    mediation = "mediation"
    withdrawal = "withdrawal"
    payment_order = "payment_order"
    pre_mediation = "pre_mediation"  # 诉前调解: not yet registered, no acceptance fee


@dataclass(frozen=True, slots=True)
class FeeStep:
    """One band of the calculation: `base` of the amount inside (above, upto] at `rate`."""

    above: Decimal
    upto: Decimal | None
    base: Decimal
    rate: Decimal | None  # None for the flat first band
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Fee:
    kind: str
    amount: Decimal  # the disputed / enforced / preserved amount
    procedure: str
    fee: Decimal  # rounded to fen
    full_fee: Decimal  # before the procedure factor
    factor: str  # "1", "1/2", "1/3"
    basis: str
    basis_zh: str
    steps: list[FeeStep]
    rule_version: str


@cache
def _pack(name: str) -> dict:
    return load_pack(name)


def _amount(amount: Decimal | str | int) -> Decimal:
    value = Decimal(str(amount))
    if not value.is_finite() or value <= 0:
        raise FeeError(f"the amount must be a positive number of yuan, got {amount!r}")
    if value != quantize(value):
        raise FeeError(f"{amount} has more than two decimal places")
    return value


def _banded(kind: FeeKind, amount: Decimal) -> tuple[Decimal, list[FeeStep], dict]:
    table = _pack("fees")[kind.value]
    flat_upto, flat = Decimal(table["flat_upto"]), Decimal(table["flat_fee"])
    steps = [FeeStep(ZERO, flat_upto, min(amount, flat_upto), None, flat)]
    total = flat
    for band in table["bands"]:
        above = Decimal(band["above"])
        upto = Decimal(band["upto"]) if "upto" in band else None
        if amount <= above:
            break
        base = (min(amount, upto) if upto is not None else amount) - above
        part = base * Decimal(band["rate"])
        steps.append(FeeStep(above, upto, base, Decimal(band["rate"]), part))
        total += part
    if "cap" in table and total > Decimal(table["cap"]):
        total = Decimal(table["cap"])
    return total, steps, table


def _fee(kind: FeeKind, amount, procedure: Procedure | str = Procedure.ordinary) -> Fee:
    value = _amount(amount)
    full, steps, table = _banded(kind, value)
    basis, basis_zh, factor = table["basis"], table["basis_zh"], "1"
    if kind is FeeKind.court:
        try:
            proc = table["procedures"][Procedure(procedure).value]
        except (ValueError, KeyError):
            names = ", ".join(p.value for p in Procedure)
            raise FeeError(f"unknown procedure {procedure!r}; choose one of {names}") from None
        factor = proc["factor"]
        if factor != "1":
            basis, basis_zh = f"{basis}; {proc['basis']}", f"{basis_zh}；{proc['basis_zh']}"
    elif Procedure(procedure) is not Procedure.ordinary:
        raise FeeError(f"--procedure applies to the court acceptance fee only, not to {kind.value}")
    frac = Fraction(factor)
    fee = quantize(full * frac.numerator / frac.denominator)
    return Fee(
        kind=kind.value,
        amount=value,
        procedure=Procedure(procedure).value,
        fee=fee,
        full_fee=quantize(full),
        factor=factor,
        basis=basis,
        basis_zh=basis_zh,
        steps=steps,
        rule_version=_pack("fees")["version"],
    )


def court_fee(amount: Decimal, procedure: Procedure | str = Procedure.ordinary) -> Fee:
    """Acceptance fee of a property case (art. 13), scaled for the procedure (arts. 14-16)."""
    return _fee(FeeKind.court, amount, procedure)


def enforcement_fee(amount: Decimal) -> Fee:
    """Enforcement application fee (art. 14(1)); not prepaid, borne by the debtor."""
    return _fee(FeeKind.enforcement, amount)


def preservation_fee(amount: Decimal) -> Fee:
    """Preservation application fee (art. 14(2)), at most 5,000."""
    return _fee(FeeKind.preservation, amount)


def fee(kind: FeeKind | str, amount: Decimal, procedure: Procedure | str = "ordinary") -> Fee:
    try:
        kind = FeeKind(kind)
    except ValueError:
        raise FeeError(f"unknown fee {kind!r}; choose court, enforcement or preservation") from None
    return _fee(kind, amount, procedure)


# --- small claims ---------------------------------------------------------------------------


class SmallClaimsTrack(StrEnum):
    mandatory = "mandatory"  # <= 50 % of the average wage: small-claims procedure applies
    by_agreement = "by_agreement"  # 50 % - 200 %: only when the parties agree
    no = "no"  # above 200 %
    unknown = "unknown"  # no threshold configured for the province and year


@dataclass(frozen=True, slots=True)
class SmallClaims:
    amount: Decimal
    province: str | None
    year: int
    track: SmallClaimsTrack
    mandatory_upto: Decimal | None
    agreement_upto: Decimal | None
    basis: str
    note: str


def province_of_id(id_number: str | None) -> str | None:
    """Province name from the first two digits of a resident ID number (GB/T 2260)."""
    if not id_number or len(id_number) < 2:
        return None
    return _pack("small_claims")["provinces"].get(id_number[:2])


def small_claims(amount: Decimal, *, province: str | None, year: int) -> SmallClaims:
    """Which small-claims track a money claim of `amount` falls in (CPL art. 165)."""
    pack = _pack("small_claims")
    value = Decimal(str(amount))
    row = next(
        (r for r in pack["threshold"] if r["province"] == province and r["year"] == year), None
    )
    if row is None:
        return SmallClaims(value, province, year, SmallClaimsTrack.unknown, None, None,
                           pack["basis"],
                           f"no small-claims threshold for {province or 'unknown province'} "
                           f"{year}: add it to legal_track/rules/small_claims.toml")  # fmt: skip
    low, high = Decimal(row["mandatory"]), Decimal(row["by_agreement"])
    track = (
        SmallClaimsTrack.mandatory
        if value <= low
        else SmallClaimsTrack.by_agreement
        if value <= high
        else SmallClaimsTrack.no
    )
    return SmallClaims(value, province, year, track, low, high, pack["basis"], row["source"])


# --- delayed performance --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DelayedInterest:
    unpaid: Decimal
    performance_end: date
    until: date
    days: int
    rate: Decimal
    amount: Decimal
    basis: str
    basis_zh: str


def delayed_performance_interest(
    unpaid: Decimal, *, performance_end: date, until: date
) -> DelayedInterest:
    """The extra interest for delayed performance of a judgment or award (CPL art. 264).

    Unpaid principal debt x 0.0175 % a day, counted from the day after the performance
    period ends up to and including `until`.
    """
    value = Decimal(str(unpaid))
    if value < 0:
        raise FeeError(f"unpaid debt cannot be negative: {unpaid}")
    days = max(0, (until - performance_end).days)
    return DelayedInterest(value, performance_end, until, days, DELAYED_RATE,
                           quantize(value * DELAYED_RATE * days), DELAYED_BASIS,
                           DELAYED_BASIS_ZH)  # fmt: skip
