"""Two demo cases with an instalment agreement, so that a newcomer sees both outcomes:
case 1 keeps its plan (the demand letter's payment period stays paused) and case 14
missed its second instalment (the missed event is recorded, the paused period resumed
and the owner told to file). Their event history ends 45 days earlier than the other
cases' so that the plan has run for a while by `as_of`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlmodel import Session

from legal_track.analytics.recoveries import refresh_recovery
from legal_track.models import Case, CaseEvent, CaseLoan, LedgerEntry
from legal_track.settlements import PlannedInstalment, check_settlements, record_agreement

# case id -> outcome shown
SETTLED_CASES = {1: "kept", 14: "missed"}
HISTORY_SHIFT = timedelta(days=45)


def add_demo_settlements(session: Session, *, as_of: date, now: datetime) -> int:
    """Record the demo agreements and their repayments; returns how many were recorded."""
    made = 0
    for case_id, outcome in SETTLED_CASES.items():
        case = session.get(Case, case_id)
        if case is None or case.closed_on is not None:
            continue
        delivered = session.execute(
            select(CaseEvent.on).where(CaseEvent.case_id == case_id,
                                       CaseEvent.kind == "demand_letter_delivered")).scalar()  # fmt: skip
        agreed = min((delivered or as_of - HISTORY_SHIFT) + timedelta(days=2), as_of)
        plan = [PlannedInstalment(i + 1, agreed + timedelta(days=14 + 30 * i), Decimal("800.00"))
                for i in range(4)]  # fmt: skip
        loan_id = session.execute(
            select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id).order_by(CaseLoan.id)
        ).scalar()
        paid = [p for p in plan if p.due_on <= as_of]
        if outcome == "missed":
            paid = paid[:1]  # the second instalment is never paid
        if paid:
            session.execute(insert(LedgerEntry), [
                {"loan_id": loan_id, "kind": "repayment", "amount": p.amount,
                 "booked_on": p.due_on - timedelta(days=1),
                 "reference": f"DEMO-STL-{case_id}-{p.no}"} for p in paid])  # fmt: skip
            refresh_recovery(session, case_ids=[case_id])
        record_agreement(session, case_id=case_id, kind="pre_litigation", agreed_on=agreed,
                         instalments=plan, grace_days=3, actor="demo_lead", now=now,
                         note="演示：分期还款协议")  # fmt: skip
        made += 1
    check_settlements(session, today=as_of, now=now, actor="system")
    return made
