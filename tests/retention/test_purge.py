"""Candidates and the purge, on SQLite and PostgreSQL: who is due, what goes, what stays,
the audit chain and the evidence store afterwards, roles, and a purge that fails."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from legal_track.audit import verify_chain
from legal_track.evidence.store import EvidenceStore
from legal_track.evidence.verify import verify_store
from legal_track.models import (
    AuditEntry,
    Borrower,
    Case,
    CaseEvent,
    ContactLog,
    ContactMark,
    EvidenceItem,
    GeneratedDocument,
    LedgerEntry,
    Role,
    ThirdPartyConsent,
)
from legal_track.retention import RetentionDenied, RetentionError, candidates, purge
from legal_track.retention.rules import due_on, latest_closing_due
from tests.components import require, require_binary
from tests.factories import make_case, make_loan
from tests.retention.conftest import CLOSED_LONG_AGO, NOW, TODAY, seed_case


def _refs(found) -> list[str]:
    return [c.ref for c in found]


def _text_everywhere(s, *, skip=("auditentry",)) -> str:
    """Every row of every table but the audit trail, as one text to search."""
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in skip:
            continue
        parts.extend(repr(tuple(row)) for row in s.execute(select(table)).all())
    return "\n".join(parts)


@pytest.mark.parametrize(
    "closed_on, due",
    [(date(2021, 12, 3), True), (date(2021, 12, 4), False), (date(2016, 1, 1), True)],
    ids=["exactly-five-years", "one-day-short", "long-ago"],
)
def test_candidates_follow_the_retention_boundary(db, settings, closed_on, due):
    seeded = seed_case(db, settings, closed_on=closed_on)
    found = candidates(db, today=TODAY, settings=settings)
    assert (seeded.case.ref in _refs(found)) is due, f"closed {closed_on}: due={due} expected"
    if due:
        (c,) = found
        assert c.due_on == due_on(closed_on, 5) and c.days_due == (TODAY - c.due_on).days
        h = c.holdings
        assert (h.borrower, h.parties, h.contacts, h.evidence, h.documents) == (True, 1, 3, 1, 1)


def test_leap_day_closing_falls_due_on_28_february():
    assert due_on(date(2020, 2, 29), 5) == date(2025, 2, 28)
    assert latest_closing_due(date(2025, 2, 28), 5) == date(2020, 2, 29)
    assert latest_closing_due(date(2026, 12, 3), 5) == date(2021, 12, 3)


def test_open_cases_and_borrowers_still_needed_are_not_candidates(db, settings):
    seeded = seed_case(db, settings)
    assert _refs(candidates(db, today=TODAY, settings=settings)) == [seeded.case.ref]
    # the same borrower has another, open case: the closed one is held back
    other = make_loan(db, borrower_id=seeded.borrower.id, contract_no="HT-OPEN")
    make_case(db, loans=[other])
    db.commit()
    assert candidates(db, today=TODAY, settings=settings) == [], "borrower has an open case"


def test_an_active_loan_without_a_case_holds_the_borrower_back(db, settings):
    seeded = seed_case(db, settings)
    make_loan(db, borrower_id=seeded.borrower.id, contract_no="HT-ACTIVE", status="current")
    db.commit()
    assert candidates(db, today=TODAY, settings=settings) == []


def test_a_guarantor_still_needed_elsewhere_is_kept(db, settings):
    seeded = seed_case(db, settings)
    make_loan(db, borrower_id=seeded.guarantor.id, contract_no="HT-G", status="overdue")
    db.commit()
    (c,) = candidates(db, today=TODAY, settings=settings)
    assert (c.holdings.parties, c.holdings.parties_kept) == (0, 1)
    report = purge(db, case_ids=[c.case_id], actor="admin", role=Role.admin, now=NOW,
                   today=TODAY, settings=settings)  # fmt: skip
    assert report.cases[0].parties_kept == 1
    db.expire_all()
    assert db.get(Borrower, seeded.guarantor.id).name == "司马青", "guarantor still needed"
    assert db.get(Borrower, seeded.borrower.id).purged_at is not None


def test_purge_removes_every_piece_of_personal_data_and_keeps_the_case(db, settings):
    seeded = seed_case(db, settings)
    store = EvidenceStore(settings.evidence_dir)
    assert store.has(seeded.item.sha256) and seeded.document_path.is_file()
    before = _text_everywhere(db)
    assert all(v in before for v in seeded.secrets), "the seed holds every identifier"
    events_before = db.execute(select(func.count()).select_from(CaseEvent)).scalar()

    report = purge(db, case_ids=[seeded.case.id], actor="admin", role="admin", now=NOW,
                   today=TODAY, settings=settings)  # fmt: skip

    (done,) = report.cases
    assert (done.ref, done.people, done.contacts, done.evidence, done.documents) == (
        seeded.case.ref, 2, 3, 1, 1)  # fmt: skip
    assert report.files.failed == [] and report.files.removed == 2
    db.expire_all()
    after = _text_everywhere(db)
    left = [v for v in seeded.secrets if v in after]
    assert left == [], f"personal data left in the database: {left}"
    assert not store.has(seeded.item.sha256), "ID-card scan deleted from the store"
    assert not seeded.document_path.exists(), "generated document deleted"
    borrower = db.get(Borrower, seeded.borrower.id)
    assert borrower.name == f"已清除#{borrower.id}" and borrower.phone is None
    assert borrower.purged_at is not None
    case = db.get(Case, seeded.case.id)
    assert case.purged_at is not None and case.claim_total == "12000.00"
    assert (case.stage, case.closed_on, case.close_reason) == ("closed", CLOSED_LONG_AGO, "paid")
    assert db.execute(select(func.count()).select_from(CaseEvent)).scalar() == events_before
    assert db.execute(select(func.count()).select_from(LedgerEntry)).scalar() == 1
    item = db.get(EvidenceItem, seeded.item.id)
    assert item.sha256 == seeded.item.sha256 and item.purged_at is not None
    assert db.get(GeneratedDocument, seeded.document.id).context == {}
    contacts = db.execute(select(ContactLog)).scalars().all()
    assert all(c.content == "" and c.target.startswith("已清除#") for c in contacts)
    assert db.execute(select(func.count()).select_from(ThirdPartyConsent)).scalar() == 0
    (mark,) = db.execute(select(ContactMark)).scalars().all()
    assert mark.reason == "已清除的姐姐已清除，已复核", "the decision stays, the names go"
    # not a candidate any more
    assert candidates(db, today=TODAY, settings=settings) == []


def test_audit_chain_verifies_after_a_purge_and_its_entry_holds_no_personal_data(db, settings):
    seeded = seed_case(db, settings)
    purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW, today=TODAY,
          settings=settings)  # fmt: skip
    report = verify_chain(db)
    assert report.ok, report.problem
    (entry,) = db.execute(
        select(AuditEntry).where(AuditEntry.action == "retention.purge")
    ).scalars()  # fmt: skip
    assert entry.object_id == seeded.case.ref and entry.detail["people"] == 2
    text = repr((entry.actor, entry.object_id, entry.detail))
    assert not [v for v in seeded.secrets if v in text], "the purge entry names nobody"


def test_evidence_verify_reports_purged_files_not_missing(db, settings):
    seeded = seed_case(db, settings)
    purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW, today=TODAY,
          settings=settings)  # fmt: skip
    report = verify_store(db, actor="admin", now=NOW, settings=settings)
    assert report.ok and report.problems == [], report.problems
    assert [p.item_id for p in report.purged] == [seeded.item.id]
    assert report.purged[0].still_stored is False and report.orphans == []


@pytest.mark.parametrize("role", [Role.lead, Role.staff, Role.viewer, Role.counsel, "nobody"],
                         ids=str)  # fmt: skip
def test_only_an_admin_may_purge(db, settings, role):
    seeded = seed_case(db, settings)
    with pytest.raises(RetentionDenied, match="only an admin"):
        purge(db, case_ids=[seeded.case.id], actor="x", role=role, now=NOW, today=TODAY,
              settings=settings)  # fmt: skip
    db.expire_all()
    assert db.get(Borrower, seeded.borrower.id).purged_at is None


def test_a_case_that_is_not_due_is_refused_with_a_reason(db, settings):
    seeded = seed_case(db, settings, closed_on=date(2024, 1, 1))
    with pytest.raises(RetentionError, match=f"not due for purge on 2026-12-03: {seeded.case.ref}"):
        purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW,
              today=TODAY, settings=settings)  # fmt: skip
    with pytest.raises(RetentionError, match="no case with id 999"):
        purge(db, case_ids=[999], actor="admin", role=Role.admin, now=NOW, today=TODAY,
              settings=settings)  # fmt: skip


def test_a_retention_period_below_the_floor_is_refused(db, settings):
    seed_case(db, settings)
    short = settings.model_copy(update={"retention_years": 2})
    with pytest.raises(RetentionError, match="shorter than the floor of 3 years"):
        candidates(db, today=TODAY, settings=short)


def test_a_failure_mid_purge_leaves_nothing_changed(db, settings):
    first = seed_case(db, settings)
    second = seed_case(db, settings, closed_on=date(2020, 1, 10))
    store = EvidenceStore(settings.evidence_dir)
    audit_before = db.execute(select(func.count()).select_from(AuditEntry)).scalar()
    before = _text_everywhere(db)

    def interrupted(done, total):
        if done == 1:  # the first case is changed (and flushed), the second not yet
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        purge(db, case_ids=[first.case.id, second.case.id], actor="admin", role=Role.admin,
              now=NOW, today=TODAY, settings=settings, progress=interrupted)  # fmt: skip
    db.expire_all()
    assert _text_everywhere(db) == before, "every row as it was"
    assert db.execute(select(func.count()).select_from(AuditEntry)).scalar() == audit_before
    assert store.has(first.item.sha256) and first.document_path.is_file(), "every file there"
    assert verify_chain(db).ok
    assert len(candidates(db, today=TODAY, settings=settings)) == 2, "both still due"


@contextmanager
def _undeletable(path: Path):
    """`path` cannot be deleted while inside: its folder read-only, or, as root (whom
    permissions do not stop), the file immutable (`chattr +i`, needs CAP_LINUX_IMMUTABLE
    and a file system with the attribute: CI's runner has both)."""
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
        try:
            yield
        finally:
            path.parent.chmod(0o755)
        return
    chattr = require_binary("chattr", "e2fsprogs")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, text=True)
    require(made.returncode == 0, "an immutable file (chattr +i)", made.stderr.strip())
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_files_that_could_not_be_deleted_are_named_and_removed_by_the_next_run(db, settings):
    seeded = seed_case(db, settings)
    with _undeletable(seeded.document_path):  # the document cannot go after the commit
        report = purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW,
                       today=TODAY, settings=settings)  # fmt: skip
    assert report.files.failed, "the undeletable document is reported"
    assert str(seeded.document_path) in report.files.failed[0]
    db.expire_all()
    assert db.get(Case, seeded.case.id).purged_at is not None, "the database is purged"
    from legal_track.retention import remove_purged_files

    sweep = remove_purged_files(db, settings=settings)
    assert sweep.removed == 1 and not seeded.document_path.exists()


def test_due_cases_of_the_same_borrower_are_purged_together(db, settings):
    seeded = seed_case(db, settings)
    loan = make_loan(db, borrower_id=seeded.borrower.id, contract_no="HT-OLD2", status="paid_off")
    older = make_case(db, loans=[loan], stage="closed", closed_on=date(2019, 5, 5),
                      close_reason="settled")  # fmt: skip
    db.commit()
    report = purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW,
                   today=TODAY, settings=settings)  # fmt: skip
    assert sorted(c.ref for c in report.cases) == sorted([seeded.case.ref, older.ref])
    assert verify_chain(db).ok


def test_files_left_by_a_crash_after_the_commit_are_reported_and_swept(db, settings):
    """A crash between the commit and the deletion leaves purged rows whose files remain:
    evidence verify says so, and the next run deletes them."""
    from legal_track.retention import remove_purged_files

    seeded = seed_case(db, settings)
    store = EvidenceStore(settings.evidence_dir)
    scan = store.read_bytes(seeded.item.sha256)
    purge(db, case_ids=[seeded.case.id], actor="admin", role=Role.admin, now=NOW, today=TODAY,
          settings=settings)  # fmt: skip
    store.put(scan)  # the state a crash right after the commit leaves behind
    seeded.document_path.write_bytes(b"left over")
    report = verify_store(db, actor="admin", now=NOW, settings=settings)
    assert report.ok and report.purged[0].still_stored and report.orphans == []
    sweep = remove_purged_files(db, settings=settings)
    assert sweep.removed == 2 and sweep.failed == []
    assert not store.has(seeded.item.sha256) and not seeded.document_path.exists()
