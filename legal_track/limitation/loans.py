"""One loan's limitation clock from the database: its interrupting events (contact log,
ledger, case events), the clock and its explanation in both languages."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, select

from legal_track.limitation.clock import (
    Calendar,
    InterruptEvent,
    LimitationResult,
    case_event,
    classify_contact,
    compute_clock,
    contact_event,
    last_due_date,
    ledger_event,
    local_day,
    make_roller,
    resolve_calendar,
    risk_for,
    rules,
    timezone,
)
from legal_track.limitation.text import explain
from legal_track.models import Case, CaseEvent, CaseLoan, ContactLog, LedgerEntry, Loan


def loan_events(session: Session, loan_id: int) -> tuple[list[InterruptEvent], Counter]:
    """Every interrupting event of a loan, and the count of rows that do not count and why."""
    tz = timezone()
    events: list[InterruptEvent] = []
    ignored: Counter = Counter()
    for c in session.exec(select(ContactLog).where(ContactLog.loan_id == loan_id)):
        kind = classify_contact(
            c.channel, c.direction, c.delivery_status, c.promise_date is not None
        )
        if kind in ("failed", "unknown"):
            ignored[kind] += 1
        elif kind:
            events.append(contact_event(c.id, kind, local_day(c.at, tz), c.channel, c.target,
                                        c.proof_ref))  # fmt: skip
    kinds = rules()["ledger"]["kinds"]
    for e in session.exec(
        select(LedgerEntry).where(LedgerEntry.loan_id == loan_id, LedgerEntry.kind.in_(kinds))
    ):
        events.append(ledger_event(e.reference, e.booked_on, e.amount))
    query = (
        select(CaseEvent, Case.ref)
        .join(CaseLoan, CaseLoan.case_id == CaseEvent.case_id)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseLoan.loan_id == loan_id, CaseEvent.kind.in_(list(rules()["case_events"])))
    )
    for ev, ref in session.exec(query):
        made = case_event(ev.id, ev.kind, ev.on, ref)
        if made is not None:
            events.append(made)
    events.sort(key=lambda e: e.on)
    return events, ignored


def clock_for_loan(
    session: Session, *, loan_id: int, today: date, calendar: Calendar | None = None
) -> LimitationResult:
    """The limitation clock of one loan as of `today`, with its proof and explanation."""
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise LookupError(f"no loan with id {loan_id}")
    roll = make_roller(resolve_calendar(session, calendar))
    start, from_schedule = last_due_date(loan.schedule, loan.maturity_on)
    events, ignored = loan_events(session, loan_id)
    clock = compute_clock(start, events, roll)
    risk, days = risk_for(clock.conservative_expiry, today)
    zh, en = explain(clock, events, ignored, risk, days, from_schedule, roll)
    return LimitationResult(
        loan_id=loan.id,
        contract_no=loan.contract_no,
        start=start,
        start_from_schedule=from_schedule,
        expiry=clock.expiry,
        conservative_expiry=clock.conservative_expiry,
        longstop=clock.longstop,
        provisional=clock.provisional,
        risk=risk,
        days_left=days,
        last_event=clock.last_event,
        conservative_last_event=clock.conservative_last,
        events=events,
        late_events=clock.late,
        ignored=dict(ignored),
        explanation_zh=zh,
        explanation_en=en,
        rule_version=rules()["version"],
    )


def clock_for_contract(
    session: Session, *, contract_no: str, today: date, calendar: Calendar | None = None
) -> LimitationResult:
    loan = session.exec(select(Loan).where(Loan.contract_no == contract_no)).first()
    if loan is None:
        raise LookupError(f"no loan with contract number {contract_no!r}")
    return clock_for_loan(session, loan_id=loan.id, today=today, calendar=calendar)


def clocks_for_case(
    session: Session, *, case_id: int, today: date, calendar: Calendar | None = None
) -> list[LimitationResult]:
    """The clocks of every loan of a case (the case page's limitation tab)."""
    cal = resolve_calendar(session, calendar)
    ids = session.exec(
        select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id).order_by(CaseLoan.loan_id)
    ).all()
    return [clock_for_loan(session, loan_id=i, today=today, calendar=cal) for i in ids]
