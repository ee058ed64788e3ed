"""The escalation rule pack (`legal_track/rules/escalation.toml`) as typed, validated data.

Every value is checked when the pack is read, and an error names the file and the key path
(`escalation.toml: pack[0].trigger[1] (broken_promises).when[0].metric: ...`), so that the
person editing the policy knows exactly what to fix. The pack in force on a day is the one
with the latest `effective_from` on or before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from legal_track.rules import RulePackError, Table, open_pack

# What a condition can test, per loan, on the day of the proposal.
METRICS = {
    "dpd": "days past due",
    "outstanding": "outstanding principal (yuan)",
    "broken_promises": "promises to pay and plan instalments broken",
    "days_to_expiry": "days to the conservative limitation expiry",
    "days_since_contact": "days since the last delivered or connected contact",
}
DECIMAL_METRICS = frozenset({"outstanding"})
STRATEGIES = ("round_robin", "least_open_cases")


@dataclass(frozen=True, slots=True)
class Condition:
    metric: str
    at_least: Decimal | None = None
    at_most: Decimal | None = None

    def holds(self, value: Decimal | int | None) -> bool:
        """None (no figure: no clock, never contacted) holds only for `days_since_contact`
        at_least (never contacted is the longest silence)."""
        if value is None:
            return self.metric == "days_since_contact" and self.at_most is None
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)

    def text(self) -> str:
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least} <= {self.metric} <= {self.at_most}"
        if self.at_least is not None:
            return f"{self.metric} >= {self.at_least}"
        return f"{self.metric} <= {self.at_most}"


@dataclass(frozen=True, slots=True)
class Trigger:
    id: str
    name_zh: str
    name_en: str
    when: tuple[Condition, ...]
    basis: str = ""
    basis_zh: str = ""


@dataclass(frozen=True, slots=True)
class RoutePolicy:
    payment_order: bool
    payment_order_max: Decimal
    reachable_days: int
    dispute_words: tuple[str, ...]
    arbitration_basis: str
    arbitration_basis_zh: str
    payment_order_basis: str
    payment_order_basis_zh: str
    litigation_basis: str
    litigation_basis_zh: str
    # pre-litigation mediation: proposed for small undisputed debts whose forum court runs
    # 诉前调解 (`mediation_courts`; empty: every court) when `mediation` is on
    mediation: bool = False
    mediation_max: Decimal = Decimal("0")
    mediation_courts: tuple[str, ...] = ()
    mediation_basis: str = ""
    mediation_basis_zh: str = ""


@dataclass(frozen=True, slots=True)
class CostPolicy:
    preservation_from: Decimal
    arbitration_rate: Decimal
    arbitration_min: Decimal
    arbitration_basis: str
    counsel_fixed: Decimal
    counsel_rate: Decimal
    counsel_basis: str
    max_cost_ratio: Decimal


@dataclass(frozen=True, slots=True)
class EscalationRules:
    version: str
    effective_from: date
    basis: str
    reconsider_days: int
    promise_grace_days: int
    gates: tuple[Trigger, ...]
    triggers: tuple[Trigger, ...]
    route: RoutePolicy
    cost: CostPolicy
    owner_strategy: str


def _condition(t: Table) -> Condition:
    t.check_keys({"metric", "at_least", "at_most"})
    metric = t.str("metric", choices=sorted(METRICS))
    at_least, at_most = t.decimal("at_least", None), t.decimal("at_most", None)
    if at_least is None and at_most is None:
        raise t.error(None, "a condition needs at_least or at_most")
    return Condition(metric, at_least, at_most)


def _trigger(t: Table, *, gate: bool) -> Trigger:
    keys = {"id", "name_zh", "name_en", "basis", "basis_zh"}
    if gate:
        t.check_keys(keys | {"metric", "at_least", "at_most"})
        when: tuple[Condition, ...] = (
            _condition(Table({k: v for k, v in t.data.items() if k in ("metric", "at_least",
                              "at_most")}, file=t.file, path=t.path)),
        )  # fmt: skip
    else:
        t.check_keys(keys | {"when"})
        items = t.list("when")
        if not items:
            raise t.error("when", "a trigger needs at least one condition")
        when = tuple(
            _condition(Table(item, file=t.file, path=f"{t.path}.when[{i}]"))
            for i, item in enumerate(items)
        )
    return Trigger(t.str("id"), t.str("name_zh"), t.str("name_en"), when,
                   t.str("basis", ""), t.str("basis_zh", ""))  # fmt: skip


def _route(t: Table) -> RoutePolicy:
    return RoutePolicy(
        payment_order=t.bool("payment_order"),
        payment_order_max=t.decimal("payment_order_max"),
        reachable_days=t.int("reachable_days", min=1),
        dispute_words=tuple(t.list("dispute_words", of=str)),
        arbitration_basis=t.str("arbitration_basis"),
        arbitration_basis_zh=t.str("arbitration_basis_zh"),
        payment_order_basis=t.str("payment_order_basis"),
        payment_order_basis_zh=t.str("payment_order_basis_zh"),
        litigation_basis=t.str("litigation_basis"),
        litigation_basis_zh=t.str("litigation_basis_zh"),
        mediation=t.bool("mediation", False),
        mediation_max=t.decimal("mediation_max", Decimal("0")),
        mediation_courts=tuple(t.list("mediation_courts", [], of=str)),
        mediation_basis=t.str("mediation_basis", ""),
        mediation_basis_zh=t.str("mediation_basis_zh", ""),
    )


def _cost(t: Table) -> CostPolicy:
    return CostPolicy(
        preservation_from=t.decimal("preservation_from"),
        arbitration_rate=t.decimal("arbitration_rate"),
        arbitration_min=t.decimal("arbitration_min"),
        arbitration_basis=t.str("arbitration_basis"),
        counsel_fixed=t.decimal("counsel_fixed"),
        counsel_rate=t.decimal("counsel_rate"),
        counsel_basis=t.str("counsel_basis"),
        max_cost_ratio=t.decimal("max_cost_ratio"),
    )


def _pack(t: Table) -> EscalationRules:
    t.check_keys({"version", "effective_from", "basis", "reconsider_days",
                  "promise_grace_days", "gate", "trigger", "route", "cost", "owner"})  # fmt: skip
    triggers = tuple(_trigger(x, gate=False) for x in t.tables("trigger"))
    if not triggers:
        raise t.error("trigger", "a pack needs at least one [[pack.trigger]]")
    ids = [x.id for x in triggers]
    if len(set(ids)) != len(ids):
        raise t.error("trigger", f"trigger ids repeat: {', '.join(ids)}")
    owner = t.table("owner")
    return EscalationRules(
        version=t.str("version"),
        effective_from=t.date("effective_from"),
        basis=t.str("basis"),
        reconsider_days=t.int("reconsider_days", min=0),
        promise_grace_days=t.int("promise_grace_days", min=0),
        gates=tuple(_trigger(x, gate=True) for x in t.tables("gate")),
        triggers=triggers,
        route=_route(t.table("route")),
        cost=_cost(t.table("cost")),
        owner_strategy=owner.str("strategy", choices=STRATEGIES),
    )


def load_packs(directory: Path | None = None) -> list[EscalationRules]:
    """Every pack of the file, oldest first (validated)."""
    top = open_pack("escalation", directory=directory)
    packs = sorted((_pack(t) for t in top.tables("pack", label="version")),
                   key=lambda p: p.effective_from)  # fmt: skip
    if not packs:
        raise RulePackError("escalation.toml: no [[pack]]")
    return packs


@lru_cache(maxsize=4)
def _cached(directory: Path | None) -> tuple[EscalationRules, ...]:
    return tuple(load_packs(directory))


def rules_on(day: date, *, directory: Path | None = None) -> EscalationRules:
    """The pack in force on `day`."""
    packs = [p for p in _cached(directory) if p.effective_from <= day]
    if not packs:
        first = _cached(directory)[0].effective_from
        raise RulePackError(
            f"escalation.toml: no pack in force on {day} (the first is from {first})"
        )
    return packs[-1]
