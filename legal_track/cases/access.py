"""Who may see which case: everyone inside the lender sees every case; an outside-counsel
account sees only the cases currently assigned to its firm, and nothing of the others
(not even that they exist: a case of another firm is "not found").

Services take the viewer's `role` and, for counsel, `firm_id`; `role=None` is the
operator of the command line. Counsel get the borrower's full ID number and address only
on cases whose assignment includes filing.
"""

from __future__ import annotations

from sqlalchemy import false, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from legal_track.models import Case, CaseAssignment, CaseLoan, CounselAccount, Role


class AccessDenied(LookupError):
    """A case or loan the viewer may not see; worded like a missing one on purpose."""


def is_counsel(role: Role | str | None) -> bool:
    return role is not None and str(role) == Role.counsel.value


def firm_of(session: Session, user_id: int) -> int | None:
    """The firm of a counsel account (None: not a counsel account, or not linked yet)."""
    account = session.get(CounselAccount, user_id)
    return account.firm_id if account else None


def assigned_case_ids(firm_id: int | None):
    """The cases currently assigned to `firm_id`, as a subquery."""
    return select(CaseAssignment.case_id).where(
        CaseAssignment.firm_id == (firm_id if firm_id is not None else -1),
        CaseAssignment.ended_on.is_(None),
    )


def case_condition(role: Role | str | None, firm_id: int | None) -> ColumnElement | None:
    """The WHERE condition on Case for this viewer; None when the viewer sees every case."""
    if not is_counsel(role):
        return None
    if firm_id is None:
        return false()
    return Case.id.in_(assigned_case_ids(firm_id))


def may_see_case(session: Session, *, case_id: int, role: Role | str | None,
                 firm_id: int | None) -> bool:  # fmt: skip
    condition = case_condition(role, firm_id)
    if condition is None:
        return True
    return session.execute(select(Case.id).where(Case.id == case_id, condition)).first() is not None


def require_case(session: Session, *, case_id: int, role: Role | str | None,
                 firm_id: int | None) -> None:  # fmt: skip
    if not may_see_case(session, case_id=case_id, role=role, firm_id=firm_id):
        raise AccessDenied(f"no case with id {case_id}")


def require_loan(session: Session, *, loan_id: int, role: Role | str | None,
                 firm_id: int | None) -> None:  # fmt: skip
    """Counsel see a loan only through a case of their firm that covers it."""
    if not is_counsel(role):
        return
    found = session.execute(
        select(CaseLoan.loan_id).where(CaseLoan.loan_id == loan_id,
                                       CaseLoan.case_id.in_(assigned_case_ids(firm_id)))
    ).first()  # fmt: skip
    if found is None:
        raise AccessDenied(f"no loan with id {loan_id}")


def files_for_firm(session: Session, *, case_id: int, firm_id: int | None) -> bool:
    """Whether the firm's current assignment of the case includes filing (full ID number
    and address of the borrower, ID-card scans)."""
    row = session.execute(
        select(CaseAssignment.includes_filing).where(
            CaseAssignment.case_id == case_id, CaseAssignment.firm_id == firm_id,
            CaseAssignment.ended_on.is_(None))
    ).first()  # fmt: skip
    return bool(row and row[0])
