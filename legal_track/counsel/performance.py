"""Per law firm: open and closed cases, median days in each stage, what was recovered and
the fees due under the firm's arrangement (a fixed fee for each stage its cases reached,
plus its share of what was recovered). SQL aggregates over the firm's assignments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlmodel import Session

from legal_track.analytics import Filters, dwell_times, recovery
from legal_track.analytics.queries import _stage_of_kind
from legal_track.models import Case, CaseAssignment, CaseEvent, LawFirm
from legal_track.money import quantize


def firm_performance(session: Session, *, today: date) -> list[dict]:
    firms = list(session.exec(select(LawFirm).order_by(LawFirm.name)).scalars())
    reached = select(CaseAssignment.firm_id, _stage_of_kind().label("stage"),
                     func.count(distinct(CaseEvent.case_id))) \
        .join(CaseEvent, CaseEvent.case_id == CaseAssignment.case_id) \
        .where(CaseEvent.on >= CaseAssignment.assigned_on) \
        .group_by(CaseAssignment.firm_id, "stage")  # fmt: skip
    stages: dict[int, dict[str, int]] = {}
    for firm_id, stage, n in session.execute(reached).all():
        if stage:
            stages.setdefault(firm_id, {})[stage] = int(n)
    counts = dict(session.execute(
        select(CaseAssignment.firm_id, func.count()).where(CaseAssignment.ended_on.is_(None))
        .group_by(CaseAssignment.firm_id)).all())  # fmt: skip
    closed = dict(session.execute(
        select(CaseAssignment.firm_id, func.count()).join(Case, Case.id == CaseAssignment.case_id)
        .where(CaseAssignment.ended_on.is_(None), Case.closed_on.is_not(None))
        .group_by(CaseAssignment.firm_id)).all())  # fmt: skip
    out = []
    for firm in firms:
        rec = recovery(session, by="firm", filters=Filters(firm=firm.name))
        recovered = rec[0]["recovered"] if rec else Decimal("0.00")
        stage_fees = sum(
            (Decimal(str(firm.fee_per_stage.get(stage, "0"))) * n
             for stage, n in stages.get(firm.id, {}).items()), Decimal(0))  # fmt: skip
        share = quantize(recovered * (firm.fee_rate or 0))
        dwell = dwell_times(session, today=today, filters=Filters(firm=firm.name))
        out.append({
            "firm": firm.name, "open_cases": int(counts.get(firm.id, 0)),
            "closed_cases": int(closed.get(firm.id, 0)),
            "recovered": recovered, "stage_fees": quantize(stage_fees), "recovery_fees": share,
            "fees_due": quantize(stage_fees + share),
            "median_days": {f"{d['route']}/{d['stage']}": d["median_days"] for d in dwell},
        })  # fmt: skip
    return out
