"""Per law firm: open and closed cases, median days in each stage, what was recovered and
the fees due under the firm's arrangement (a fixed fee for each stage its cases reached,
plus its share of what was recovered). SQL aggregates over the firm's assignments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import distinct, func, select
from sqlmodel import Session

from legal_track.analytics import Filters, dwell_times, recovery
from legal_track.models import Case, CaseAssignment, LawFirm, StageVisit
from legal_track.money import quantize


def firm_performance(session: Session, *, today: date) -> list[dict]:
    firms = list(session.exec(select(LawFirm).order_by(LawFirm.name)).scalars())
    # the stages each firm's cases entered while assigned to it (the kept stage stays)
    reached = (
        select(CaseAssignment.firm_id, StageVisit.stage, func.count(distinct(StageVisit.case_id)))
        .join(StageVisit, StageVisit.case_id == CaseAssignment.case_id)
        .where(StageVisit.entered_on >= CaseAssignment.assigned_on)
        .group_by(CaseAssignment.firm_id, StageVisit.stage)
    )
    stages: dict[int, dict[str, int]] = {}
    for firm_id, stage, n in session.execute(reached).all():
        stages.setdefault(firm_id, {})[stage] = int(n)
    recovered_by = {r["firm"]: r["recovered"] for r in recovery(session, by="firm")}
    counts = dict(session.execute(
        select(CaseAssignment.firm_id, func.count()).where(CaseAssignment.ended_on.is_(None))
        .group_by(CaseAssignment.firm_id)).all())  # fmt: skip
    closed = dict(session.execute(
        select(CaseAssignment.firm_id, func.count()).join(Case, Case.id == CaseAssignment.case_id)
        .where(CaseAssignment.ended_on.is_(None), Case.closed_on.is_not(None))
        .group_by(CaseAssignment.firm_id)).all())  # fmt: skip
    out = []
    for firm in firms:
        recovered = recovered_by.get(firm.name, Decimal("0.00"))
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
