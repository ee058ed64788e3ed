"""The event history a demo case has lived through to reach its stage.

Each route is a chain of (event kind, days after the previous event, stage reached).
A case at stage S carries the prefix of its route's chain up to S, shifted so that
its last event lies a few days before ``as_of``; the deadline engine then computes
a realistic mix of overdue, near and later deadlines from these events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from legal_track.cases.lifecycle import Route, Stage


@dataclass(frozen=True, slots=True)
class Cost:
    """What a demo case pays: the filing fee, the preservation fee, the counsel's fee and
    the enforcement fee (from the fee rules and the escalation pack's counsel estimate)."""

    filing_fee: Decimal
    preservation_fee: Decimal
    counsel_fee: Decimal
    enforcement_fee: Decimal


@dataclass(frozen=True, slots=True)
class Step:
    kind: str
    gap: int  # days after the previous step
    stage: str  # the stage reached once this event is recorded
    party: str | None = None


@dataclass(frozen=True, slots=True)
class Chain:
    steps: tuple[Step, ...]

    @property
    def stages(self) -> tuple[str, ...]:
        seen: list[str] = []
        for step in self.steps:
            if step.stage not in seen:
                seen.append(step.stage)
        return tuple(seen)


_DEMAND = (
    Step("demand_letter_sent", 0, "demand_letter"),
    Step("demand_letter_delivered", 3, "demand_letter"),
)
_ENFORCE = (
    Step("enforcement_applied", 12, "enf_applied"),
    Step("enforcement_accepted", 6, "enf_accepted"),
    Step("asset_frozen", 20, "enf_measures"),
    Step("enforcement_terminated", 90, "enf_terminated"),
    Step("payment_received", 40, "closed"),
    Step("case_closed", 1, "closed"),
)

CHAINS: dict[str, Chain] = {
    Route.litigation.value: Chain(_DEMAND + (
        Step("complaint_filed", 20, "lit_filed"),
        Step("case_accepted", 5, "lit_accepted"),
        Step("complaint_served", 10, "lit_served", "被告"),
        Step("hearing_scheduled", 8, "lit_hearing"),
        Step("judgment_served", 40, "lit_judgment", "被告"),
        Step("appeal_filed", 12, "lit_appeal"),
        Step("judgment_effective", 30, "lit_effective"),
    ) + _ENFORCE),
    Route.arbitration.value: Chain(_DEMAND + (
        Step("arbitration_applied", 20, "arb_applied"),
        Step("arbitration_accepted", 5, "arb_accepted"),
        Step("arbitration_hearing", 30, "arb_hearing"),
        Step("award_received", 25, "arb_award"),
        Step("award_effective", 0, "arb_award"),
    ) + _ENFORCE),
    Route.payment_order.value: Chain(_DEMAND + (
        Step("payment_order_applied", 15, "po_applied"),
        Step("payment_order_accepted", 3, "po_applied"),
        Step("payment_order_issued", 10, "po_issued"),
        Step("payment_order_served", 7, "po_served", "债务人"),
        Step("payment_order_effective", 16, "po_effective"),
    ) + _ENFORCE),
    Route.mediation.value: Chain(_DEMAND + (
        Step("mediation_applied", 15, "med_applied"),
        Step("mediation_agreement", 20, "med_agreement"),
        Step("mediation_confirmed", 12, "med_confirmed"),
    ) + _ENFORCE),
}  # fmt: skip


FILINGS = ("complaint_filed", "arbitration_applied", "payment_order_applied", "mediation_applied")


def case_events(
    rng: random.Random,
    *,
    route: Route,
    stage: Stage,
    as_of: date,
    performance_days: int,
    costs: Cost | None = None,
    counsel: bool = False,
) -> tuple[list[dict], str | None]:
    """Events for a case of `route` now at `stage`; the close reason when closed.

    With `costs` (the route's expected cost for the claim), the fees are paid as the case
    goes: the court or arbitration fee on filing (and the counsel's fee when a firm acts),
    the enforcement fee on applying for enforcement."""
    steps = list(CHAINS[route.value].steps)
    last = max(i for i, s in enumerate(steps) if s.stage == stage.value)
    chosen = steps[: last + 1]
    if stage.value != "lit_appeal":  # most judgments are not appealed
        chosen = [s for s in chosen if s.kind != "appeal_filed"]
    gaps = [s.gap + (rng.randrange(0, 4) if s.gap else 0) for s in chosen]
    end = as_of - timedelta(days=rng.randrange(1, 26))
    start = end - timedelta(days=sum(gaps))
    events, day = [], start
    for step, gap in zip(chosen, gaps, strict=True):
        day += timedelta(days=gap)
        data: dict = {}
        if step.kind == "demand_letter_delivered":
            data = {
                "payment_days": 7,
                "tracking_no": f"EMS{rng.randrange(10**11):011d}",
                "signed_on": day.isoformat(),
            }
        elif step.kind == "mediation_applied":
            data = {"mediator": "示例区人民调解委员会（演示）"}
        elif step.kind == "mediation_agreement":
            data = {"effective_on": day.isoformat()}
        elif step.kind in (
            "judgment_effective",
            "award_effective",
            "payment_order_effective",
            "mediation_confirmed",
        ):
            data = {"performance_end": (day + timedelta(days=performance_days)).isoformat()}
        elif step.kind == "asset_frozen":
            data = {"asset_kind": "deposit", "amount": "5000.00"}
        elif step.kind == "hearing_scheduled":
            data = {"hearing_on": (day + timedelta(days=30)).isoformat()}
        elif step.kind == "payment_received":
            data = {"amount": "1000.00"}
        elif step.kind == "case_closed":
            data = {"reason": "paid"}
        events.append({"kind": step.kind, "on": day, "party": step.party, "data": data})
        if costs is not None:
            events.extend(_costs_paid(step.kind, day, costs, route=route, counsel=counsel))
    return events, ("paid" if stage is Stage.closed else None)


def _costs_paid(kind: str, day: date, costs: Cost, *, route: Route, counsel: bool) -> list[dict]:
    paid: list[tuple[str, Decimal]] = []
    if kind in FILINGS:
        fee = "arbitration_fee" if route is Route.arbitration else "court_fee"
        paid.append((fee, costs.filing_fee))
        if costs.preservation_fee:
            paid.append(("preservation_fee", costs.preservation_fee))
        if counsel:
            paid.append(("counsel_fee", costs.counsel_fee))
    elif kind == "enforcement_applied" and costs.enforcement_fee:
        paid.append(("enforcement_fee", costs.enforcement_fee))
    return [{"kind": "cost_paid", "on": day, "party": None,
             "data": {"category": category, "amount": str(amount)}}
            for category, amount in paid if amount > 0]  # fmt: skip
