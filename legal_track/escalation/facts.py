"""The figures escalation rules test, for every loan not yet in a case, read in a few
set-wise queries (no query per loan): days past due, outstanding principal, promises to
pay and plan instalments broken, days to the stored limitation expiry, days since the last
contact, whether the borrower disputes the debt and can be reached.

A promise (contact log `promise_date`, optionally `promise_amount`) or a plan instalment
(`repaymentplan`) is *broken* when its date plus the grace days has passed and the
repayments booked from the day it was made up to then fall short of what was promised
(for a plan: cumulatively, instalment by instalment). A promise without an amount is kept
by any repayment.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, literal, or_, select, union
from sqlalchemy.engine import Connection

from legal_track.models import (
    Borrower,
    CaseLoan,
    ContactLog,
    EscalationDecision,
    LedgerEntry,
    LimitationClock,
    Loan,
    RepaymentPlan,
)

ZERO = Decimal(0)
CLOSED_STATUSES = ("paid_off", "settled", "written_off")


@dataclass(slots=True)
class LoanFacts:
    loan_id: int
    contract_no: str
    borrower_id: int
    borrower_name: str
    id_number: str
    address: str
    outstanding: Decimal
    dpd: int
    arbitration_commission: str | None
    agreed_court: str | None
    conservative_expiry: date | None
    days_to_expiry: int | None = None
    last_contact: date | None = None
    days_since_contact: int | None = None
    last_delivered: date | None = None
    disputed: bool = False
    broken: list[str] = field(default_factory=list)  # what was broken, for the reasons

    @property
    def broken_promises(self) -> int:
        return len(self.broken)

    def metric(self, name: str) -> Decimal | int | None:
        if name == "outstanding":
            return self.outstanding
        if name == "broken_promises":
            return self.broken_promises
        return getattr(self, name)


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone).date()


def _candidates(conn: Connection, today: date, loan_ids: Iterable[int] | None):
    in_case = exists().where(CaseLoan.loan_id == Loan.id)
    query = (
        select(
            Loan.id,
            Loan.contract_no,
            Loan.borrower_id,
            Borrower.name,
            Borrower.id_number,
            Borrower.address,
            Loan.outstanding_principal,
            Loan.overdue_since,
            Loan.arbitration_commission,
            Loan.agreed_court,
            LimitationClock.conservative_expiry,
        )  # fmt: skip
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(LimitationClock, LimitationClock.loan_id == Loan.id)
        .where(
            ~in_case,
            Loan.overdue_since.is_not(None),
            Loan.overdue_since <= today,
            Loan.status.not_in(CLOSED_STATUSES),
        )  # fmt: skip
        .order_by(Loan.id)
    )
    if loan_ids is not None:
        query = query.where(Loan.id.in_(list(loan_ids)))
    return conn.execute(query).all()


def _recently_rejected(conn: Connection, since: datetime) -> set[int]:
    query = select(EscalationDecision.loan_id).where(
        EscalationDecision.decision == "rejected", EscalationDecision.decided_at >= since
    )
    return set(conn.execute(query).scalars())


def _contacts(conn: Connection, dispute_words: tuple[str, ...]):
    """Per loan: last contact (delivered outbound or any inbound), last delivered
    outbound, and whether an inbound contact disputes the debt."""
    reached = or_(ContactLog.delivery_status == "delivered", ContactLog.direction == "inbound")
    disputes = [ContactLog.content.contains(w) for w in dispute_words] or [literal(False)]
    query = select(
        ContactLog.loan_id,
        func.max(ContactLog.at).filter(reached),
        func.max(ContactLog.at).filter(
            and_(ContactLog.delivery_status == "delivered", ContactLog.direction == "outbound")
        ),
        func.max(case((and_(ContactLog.direction == "inbound", or_(*disputes)), 1), else_=0)),
    ).group_by(ContactLog.loan_id)
    return conn.execute(query).all()


def _promises(conn: Connection):
    query = select(
        ContactLog.loan_id, ContactLog.at, ContactLog.promise_date, ContactLog.promise_amount
    ).where(ContactLog.promise_date.is_not(None), ContactLog.delivery_status != "failed")
    return conn.execute(query).all()


def _plans(conn: Connection):
    query = select(
        RepaymentPlan.loan_id,
        RepaymentPlan.plan_no,
        RepaymentPlan.agreed_on,
        RepaymentPlan.instalment_no,
        RepaymentPlan.due_on,
        RepaymentPlan.amount,
    ).order_by(RepaymentPlan.loan_id, RepaymentPlan.plan_no, RepaymentPlan.instalment_no)
    return conn.execute(query).all()


def _repayments(conn: Connection) -> dict[int, tuple[list[date], list[Decimal]]]:
    """Repayments of the loans that have a promise or a plan: booked dates (sorted) and the
    running total up to each, for range sums by bisection."""
    promised = union(
        select(ContactLog.loan_id).where(ContactLog.promise_date.is_not(None)),
        select(RepaymentPlan.loan_id),
    ).subquery()
    query = (
        select(LedgerEntry.loan_id, LedgerEntry.booked_on, LedgerEntry.amount)
        .where(LedgerEntry.kind == "repayment", LedgerEntry.loan_id.in_(select(promised.c[0])))
        .order_by(LedgerEntry.loan_id, LedgerEntry.booked_on)
    )
    out: dict[int, tuple[list[date], list[Decimal]]] = {}
    for loan_id, booked, amount in conn.execute(query):
        days, totals = out.setdefault(loan_id, ([], []))
        days.append(booked)
        totals.append((totals[-1] if totals else ZERO) + amount)
    return out


def _paid(repaid: tuple[list[date], list[Decimal]] | None, start: date, end: date) -> Decimal:
    """Repayments booked from `start` to `end`, both included."""
    if repaid is None:
        return ZERO
    days, totals = repaid
    lo, hi = bisect_left(days, start), bisect_right(days, end)
    if hi <= lo:
        return ZERO
    return totals[hi - 1] - (totals[lo - 1] if lo else ZERO)


def broken_promises(
    promises: list[tuple[date, date, Decimal | None]],
    plans: dict[str, list[tuple[date, int, date, Decimal]]],
    repaid: tuple[list[date], list[Decimal]] | None,
    *,
    today: date,
    grace: int,
) -> list[str]:
    """What was broken, each as a short text: `promise 2026-10-05 (500.00)`,
    `plan P1 #2 2026-11-05`. Pure: the caller reads the rows."""
    out = []
    slack = timedelta(days=grace)
    for made, due, amount in promises:
        if due + slack >= today or due < made:
            continue
        paid = _paid(repaid, made, due + slack)
        if (amount is None and paid <= ZERO) or (amount is not None and paid < amount):
            out.append(f"promise {due.isoformat()}" + (f" ({amount:.2f})" if amount else ""))
    for plan_no, instalments in plans.items():
        owed = ZERO
        for agreed, number, due, amount in instalments:
            owed += amount
            if due + slack >= today:
                break
            if _paid(repaid, agreed, due + slack) < owed:
                out.append(f"plan {plan_no} #{number} {due.isoformat()}")
    return out


def loan_facts(
    conn: Connection,
    *,
    today: date,
    zone: ZoneInfo,
    grace: int,
    dispute_words: tuple[str, ...],
    reconsider_since: datetime,
    loan_ids: Iterable[int] | None = None,
) -> list[LoanFacts]:
    """The facts of every loan that could be escalated on `today`: overdue, not paid off,
    settled or written off, in no case, and not rejected since `reconsider_since`."""
    rejected = _recently_rejected(conn, reconsider_since)
    facts: dict[int, LoanFacts] = {}
    for row in _candidates(conn, today, loan_ids):
        if row[0] in rejected:
            continue
        expiry = row[10]
        facts[row[0]] = LoanFacts(
            loan_id=row[0], contract_no=row[1], borrower_id=row[2], borrower_name=row[3],
            id_number=row[4], address=row[5] or "", outstanding=row[6] or ZERO,
            dpd=(today - row[7]).days, arbitration_commission=row[8], agreed_court=row[9],
            conservative_expiry=expiry,
            days_to_expiry=(expiry - today).days if expiry is not None else None,
        )  # fmt: skip
    if not facts:
        return []
    for loan_id, last, delivered, disputed in _contacts(conn, dispute_words):
        f = facts.get(loan_id)
        if f is None:
            continue
        if last is not None:
            f.last_contact = _local_day(last, zone)
            f.days_since_contact = (today - f.last_contact).days
        if delivered is not None:
            f.last_delivered = _local_day(delivered, zone)
        f.disputed = bool(disputed)
    promises: dict[int, list[tuple[date, date, Decimal | None]]] = defaultdict(list)
    for loan_id, at, due, amount in _promises(conn):
        if loan_id in facts:
            promises[loan_id].append((_local_day(at, zone), due, amount))
    plans: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for loan_id, plan_no, agreed, number, due, amount in _plans(conn):
        if loan_id in facts:
            plans[loan_id][plan_no].append((agreed, number, due, amount))
    if promises or plans:
        repaid = _repayments(conn)
        for loan_id in promises.keys() | plans.keys():
            facts[loan_id].broken = broken_promises(
                promises.get(loan_id, []), plans.get(loan_id, {}), repaid.get(loan_id),
                today=today, grace=grace,
            )  # fmt: skip
    return list(facts.values())
