"""Generate one document for one case: preflight, render, store, record.

`render_document` is the service behind the case page and `legal-track docs render`:
the active template version, the case's view-model, preflight (errors stop it),
the .docx (and the PDF when asked and LibreOffice is installed), then one
`GeneratedDocument` row (template id + version, SHA-256 of the canonical context
JSON, SHA-256 of the file) plus the `GeneratedFile` record, audited, one commit.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.context import CaseData, build_case_data
from legal_track.documents.convert import docx_to_pdf, require_soffice
from legal_track.documents.errors import PreflightFailed
from legal_track.documents.preflight import PreflightResult, preflight_case
from legal_track.documents.registry import TemplateVersion, load_active, local_today
from legal_track.documents.viewmodel import canonical_json, context_hash
from legal_track.files import write_atomic
from legal_track.models import GeneratedDocument, GeneratedFile
from legal_track.privacy import CASE_WORKER_ROLES, check_role


@dataclass
class Prepared:
    """A template ready to render and a case checked against it."""

    template: TemplateVersion
    compiled: CompiledTemplate
    paths: set[str]
    data: CaseData
    preflight: PreflightResult


def prepare(session: Session, *, template_id: str, case_id: int, now: datetime, cutoff: date | None = None,
            payment_days: int = 7, settings: Settings | None = None) -> Prepared:  # fmt: skip
    """Load the active template and the case's context, and run preflight (nothing written
    except the first registration of the shipped templates)."""
    settings = settings or get_settings()
    template, compiled, paths = load_active(
        session, template_id=template_id, now=now, settings=settings
    )
    data = build_case_data(session, case_id=case_id, today=local_today(now, settings), cutoff=cutoff,
                           payment_days=payment_days)  # fmt: skip
    return Prepared(
        template, compiled, paths, data, preflight_case(session, data, template.meta, paths)
    )


def default_name(case_ref: str, template_id: str, version: str, now: datetime) -> str:
    return f"{case_ref}_{template_id}_v{version}_{utcnow_from(now):%Y%m%dT%H%M%S}.docx"


def render_document(
    session: Session,
    *,
    template_id: str,
    case_id: int,
    actor: str,
    now: datetime,
    out: Path | None = None,
    pdf: bool = False,
    cutoff: date | None = None,
    payment_days: int = 7,
    settings: Settings | None = None,
    role: str | None = None,
) -> GeneratedDocument:
    """Generate `template_id` for case `case_id` into `out` (default: under output_dir/cases/).

    Raises PreflightFailed listing every blocking problem; ConversionUnavailable when
    `pdf` is asked and LibreOffice is missing (checked before anything is written)."""
    check_role(role, CASE_WORKER_ROLES, "generate documents")
    settings = settings or get_settings()
    if pdf:
        require_soffice(settings)
    prep = prepare(session, template_id=template_id, case_id=case_id, now=now, cutoff=cutoff,
                   payment_days=payment_days, settings=settings)  # fmt: skip
    if not prep.preflight.ok:
        raise PreflightFailed(prep.template.label, prep.data.case.ref, prep.preflight.errors)
    context = prep.data.context.data()
    docx = prep.compiled.render(context)
    case = prep.data.case
    target = Path(out) if out else settings.output_dir / "cases" / case.ref / default_name(
        case.ref, template_id, prep.template.version, now)  # fmt: skip
    written: list[Path] = []
    try:
        write_atomic(target, docx)
        written.append(target)
        pdf_path = pdf_sha = None
        if pdf:
            with tempfile.TemporaryDirectory(prefix="lt-pdf-") as tmp:
                made = docx_to_pdf(target, Path(tmp), settings=settings)
                pdf_path = target.with_suffix(".pdf")
                write_atomic(pdf_path, made.read_bytes())
                written.append(pdf_path)
            pdf_sha = hashlib.sha256(pdf_path.read_bytes()).hexdigest()
        doc = record_generated(session, case_id=case.id, template=prep.template, context=context, data=docx,
                               path=target, actor=actor, now=now, pdf_path=pdf_path, pdf_sha=pdf_sha)  # fmt: skip
        record(session, AuditEvent(actor, "document.generate", "case", str(case.id), {
            "template": prep.template.label, "sha256": doc.sha256, "context_sha256": doc.context_sha256,
            "path": str(target), "pdf": bool(pdf_path),
            "warnings": [p.message for p in prep.preflight.warnings],
        }), now=now)  # fmt: skip
        session.commit()
    except BaseException:
        session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return doc


def document_values(
    *, case_id: int, template: TemplateVersion, context: dict, data: bytes, path: Path, actor: str,
    now: datetime, zip_member: str | None = None, pdf_path: Path | None = None, pdf_sha: str | None = None,
    pdf_member: str | None = None, batch_id: str | None = None, file_id: int | None = None,
) -> dict:  # fmt: skip
    """The column values of a GeneratedDocument row (hashes computed here)."""
    return dict(
        case_id=case_id, template_id=template.id, template_version=template.version,
        template_sha256=template.sha256, context_sha256=context_hash(context), context=context,
        cutoff=date.fromisoformat(context["claim"]["cutoff"]["iso"]), sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), path=str(path), zip_member=zip_member, pdf_sha256=pdf_sha,
        pdf_path=str(pdf_path) if pdf_path else None, pdf_member=pdf_member, batch_id=batch_id,
        file_id=file_id, actor=actor, created_at=utcnow_from(now),
    )  # fmt: skip


def record_generated(
    session: Session, *, case_id: int, template: TemplateVersion, context: dict, data: bytes, path: Path,
    actor: str, now: datetime, pdf_path: Path | None = None, pdf_sha: str | None = None,
) -> GeneratedDocument:  # fmt: skip
    """Add one generated file's GeneratedDocument and GeneratedFile records to the session."""
    values = document_values(case_id=case_id, template=template, context=context, data=data, path=path,
                             actor=actor, now=now, pdf_path=pdf_path, pdf_sha=pdf_sha)  # fmt: skip
    when = values["created_at"]
    file = GeneratedFile(
        kind="document", path=str(path), sha256=values["sha256"], size=len(data), case_id=case_id,
        inputs=[{"name": "context.json", "sha256": values["context_sha256"]},
                {"name": template.label, "sha256": template.sha256}],
        versions={"template": template.label}, created_at=when, actor=actor,
    )  # fmt: skip
    session.add(file)
    if pdf_path is not None:
        session.add(GeneratedFile(
            kind="document_pdf", path=str(pdf_path), sha256=pdf_sha or "", size=pdf_path.stat().st_size,
            case_id=case_id, inputs=[{"name": path.name, "sha256": values["sha256"]}],
            versions={"template": template.label}, created_at=when, actor=actor,
        ))  # fmt: skip
    session.flush()
    doc = GeneratedDocument(**(values | {"file_id": file.id}))
    session.add(doc)
    return doc


def context_json(doc: GeneratedDocument) -> str:
    """The canonical JSON whose SHA-256 is `doc.context_sha256`."""
    return canonical_json(doc.context)
