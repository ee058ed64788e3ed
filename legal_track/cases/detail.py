"""Read models for one case and one loan, with personal data masked per role.

Opening either view is an access to personal data and is audited (`case.view`,
`loan.view`). The app records one entry per visit (it passes ``audit=False`` when
the same page merely reruns); the default records every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.cases.access import (
    AccessDenied,
    case_condition,
    files_for_firm,
    is_counsel,
    may_see_case,
    require_loan,
)
from legal_track.models import (
    Borrower,
    Case,
    CaseEvent,
    CaseLoan,
    Channel,
    ContactLog,
    Creditor,
    Deadline,
    DeadlineStatus,
    LedgerEntry,
    Loan,
    LoanParty,
    Role,
    User,
)
from legal_track.privacy import can_see_pii, mask_email, mask_id_number, mask_phone, mask_target

CONTACT_LIMIT = 300  # newest contact-log rows shown per view; the total is reported
LEDGER_LIMIT = 1000

# Channels whose target is a postal address rather than a number or e-mail address.
_ADDRESS_CHANNELS = frozenset({Channel.letter, Channel.visit})


class NotFoundError(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class PartyView:
    role: str  # borrower, co_borrower, guarantor
    name: str
    id_number: str  # masked unless the role may see it
    phone: str
    email: str
    address: str
    is_demo: bool


@dataclass(frozen=True, slots=True)
class CreditorView:
    name: str
    uscc: str
    legal_rep: str
    address: str
    lender_type: str


@dataclass(frozen=True, slots=True)
class LoanView:
    id: int
    contract_no: str
    creditor: str
    principal: Decimal
    annual_rate: Decimal
    overdue_rate: Decimal | None
    disbursed_on: date
    maturity_on: date
    outstanding_principal: Decimal
    overdue_since: date | None
    arbitration_commission: str | None
    agreed_court: str | None
    status: str
    instalments: int


@dataclass(frozen=True, slots=True)
class LedgerRow:
    id: int
    contract_no: str
    kind: str
    amount: Decimal
    booked_on: date
    reference: str


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    contract_no: str
    at: datetime
    channel: str
    direction: str
    target: str  # masked unless the role may see personal data
    content: str
    delivery_status: str
    agent: str
    promise_date: date | None
    promise_amount: Decimal | None
    proof_ref: str


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    kind: str
    on: date
    party: str | None
    actor: str
    note: str
    data: dict


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    id: int
    rule_id: str
    due: date  # the override when set
    computed_due: date
    overridden: bool
    severity: str
    status: str
    provisional: bool
    party: str | None
    basis: str
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    id: int
    ref: str
    route: str
    stage: str
    forum: str | None
    court_case_no: str | None
    enforcement_case_no: str | None
    counsel_firm: str | None
    owner_name: str | None
    claim_total: Decimal | None
    opened_on: date
    closed_on: date | None
    close_reason: str | None
    pii_visible: bool
    borrower: PartyView
    parties: list[PartyView]  # co-borrowers and guarantors of the case's loans
    creditors: list[CreditorView]
    loans: list[LoanView]
    ledger: list[LedgerRow]
    contacts: list[ContactRow]
    contacts_total: int
    events: list[EventRow]
    deadlines: list[DeadlineRow]


@dataclass(frozen=True, slots=True)
class CaseLink:
    id: int
    ref: str
    stage: str


@dataclass(frozen=True, slots=True)
class LoanDetail:
    loan: LoanView
    pii_visible: bool
    creditor: CreditorView
    borrower: PartyView
    parties: list[PartyView]
    ledger: list[LedgerRow]
    contacts: list[ContactRow]
    contacts_total: int
    cases: list[CaseLink]


def _party(b: Borrower, role: str, full: bool) -> PartyView:
    return PartyView(
        role=role,
        name=b.name,
        id_number=b.id_number if full else mask_id_number(b.id_number),
        phone=(b.phone or "") if full else mask_phone(b.phone),
        email=(b.email or "") if full else mask_email(b.email),
        address=b.address or "",
        is_demo=b.is_demo,
    )


def _creditor(c: Creditor) -> CreditorView:
    return CreditorView(c.name, c.uscc or "", c.legal_rep or "", c.address or "", c.lender_type)


def _loan(loan: Loan, creditor: str) -> LoanView:
    return LoanView(
        id=loan.id,
        contract_no=loan.contract_no,
        creditor=creditor,
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        overdue_rate=loan.overdue_rate,
        disbursed_on=loan.disbursed_on,
        maturity_on=loan.maturity_on,
        outstanding_principal=loan.outstanding_principal,
        overdue_since=loan.overdue_since,
        arbitration_commission=loan.arbitration_commission,
        agreed_court=loan.agreed_court,
        status=loan.status,
        instalments=len(loan.schedule or []),
    )


def _loans(session: Session, loan_ids: list[int]) -> tuple[list[LoanView], list[CreditorView]]:
    rows = session.execute(
        select(Loan, Creditor)
        .join(Creditor, Creditor.id == Loan.creditor_id)
        .where(Loan.id.in_(loan_ids))
        .order_by(Loan.contract_no)
    ).all()
    creditors: dict[int, CreditorView] = {}
    for _, c in rows:
        creditors.setdefault(c.id, _creditor(c))
    return [_loan(ln, c.name) for ln, c in rows], list(creditors.values())


def _other_parties(session: Session, loan_ids: list[int], full: bool) -> list[PartyView]:
    rows = session.execute(
        select(LoanParty.role, Borrower)
        .join(Borrower, Borrower.id == LoanParty.borrower_id)
        .where(LoanParty.loan_id.in_(loan_ids))
        .order_by(LoanParty.role, Borrower.name)
    ).all()
    seen: set[tuple[str, int]] = set()
    parties = []
    for role, b in rows:
        if (role, b.id) not in seen:
            seen.add((role, b.id))
            parties.append(_party(b, str(role), full))
    return parties


def _ledger(session: Session, loan_ids: list[int]) -> list[LedgerRow]:
    rows = session.execute(
        select(LedgerEntry, Loan.contract_no)
        .join(Loan, Loan.id == LedgerEntry.loan_id)
        .where(LedgerEntry.loan_id.in_(loan_ids))
        .order_by(LedgerEntry.booked_on, LedgerEntry.id)
        .limit(LEDGER_LIMIT)
    ).all()
    return [LedgerRow(e.id, no, str(e.kind), e.amount, e.booked_on, e.reference) for e, no in rows]


def _contacts(session: Session, loan_ids: list[int], full: bool) -> tuple[list[ContactRow], int]:
    total = session.execute(
        select(func.count(ContactLog.id)).where(ContactLog.loan_id.in_(loan_ids))
    ).scalar_one()
    rows = session.execute(
        select(ContactLog, Loan.contract_no)
        .join(Loan, Loan.id == ContactLog.loan_id)
        .where(ContactLog.loan_id.in_(loan_ids))
        .order_by(ContactLog.at.desc(), ContactLog.id.desc())
        .limit(CONTACT_LIMIT)
    ).all()
    out = []
    for c, no in rows:
        target = c.target or ""
        # Numbers and e-mail addresses (the borrower's and third parties') are personal
        # data; postal addresses of letters and visits are shown like the party address.
        if not full and Channel(c.channel) not in _ADDRESS_CHANNELS:
            target = mask_target(target)
        out.append(
            ContactRow(
                id=c.id,
                contract_no=no,
                at=c.at,
                channel=str(c.channel),
                direction=str(c.direction),
                target=target,
                content=c.content,
                delivery_status=str(c.delivery_status),
                agent=c.agent or "",
                promise_date=c.promise_date,
                promise_amount=c.promise_amount,
                proof_ref=c.proof_ref or "",
            )
        )
    return out, total


def _events(session: Session, case_id: int) -> list[EventRow]:
    rows = session.execute(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.on, CaseEvent.id)
    ).scalars()
    return [EventRow(e.id, e.kind, e.on, e.party, e.actor, e.note, dict(e.data)) for e in rows]


def _deadlines(session: Session, case_id: int) -> list[DeadlineRow]:
    rows = session.execute(
        select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due, Deadline.id)
    ).scalars()
    out = [
        DeadlineRow(
            id=d.id,
            rule_id=d.rule_id,
            due=d.effective_due,
            computed_due=d.due,
            overridden=d.override_due is not None,
            severity=str(d.severity),
            status=str(d.status),
            provisional=d.provisional,
            party=d.party,
            basis=d.basis,
            explanation_zh=d.explanation_zh,
            explanation_en=d.explanation_en,
        )
        for d in rows
    ]
    # open ones first, by the date that counts
    return sorted(out, key=lambda d: (d.status != DeadlineStatus.open, d.due, d.id))


def case_detail(
    session: Session,
    *,
    case_id: int,
    role: Role | str,
    actor: str,
    now: datetime,
    audit: bool = True,
    firm_id: int | None = None,
) -> CaseDetail:
    """Everything the case page shows. Personal data is masked unless `role` may see it
    (counsel: only on a case their firm files); a counsel account sees only its firm's
    cases (`firm_id`). The access is audited as `case.view` (unless `audit` is False)."""
    case = session.get(Case, case_id)
    if case is None or not may_see_case(session, case_id=case_id, role=role, firm_id=firm_id):
        raise NotFoundError(f"no case with id {case_id}")
    full = can_see_pii(role)
    # counsel who file for the lender get the borrower's ID number and address; third
    # parties' numbers stay masked for them
    filer = is_counsel(role) and files_for_firm(session, case_id=case_id, firm_id=firm_id)
    borrower = session.get(Borrower, case.borrower_id)
    links = select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)
    loan_ids = list(session.execute(links).scalars())
    loans, creditors = _loans(session, loan_ids)
    contacts, contacts_total = _contacts(session, loan_ids, full)
    owner = session.get(User, case.owner_id) if case.owner_id else None
    detail = CaseDetail(
        id=case.id,
        ref=case.ref,
        route=case.route,
        stage=case.stage,
        forum=case.forum,
        court_case_no=case.court_case_no,
        enforcement_case_no=case.enforcement_case_no,
        counsel_firm=case.counsel_firm,
        owner_name=(owner.display_name or owner.username) if owner else None,
        claim_total=Decimal(case.claim_total) if case.claim_total else None,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        close_reason=case.close_reason,
        pii_visible=full or filer,
        borrower=_party(borrower, "borrower", full or filer),
        parties=_other_parties(session, loan_ids, full),
        creditors=creditors,
        loans=loans,
        ledger=_ledger(session, loan_ids),
        contacts=contacts,
        contacts_total=contacts_total,
        events=_events(session, case_id),
        deadlines=_deadlines(session, case_id),
    )
    if audit:
        event = AuditEvent(actor, "case.view", "case", case.ref, {"role": str(role)})
        record(session, event, now=now)
        session.commit()
    return detail


def loan_detail(
    session: Session,
    *,
    loan_id: int,
    role: Role | str,
    actor: str,
    now: datetime,
    audit: bool = True,
    firm_id: int | None = None,
) -> LoanDetail:
    """The loan page: facts, parties, ledger, contact log and the cases covering it.
    Masked per role like :func:`case_detail`; audited as `loan.view`. A counsel account
    sees a loan only through a case of its firm."""
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise NotFoundError(f"no loan with id {loan_id}")
    try:
        require_loan(session, loan_id=loan_id, role=role, firm_id=firm_id)
    except AccessDenied:
        raise NotFoundError(f"no loan with id {loan_id}") from None
    full = can_see_pii(role)
    creditor = session.get(Creditor, loan.creditor_id)
    borrower = session.get(Borrower, loan.borrower_id)
    contacts, contacts_total = _contacts(session, [loan_id], full)
    scope = case_condition(role, firm_id)
    cases = session.execute(
        select(Case.id, Case.ref, Case.stage)
        .join(CaseLoan, CaseLoan.case_id == Case.id)
        .where(CaseLoan.loan_id == loan_id, *([scope] if scope is not None else []))
        .order_by(Case.ref)
    ).all()
    detail = LoanDetail(
        loan=_loan(loan, creditor.name),
        pii_visible=full,
        creditor=_creditor(creditor),
        borrower=_party(borrower, "borrower", full),
        parties=_other_parties(session, [loan_id], full),
        ledger=_ledger(session, [loan_id]),
        contacts=contacts,
        contacts_total=contacts_total,
        cases=[CaseLink(*row) for row in cases],
    )
    if audit:
        event = AuditEvent(actor, "loan.view", "loan", loan.contract_no, {"role": str(role)})
        record(session, event, now=now)
        session.commit()
    return detail
