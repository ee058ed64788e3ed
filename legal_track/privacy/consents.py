"""Third parties in the contact log: lawful-basis records, flags and marks.

A contact-log row is with a *third party* when its target (phone, e-mail, address) is none
of the loan's obligors' (borrower, co-borrowers, guarantors). Each such row is reviewed:

- `covered`: a ThirdPartyConsent of the loan for that target covers the row's local day
  (`since` <= day < `until`);
- `flagged`: not covered and in a direction the rule pack checks (outbound: we reached
  them) -- shown on the case, kept out of every bundle;
- `uncovered`: not covered, inbound (they called us): not flagged, but kept out of bundles;
- `included` / `excluded`: a lead or an admin marked the row, with a reason; the mark
  decides, whatever the records say.

Bundles (legal_track.evidence.data.contact_data) list obligor rows in full and third-party
rows masked only when `in_bundle`. Everything here reads by loan in chunks; nothing is
stored but the records and the marks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.models import (
    Borrower,
    Case,
    CaseLoan,
    ContactLog,
    ContactMark,
    Loan,
    LoanParty,
    Role,
    ThirdPartyConsent,
)
from legal_track.privacy.masks import mask_target
from legal_track.privacy.roles import (
    CASE_WORKER_ROLES,
    DECIDER_ROLES,
    FULL_PII_ROLES,
    check_role,
)
from legal_track.privacy.rules import load_rules

Progress = Callable[[int, int], None]

# Lender roles that may see the review of a case (outside counsel get the bundles only).
REVIEW_ROLES = frozenset({Role.admin.value, Role.lead.value, Role.staff.value, Role.viewer.value})
CHUNK = 500
MIN_REASON = 4


class PrivacyError(ValueError):
    """A record or a mark that cannot be saved; the message says what is wrong."""


def normalise(value: str | None) -> str:
    """The comparable form of a target: the last 11 digits of a phone number, a lower-cased
    e-mail address, an address without white space."""
    value = (value or "").strip().lower()
    digits = re.sub(r"\D", "", value)
    if "@" not in value and len(digits) >= 7:
        return digits[-11:]
    return re.sub(r"\s+", "", value)


def obligor_targets(db: Session | Connection, loan_ids: list[int]) -> dict[int, set[str]]:
    """Loan id -> the normalised targets of its obligors (a session or a connection)."""
    people: dict[int, set[int]] = defaultdict(set)
    for loan_id, borrower_id in db.execute(
        select(Loan.id, Loan.borrower_id).where(col(Loan.id).in_(loan_ids))
    ):
        people[loan_id].add(borrower_id)
    for loan_id, borrower_id in db.execute(
        select(LoanParty.loan_id, LoanParty.borrower_id).where(col(LoanParty.loan_id).in_(loan_ids))
    ):
        people[loan_id].add(borrower_id)
    ids = {b for bs in people.values() for b in bs}
    targets: dict[int, set[str]] = {}
    if ids:
        for b_id, phone, email, address in db.execute(
            select(Borrower.id, Borrower.phone, Borrower.email, Borrower.address).where(
                col(Borrower.id).in_(ids)
            )
        ):
            targets[b_id] = {normalise(v) for v in (phone, email, address) if v}
    return {
        loan_id: set().union(*(targets.get(b, set()) for b in bs)) for loan_id, bs in people.items()
    }


def party_targets(session: Session, loan: Loan) -> set[str]:
    """Normalised phone numbers, e-mail and postal addresses of the loan's obligors."""
    assert loan.id is not None
    return obligor_targets(session, [loan.id]).get(loan.id, set())


@dataclass(frozen=True, slots=True)
class Review:
    """One contact-log row with a third party and what decides whether a bundle shows it."""

    contact_id: int
    loan_id: int
    contract_no: str
    at: datetime
    day: date  # local day of the contact
    channel: str
    direction: str
    target: str
    status: str  # covered | flagged | uncovered | included | excluded
    consent: ThirdPartyConsent | None
    mark: ContactMark | None

    @property
    def in_bundle(self) -> bool:
        return self.status in ("covered", "included")

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"

    def shown_target(self, role: Role | str | None) -> str:
        if role is None or Role(role) in FULL_PII_ROLES:
            return self.target
        return mask_target(self.target)


def _covers(consent: ThirdPartyConsent | None, day: date) -> bool:
    return (
        consent is not None
        and consent.since <= day
        and (consent.until is None or day < consent.until)
    )


def _status(direction: str, covered: bool, mark: ContactMark | None) -> str:
    if mark is not None:
        return "included" if mark.include else "excluded"
    if covered:
        return "covered"
    return "flagged" if direction in load_rules().flagged_directions else "uncovered"


def review_loans(session: Session, loan_ids: Iterable[int], *, tz: str,
                 progress: Progress | None = None) -> Iterator[Review]:  # fmt: skip
    """The third-party rows of these loans, reviewed, in (loan, time) order;
    `progress(done, total)` in loans, per chunk."""
    zone = ZoneInfo(tz)
    ordered = sorted(set(loan_ids))
    for start in range(0, len(ordered), CHUNK):
        if progress:
            progress(start, len(ordered))
        chunk = ordered[start : start + CHUNK]
        parties = obligor_targets(session, chunk)
        contract = {
            i: no
            for i, no in session.exec(
                select(Loan.id, Loan.contract_no).where(col(Loan.id).in_(chunk))
            )
        }
        consents = {
            (c.loan_id, c.target): c
            for c in session.exec(
                select(ThirdPartyConsent).where(col(ThirdPartyConsent.loan_id).in_(chunk))
            )
        }
        log = ContactLog.__table__.c  # the columns the review needs, not whole rows
        rows = [
            r
            for r in session.execute(
                select(log.id, log.loan_id, log.at, log.channel, log.direction, log.target)
                .where(log.loan_id.in_(chunk), log.target != "")
                .order_by(log.loan_id, log.at, log.id)
            )
            if normalise(r.target) not in parties.get(r.loan_id, set())
        ]
        marks = {
            m.contact_id: m
            for m in session.exec(
                select(ContactMark).where(col(ContactMark.contact_id).in_([r.id for r in rows]))
            )
        } if rows else {}  # fmt: skip
        for c in rows:
            day = c.at.astimezone(zone).date()
            consent = consents.get((c.loan_id, normalise(c.target)))
            covered = _covers(consent, day)
            mark = marks.get(c.id)
            yield Review(
                contact_id=c.id, loan_id=c.loan_id, contract_no=contract.get(c.loan_id, ""),
                at=c.at, day=day, channel=str(c.channel), direction=str(c.direction),
                target=c.target, status=_status(str(c.direction), covered, mark),
                consent=consent if covered else None, mark=mark,
            )  # fmt: skip
    if progress:
        progress(len(ordered), len(ordered))


def _case_loans(session: Session, case_id: int) -> list[int]:
    return list(session.exec(select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)))


def case_review(
    session: Session, *, case_id: int, tz: str, role: Role | str | None
) -> list[Review]:
    """Every third-party row of the case's loans (the case page's privacy section)."""
    check_role(role, REVIEW_ROLES, "see the third-party contacts of a case")
    return list(review_loans(session, _case_loans(session, case_id), tz=tz))


@dataclass(frozen=True, slots=True)
class CaseFlags:
    case_ref: str
    flags: list[Review]


def open_case_flags(session: Session, *, tz: str, role: Role | str | None,
                    case_id: int | None = None,
                    progress: Progress | None = None) -> list[CaseFlags]:  # fmt: skip
    """The flagged rows by case: of one case (`case_id`, listed even with none) or of every
    case not closed (only those with flags)."""
    check_role(role, REVIEW_ROLES, "see the third-party contacts of a case")
    query = select(Case.ref, CaseLoan.loan_id).join(CaseLoan, CaseLoan.case_id == Case.id)
    if case_id is not None:
        query = query.where(Case.id == case_id)
    else:
        query = query.where(col(Case.closed_on).is_(None))
    by_loan: dict[int, list[str]] = defaultdict(list)
    for ref, loan_id in session.exec(query.order_by(col(Case.ref))):
        by_loan[loan_id].append(ref)
    out: dict[str, list[Review]] = defaultdict(list)
    for r in review_loans(session, by_loan, tz=tz, progress=progress):
        if r.flagged:
            for ref in by_loan[r.loan_id]:
                out[ref].append(r)
    if case_id is not None:
        refs = sorted({ref for refs in by_loan.values() for ref in refs})
        return [CaseFlags(ref, out.get(ref, [])) for ref in refs]
    return [CaseFlags(ref, out[ref]) for ref in sorted(out)]


def flagged_count(session: Session, *, case_id: int, tz: str) -> int:
    return sum(r.flagged for r in review_loans(session, _case_loans(session, case_id), tz=tz))


def mark_contact(session: Session, *, contact_id: int, include: bool, reason: str, actor: str,
                 role: Role | str | None, now: datetime) -> ContactMark:  # fmt: skip
    """Mark one third-party row into the bundles or out of them (lead/admin), with a reason;
    a later mark replaces the earlier one. Audited; the caller's session is committed."""
    check_role(role, DECIDER_ROLES, "mark a third-party contact")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise PrivacyError(f"a mark needs a reason of at least {MIN_REASON} characters")
    if len(reason) > 500:
        raise PrivacyError("the reason is longer than 500 characters")
    contact = session.get(ContactLog, contact_id)
    if contact is None:
        raise LookupError(f"contact-log row {contact_id} does not exist")
    if not contact.target or normalise(contact.target) in party_targets(
        session, session.get(Loan, contact.loan_id)
    ):
        raise PrivacyError(
            f"contact-log row {contact_id} is with an obligor of the loan, not a third party"
        )
    at = utcnow_from(now)
    mark = session.exec(select(ContactMark).where(ContactMark.contact_id == contact_id)).first()
    before = None if mark is None else {"include": mark.include, "reason": mark.reason}
    if mark is None:
        mark = ContactMark(contact_id=contact_id, include=include, reason=reason,
                           marked_by=actor, marked_at=at)  # fmt: skip
    else:
        mark.include, mark.reason, mark.marked_by, mark.marked_at = include, reason, actor, at
    session.add(mark)
    record(session, AuditEvent(actor, "privacy.mark", "contact", str(contact_id), {
        "loan_id": contact.loan_id, "include": include, "reason": reason, "before": before,
    }), now=at)  # fmt: skip
    session.commit()
    session.refresh(mark)
    return mark


def unmark_contact(session: Session, *, contact_id: int, actor: str, role: Role | str | None,
                   now: datetime) -> bool:  # fmt: skip
    """Take a mark back: the row is reviewed by the records again. False if none was set."""
    check_role(role, DECIDER_ROLES, "mark a third-party contact")
    mark = session.exec(select(ContactMark).where(ContactMark.contact_id == contact_id)).first()
    if mark is None:
        return False
    record(session, AuditEvent(actor, "privacy.unmark", "contact", str(contact_id), {
        "include": mark.include, "reason": mark.reason,
    }), now=now)  # fmt: skip
    session.delete(mark)
    session.commit()
    return True


def consents_of(session: Session, *, loan_ids: Iterable[int],
                role: Role | str | None) -> list[ThirdPartyConsent]:  # fmt: skip
    check_role(role, REVIEW_ROLES, "see third-party records")
    return list(session.exec(
        select(ThirdPartyConsent)
        .where(col(ThirdPartyConsent.loan_id).in_(list(loan_ids)))
        .order_by(col(ThirdPartyConsent.loan_id), col(ThirdPartyConsent.since))
    ))  # fmt: skip


def record_consent(session: Session, *, loan_id: int, target: str, name: str, relation: str,
                   basis: str, since: date, until: date | None, proof_ref: str, actor: str,
                   role: Role | str | None, now: datetime) -> ThirdPartyConsent:  # fmt: skip
    """Save (or replace) the record for one third party of a loan. Audited; committed."""
    check_role(role, CASE_WORKER_ROLES, "record a third party's consent")
    rules = load_rules()
    problems = []
    key = normalise(target)
    if not key:
        problems.append("the phone number or address is empty")
    if relation not in rules.relations:
        problems.append(f"relation {relation!r} is not one of {', '.join(rules.relations)}")
    if basis not in rules.basis:
        problems.append(f"basis {basis!r} is not one of {', '.join(rules.basis)}")
    elif rules.basis[basis].needs_proof and not proof_ref.strip():
        problems.append(f"basis {basis} needs a proof reference (recording, signed form, ...)")
    if until is not None and until <= since:
        problems.append(f"the end {until} is not after the start {since}")
    loan = session.get(Loan, loan_id)
    if loan is None:
        problems.append(f"loan id {loan_id} does not exist")
    elif key and key in party_targets(session, loan):
        problems.append(
            f"{mask_target(target)} belongs to an obligor of the loan, not a third party"
        )
    if problems:
        raise PrivacyError("; ".join(problems))
    at = utcnow_from(now)
    found = session.exec(
        select(ThirdPartyConsent).where(
            ThirdPartyConsent.loan_id == loan_id, ThirdPartyConsent.target == key
        )
    ).first()
    consent = found or ThirdPartyConsent(loan_id=loan_id, target=key, relation=relation,
                                         basis=basis, since=since, recorded_by=actor,
                                         recorded_at=at)  # fmt: skip
    consent.name, consent.relation, consent.basis = name.strip()[:100], relation, basis
    consent.since, consent.until, consent.proof_ref = since, until, proof_ref.strip()[:200]
    consent.recorded_by, consent.recorded_at = actor, at
    session.add(consent)
    record(session, AuditEvent(actor, "privacy.consent", "loan", str(loan_id), {
        "target": mask_target(key), "relation": relation, "basis": basis,
        "since": since.isoformat(), "until": until.isoformat() if until else None,
        "replaced": found is not None,
    }), now=at)  # fmt: skip
    session.commit()
    session.refresh(consent)
    return consent


def case_contracts(session: Session, *, case_id: int) -> dict[int, str]:
    """Loan id -> contract number of the case's loans (the record form's choices)."""
    return {
        loan_id: no
        for loan_id, no in session.exec(
            select(Loan.id, Loan.contract_no)
            .join(CaseLoan, CaseLoan.loan_id == Loan.id)
            .where(CaseLoan.case_id == case_id)
            .order_by(col(Loan.contract_no))
        )
    }
