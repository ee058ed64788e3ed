"""The case bundle: the case's exhibits (see `evidence.exhibits`) through the PDF engine
(``legal_track.pdf.bundle``, bundle helper), with custody, provenance and audit.

Once a bundle is built its rendered exhibits (data exhibits, printouts) are kept in the
evidence store and recorded as GeneratedFile rows (kind "exhibit"), so
`register_lookup` can verify the bundle against the register long after the cache is
gone or the data has changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from legal_track import __version__
from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.evidence.exhibits import (
    ExhibitCandidate,
    ExhibitError,
    case_of,
    exhibit_candidates,
    prepare,
)
from legal_track.evidence.rules import case_loans, load_rules
from legal_track.evidence.store import EvidenceStore
from legal_track.models import (
    Borrower,
    Creditor,
    CustodyAction,
    CustodyEntry,
    EvidenceItem,
    GeneratedFile,
)
from legal_track.privacy import CASE_WORKER_ROLES, check_role

if TYPE_CHECKING:
    from legal_track.pdf.bundle import BundleOptions, BundleResult, ExhibitInput


def case_exhibits(
    session: Session,
    *,
    case_id: int,
    order: Sequence[str] | None = None,
    today: date | None = None,
    group_by_category: bool = False,
    settings: Settings | None = None,
) -> list[ExhibitInput]:
    """The case's exhibits as bundle inputs, materialised in the exhibit cache.

    `order` lists exhibit keys (see `exhibit_candidates`) in the wanted order and chooses
    which go in; None means every bundleable exhibit in the route's default order.
    `today` is printed on data exhibits as their production date (none when None).
    `group_by_category` numbers adjacent exhibits of one category 证据N-1, 证据N-2 …"""
    prepared = prepare(session, case_id, order, today, settings, group_by_category)
    return [p_input for p_input, _ in prepared]


def build_case_bundle(
    session: Session,
    *,
    case_id: int,
    out: Path,
    options: BundleOptions,
    actor: str,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    order: Sequence[str] | None = None,
    group_by_category: bool = False,
    previous: Path | None = None,
    append: bool = False,
    settings: Settings | None = None,
    role: str | None = None,
) -> BundleResult:
    """Build the case's bundle PDF, log each item as `exported`, record a GeneratedFile
    per volume (output SHA-256, the inputs' hashes, builder and rule versions), audit.

    `previous` is an earlier bundle of the case (see `last_bundle`): the result's
    `changes` lists the index rows whose numbers or pages moved; with `append=True` the
    earlier exhibits keep their pages and the new ones follow (bundle engine rules)."""
    check_role(role, CASE_WORKER_ROLES, "build evidence bundles")
    from legal_track.pdf import bundle as engine
    from legal_track.pdf.fonts import find_cjk_font

    settings = settings or get_settings()
    now = utcnow_from(now)
    prepared = prepare(session, case_id, order, options.on, settings, group_by_category)
    result = engine.build_bundle(
        [i for i, _ in prepared], options, Path(out), progress=progress,
        previous=Path(previous) if previous else None, append=append,
        font=find_cjk_font(settings),
    )  # fmt: skip
    inputs = [
        {"key": p.candidate.key, "name": p.candidate.name, "sha256": p.sha256,
         **({"data_sha256": p.data_sha256} if p.data_sha256 else {}),
         **({"original_sha256": p.candidate.sha256} if p.candidate.sha256 else {})}
        for _, p in prepared
    ]  # fmt: skip
    versions = {
        "builder": f"legal-track {__version__}",
        "bundle": str(getattr(engine, "BUILDER", "")),
        "exhibits": _renderer_version(),
        "evidence_rules": f"evidence_requirements@{load_rules().version}",
    }
    volumes = [Path(v) for v in result.volumes]
    for n, (volume, sha) in enumerate(zip(volumes, result.sha256, strict=True), start=1):
        session.add(
            GeneratedFile(
                kind="bundle", path=str(volume), sha256=sha, size=volume.stat().st_size,
                inputs=inputs, versions=versions | {"volume": f"{n}/{len(volumes)}"},
                case_id=case_id, created_at=now, actor=actor,
            )
        )  # fmt: skip
    _keep_rendered(session, prepared, case_id=case_id, actor=actor, now=now, settings=settings)
    for _, p in prepared:
        if p.candidate.item_id is not None:
            session.add(
                CustodyEntry(
                    item_id=p.candidate.item_id, at=now, actor=actor, action=CustodyAction.exported,
                    detail={"bundle": [str(v) for v in volumes], "bundle_sha256": list(result.sha256),
                            "exhibit_sha256": p.sha256},
                )
            )  # fmt: skip
    record(
        session,
        AuditEvent(actor, "evidence.bundle_built", "case", str(case_id),
                   {"volumes": [str(v) for v in volumes], "sha256": list(result.sha256),
                    "exhibits": len(prepared), "pages": result.page_count}),
        now=now,
    )  # fmt: skip
    session.commit()
    return result


def _keep_rendered(session, prepared, *, case_id, actor, now, settings) -> None:
    """Put the rendered exhibits of a built bundle into the store and record each once as
    a GeneratedFile (kind "exhibit"), so the bundle can be verified against the register
    after the cache is gone or the data has changed."""
    store = EvidenceStore(settings.evidence_dir)
    for _, p in prepared:
        if not p.rendered:
            continue
        blob = store.put(p.path.read_bytes())
        known = session.exec(
            select(GeneratedFile.id).where(
                GeneratedFile.kind == "exhibit", GeneratedFile.sha256 == blob.sha256
            )
        ).first()
        if known is not None:
            continue
        source = (
            {"data_sha256": p.data_sha256}
            if p.data_sha256
            else {"original_sha256": p.candidate.sha256}
        )
        session.add(
            GeneratedFile(
                kind="exhibit", path=str(blob.path), sha256=blob.sha256, size=blob.size,
                inputs=[{"key": p.candidate.key, "name": p.candidate.name, **source}],
                versions={"exhibits": _renderer_version()}, case_id=case_id, created_at=now,
                actor=actor,
            )
        )  # fmt: skip


def register_lookup(
    session: Session, *, settings: Settings | None = None
) -> Callable[[str], Path | None]:
    """SHA-256 -> stored file, for `verify_bundle(..., lookup=...)`: registered items,
    their PDF renditions and the rendered exhibits of earlier bundles."""
    store = EvidenceStore((settings or get_settings()).evidence_dir)

    def lookup(sha256: str) -> Path | None:
        item = session.exec(
            select(EvidenceItem.id).where(
                (EvidenceItem.sha256 == sha256) | (EvidenceItem.rendition_sha256 == sha256)
            )
        ).first()
        made = session.exec(
            select(GeneratedFile.id).where(
                GeneratedFile.kind == "exhibit", GeneratedFile.sha256 == sha256
            )
        ).first()
        return store.path_for(sha256) if item is not None or made is not None else None

    return lookup


def last_bundle(session: Session, *, case_id: int) -> GeneratedFile | None:
    """The most recent bundle built for the case (first volume), if any."""
    return session.exec(
        select(GeneratedFile)
        .where(GeneratedFile.case_id == case_id, GeneratedFile.kind == "bundle")
        .order_by(col(GeneratedFile.created_at).desc(), col(GeneratedFile.id))
    ).first()


def default_bundle_options(
    session: Session, *, case_id: int, on: date, **overrides: Any
) -> BundleOptions:
    """Cover-page options from the case: reference, parties, court or commission."""
    from legal_track.pdf.bundle import BundleOptions

    case = case_of(session, case_id)
    borrower = session.get(Borrower, case.borrower_id)
    loans = case_loans(session, case_id)
    creditor_names = []
    for loan in loans:
        creditor = session.get(Creditor, loan.creditor_id)
        if creditor and creditor.name not in creditor_names:
            creditor_names.append(creditor.name)
    parties = tuple(f"申请人/原告：{n}" for n in creditor_names)
    if borrower:
        parties += (f"被申请人/被告：{borrower.name}",)
    values: dict[str, Any] = dict(
        title="证据材料", case_ref=case.ref, parties=parties, forum=case.forum or "", on=on,
        prefix=case.ref,
    )  # fmt: skip
    return BundleOptions(**(values | overrides))


# --- preparing inputs ---------------------------------------------------------------------


def _renderer_version() -> str:
    from legal_track.pdf.exhibits import RENDERER_VERSION

    return RENDERER_VERSION


__all__ = [
    "ExhibitCandidate",
    "ExhibitError",
    "build_case_bundle",
    "case_exhibits",
    "default_bundle_options",
    "exhibit_candidates",
    "last_bundle",
    "register_lookup",
]
