"""Which closed cases are due for purge, and what personal data each still holds.

A case is *due* when it was closed `retention_years` or more before `today` and has not
been purged. A due case is a *candidate* when its borrower is no longer needed for
anything else: no other case of theirs is open or closed more recently (not due yet), and
no loan of theirs outside the due cases is still active (current, overdue or in legal
action: rules/retention.toml `purge.active_loan_statuses`), as borrower or as co-borrower
or guarantor. Loans that are settled, paid off or written off without a case do not hold
a borrower back: the tracker's purpose for them has ended as well.

Co-borrowers and guarantors of the case's loans are purged with it under the same test;
one that is still needed elsewhere is kept and counted as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from legal_track.config import Settings, get_settings
from legal_track.models import (
    Borrower,
    Case,
    CaseLoan,
    ContactLog,
    EvidenceItem,
    EvidenceLink,
    GeneratedDocument,
    GeneratedFile,
    Loan,
    LoanParty,
)
from legal_track.retention.rules import RetentionRules, due_on, latest_closing_due, load_rules


@dataclass(frozen=True, slots=True)
class Holdings:
    """What personal data a case still holds (counts only: the report names no person)."""

    borrower: bool  # the borrower's name, ID number, phone, address, e-mail
    parties: int  # co-borrowers and guarantors purged with the case
    parties_kept: int  # co-borrowers and guarantors still needed elsewhere (kept)
    contacts: int  # contact-log entries (targets and message content)
    evidence: int  # evidence files in the store
    documents: int  # generated documents (their context and files)
    files: int  # other generated files of the case (bundles, exhibits)

    def describe(self) -> str:
        """One line for reports: what would go."""
        parts = ["borrower (name, ID number, phone, address, e-mail)"] if self.borrower else []
        for count, what in ((self.parties, "other parties"), (self.contacts, "contact-log entries"),
                            (self.evidence, "evidence files"), (self.documents, "documents"),
                            (self.files, "generated files")):  # fmt: skip
            if count:
                parts.append(f"{count} {what}")
        if self.parties_kept:
            parts.append(f"{self.parties_kept} parties kept (still needed elsewhere)")
        return "; ".join(parts) or "nothing"


@dataclass(frozen=True, slots=True)
class Candidate:
    case_id: int
    ref: str
    borrower_id: int
    closed_on: date
    close_reason: str | None
    due_on: date
    days_due: int  # days since the case became due (0: due today)
    holdings: Holdings = field(compare=False)


def retention_years(settings: Settings | None = None, rules: RetentionRules | None = None) -> int:
    """The configured period, checked against the rule pack's floor."""
    rules = rules or load_rules()
    return rules.check_years((settings or get_settings()).retention_years)


def due_cases(*, today: date, years: int):
    """SELECT of the ids of the cases due for purge on `today`."""
    cutoff = latest_closing_due(today, years)
    return select(Case.id).where(
        Case.closed_on.is_not(None), Case.closed_on <= cutoff, Case.purged_at.is_(None)
    )


def needed_elsewhere(person, *, today: date, years: int, rules: RetentionRules):
    """SQL condition: the person (a borrower id column or value) is still needed outside
    the due cases (see the module docstring)."""
    due = due_cases(today=today, years=years)
    released = select(CaseLoan.loan_id).where(CaseLoan.case_id.in_(due))
    other = aliased(Case)
    other_case = exists(
        select(other.id).where(
            other.borrower_id == person, other.purged_at.is_(None), other.id.not_in(due)
        )  # fmt: skip
    )
    party_of = select(LoanParty.loan_id).where(LoanParty.borrower_id == person)
    active_loan = exists(
        select(Loan.id).where(
            or_(Loan.borrower_id == person, Loan.id.in_(party_of)),
            Loan.id.not_in(released),
            Loan.status.in_(rules.active_loan_statuses),
        )
    )
    return or_(other_case, active_loan)


def case_loans(case_id: int):
    return select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)


def case_items(case_id: int):
    """SELECT of the ids of the unpurged evidence items of the case or its loans."""
    linked = select(EvidenceLink.item_id).where(
        or_(EvidenceLink.case_id == case_id, EvidenceLink.loan_id.in_(case_loans(case_id)))
    )
    return select(EvidenceItem.id).where(EvidenceItem.id.in_(linked),
                                         EvidenceItem.purged_at.is_(None))  # fmt: skip


def holdings(session: Session, *, case_id: int, today: date, years: int,
             rules: RetentionRules) -> Holdings:  # fmt: skip
    loans = case_loans(case_id)
    party_ids = select(LoanParty.borrower_id).where(LoanParty.loan_id.in_(loans)).distinct()
    parties = session.execute(
        select(Borrower.id, needed_elsewhere(Borrower.id, today=today, years=years, rules=rules))
        .where(Borrower.id.in_(party_ids), Borrower.purged_at.is_(None))
    ).all()  # fmt: skip
    case = session.get(Case, case_id)
    borrower = session.get(Borrower, case.borrower_id)

    def count(query) -> int:
        return int(session.execute(select(func.count()).select_from(query.subquery())).scalar())

    return Holdings(
        borrower=borrower is not None and borrower.purged_at is None,
        parties=sum(1 for p in parties if not p[1] and p[0] != case.borrower_id),
        parties_kept=sum(1 for p in parties if p[1] and p[0] != case.borrower_id),
        contacts=count(select(ContactLog.id).where(ContactLog.loan_id.in_(loans))),
        evidence=count(case_items(case_id)),
        documents=count(select(GeneratedDocument.id).where(
            GeneratedDocument.case_id == case_id, GeneratedDocument.purged_at.is_(None))),
        files=count(select(GeneratedFile.id).where(
            GeneratedFile.case_id == case_id, GeneratedFile.purged_at.is_(None),
            GeneratedFile.kind.not_in(("document", "document_pdf")))),
    )  # fmt: skip


def candidates(session: Session, *, today: date, settings: Settings | None = None,
               limit: int | None = None) -> list[Candidate]:  # fmt: skip
    """The closed cases whose parties' personal data is due for purge on `today`, oldest
    closing first. Read only (listing candidates is not an access to personal data: the
    result holds counts, no names)."""
    rules = load_rules()
    years = retention_years(settings, rules)
    query = (
        select(Case.id, Case.ref, Case.borrower_id, Case.closed_on, Case.close_reason)
        .where(Case.id.in_(due_cases(today=today, years=years)),
               ~needed_elsewhere(Case.borrower_id, today=today, years=years, rules=rules))
        .order_by(Case.closed_on, Case.id)
    )  # fmt: skip
    if limit is not None:
        query = query.limit(limit)
    out = []
    for case_id, ref, borrower_id, closed_on, reason in session.execute(query).all():
        due = due_on(closed_on, years)
        out.append(Candidate(case_id, ref, borrower_id, closed_on, reason, due, (today - due).days,
                             holdings(session, case_id=case_id, today=today, years=years,
                                      rules=rules)))  # fmt: skip
    return out


__all__ = ["Candidate", "Holdings", "candidates", "due_cases", "needed_elsewhere"]
