"""What reminders and calendars read: open deadlines, limitation clocks at risk and
moved-deadline notices, each with the owner it belongs to.

Core queries returning plain tuples and dataclasses (no ORM objects): a pass over a
large portfolio reads tens of thousands of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import String, func, select, type_coerce
from sqlmodel import Session

from legal_track.cases.access import assigned_case_ids
from legal_track.models import (
    Borrower,
    Case,
    CaseLoan,
    Deadline,
    DeadlineNotice,
    DeadlineStatus,
    DeadlineText,
    LimitationClock,
    Loan,
)
from legal_track.privacy import mask_name
from legal_track.reminders.text import DeadlineEntry, LimitationEntry, NoticeEntry


def deadline_entries(
    session: Session,
    *,
    owner_id: int | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    due_in: Sequence[date] | None = None,
    severities: Iterable[str] | None = None,
    firm_id: int | None = None,
) -> list[DeadlineEntry]:
    """Open deadlines of open cases, earliest first: of one owner (or of the cases assigned
    to one law firm), with a due date in a range or a set (the effective date: the
    override when there is one), of some severities. Read with a core query (no ORM objects): passes read tens of thousands."""
    due = func.coalesce(Deadline.override_due, Deadline.due)
    stmt = (
        select(
            Deadline.id, Deadline.case_id, Case.ref, Case.owner_id, Borrower.name,
            Deadline.rule_id, type_coerce(Deadline.severity, String), due, Deadline.provisional,
            DeadlineText.explanation_zh, DeadlineText.explanation_en, Deadline.rule_version,
        )
        .join(Case, Case.id == Deadline.case_id)
        .outerjoin(DeadlineText, DeadlineText.id == Deadline.text_id)
        .join(Borrower, Borrower.id == Case.borrower_id)
        .where(Deadline.status == DeadlineStatus.open, Case.closed_on.is_(None))
        .order_by(due, Deadline.id)
    )  # fmt: skip
    if owner_id is not None:
        stmt = stmt.where(Case.owner_id == owner_id)
    if firm_id is not None:
        stmt = stmt.where(Case.id.in_(assigned_case_ids(firm_id)))
    if due_from is not None:
        stmt = stmt.where(due >= due_from)
    if due_to is not None:
        stmt = stmt.where(due <= due_to)
    if due_in is not None:
        stmt = stmt.where(due.in_(list(due_in)))
    if severities is not None:
        stmt = stmt.where(Deadline.severity.in_(list(severities)))
    return [
        DeadlineEntry(r[0], r[1], r[2], r[3], mask_name(r[4]), r[5], str(r[6]), r[7], bool(r[8]),
                      r[9] or "", r[10] or "", r[11])
        for r in session.connection().execute(stmt)
    ]  # fmt: skip


def limitation_entries(
    session: Session, *, risks: list[str]
) -> list[tuple[int | None, LimitationEntry]]:
    """(owner id or None, entry) for every loan whose clock is at one of `risks`."""

    open_case = (
        select(CaseLoan.loan_id, func.min(Case.id).label("case_id"))
        .join(Case, Case.id == CaseLoan.case_id)
        .where(Case.closed_on.is_(None))
        .group_by(CaseLoan.loan_id)
        .subquery()
    )
    stmt = (
        select(
            LimitationClock.loan_id, Loan.contract_no, Borrower.name, LimitationClock.expiry,
            LimitationClock.conservative_expiry, LimitationClock.risk, Case.ref, Case.owner_id,
        )
        .join(Loan, Loan.id == LimitationClock.loan_id)
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(open_case, open_case.c.loan_id == LimitationClock.loan_id)
        .outerjoin(Case, Case.id == open_case.c.case_id)
        .where(LimitationClock.risk.in_(risks))
        .order_by(LimitationClock.conservative_expiry, LimitationClock.loan_id)
    )  # fmt: skip
    return [
        (r[7], LimitationEntry(r[0], r[1], mask_name(r[2]), r[3], r[4], str(r[5]), r[6]))
        for r in session.connection().execute(stmt)
    ]


def notice_entries(session: Session) -> list[tuple[int | None, NoticeEntry]]:
    """(owner id, entry) of every moved-deadline notice not yet acknowledged, newest first."""

    stmt = (
        select(
            DeadlineNotice.owner_id, Case.ref, DeadlineNotice.rule_id, DeadlineNotice.old_due,
            DeadlineNotice.new_due, DeadlineNotice.message_zh, DeadlineNotice.message_en,
        )
        .join(Case, Case.id == DeadlineNotice.case_id)
        .where(DeadlineNotice.seen_at.is_(None), Case.closed_on.is_(None))
        .order_by(DeadlineNotice.created_at.desc(), DeadlineNotice.id.desc())
    )  # fmt: skip
    return [(r[0], NoticeEntry(*r[1:])) for r in session.connection().execute(stmt)]
