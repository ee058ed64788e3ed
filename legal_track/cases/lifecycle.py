"""Case routes, stages and the transitions between them.

demand letter -> litigation | arbitration | payment order | mediation -> enforcement -> closed.
A payment-order objection moves the case to litigation; so does a failed pre-litigation
mediation (诉前调解不成, the court registers the case).
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    litigation = "litigation"
    arbitration = "arbitration"
    payment_order = "payment_order"
    mediation = "mediation"  # pre-litigation mediation (诉前调解 / 委派调解)


class Stage(StrEnum):
    demand_letter = "demand_letter"
    # litigation
    lit_filed = "lit_filed"
    lit_accepted = "lit_accepted"
    lit_served = "lit_served"
    lit_hearing = "lit_hearing"
    lit_judgment = "lit_judgment"
    lit_appeal = "lit_appeal"
    lit_effective = "lit_effective"
    # arbitration
    arb_applied = "arb_applied"
    arb_accepted = "arb_accepted"
    arb_hearing = "arb_hearing"
    arb_award = "arb_award"
    # payment order
    po_applied = "po_applied"
    po_issued = "po_issued"
    po_served = "po_served"
    po_effective = "po_effective"
    # pre-litigation mediation
    med_applied = "med_applied"  # 申请 / 委派诉前调解
    med_agreement = "med_agreement"  # 调解协议达成
    med_confirmed = "med_confirmed"  # 司法确认裁定: an enforceable title
    # enforcement
    enf_applied = "enf_applied"
    enf_accepted = "enf_accepted"
    enf_measures = "enf_measures"
    enf_terminated = "enf_terminated"  # 终结本次执行 (终本): may resume when assets appear
    closed = "closed"


class CloseReason(StrEnum):
    paid = "paid"
    settled = "settled"
    withdrawn = "withdrawn"
    written_off = "written_off"
    time_barred = "time_barred"


S = Stage
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    S.demand_letter: (S.lit_filed, S.arb_applied, S.po_applied, S.med_applied, S.closed),
    S.lit_filed: (S.lit_accepted, S.closed),
    S.lit_accepted: (S.lit_served, S.closed),
    S.lit_served: (S.lit_hearing, S.lit_judgment, S.closed),
    S.lit_hearing: (S.lit_judgment, S.closed),
    S.lit_judgment: (S.lit_appeal, S.lit_effective, S.closed),
    S.lit_appeal: (S.lit_effective, S.closed),
    S.lit_effective: (S.enf_applied, S.closed),
    S.arb_applied: (S.arb_accepted, S.closed),
    S.arb_accepted: (S.arb_hearing, S.arb_award, S.closed),
    S.arb_hearing: (S.arb_award, S.closed),
    S.arb_award: (S.enf_applied, S.closed),
    S.po_applied: (S.po_issued, S.lit_filed, S.closed),
    S.po_issued: (S.po_served, S.lit_filed, S.closed),
    # an objection (异议) ends the payment order: the creditor sues
    S.po_served: (S.po_effective, S.lit_filed, S.closed),
    S.po_effective: (S.enf_applied, S.closed),
    # mediation fails (or an agreement is neither confirmed nor kept): the case is filed
    S.med_applied: (S.med_agreement, S.lit_filed, S.closed),
    S.med_agreement: (S.med_confirmed, S.lit_filed, S.closed),
    S.med_confirmed: (S.enf_applied, S.closed),
    S.enf_applied: (S.enf_accepted, S.closed),
    S.enf_accepted: (S.enf_measures, S.enf_terminated, S.closed),
    S.enf_measures: (S.enf_terminated, S.closed),
    S.enf_terminated: (S.enf_applied, S.enf_measures, S.closed),
    S.closed: (),
}

ROUTE_OF_STAGE: dict[Stage, Route | None] = {
    **{s: Route.litigation for s in S if s.value.startswith("lit_")},
    **{s: Route.arbitration for s in S if s.value.startswith("arb_")},
    **{s: Route.payment_order for s in S if s.value.startswith("po_")},
    **{s: Route.mediation for s in S if s.value.startswith("med_")},
}

# The stages in display order, per route (used by the UI, the demo and reports).
ROUTE_STAGES: dict[Route, tuple[Stage, ...]] = {
    Route.litigation: (
        S.demand_letter, S.lit_filed, S.lit_accepted, S.lit_served, S.lit_hearing,
        S.lit_judgment, S.lit_appeal, S.lit_effective, S.enf_applied, S.enf_accepted,
        S.enf_measures, S.enf_terminated, S.closed,
    ),
    Route.arbitration: (
        S.demand_letter, S.arb_applied, S.arb_accepted, S.arb_hearing, S.arb_award,
        S.enf_applied, S.enf_accepted, S.enf_measures, S.enf_terminated, S.closed,
    ),
    Route.payment_order: (
        S.demand_letter, S.po_applied, S.po_issued, S.po_served, S.po_effective,
        S.enf_applied, S.enf_accepted, S.enf_measures, S.enf_terminated, S.closed,
    ),
    Route.mediation: (
        S.demand_letter, S.med_applied, S.med_agreement, S.med_confirmed,
        S.enf_applied, S.enf_accepted, S.enf_measures, S.enf_terminated, S.closed,
    ),
}  # fmt: skip


class TransitionError(ValueError):
    pass


def check_transition(current: Stage | str, target: Stage | str) -> None:
    """Raise TransitionError naming the allowed next stages when the move is invalid."""
    current, target = Stage(current), Stage(target)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        names = ", ".join(s.value for s in allowed) or "none (the case is closed)"
        raise TransitionError(
            f"cannot move from {current.value} to {target.value}; allowed next: {names}"
        )
