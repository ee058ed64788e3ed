"""One demo case closed long ago: paid in full six years before the demo's anchor date,
so that `legal-track retention report` and the purge page show a case due for purge
(with the default five-year retention). The demo never purges it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from legal_track.deadlines.periods import add_months
from legal_track.models import Borrower, Case, CaseEvent, CaseLoan, ContactLog, LedgerEntry, Loan

YEARS_AGO = 6
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def add_archived_case(conn, *, as_of: date, id_number: str, creditor_id: int, owner_id: int,
                      owner: str, court: str, now: datetime) -> int:  # fmt: skip
    """Insert the borrower, loan, ledger, contact log, case and events; the case's id."""
    closed = _years_before(as_of, YEARS_AGO)
    opened = closed - timedelta(days=150)
    disbursed = opened - timedelta(days=540)
    principal, rate = Decimal("8000.00"), Decimal("0.1200")
    per = principal / 12
    schedule = [{"due_on": add_months(disbursed, i).isoformat(), "principal": str(per.quantize(Decimal("0.01"))),
                 "interest": "80.00"} for i in range(1, 13)]  # fmt: skip
    borrower_id = (conn.execute(select(func.max(Borrower.id))).scalar() or 0) + 1
    loan_id = (conn.execute(select(func.max(Loan.id))).scalar() or 0) + 1
    case_id = (conn.execute(select(func.max(Case.id))).scalar() or 0) + 1
    conn.execute(insert(Borrower).values(
        id=borrower_id, name="冯雅琴", id_number=id_number, phone="13700001234",
        address="北京市东城区和平路 12 号（演示数据）", email="archived@demo.example.com", is_demo=True,
    ))  # fmt: skip
    conn.execute(insert(Loan).values(
        id=loan_id, contract_no=f"DEMO-{disbursed:%Y}-ARCHIVE", creditor_id=creditor_id,
        borrower_id=borrower_id, principal=principal, annual_rate=rate, overdue_rate=None,
        disbursed_on=disbursed, maturity_on=date.fromisoformat(schedule[-1]["due_on"]),
        schedule=schedule, outstanding_principal=Decimal("0.00"),
        overdue_since=date.fromisoformat(schedule[5]["due_on"]), arbitration_commission=None,
        agreed_court=None, status="paid_off",
    ))  # fmt: skip
    overdue = date.fromisoformat(schedule[5]["due_on"])
    conn.execute(insert(LedgerEntry), [
        {"loan_id": loan_id, "kind": "disbursement", "amount": principal, "booked_on": disbursed,
         "reference": f"FK{loan_id:08d}A"},
        {"loan_id": loan_id, "kind": "repayment", "amount": Decimal("4000.00"),
         "booked_on": overdue - timedelta(days=20), "reference": f"HK{loan_id:08d}A1"},
        {"loan_id": loan_id, "kind": "repayment", "amount": Decimal("4600.00"),
         "booked_on": closed - timedelta(days=3), "reference": f"HK{loan_id:08d}A2"},
    ])  # fmt: skip
    conn.execute(insert(ContactLog), [
        {"loan_id": loan_id, "at": _at(overdue + timedelta(days=2), 10), "channel": "sms",
         "direction": "outbound", "target": "13700001234", "delivery_status": "delivered",
         "content": "【示例贷款】您的借款已逾期，请尽快还款。", "agent": "催收员甲"},
        {"loan_id": loan_id, "at": _at(overdue + timedelta(days=30), 15), "channel": "call",
         "direction": "outbound", "target": "13700001234", "delivery_status": "delivered",
         "content": "电话联系借款人冯雅琴，告知将委托律师起诉", "agent": "催收员乙"},
    ])  # fmt: skip
    conn.execute(insert(Case).values(
        id=case_id, ref=f"LT-{opened.year}-{case_id:06d}", borrower_id=borrower_id,
        route="litigation", stage="closed", forum=court, owner_id=owner_id,
        claim_total="4600.00", claim_snapshot={"outstanding_principal": "4600.00",
                                               "as_of": opened.isoformat()},
        opened_on=opened, closed_on=closed, close_reason="paid", created_at=now,
    ))  # fmt: skip
    conn.execute(insert(CaseLoan).values(case_id=case_id, loan_id=loan_id))
    steps = [("demand_letter_sent", opened, None, {}),
             ("demand_letter_delivered", opened + timedelta(days=3), None, {}),
             ("complaint_filed", opened + timedelta(days=25), None, {}),
             ("case_accepted", opened + timedelta(days=30), None, {}),
             ("payment_received", closed - timedelta(days=3), None, {"amount": "4600.00"}),
             ("case_closed", closed, None, {"reason": "paid"})]  # fmt: skip
    conn.execute(insert(CaseEvent), [
        {"case_id": case_id, "kind": kind, "on": on, "party": party, "actor": owner,
         "note": "演示：已结清的旧案" if kind == "case_closed" else "", "data": data,
         "created_at": now} for kind, on, party, data in steps
    ])  # fmt: skip
    return case_id
