"""Law firms, their lawyers and counsel accounts; assigning cases to a firm (audited, dated,
with the history kept)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.cases.versions import check_version, conflict_guard, touch
from legal_track.db import utcnow_from
from legal_track.models import (
    Case,
    CaseAssignment,
    CounselAccount,
    LawFirm,
    Lawyer,
    Role,
    User,
)

_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
MANAGERS = frozenset({Role.admin.value, Role.lead.value})


class CounselError(ValueError):
    """A firm, account or assignment request that cannot be done (says what and why)."""


def _check_role(role: str | None) -> None:
    if role is not None and str(role) not in MANAGERS:
        raise CounselError(f"a {role} account may not manage law firms or assignments")


def add_firm(
    session: Session,
    *,
    name: str,
    actor: str,
    now: datetime,
    uscc: str | None = None,
    contact: str = "",
    phone: str = "",
    email: str = "",
    fee_per_stage: dict[str, Decimal] | None = None,
    fee_rate: Decimal | None = None,
    role: str | None = None,
) -> LawFirm:
    """Register a law firm (name unique; the unified social credit code checked for shape)."""
    _check_role(role)
    name = name.strip()
    if not name:
        raise CounselError("a firm needs a name")
    if uscc and not _USCC.match(uscc.strip().upper()):
        raise CounselError(f"{uscc!r} is not a unified social credit code (18 characters)")
    if session.exec(select(LawFirm).where(LawFirm.name == name)).first():
        raise CounselError(f"a firm named {name!r} exists already")
    if fee_rate is not None and not Decimal(0) <= fee_rate <= Decimal(1):
        raise CounselError(f"fee rate {fee_rate} must be between 0 and 1 (a share of recovery)")
    firm = LawFirm(name=name, uscc=uscc.strip().upper() if uscc else None, contact=contact,
                   phone=phone, email=email,
                   fee_per_stage={k: str(v) for k, v in (fee_per_stage or {}).items()},
                   fee_rate=fee_rate, created_at=utcnow_from(now))  # fmt: skip
    session.add(firm)
    session.flush()
    record(session, AuditEvent(actor, "firm.add", "firm", str(firm.id), {"name": name}), now=now)
    session.commit()
    return firm


def firm_named(session: Session, name: str) -> LawFirm:
    firm = session.exec(select(LawFirm).where(LawFirm.name == name.strip())).scalars().first()
    if firm is None:
        raise CounselError(f"no law firm named {name!r}")
    return firm


def list_firms(session: Session) -> list[LawFirm]:
    return list(session.exec(select(LawFirm).order_by(LawFirm.name)).scalars())


def add_lawyer(session: Session, *, firm_id: int, name: str, actor: str, now: datetime,
               license_no: str = "", phone: str = "", email: str = "",
               role: str | None = None) -> Lawyer:  # fmt: skip
    _check_role(role)
    lawyer = Lawyer(firm_id=firm_id, name=name.strip(), license_no=license_no, phone=phone,
                    email=email)  # fmt: skip
    session.add(lawyer)
    session.flush()
    record(session, AuditEvent(actor, "firm.lawyer", "firm", str(firm_id), {"lawyer": name}),
           now=now)  # fmt: skip
    session.commit()
    return lawyer


def link_account(session: Session, *, user_id: int, firm_id: int, actor: str, now: datetime,
                 role: str | None = None) -> None:  # fmt: skip
    """Tie a counsel account to its firm (one firm per account)."""
    _check_role(role)
    user = session.get(User, user_id)
    if user is None or str(user.role) != Role.counsel.value:
        raise CounselError("only a counsel account belongs to a law firm")
    account = session.get(CounselAccount, user_id) or CounselAccount(
        user_id=user_id, firm_id=firm_id
    )
    account.firm_id = firm_id
    session.add(account)
    record(session, AuditEvent(actor, "firm.account", "user", str(user_id), {"firm": firm_id}),
           now=now)  # fmt: skip
    session.commit()


@dataclass(frozen=True, slots=True)
class Assignment:
    case_ref: str
    firm: str
    lawyer: str | None
    includes_filing: bool
    assigned_on: date
    ended_on: date | None
    assigned_by: str


def assign_case(
    session: Session,
    *,
    case_id: int,
    firm_id: int | None,
    on: date,
    actor: str,
    now: datetime,
    lawyer_id: int | None = None,
    includes_filing: bool = True,
    note: str = "",
    role: str | None = None,
    expected_version: int | None = None,
) -> Assignment | None:
    """Give the case to `firm_id` from `on` (None: take it back). The current assignment,
    if any, ends on `on`; the history stays. The case's counsel name follows. Audited.
    `expected_version`: the case version the form showed (`CaseChangedError` if stale)."""
    _check_role(role)
    now = utcnow_from(now)
    case = session.get(Case, case_id)
    if case is None:
        raise CounselError(f"no case with id {case_id}")
    check_version(case, expected_version)
    firm = session.get(LawFirm, firm_id) if firm_id is not None else None
    if firm_id is not None and (firm is None or not firm.active):
        raise CounselError(f"no active law firm with id {firm_id}")
    if lawyer_id is not None:
        lawyer = session.get(Lawyer, lawyer_id)
        if lawyer is None or lawyer.firm_id != firm_id:
            raise CounselError(f"lawyer {lawyer_id} is not of {firm.name if firm else 'that firm'}")
    current = session.exec(select(CaseAssignment).where(
        CaseAssignment.case_id == case_id, CaseAssignment.ended_on.is_(None))).scalars().all()  # fmt: skip
    for row in current:
        if row.assigned_on > on:
            raise CounselError(f"{case.ref} is assigned since {row.assigned_on}, after {on}")
        row.ended_on = on
        session.add(row)
    made = None
    if firm is not None:
        made = CaseAssignment(case_id=case_id, firm_id=firm.id, lawyer_id=lawyer_id,
                              includes_filing=includes_filing, assigned_on=on, note=note,
                              assigned_by=actor, assigned_at=now)  # fmt: skip
        session.add(made)
    counsel = firm.name if firm else None
    if counsel != case.counsel_firm:
        case.counsel_firm = counsel
        touch(case, actor=actor, now=now)
    session.add(case)
    with conflict_guard(session, [case_id]):
        session.flush()
    record(session, AuditEvent(actor, "case.assign", "case", case.ref, {
        "firm": firm.name if firm else None, "on": on.isoformat(),
        "includes_filing": includes_filing, "ended": [r.id for r in current],
    }), now=now)  # fmt: skip
    session.commit()
    if made is None:
        return None
    lawyer_name = session.get(Lawyer, lawyer_id).name if lawyer_id else None
    return Assignment(case.ref, firm.name, lawyer_name, includes_filing, on, None, actor)


def assignments_of(session: Session, *, case_id: int) -> list[Assignment]:
    """The case's assignment history, oldest first."""
    rows = session.execute(
        select(CaseAssignment, LawFirm.name, Lawyer.name, Case.ref)
        .join(LawFirm, LawFirm.id == CaseAssignment.firm_id)
        .join(Case, Case.id == CaseAssignment.case_id)
        .outerjoin(Lawyer, Lawyer.id == CaseAssignment.lawyer_id)
        .where(CaseAssignment.case_id == case_id)
        .order_by(CaseAssignment.assigned_on, CaseAssignment.id)
    ).all()
    return [Assignment(ref, firm, lawyer, a.includes_filing, a.assigned_on, a.ended_on,
                       a.assigned_by) for a, firm, lawyer, ref in rows]  # fmt: skip


def firm_case_count(session: Session, *, firm_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(CaseAssignment)
        .where(CaseAssignment.firm_id == firm_id, CaseAssignment.ended_on.is_(None))
    ).scalar_one()  # fmt: skip
