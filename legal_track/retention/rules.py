"""The retention rule pack (rules/retention.toml) and the period arithmetic."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from legal_track.rules import RulePackError, open_pack


class RetentionError(ValueError):
    """A retention request that cannot be carried out (the message says why)."""


@dataclass(frozen=True, slots=True)
class Basis:
    id: str
    effective_from: date
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class RetentionRules:
    version: str
    minimum_years: int
    minimum_basis: str
    default_years: int
    default_note: str
    basis: tuple[Basis, ...]
    active_loan_statuses: tuple[str, ...]
    evidence_categories: frozenset[str]
    placeholder_name: str

    def check_years(self, years: int) -> int:
        """`years` if it is a period the pack allows, else a RetentionError saying why."""
        if years < self.minimum_years:
            raise RetentionError(
                f"retention_years={years} is shorter than the floor of {self.minimum_years} "
                f"years in rules/retention.toml ({self.minimum_basis})"
            )
        return years

    def placeholder(self, borrower_id: int) -> str:
        return self.placeholder_name.format(id=borrower_id)


@lru_cache(maxsize=1)
def load_rules() -> RetentionRules:
    pack = open_pack("retention")
    period = pack.table("period")
    purge = pack.table("purge")
    basis = tuple(
        Basis(t.str("id"), t.date("effective_from"), t.str("text_zh"), t.str("text_en"))
        for t in pack.tables("basis")
    )
    rules = RetentionRules(
        version=pack.table("pack").str("version"),
        minimum_years=period.int("minimum_years", min=1),
        minimum_basis=period.str("minimum_basis"),
        default_years=period.int("default_years", min=1),
        default_note=period.str("default_note"),
        basis=basis,
        active_loan_statuses=tuple(purge.list("active_loan_statuses", of=str)),
        evidence_categories=frozenset(purge.list("evidence_categories", of=str)),
        placeholder_name=purge.str("placeholder_name"),
    )
    if rules.default_years < rules.minimum_years:
        raise RulePackError("retention.toml: period.default_years is below period.minimum_years")
    return rules


def _shift_years(day: date, years: int) -> date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def due_on(closed_on: date, years: int) -> date:
    """The day a case closed on `closed_on` becomes due for purge."""
    return _shift_years(closed_on, years)


def latest_closing_due(today: date, years: int) -> date:
    """The latest closing day whose case is due on `today`: every case closed on or before
    it has `due_on(closed_on) <= today` (a 29 February closing is due on 28 February)."""
    cutoff = _shift_years(today, -years)
    if (today.month, today.day) == (2, 28) and calendar.isleap(cutoff.year) \
            and not calendar.isleap(today.year):  # fmt: skip
        cutoff = cutoff.replace(day=29)
    return cutoff
