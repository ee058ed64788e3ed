"""`legal-track evidence verify`: re-hash every stored file the register refers to.

Items and rendered exhibits purged by the retention purge (`purged_at` set) are not
checked: their files were deleted on purpose. They are listed as purged (with a flag when
the file is still in the store, i.e. the purge's file deletion has not finished yet)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.evidence.store import BlobState, EvidenceStore
from legal_track.models import EvidenceItem, GeneratedFile


@dataclass(frozen=True, slots=True)
class StoreProblem:
    item_id: int | None  # None for a rendered exhibit (see generated_id)
    sha256: str
    role: str  # "original", "rendition" or "exhibit" (rendered exhibit of a bundle)
    state: BlobState  # missing or mismatch
    name: str
    generated_id: int | None = None


@dataclass(frozen=True, slots=True)
class PurgedFile:
    item_id: int | None
    sha256: str
    role: str
    generated_id: int | None = None
    still_stored: bool = False  # the purge's deletion has not reached it yet


@dataclass(slots=True)
class StoreReport:
    checked: int = 0
    problems: list[StoreProblem] = field(default_factory=list)
    purged: list[PurgedFile] = field(default_factory=list)  # deleted by the retention purge
    orphans: list[str] = field(default_factory=list)  # stored blobs no item refers to

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(
    session: Session,
    *,
    actor: str,
    now: datetime,
    settings: Settings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StoreReport:
    """Re-hash every stored file of the register (originals, PDF renditions, rendered
    exhibits of built bundles); report missing and altered ones."""
    store = EvidenceStore((settings or get_settings()).evidence_dir)
    items = session.exec(select(EvidenceItem).order_by(col(EvidenceItem.id))).all()
    made = session.exec(
        select(GeneratedFile).where(GeneratedFile.kind == "exhibit").order_by(col(GeneratedFile.id))
    ).all()
    jobs: list[tuple[int | None, int | None, str, str, str]] = []
    gone: list[tuple[int | None, int | None, str, str]] = []
    for item in items:
        for sha, role in ((item.sha256, "original"), (item.rendition_sha256, "rendition")):
            if sha and item.purged_at is not None:
                gone.append((item.id, None, sha, role))
            elif sha:
                jobs.append((item.id, None, sha, role, item.original_name))
    for gen in made:
        if gen.purged_at is not None:
            gone.append((None, gen.id, gen.sha256, "exhibit"))
            continue
        name = gen.inputs[0].get("name", "") if gen.inputs else ""
        jobs.append((None, gen.id, gen.sha256, "exhibit", name))
    report = StoreReport()
    known: set[str] = set()
    for item_id, gen_id, sha, role in gone:
        report.purged.append(PurgedFile(item_id, sha, role, gen_id, still_stored=store.has(sha)))
    for done, (item_id, gen_id, sha, role, name) in enumerate(jobs, start=1):
        if sha not in known:
            known.add(sha)
            report.checked += 1
            state = store.check(sha)
            if state is not BlobState.ok:
                report.problems.append(StoreProblem(item_id, sha, role, state, name, gen_id))
        if progress:
            progress(done, len(jobs))
    known.update(p.sha256 for p in report.purged)  # a leftover of a purge is no orphan
    report.orphans = [p.name for p in store.iter_blobs() if p.name not in known]
    detail = {
        "checked": report.checked,
        "problems": [
            {"item_id": p.item_id, "sha256": p.sha256, "state": p.state.value}
            for p in report.problems
        ],
        "orphans": len(report.orphans),
        "purged": len(report.purged),
    }
    record(
        session,
        AuditEvent(actor, "evidence.verified", "evidence", "", detail),
        now=utcnow_from(now),
    )
    session.commit()
    return report
