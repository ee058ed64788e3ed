"""Two demo cases with an instalment agreement, so that a newcomer sees both outcomes:
case 1 keeps its plan (the demand letter's payment period stays paused) and case 14
missed its second instalment (the missed event is recorded, the paused period resumes
and the owner has a notice). Their event history ends 45 days earlier than the other
cases' so that the plan has run for a while by `as_of`.

Written as rows, like the rest of the demo (the recompute that follows computes the
deadlines and limitation clocks); the rows are those `record_agreement` and
`check_settlements` write."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlmodel import Session

from legal_track.analytics.recoveries import case_payments, refresh_recovery
from legal_track.models import (
    Case,
    CaseEvent,
    CaseLoan,
    DeadlineNotice,
    LedgerEntry,
    Settlement,
    SettlementInstalment,
)
from legal_track.settlements.tracking import InstalmentState, allocate, settlement_rules

# case id -> outcome shown
SETTLED_CASES = {1: "kept", 14: "missed"}
HISTORY_SHIFT = timedelta(days=45)
GRACE = 3
ACTOR = "demo_lead"


def add_demo_settlements(session: Session, *, as_of: date, now: datetime) -> int:
    """Write the demo agreements, their repayments and events; returns how many."""
    made = 0
    rule = settlement_rules().kinds["pre_litigation"]
    for case_id, outcome in SETTLED_CASES.items():
        case = session.get(Case, case_id)
        if case is None or case.closed_on is not None:
            continue
        delivered = session.execute(
            select(CaseEvent.on).where(CaseEvent.case_id == case_id,
                                       CaseEvent.kind == "demand_letter_delivered")).scalar()  # fmt: skip
        agreed = min((delivered or as_of - HISTORY_SHIFT) + timedelta(days=2), as_of)
        plan = [(i + 1, agreed + timedelta(days=14 + 30 * i), Decimal("800.00")) for i in range(4)]
        loan_id = session.execute(
            select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id).order_by(CaseLoan.id)
        ).scalar()
        paid = [p for p in plan if p[1] <= as_of][: 1 if outcome == "missed" else None]
        if paid:
            session.execute(insert(LedgerEntry), [
                {"loan_id": loan_id, "kind": "repayment", "amount": amount,
                 "booked_on": due - timedelta(days=1), "reference": f"DEMO-STL-{case_id}-{no}"}
                for no, due, amount in paid])  # fmt: skip
            refresh_recovery(session, case_ids=[case_id])
        views = allocate(plan, case_payments(session, case_id=case_id, since=agreed),
                         grace_days=GRACE, today=as_of)  # fmt: skip
        missed = next((v for v in views if v.state is InstalmentState.missed), None)
        total = sum((p[2] for p in plan), Decimal("0"))
        agreement = Settlement(case_id=case_id, kind="pre_litigation", agreed_on=agreed,
                               total=total, grace_days=GRACE, note="演示：分期还款协议",
                               status="missed" if missed else "kept", created_by=ACTOR,
                               created_at=now)  # fmt: skip
        session.add(agreement)
        session.flush()
        missed_on = missed.missed_after + timedelta(days=1) if missed else None
        session.execute(insert(SettlementInstalment), [
            {"settlement_id": agreement.id, "no": no, "due_on": due, "amount": amount,
             "missed_on": missed_on if missed and no == missed.no else None}
            for no, due, amount in plan])  # fmt: skip
        events = [{"case_id": case_id, "kind": "settlement_agreed", "on": agreed, "actor": ACTOR,
                   "note": "演示：分期还款协议", "created_at": now, "party": None,
                   "data": {"agreement_id": agreement.id, "settlement_kind": "pre_litigation",
                            "total": str(total), "instalments": len(plan),
                            "last_due": plan[-1][1].isoformat()}}]  # fmt: skip
        if missed:
            events.append({"case_id": case_id, "kind": "instalment_missed", "on": missed_on,
                           "actor": "system", "note": rule.next_zh, "created_at": now,
                           "party": None,
                           "data": {"agreement_id": agreement.id, "instalment_no": missed.no,
                                    "due_on": missed.due_on.isoformat(),
                                    "unpaid": str(missed.unpaid)}})  # fmt: skip
            session.add(DeadlineNotice(
                case_id=case_id, owner_id=case.owner_id, kind="settlement_missed",
                rule_id="settlement", new_due=missed_on,
                message_zh=(f"{case.ref}：{rule.name_zh}第{missed.no}期（{missed.due_on}）未按期支付；"
                            f"下一步：{rule.next_zh}（{rule.basis_zh}）"),
                message_en=(f"{case.ref}: instalment {missed.no} (due {missed.due_on}) was "
                            f"missed. Next: {rule.next_en} ({rule.basis_en})"),
                created_at=now))  # fmt: skip
        session.execute(insert(CaseEvent), events)
        made += 1
    session.commit()
    return made
