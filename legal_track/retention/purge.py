"""Purging the personal data of closed cases that are due (see `candidates`).

One call, one transaction: every change to the database and one audit entry per case are
committed together, or nothing is. Files (evidence blobs, generated documents, bundles)
are deleted only after that commit, by `remove_purged_files`: a failure before the commit
leaves every row and every file as it was; a failure while deleting (a crash, a file that
cannot be removed) leaves rows marked purged whose files still exist, which the report
names and the next `remove_purged_files` (every purge runs it first) removes. The
database is the record of what is purged; the files follow it.

What is removed: the name (a placeholder ``已清除#<id>``), ID number, phone, address and
e-mail of the borrower and of every co-borrower or guarantor no longer needed elsewhere;
the contact log's targets, content and proof references on the case's loans; these
people's names, ID numbers, phones and e-mail addresses wherever they occur in the free
text of the case (event notes, parties and data, deadline notes, assignments, approval
requests, evidence descriptions, generated-file inputs); the evidence files of the case
(rules/retention.toml `purge.evidence_categories`) unless also linked to a case or loan
that is not purged; generated documents' contexts and files; the case's other generated
files. What stays: the case, its loans, ledger, repayment plans, figures, events,
deadlines, stage history and the audit trail (see docs/retention.md on the audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.evidence.store import EvidenceStore
from legal_track.models import (
    ApprovalRequest,
    Borrower,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseLoan,
    ContactLog,
    ContactMark,
    CustodyAction,
    CustodyEntry,
    Deadline,
    EvidenceItem,
    EvidenceLink,
    GeneratedDocument,
    GeneratedFile,
    LoanParty,
    Role,
    ThirdPartyConsent,
)
from legal_track.retention.candidates import (
    Candidate,
    candidates,
    case_items,
    needed_elsewhere,
    retention_years,
)
from legal_track.retention.rules import RetentionError, RetentionRules, load_rules

CLEARED = "已清除"
ACTION = "retention.purge"


class RetentionDenied(RetentionError, PermissionError):
    """Only an admin may purge personal data."""


@dataclass(slots=True)
class PurgedCase:
    """What the purge did to one case (counts and file names only: no personal data)."""

    ref: str
    closed_on: date
    due_on: date
    people: int = 0  # borrower and other parties whose personal data was removed
    parties_kept: int = 0  # co-borrowers / guarantors still needed elsewhere
    contacts: int = 0
    evidence: int = 0  # evidence items whose files were deleted
    evidence_kept: int = 0  # items also linked to a case or loan not purged
    documents: int = 0
    files: int = 0  # other generated files (bundles, exhibits)
    kept_in_batches: list[str] = field(default_factory=list)  # batch zips still holding a doc


@dataclass(slots=True)
class FileSweep:
    removed: int = 0
    failed: list[str] = field(default_factory=list)  # "<path>: <reason>"


@dataclass(slots=True)
class PurgeReport:
    at: datetime
    retention_years: int
    cases: list[PurgedCase]
    files: FileSweep


def _scrub(value, secrets: list[str]):
    """`value` (text, or JSON of lists and dicts) with every secret replaced by 已清除."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, CLEARED)
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    return value


def _secrets(people: list[Borrower], extra: list[str] = ()) -> list[str]:
    """The identifiers to clear from free text, longest first (a name inside an address);
    `extra`: third parties' names and numbers."""
    found = {v.strip() for p in people for v in (p.name, p.id_number, p.phone, p.email, p.address)
             if v and len(v.strip()) >= 2}  # fmt: skip
    found |= {v.strip() for v in extra if v and len(v.strip()) >= 2}
    return sorted(found, key=len, reverse=True)


@dataclass(slots=True)
class _Plan:
    candidate: Candidate
    loans: list[int]
    people: list[int]
    parties_kept: int
    items: list[int]
    items_kept: int


def _plan(session: Session, cand: Candidate, *, purged_cases: set[int], today: date,
          years: int, rules: RetentionRules) -> _Plan:  # fmt: skip
    """Everything to change for one case, decided before anything changes (what is needed
    elsewhere must not depend on the order the cases are purged in)."""
    loans = list(session.execute(
        select(CaseLoan.loan_id).where(CaseLoan.case_id == cand.case_id)).scalars())  # fmt: skip
    parties = session.execute(
        select(Borrower.id, needed_elsewhere(Borrower.id, today=today, years=years, rules=rules))
        .where(Borrower.id.in_(select(LoanParty.borrower_id).where(LoanParty.loan_id.in_(loans))),
               Borrower.id != cand.borrower_id, Borrower.purged_at.is_(None))
    ).all()  # fmt: skip
    people = [cand.borrower_id] + [p[0] for p in parties if not p[1]]
    all_loans = select(CaseLoan.loan_id).where(CaseLoan.case_id.in_(purged_cases))
    items, kept = [], 0
    for item_id, category in session.execute(
        select(EvidenceItem.id, EvidenceItem.category).where(
            EvidenceItem.id.in_(case_items(cand.case_id)))
    ).all():  # fmt: skip
        elsewhere = session.execute(select(EvidenceLink.id).where(
            EvidenceLink.item_id == item_id,
            or_(EvidenceLink.case_id.not_in(purged_cases), EvidenceLink.loan_id.not_in(all_loans)),
        ).limit(1)).first()  # fmt: skip
        if elsewhere is not None or str(category) not in rules.evidence_categories:
            kept += 1
        else:
            items.append(item_id)
    return _Plan(cand, loans, people, sum(1 for p in parties if p[1]), items, kept)


def _apply(session: Session, plan: _Plan, *, at: datetime, actor: str, rules: RetentionRules,
           years: int) -> PurgedCase:  # fmt: skip
    cand = plan.candidate
    done = PurgedCase(cand.ref, cand.closed_on, cand.due_on, parties_kept=plan.parties_kept,
                      evidence_kept=plan.items_kept)  # fmt: skip
    people = [p for p in (session.get(Borrower, i) for i in plan.people)
              if p is not None and p.purged_at is None]  # fmt: skip
    consents = list(session.execute(
        select(ThirdPartyConsent).where(ThirdPartyConsent.loan_id.in_(plan.loans))
    ).scalars())  # fmt: skip
    secrets = _secrets(people, extra=[v for c in consents for v in (c.name, c.target)])
    for person in people:
        person.name = rules.placeholder(person.id)
        person.id_number = f"PURGED{person.id:012d}"  # unique, and never a valid ID number
        person.phone = person.address = person.email = None
        person.purged_at = at
    done.people = len(people)
    for contact in session.execute(
        select(ContactLog).where(ContactLog.loan_id.in_(plan.loans))
    ).scalars():  # fmt: skip
        contact.target = f"{CLEARED}#{contact.id}"  # unique per loan/time/channel
        contact.content = ""
        contact.proof_ref = None
        done.contacts += 1
    for consent in consents:  # a third party's name and number are theirs: deleted, not kept
        session.delete(consent)
    for mark in session.execute(
        select(ContactMark)
        .join(ContactLog, ContactLog.id == ContactMark.contact_id)
        .where(ContactLog.loan_id.in_(plan.loans))
    ).scalars():
        mark.reason = _scrub(mark.reason, secrets)
    case_id = cand.case_id
    for event in session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)).scalars():
        event.note = _scrub(event.note, secrets)
        event.party = _scrub(event.party, secrets)
        event.data = _scrub(event.data, secrets)
    for d in session.execute(select(Deadline).where(Deadline.case_id == case_id)).scalars():
        d.done_note, d.override_reason = (
            _scrub(d.done_note, secrets),
            _scrub(d.override_reason, secrets),
        )
    for a in session.execute(
        select(CaseAssignment).where(CaseAssignment.case_id == case_id)
    ).scalars():
        a.note = _scrub(a.note, secrets)
    for r in session.execute(
        select(ApprovalRequest).where(ApprovalRequest.case_id == case_id)
    ).scalars():
        r.subject, r.reason = _scrub(r.subject, secrets), _scrub(r.reason, secrets)
        r.payload = _scrub(r.payload, secrets)
    for item in session.execute(
        select(EvidenceItem).where(EvidenceItem.id.in_(plan.items))
    ).scalars():
        item.original_name, item.source = CLEARED, ""
        item.purpose, item.meta = _scrub(item.purpose, secrets), {}
        item.purged_at = at
        for entry in session.execute(
            select(CustodyEntry).where(CustodyEntry.item_id == item.id)
        ).scalars():
            entry.detail = _scrub(entry.detail, secrets)
        session.add(CustodyEntry(item_id=item.id, at=at, actor=actor, action=CustodyAction.purged,
                                 detail={"case": cand.ref, "rule": ACTION}))  # fmt: skip
        done.evidence += 1
    for doc in session.execute(select(GeneratedDocument).where(
            GeneratedDocument.case_id == case_id, GeneratedDocument.purged_at.is_(None))).scalars():  # fmt: skip
        doc.context, doc.purged_at = {}, at
        if doc.zip_member:
            done.kept_in_batches.append(Path(doc.path).name)
        done.documents += 1
    for gen in session.execute(select(GeneratedFile).where(
            GeneratedFile.case_id == case_id, GeneratedFile.purged_at.is_(None))).scalars():  # fmt: skip
        gen.inputs, gen.purged_at = _scrub(gen.inputs, secrets), at
        if gen.kind not in ("document", "document_pdf"):
            done.files += 1
    case = session.get(Case, case_id)
    case.claim_snapshot = _scrub(case.claim_snapshot, secrets)
    case.purged_at = at
    record(session, AuditEvent(actor, ACTION, "case", cand.ref, {
        "closed_on": cand.closed_on.isoformat(), "due_on": cand.due_on.isoformat(),
        "retention_years": years, "rules": rules.version, "people": done.people,
        "parties_kept": done.parties_kept, "contacts": done.contacts, "evidence": done.evidence,
        "evidence_kept": done.evidence_kept, "documents": done.documents, "files": done.files,
    }), now=at)  # fmt: skip
    return done


def _check_role(role: Role | str) -> None:
    try:
        ok = Role(role) is Role.admin
    except ValueError:
        ok = False
    if not ok:
        raise RetentionDenied(f"only an admin may purge personal data (role: {role})")


def purge(session: Session, *, case_ids: list[int], actor: str, role: Role | str, now: datetime,
          today: date, settings: Settings | None = None,
          progress: Callable[[int, int], None] | None = None) -> PurgeReport:  # fmt: skip
    """Purge the personal data of the given candidate cases (and of the other due cases of
    the same borrowers: the borrower's row is shared); admin only; one commit, then the
    files. Refuses, changing nothing, when a case is not a candidate on `today`."""
    _check_role(role)
    settings = settings or get_settings()
    rules = load_rules()
    years = retention_years(settings, rules)
    at = utcnow_from(now)
    sweep = remove_purged_files(session, settings=settings)  # leftovers of an earlier run
    due = {c.case_id: c for c in candidates(session, today=today, settings=settings)}
    wanted = set(case_ids)
    refused = sorted(wanted - set(due))
    if refused:
        refs = dict(session.execute(select(Case.id, Case.ref).where(Case.id.in_(refused))).all())
        missing = [str(i) for i in refused if i not in refs]
        if missing:
            raise RetentionError(f"no case with id {', '.join(missing)}")
        raise RetentionError(
            f"not due for purge on {today.isoformat()}: {', '.join(refs[i] for i in refused)} "
            f"(closed less than {years} years ago, still open, already purged, or the borrower "
            "is still needed by another case or an active loan)"
        )
    borrowers = {due[i].borrower_id for i in wanted}
    ids = sorted(i for i, c in due.items() if c.borrower_id in borrowers)
    done: list[PurgedCase] = []
    try:
        plans = [_plan(session, due[i], purged_cases=set(ids), today=today, years=years,
                       rules=rules) for i in ids]  # fmt: skip
        for n, plan in enumerate(plans, start=1):
            done.append(_apply(session, plan, at=at, actor=actor, rules=rules, years=years))
            session.flush()
            if progress is not None:
                progress(n, len(plans))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    after = remove_purged_files(session, settings=settings)
    sweep.removed += after.removed
    sweep.failed = after.failed
    return PurgeReport(at, years, done, sweep)


def _unlink(path: Path, sweep: FileSweep) -> None:
    try:
        path.unlink()
        sweep.removed += 1
    except FileNotFoundError:
        pass
    except OSError as exc:
        sweep.failed.append(f"{path}: {exc.strerror or exc}")


def remove_purged_files(session: Session, *, settings: Settings | None = None) -> FileSweep:
    """Delete the files of purged rows that are still there (after the purge's commit, or
    left by an interrupted run), unless a row that is not purged refers to the same file.
    Idempotent; touches no row."""
    store = EvidenceStore((settings or get_settings()).evidence_dir)
    sweep = FileSweep()
    items, gens, docs = (
        EvidenceItem.__table__.c,
        GeneratedFile.__table__.c,
        GeneratedDocument.__table__.c,
    )
    live: set[str] = set()
    for a, b in session.execute(
        select(items.sha256, items.rendition_sha256).where(items.purged_at.is_(None))
    ):
        live.update(x for x in (a, b) if x)
    live.update(session.execute(select(gens.sha256).where(gens.purged_at.is_(None),
                                                          gens.kind == "exhibit")).scalars())  # fmt: skip
    blobs: set[str] = set()
    for a, b in session.execute(
        select(items.sha256, items.rendition_sha256).where(items.purged_at.is_not(None))
    ):
        blobs.update(x for x in (a, b) if x)
    blobs.update(session.execute(select(gens.sha256).where(gens.purged_at.is_not(None),
                                                           gens.kind == "exhibit")).scalars())  # fmt: skip
    for sha in sorted(blobs - live):
        if store.has(sha):
            _unlink(store.path_for(sha), sweep)
    live_paths = set(session.execute(select(gens.path).where(gens.purged_at.is_(None))).scalars())
    for path, pdf in session.execute(
        select(docs.path, docs.pdf_path).where(docs.purged_at.is_(None))
    ):
        live_paths.update(x for x in (path, pdf) if x)
    paths: set[str] = set()
    for path, pdf, member in session.execute(select(docs.path, docs.pdf_path, docs.zip_member)
                                             .where(docs.purged_at.is_not(None))):  # fmt: skip
        if not member:  # a member of a batch zip: the zip stays (other cases' documents)
            paths.update(x for x in (path, pdf) if x)
    paths.update(session.execute(select(gens.path).where(
        gens.purged_at.is_not(None), gens.kind != "exhibit")).scalars())  # fmt: skip
    for path in sorted(paths - live_paths):
        if path and Path(path).is_file():
            _unlink(Path(path), sweep)
    return sweep


__all__ = ["PurgeReport", "PurgedCase", "RetentionDenied", "purge", "remove_purged_files"]
