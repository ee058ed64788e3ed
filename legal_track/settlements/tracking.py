"""Tracking a settlement's instalments against what the case recovered (pure: no
database, no clock; `today` is a parameter).

Payments (ledger repayments and unmatched `payment_received` events on or after the
agreement) pay the instalments in due order: a payment first completes the earliest
instalment not yet paid in full. An instalment is *missed* when its due date plus the
grace days has passed (as of `today`) and it was not paid in full by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from legal_track.money import from_fen, to_fen
from legal_track.rules import Table, open_pack


class InstalmentState(StrEnum):
    paid = "paid"  # paid in full within the due date + grace
    partly = "partly"  # part paid, not yet missed
    due = "due"  # nothing paid yet, not yet missed (upcoming or in its grace days)
    missed = "missed"  # not paid in full by due date + grace


@dataclass(frozen=True, slots=True)
class InstalmentView:
    no: int
    due_on: date
    amount: Decimal
    paid: Decimal
    paid_on: date | None  # the day it was paid in full
    missed_after: date  # the last day of grace: unpaid after it, it is missed
    state: InstalmentState

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid


def allocate(
    instalments: list[tuple[int, date, Decimal]],
    payments: list[tuple[date, int]],
    *,
    grace_days: int,
    today: date,
) -> list[InstalmentView]:
    """`instalments`: (no, due_on, amount) in due order; `payments`: (date, fen). Only
    payments on or before `today` count."""
    fen_left = [(on, fen) for on, fen in sorted(payments) if on <= today and fen > 0]
    out: list[InstalmentView] = []
    i, carry = 0, 0  # index into fen_left, fen of fen_left[i] already used
    for no, due_on, amount in instalments:
        need = to_fen(amount)
        got, paid_on = 0, None
        while got < need and i < len(fen_left):
            on, fen = fen_left[i]
            take = min(fen - carry, need - got)
            got += take
            carry += take
            if carry == fen_left[i][1]:
                i, carry = i + 1, 0
            if got == need:
                paid_on = on
        last = due_on + timedelta(days=grace_days)
        if paid_on is not None and paid_on <= last:
            state = InstalmentState.paid
        elif today > last:
            state = InstalmentState.missed
        elif got:
            state = InstalmentState.partly
        else:
            state = InstalmentState.due
        out.append(InstalmentView(no, due_on, amount, from_fen(got), paid_on, last, state))
    return out


@dataclass(frozen=True, slots=True)
class KindRule:
    kind: str
    name_zh: str
    name_en: str
    next_zh: str
    next_en: str
    next_event: str
    basis_zh: str
    basis_en: str


@dataclass(frozen=True, slots=True)
class SettlementRules:
    grace_days: int
    kinds: dict[str, KindRule]
    review: str


@lru_cache(maxsize=1)
def settlement_rules() -> SettlementRules:
    """`rules/settlements.toml` (read once per process)."""
    pack = open_pack("settlements")
    pack.check_keys({"pack", "kind"})
    head = pack.table("pack")
    head.check_keys({"name", "review", "grace_days"})
    kinds_t: Table = pack.table("kind")
    kinds = {}
    for kind in kinds_t.data:
        k = kinds_t.table(kind)
        k.check_keys({"name_zh", "name_en", "next_zh", "next_en", "next_event", "basis_zh",
                      "basis_en"})  # fmt: skip
        kinds[kind] = KindRule(kind, k.str("name_zh"), k.str("name_en"), k.str("next_zh"),
                               k.str("next_en"), k.str("next_event"), k.str("basis_zh"),
                               k.str("basis_en"))  # fmt: skip
    return SettlementRules(head.int("grace_days", 0, min=0), kinds, head.str("review"))
