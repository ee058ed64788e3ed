"""The evidence register: intake, links to cases and loans, custody log, verification.

One register entry per content: adding the same bytes again (for another case, or by
mistake) returns the existing item, links it to the new case or loan and logs the
submission in its custody log; the store keeps the bytes once. A file that fails a
check is refused with the reason and nothing is stored or registered.

This module is the register's front door and re-exports the rest: intake checks live
in `sniff.py` / `intake.py`, the store in `store.py`, `verify_store` in `verify.py`,
the checklist (`missing_for`) in `rules.py`, and the bundle side (`case_exhibits`,
`build_case_bundle`) in `exhibits.py` / `bundle.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from legal_track.audit import AuditEvent, record
from legal_track.cases.access import files_for_firm, is_counsel, may_see_case
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.evidence.bundle import (
    ExhibitCandidate,
    build_case_bundle,
    case_exhibits,
    default_bundle_options,
    exhibit_candidates,
    last_bundle,
    register_lookup,
)
from legal_track.evidence.intake import EvidenceRefused, IntakeTools, check_size, inspect
from legal_track.evidence.items import items_for_case, items_for_loan, links_of
from legal_track.evidence.rules import checklist, missing_for
from legal_track.evidence.store import EvidenceStore, StoreError, sanitize_name
from legal_track.evidence.verify import StoreProblem, StoreReport, verify_store
from legal_track.models import (
    Case,
    CaseLoan,
    CustodyAction,
    CustodyEntry,
    EvidenceCategory,
    EvidenceItem,
    EvidenceLink,
    Loan,
)
from legal_track.privacy import CASE_WORKER_ROLES, check_role


@dataclass(frozen=True, slots=True)
class IntakeResult:
    item: EvidenceItem
    duplicate: bool  # the same bytes were already registered
    new_links: int


def store_for(settings: Settings | None = None) -> EvidenceStore:
    return EvidenceStore((settings or get_settings()).evidence_dir)


def intake(
    session: Session,
    *,
    data: bytes | Path,
    original_name: str,
    category: EvidenceCategory | str,
    source: str,
    purpose: str,
    captured_at: datetime | None,
    actor: str,
    now: datetime,
    case_ids: Iterable[int] = (),
    loan_ids: Iterable[int] = (),
    settings: Settings | None = None,
    tools: IntakeTools | None = None,
    role: str | None = None,
) -> IntakeResult:
    """Check, store and register one file (or link an already registered one).

    Raises EvidenceRefused (nothing stored) or LookupError / ValueError for bad links."""
    check_role(role, CASE_WORKER_ROLES, "register evidence")
    settings = settings or get_settings()
    now = utcnow_from(now)
    name = sanitize_name(original_name or (data.name if isinstance(data, Path) else ""))
    category = _category(category)
    if not actor:
        raise ValueError("actor is required for the custody log")
    if captured_at is not None:
        captured_at = utcnow_from(captured_at)
    case_ids, loan_ids = _check_targets(session, case_ids, loan_ids)
    if isinstance(data, Path):
        check_size(data.stat().st_size, name=name, max_bytes=settings.evidence_max_bytes)
        data = data.read_bytes()
    found = inspect(
        data,
        name=name,
        max_bytes=settings.evidence_max_bytes,
        tools=tools or IntakeTools.discover(),
    )
    store = EvidenceStore(settings.evidence_dir)
    original = store.put(data)  # also restores a blob that went missing
    existing = session.exec(
        select(EvidenceItem).where(EvidenceItem.sha256 == original.sha256)
    ).first()
    duplicate = existing is not None
    if existing is None:
        rendition = store.put(found.rendition) if found.rendition is not None else None
        item = EvidenceItem(
            sha256=original.sha256,
            size=original.size,
            kind=found.kind,
            original_name=name,
            category=category,
            source=source.strip(),
            purpose=purpose.strip(),
            captured_at=captured_at,
            added_by=actor,
            added_at=now,
            page_count=found.page_count,
            rendition_sha256=rendition.sha256 if rendition else None,
            rendition_note=found.rendition_note,
            repaired=found.repaired,
            bundleable=found.bundleable,
            not_bundleable_reason=found.not_bundleable_reason,
            meta=found.meta,
        )
        session.add(item)
        session.flush()
    else:
        item = existing
    new_links = _add_links(session, item, case_ids, loan_ids, actor=actor, now=now)
    detail = {"name": name, "duplicate": duplicate, "case_ids": case_ids, "loan_ids": loan_ids}
    if found.repaired:
        detail["repaired"] = found.rendition_note
    session.add(
        CustodyEntry(
            item_id=item.id, at=now, actor=actor, action=CustodyAction.added, detail=detail
        )
    )
    record(
        session,
        AuditEvent(
            actor, "evidence.added", "evidence", str(item.id), {"sha256": item.sha256, **detail}
        ),
        now=now,
    )
    session.commit()
    return IntakeResult(item, duplicate, new_links)


def add_item(
    session: Session,
    *,
    data: bytes | Path,
    original_name: str,
    category: EvidenceCategory | str,
    source: str,
    purpose: str,
    captured_at: datetime | None,
    actor: str,
    now: datetime,
    case_ids: Iterable[int] = (),
    loan_ids: Iterable[int] = (),
    settings: Settings | None = None,
    tools: IntakeTools | None = None,
    role: str | None = None,
) -> EvidenceItem:
    """Register one file; see `intake` (this returns only the item)."""
    check_role(role, CASE_WORKER_ROLES, "register evidence")
    return intake(
        session, data=data, original_name=original_name, category=category, source=source,
        purpose=purpose, captured_at=captured_at, actor=actor, now=now, case_ids=case_ids,
        loan_ids=loan_ids, settings=settings, tools=tools,
    ).item  # fmt: skip


def link_item(
    session: Session,
    *,
    item_id: int,
    actor: str,
    now: datetime,
    case_ids: Iterable[int] = (),
    loan_ids: Iterable[int] = (),
) -> int:
    """Link an item to more cases or loans; returns how many links were new."""
    now = utcnow_from(now)
    item = _item(session, item_id)
    case_ids, loan_ids = _check_targets(session, case_ids, loan_ids)
    added = _add_links(session, item, case_ids, loan_ids, actor=actor, now=now)
    detail = {"case_ids": case_ids, "loan_ids": loan_ids, "new_links": added}
    session.add(
        CustodyEntry(
            item_id=item.id, at=now, actor=actor, action=CustodyAction.linked, detail=detail
        )
    )
    record(session, AuditEvent(actor, "evidence.linked", "evidence", str(item.id), detail), now=now)
    session.commit()
    return added


def read_item(
    session: Session,
    *,
    item_id: int,
    actor: str,
    now: datetime,
    rendition: bool = False,
    settings: Settings | None = None,
    role: str | None = None,
    firm_id: int | None = None,
) -> bytes:
    """The item's bytes (checked against its hash), logged as `viewed` in its custody log.
    A counsel viewer (`role`, `firm_id`) reads only items of its firm's cases, and ID
    documents only where the firm files for the lender. A viewer sees the register but no
    content (the files carry full personal data)."""
    if not is_counsel(role):
        check_role(role, CASE_WORKER_ROLES, "open evidence files")
    now = utcnow_from(now)
    item = _item(session, item_id)
    if is_counsel(role):
        _check_counsel_item(session, item, firm_id)
    if item.purged_at is not None:
        raise StoreError(f"evidence item {item.id} was purged under the retention rules on "
                         f"{item.purged_at:%Y-%m-%d}; its file no longer exists")  # fmt: skip
    sha = item.rendition_sha256 if rendition and item.rendition_sha256 else item.sha256
    data = store_for(settings).read_bytes(sha)
    detail = {"sha256": sha, "rendition": sha != item.sha256}
    session.add(
        CustodyEntry(
            item_id=item.id, at=now, actor=actor, action=CustodyAction.viewed, detail=detail
        )
    )
    record(session, AuditEvent(actor, "evidence.viewed", "evidence", str(item.id), detail), now=now)
    session.commit()
    return data


def may_read(session: Session, *, item: EvidenceItem, role: str | None,
             firm_id: int | None = None) -> bool:  # fmt: skip
    """Whether `read_item` would give this viewer the item's content (for previews, which
    show a page of it without going through `read_item`)."""
    if not is_counsel(role):
        return role is None or str(role) in CASE_WORKER_ROLES
    try:
        _check_counsel_item(session, item, firm_id)
    except LookupError:
        return False
    return True


def _check_counsel_item(session: Session, item: EvidenceItem, firm_id: int | None) -> None:
    links = session.exec(select(EvidenceLink).where(EvidenceLink.item_id == item.id)).all()
    case_ids = {link.case_id for link in links if link.case_id is not None}
    loan_ids = [link.loan_id for link in links if link.loan_id is not None]
    if loan_ids:
        case_ids |= set(
            session.exec(select(CaseLoan.case_id).where(col(CaseLoan.loan_id).in_(loan_ids))).all()
        )
    reachable = [
        c for c in case_ids if may_see_case(session, case_id=c, role="counsel", firm_id=firm_id)
    ]
    if not reachable:
        raise LookupError(f"no evidence item {item.id}")
    if str(item.category) == EvidenceCategory.id_document.value and not any(
        files_for_firm(session, case_id=c, firm_id=firm_id) for c in reachable
    ):
        raise LookupError(f"evidence item {item.id}: ID documents go only to a firm that files")


def record_custody(
    session: Session,
    *,
    item_id: int,
    action: CustodyAction | str,
    actor: str,
    now: datetime,
    detail: dict | None = None,
) -> CustodyEntry:
    """Log a view or export that happened outside `read_item` / `build_case_bundle`
    (a preview or a download in the app)."""
    now = utcnow_from(now)
    item = _item(session, item_id)
    entry = CustodyEntry(item_id=item.id, at=now, actor=actor, action=CustodyAction(action),
                         detail=detail or {})  # fmt: skip
    session.add(entry)
    record(session, AuditEvent(actor, f"evidence.{entry.action.value}", "evidence", str(item.id),
                               detail or {}), now=now)  # fmt: skip
    session.commit()
    return entry


def custody_log(session: Session, *, item_id: int) -> list[CustodyEntry]:
    return list(
        session.exec(
            select(CustodyEntry)
            .where(CustodyEntry.item_id == item_id)
            .order_by(col(CustodyEntry.at), col(CustodyEntry.id))
        )
    )


def _item(session: Session, item_id: int) -> EvidenceItem:
    item = session.get(EvidenceItem, item_id)
    if item is None:
        raise LookupError(f"evidence item {item_id} does not exist")
    return item


def _category(value: EvidenceCategory | str) -> EvidenceCategory:
    try:
        return EvidenceCategory(value)
    except ValueError:
        known = ", ".join(c.value for c in EvidenceCategory)
        raise ValueError(f"unknown evidence category {value!r}; use one of: {known}") from None


def _check_targets(
    session: Session, case_ids: Iterable[int], loan_ids: Iterable[int]
) -> tuple[list[int], list[int]]:
    cases, loans = sorted(set(case_ids)), sorted(set(loan_ids))
    for case_id in cases:
        if session.get(Case, case_id) is None:
            raise LookupError(f"case id {case_id} does not exist")
    for loan_id in loans:
        if session.get(Loan, loan_id) is None:
            raise LookupError(f"loan id {loan_id} does not exist")
    return cases, loans


def _add_links(
    session: Session,
    item: EvidenceItem,
    case_ids: list[int],
    loan_ids: list[int],
    *,
    actor: str,
    now: datetime,
) -> int:
    have = {(link.case_id, link.loan_id) for link in links_of(session, item_id=item.id)}
    wanted = [(c, None) for c in case_ids] + [(None, loan) for loan in loan_ids]
    new = [w for w in wanted if w not in have]
    for case_id, loan_id in new:
        session.add(
            EvidenceLink(
                item_id=item.id, case_id=case_id, loan_id=loan_id, linked_by=actor, linked_at=now
            )
        )
    return len(new)


__all__ = [
    "EvidenceRefused",
    "ExhibitCandidate",
    "IntakeResult",
    "StoreProblem",
    "StoreReport",
    "add_item",
    "build_case_bundle",
    "case_exhibits",
    "checklist",
    "custody_log",
    "default_bundle_options",
    "exhibit_candidates",
    "intake",
    "items_for_case",
    "items_for_loan",
    "last_bundle",
    "link_item",
    "links_of",
    "missing_for",
    "read_item",
    "record_custody",
    "register_lookup",
    "store_for",
    "verify_store",
]
