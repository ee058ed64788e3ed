"""The proposal queue: every loan that meets the escalation rules on a day, with the rules
that fired and their figures, the proposed route and forum, the claim and what it is
expected to cost.

Route, in the rule pack's order: an arbitration clause sends the loan to its commission
(Arbitration Law art. 5); a money debt that is undisputed, within the payment-order ceiling
and whose debtor can be reached at a PRC address goes to a payment order at the debtor's
domicile court (CPL art. 225); otherwise litigation at the agreed court or the defendant's
domicile (CPL arts. 22, 35), in the small-claims procedure where the claim is within the
province's threshold (CPL art. 165).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from legal_track.cases.lifecycle import Route
from legal_track.claims.fees import (
    Procedure,
    court_fee,
    preservation_fee,
    province_of_id,
    small_claims,
)
from legal_track.escalation.facts import LoanFacts, loan_facts
from legal_track.escalation.rules import EscalationRules, Trigger, rules_on
from legal_track.money import quantize

ZERO = Decimal(0)
_DISTRICT = re.compile(r"^(.+?(?:区|县|旗))")
_CITY = re.compile(r"^(.+?市)")


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired, with the figures it tested."""

    rule: str
    name_zh: str
    name_en: str
    figures: dict[str, str]
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Cost:
    court_fee: Decimal  # acceptance fee, or the arbitration fee estimate
    preservation_fee: Decimal
    counsel_fee: Decimal
    basis: str

    @property
    def total(self) -> Decimal:
        return self.court_fee + self.preservation_fee + self.counsel_fee


@dataclass(frozen=True, slots=True)
class Proposal:
    loan_id: int
    contract_no: str
    borrower_id: int
    borrower_name: str
    dpd: int
    outstanding: Decimal
    broken_promises: int
    days_to_expiry: int | None
    days_since_contact: int | None
    reasons: tuple[Reason, ...]
    route: str
    forum: str
    procedure: str  # ordinary | small_claims | payment_order | arbitration
    route_basis: str
    claim: Decimal
    cost: Cost
    rule_version: str
    broken: tuple[str, ...] = field(default=())

    @property
    def cost_ratio(self) -> Decimal:
        return (self.cost.total / self.claim).quantize(Decimal("0.001")) if self.claim else ZERO

    def as_dict(self) -> dict:
        """JSON-ready (amounts as text), as stored with the decision and printed by the CLI."""
        data = asdict(self)
        data["cost"]["total"] = self.cost.total
        data["cost_ratio"] = self.cost_ratio
        return _text_amounts(data)


def _text_amounts(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _text_amounts(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text_amounts(v) for v in value]
    return value


def _figure(facts: LoanFacts, metric: str) -> str:
    value = facts.metric(metric)
    if value is None:
        return "—" if metric != "days_since_contact" else "never"
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def _fires(trigger: Trigger, facts: LoanFacts) -> bool:
    return all(c.holds(facts.metric(c.metric)) for c in trigger.when)


def _reason(trigger: Trigger, facts: LoanFacts) -> Reason:
    figures = {c.metric: _figure(facts, c.metric) for c in trigger.when}
    for c in trigger.when:
        figures[f"{c.metric}_rule"] = c.text()
    if any(c.metric == "broken_promises" for c in trigger.when) and facts.broken:
        figures["broken"] = "; ".join(facts.broken)
    return Reason(trigger.id, trigger.name_zh, trigger.name_en, figures, trigger.basis)


def domicile_court(address: str) -> str:
    """The basic people's court of the district in `address` (to be confirmed by staff):
    `北京市东城区示例路1号` -> `北京市东城区人民法院`."""
    match = _DISTRICT.match(address.strip()) or _CITY.match(address.strip())
    return f"{match.group(1)}人民法院" if match else "被告住所地基层人民法院（待确认）"


def _route(facts: LoanFacts, rules: EscalationRules, today: date) -> tuple[str, str, str, str]:
    policy = rules.route
    if facts.arbitration_commission:
        return (Route.arbitration.value, facts.arbitration_commission, "arbitration",
                policy.arbitration_basis)  # fmt: skip
    reachable = (
        bool(facts.address)
        and facts.last_delivered is not None
        and (today - facts.last_delivered).days <= policy.reachable_days
    )
    if (policy.payment_order and not facts.disputed and reachable
            and facts.outstanding <= policy.payment_order_max):  # fmt: skip
        return (Route.payment_order.value, domicile_court(facts.address), "payment_order",
                policy.payment_order_basis)  # fmt: skip
    forum = facts.agreed_court or domicile_court(facts.address)
    if (policy.mediation and not facts.disputed and facts.outstanding <= policy.mediation_max
            and (not policy.mediation_courts or forum in policy.mediation_courts)):  # fmt: skip
        return Route.mediation.value, forum, "pre_mediation", policy.mediation_basis
    track = small_claims(
        facts.outstanding, province=province_of_id(facts.id_number), year=today.year
    )
    procedure = "small_claims" if track.track.value == "mandatory" else "ordinary"
    return Route.litigation.value, forum, procedure, policy.litigation_basis


def expected_cost(claim: Decimal, route: str, procedure: str, rules: EscalationRules) -> Cost:
    """The fees and the counsel's fee a route is expected to cost for `claim`."""
    c = rules.cost
    counsel = quantize(c.counsel_fixed + claim * c.counsel_rate)
    if route == Route.arbitration.value:
        fee = max(c.arbitration_min, quantize(claim * c.arbitration_rate))
        return Cost(fee, Decimal("0.00"), counsel, f"{c.arbitration_basis}; {c.counsel_basis}")
    fee_procedure = {
        "payment_order": Procedure.payment_order,
        "small_claims": Procedure.summary,
    }.get(procedure, Procedure.ordinary)
    if route == Route.mediation.value:
        fee_procedure = Procedure.pre_mediation
    court = court_fee(claim, fee_procedure).fee
    keep = Decimal("0.00")
    if route not in (Route.payment_order.value, Route.mediation.value) and (
        claim >= c.preservation_from
    ):
        keep = preservation_fee(claim).fee
    return Cost(court, keep, counsel, f"诉讼费用交纳办法; {c.counsel_basis}")


def propose_for(facts: LoanFacts, rules: EscalationRules, today: date) -> Proposal | None:
    """The proposal for one loan, or None when a gate fails, no trigger fires or the
    expected cost exceeds the pack's share of the claim. Pure."""
    if not all(_fires(g, facts) for g in rules.gates):
        return None
    fired = tuple(_reason(t, facts) for t in rules.triggers if _fires(t, facts))
    if not fired:
        return None
    route, forum, procedure, basis = _route(facts, rules, today)
    claim = quantize(facts.outstanding)
    cost = expected_cost(claim, route, procedure, rules)
    if claim <= ZERO or cost.total > claim * rules.cost.max_cost_ratio:
        return None
    return Proposal(
        loan_id=facts.loan_id, contract_no=facts.contract_no, borrower_id=facts.borrower_id,
        borrower_name=facts.borrower_name, dpd=facts.dpd, outstanding=claim,
        broken_promises=facts.broken_promises, days_to_expiry=facts.days_to_expiry,
        days_since_contact=facts.days_since_contact, reasons=fired, route=route, forum=forum,
        procedure=procedure, route_basis=basis, claim=claim, cost=cost,
        rule_version=rules.version, broken=tuple(facts.broken),
    )  # fmt: skip


def propose(
    session: Session,
    *,
    today: date,
    timezone: str = "Asia/Shanghai",
    loan_ids: list[int] | None = None,
) -> list[Proposal]:
    """Every loan that meets the escalation rules in force on `today`, most urgent first
    (closest limitation expiry, then days past due). Loans in a case, and loans rejected
    within the pack's `reconsider_days`, are not proposed. Reads only."""
    rules = rules_on(today)
    zone = ZoneInfo(timezone)
    since = datetime.combine(today - timedelta(days=rules.reconsider_days), time(), zone)
    facts = loan_facts(
        session.connection(), today=today, zone=zone, grace=rules.promise_grace_days,
        dispute_words=rules.route.dispute_words, reconsider_since=since.astimezone(UTC),
        loan_ids=loan_ids,
    )  # fmt: skip
    out = [p for f in facts if (p := propose_for(f, rules, today)) is not None]
    far = 10**6
    out.sort(key=lambda p: (p.days_to_expiry if p.days_to_expiry is not None else far,
                            -p.dpd, p.contract_no))  # fmt: skip
    return out
