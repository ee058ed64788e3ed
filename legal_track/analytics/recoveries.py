"""The recovery of each case per month (table `caserecovery`), rewritten set-wise when a
case's events or its loans' ledger change, so that the dashboard sums a small table.

Recovered: ledger repayments on the case's loans booked on or after the day the case was
opened, plus the case's `payment_received` events that no such ledger repayment matches
(same amount on the same day): a payment both reported by counsel and booked by finance
counts once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    Integer,
    Numeric,
    cast,
    delete,
    exists,
    extract,
    func,
    insert,
    literal_column,
    select,
)
from sqlmodel import Session

from legal_track.models import Case, CaseEvent, CaseLoan, LedgerEntry
from legal_track.models.analytics import CaseRecovery

CHUNK = 5_000


def ledger_fen():
    """The ledger amount as the integer fen it is stored as (db.Money), for SQL sums."""
    return cast(LedgerEntry.__table__.c.amount, Integer)


def _month(col):
    """YYYYMM as an integer (build it once per query: PostgreSQL matches GROUP BY
    expressions with their bound parameters)."""
    return cast(extract("year", col) * literal_column("100") + extract("month", col), Integer)


def _rows(session: Session, case_ids: list[int] | None) -> list[dict]:
    scope = [Case.id.in_(case_ids)] if case_ids is not None else []
    booked = _month(LedgerEntry.booked_on)
    ledger = (
        select(CaseLoan.case_id, booked, func.sum(ledger_fen()))
        .join(LedgerEntry, LedgerEntry.loan_id == CaseLoan.loan_id)
        .join(Case, Case.id == CaseLoan.case_id)
        .where(LedgerEntry.kind == "repayment", LedgerEntry.booked_on >= Case.opened_on, *scope)
        .group_by(CaseLoan.case_id, booked)
    )
    amount = CaseEvent.data["amount"].as_string()
    event_fen = cast(func.round(cast(amount, Numeric(18, 2)) * 100), Integer)
    matched = exists().where(
        CaseLoan.case_id == CaseEvent.case_id,
        LedgerEntry.loan_id == CaseLoan.loan_id,
        LedgerEntry.kind == "repayment",
        LedgerEntry.booked_on == CaseEvent.on,
        ledger_fen() == event_fen,
    )
    reported = _month(CaseEvent.on)
    events = (
        select(CaseEvent.case_id, reported, func.sum(event_fen))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "payment_received", ~matched, *scope)
        .group_by(CaseEvent.case_id, reported)
    )
    out: dict[tuple[int, int], int] = {}
    for query in (ledger, events):
        for case_id, month, fen in session.execute(query):
            if fen:
                out[(case_id, int(month))] = out.get((case_id, int(month)), 0) + int(fen)
    return [{"case_id": c, "month": m, "fen": f} for (c, m), f in sorted(out.items())]


def refresh_recovery(session: Session, *, case_ids: Iterable[int]) -> int:
    """Rewrite the recovery rows of `case_ids` inside the caller's transaction."""
    ids = sorted(set(case_ids))
    table = CaseRecovery.__table__
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        session.execute(delete(table).where(table.c.case_id.in_(chunk)))
        rows = _rows(session, chunk)
        if rows:
            session.execute(insert(table), rows)
        written += len(rows)
    return written


def refresh_recovery_of_loans(session: Session, *, loan_ids: Iterable[int]) -> int:
    """After a ledger import: the cases covering `loan_ids`."""
    ids = sorted(set(loan_ids))
    cases: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        cases |= set(session.execute(
            select(CaseLoan.case_id).where(CaseLoan.loan_id.in_(ids[i:i + CHUNK]))).scalars())  # fmt: skip
    return refresh_recovery(session, case_ids=cases) if cases else 0


def rebuild_recovery(session: Session) -> int:
    """Every case's recovery rows (after a bulk load); commits."""
    table = CaseRecovery.__table__
    session.execute(delete(table))
    rows = _rows(session, None)
    for i in range(0, len(rows), 20_000):
        session.execute(insert(table), rows[i : i + 20_000])
    session.commit()
    return len(rows)


def case_payments(session: Session, *, case_id: int, since) -> list[tuple]:
    """What the case recovered on or after `since`, as (date, fen) in date order: ledger
    repayments on its loans, plus `payment_received` events no such repayment matches
    (the same linkage as the recovery rows). Used to allocate payments to a settlement's
    instalments."""
    amount = CaseEvent.data["amount"].as_string()
    event_fen = cast(func.round(cast(amount, Numeric(18, 2)) * 100), Integer)
    ledger = (
        select(LedgerEntry.booked_on, ledger_fen())
        .join(CaseLoan, LedgerEntry.loan_id == CaseLoan.loan_id)
        .where(
            CaseLoan.case_id == case_id,
            LedgerEntry.kind == "repayment",
            LedgerEntry.booked_on >= since,
        )  # fmt: skip
    )
    matched = exists().where(
        CaseLoan.case_id == CaseEvent.case_id,
        LedgerEntry.loan_id == CaseLoan.loan_id,
        LedgerEntry.kind == "repayment",
        LedgerEntry.booked_on == CaseEvent.on,
        ledger_fen() == event_fen,
    )
    events = select(CaseEvent.on, event_fen).where(
        CaseEvent.case_id == case_id, CaseEvent.kind == "payment_received",
        CaseEvent.on >= since, ~matched,
    )  # fmt: skip
    rows = [(on, int(fen)) for q in (ledger, events) for on, fen in session.execute(q) if fen]
    return sorted(rows)
