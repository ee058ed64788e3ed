"""The template registry: shipped and uploaded versions, which one is active.

Every version lives in the database (`DocumentTemplate`: metadata, sample, SHA-256)
and as files under `settings.templates_dir/<id>/<version>/` (template.docx,
meta.toml, sample.json). The shipped templates in `doc_templates/` are registered
on first use. A version is immutable: a shipped file that changed without a new
version number is refused. Upload checks a version first (syntax, fields, renders
with its sample); activate and rollback switch the active version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.documents.check import CheckReport, check_template, template_paths
from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.env import make_env
from legal_track.documents.errors import DocumentError, MetadataError, TemplateNotFoundError
from legal_track.documents.metadata import TemplateMeta, parse_meta, read_meta, read_sample
from legal_track.files import write_atomic
from legal_track.models import DocumentTemplate
from legal_track.privacy import DECIDER_ROLES, check_role

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "doc_templates"
SYSTEM_ACTOR = "system"


class TemplateCheckFailed(DocumentError):
    def __init__(self, report: CheckReport) -> None:
        self.report = report
        super().__init__("; ".join(report.problems))


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    row_id: int
    meta: TemplateMeta
    sample: dict
    sha256: str
    path: Path
    active: bool
    source: str
    created_by: str
    created_at: datetime

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def label(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"

    def read(self) -> bytes:
        """The template bytes, checked against the registered SHA-256."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise TemplateNotFoundError(
                f"template {self.label}: file {self.path} is missing"
            ) from None
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise DocumentError(
                f"template {self.label}: {self.path} changed on disk (SHA-256 differs)"
            )
        return data


@dataclass(frozen=True, slots=True)
class Shipped:
    meta: TemplateMeta
    docx: Path
    meta_text: str
    sample_text: str


def shipped_templates(directory: Path = BUILTIN_DIR) -> list[Shipped]:
    """The templates in doc_templates/: <id>.docx + <id>.toml + <id>.sample.json."""
    out = []
    for meta_path in sorted(directory.glob("*.toml")):
        meta_text = meta_path.read_text(encoding="utf-8")
        meta = read_meta(meta_text, where=str(meta_path))
        docx = directory / f"{meta.id}.docx"
        sample = directory / f"{meta.id}.sample.json"
        if meta_path.stem != meta.id or not docx.exists() or not sample.exists():
            raise MetadataError(
                f"{meta_path}: needs {docx.name} and {sample.name} beside it, same id"
            )
        out.append(Shipped(meta, docx, meta_text, sample.read_text(encoding="utf-8")))
    return out


def _store(
    settings: Settings, meta: TemplateMeta, data: bytes, meta_text: str, sample_text: str
) -> str:
    folder = Path(meta.id) / meta.version
    root = settings.templates_dir / folder
    write_atomic(root / "template.docx", data)
    write_atomic(root / "meta.toml", meta_text.encode("utf-8"))
    write_atomic(root / "sample.json", sample_text.encode("utf-8"))
    return str(folder / "template.docx")


def _view(row: DocumentTemplate, settings: Settings) -> TemplateVersion:
    meta = parse_meta(row.meta, where=f"template {row.template_id}@{row.version}")
    return TemplateVersion(
        row_id=row.id, meta=meta, sample=row.sample, sha256=row.sha256,
        path=settings.templates_dir / row.path, active=row.active, source=row.source,
        created_by=row.created_by, created_at=row.created_at,
    )  # fmt: skip


def ensure_builtin(session: Session, *, now: datetime, settings: Settings | None = None,
                   directory: Path = BUILTIN_DIR) -> int:  # fmt: skip
    """Register shipped template versions not yet in the registry; returns how many."""
    settings = settings or get_settings()
    rows = {(r.template_id, r.version): r for r in session.exec(select(DocumentTemplate))}
    active = {r.template_id for r in rows.values() if r.active}
    added = 0
    for shipped in shipped_templates(directory):
        data = shipped.docx.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        key = (shipped.meta.id, shipped.meta.version)
        if key in rows:
            row = rows[key]
            if row.sha256 != sha and row.source == "builtin":
                raise DocumentError(
                    f"template {shipped.meta.id}: {shipped.docx} changed but version "
                    f"{shipped.meta.version} is already registered; give it a new version"
                )
            if not (settings.templates_dir / row.path).exists() and row.sha256 == sha:
                _store(settings, shipped.meta, data, shipped.meta_text, shipped.sample_text)
            continue
        sample = read_sample(
            shipped.sample_text, where=str(shipped.docx.with_suffix(".sample.json"))
        )
        path = _store(settings, shipped.meta, data, shipped.meta_text, shipped.sample_text)
        session.add(DocumentTemplate(
            template_id=shipped.meta.id, version=shipped.meta.version, sha256=sha, path=path,
            meta=shipped.meta.as_dict(), sample=sample, source="builtin",
            active=shipped.meta.id not in active, created_by=SYSTEM_ACTOR, created_at=utcnow_from(now),
            activated_at=utcnow_from(now) if shipped.meta.id not in active else None,
        ))  # fmt: skip
        active.add(shipped.meta.id)
        added += 1
    if added:
        record(session, AuditEvent(SYSTEM_ACTOR, "template.register_builtin", "template", "",
                                   {"count": added}), now=now)  # fmt: skip
        try:
            session.commit()
        except IntegrityError:  # another process registered them at the same moment
            session.rollback()
            return 0
    return added


def list_templates(session: Session, *, settings: Settings | None = None) -> list[TemplateVersion]:
    """Every registered version, by template id then newest first."""
    settings = settings or get_settings()
    rows = session.exec(select(DocumentTemplate).order_by(col(DocumentTemplate.template_id),
                                                          col(DocumentTemplate.id).desc()))  # fmt: skip
    return [_view(r, settings) for r in rows]


def _row(session: Session, template_id: str, version: str | None = None) -> DocumentTemplate:
    query = select(DocumentTemplate).where(DocumentTemplate.template_id == template_id)
    query = (
        query.where(DocumentTemplate.version == version)
        if version
        else query.where(col(DocumentTemplate.active).is_(True))
    )
    row = session.exec(query).first()
    if row is None:
        known = sorted(set(session.exec(select(DocumentTemplate.template_id))))
        what = (
            f"version {version} of template {template_id!r}"
            if version
            else f"template {template_id!r}"
        )
        raise TemplateNotFoundError(f"no {what}; known templates: {', '.join(known) or 'none'}")
    return row


def active_template(
    session: Session, *, template_id: str, settings: Settings | None = None
) -> TemplateVersion:
    """The active version of `template_id` (TemplateNotFoundError lists the known ids)."""
    return _view(_row(session, template_id), settings or get_settings())


def get_template(session: Session, *, template_id: str, version: str,
                 settings: Settings | None = None) -> TemplateVersion:  # fmt: skip
    return _view(_row(session, template_id, version), settings or get_settings())


def upload_template(session: Session, *, data: bytes, meta_text: str, sample_text: str, actor: str,
                    now: datetime, activate: bool = False,
                    settings: Settings | None = None, role: str | None = None) -> TemplateVersion:  # fmt: skip
    """Check and register a new version. Raises TemplateCheckFailed (with the report) or
    MetadataError; nothing is stored unless every check passes."""
    check_role(role, DECIDER_ROLES, "manage templates")
    settings = settings or get_settings()
    meta = read_meta(meta_text, where="uploaded metadata")
    sample = read_sample(sample_text, where="uploaded sample context")
    report = check_template(data, meta, sample, timezone=settings.timezone)
    if not report.ok:
        raise TemplateCheckFailed(report)
    exists = session.exec(select(DocumentTemplate).where(
        DocumentTemplate.template_id == meta.id, DocumentTemplate.version == meta.version)).first()  # fmt: skip
    if exists is not None:
        raise MetadataError(f"template {meta.id} version {meta.version} already exists; "
                            "give the upload a new version")  # fmt: skip
    path = _store(settings, meta, data, meta_text, sample_text)
    sha = hashlib.sha256(data).hexdigest()
    when = utcnow_from(now)
    has_active = session.exec(select(DocumentTemplate).where(
        DocumentTemplate.template_id == meta.id, col(DocumentTemplate.active).is_(True))).first()  # fmt: skip
    make_active = activate or has_active is None
    if make_active and has_active is not None:
        has_active.active = False
        session.add(has_active)
    row = DocumentTemplate(template_id=meta.id, version=meta.version, sha256=sha, path=path,
                           meta=meta.as_dict(), sample=sample, source="upload", active=make_active,
                           created_by=actor, created_at=when, activated_at=when if make_active else None)  # fmt: skip
    session.add(row)
    record(session, AuditEvent(actor, "template.upload", "template", f"{meta.id}@{meta.version}",
                               {"sha256": sha, "active": make_active}), now=now)  # fmt: skip
    session.commit()
    return _view(row, settings)


def activate_version(session: Session, *, template_id: str, version: str, actor: str, now: datetime,
                     settings: Settings | None = None, role: str | None = None) -> TemplateVersion:  # fmt: skip
    """Make `version` the active one (re-checked against its sample first)."""
    check_role(role, DECIDER_ROLES, "manage templates")
    settings = settings or get_settings()
    target = _row(session, template_id, version)
    view = _view(target, settings)
    report = check_template(view.read(), view.meta, view.sample, timezone=settings.timezone)
    if not report.ok:
        raise TemplateCheckFailed(report)
    previous = ""
    for row in session.exec(select(DocumentTemplate).where(DocumentTemplate.template_id == template_id,
                                                           col(DocumentTemplate.active).is_(True))):  # fmt: skip
        previous = row.version
        row.active = False
        session.add(row)
    target.active = True
    target.activated_at = utcnow_from(now)
    session.add(target)
    record(session, AuditEvent(actor, "template.activate", "template", f"{template_id}@{version}",
                               {"previous": previous}), now=now)  # fmt: skip
    session.commit()
    return _view(target, settings)


def rollback(session: Session, *, template_id: str, actor: str, now: datetime,
             settings: Settings | None = None, role: str | None = None) -> TemplateVersion:  # fmt: skip
    """Re-activate the version that was active before the current one."""
    check_role(role, DECIDER_ROLES, "manage templates")
    current = _row(session, template_id)
    earlier = session.exec(
        select(DocumentTemplate).where(
            DocumentTemplate.template_id == template_id, DocumentTemplate.id != current.id,
            col(DocumentTemplate.activated_at).is_not(None))
        .order_by(col(DocumentTemplate.activated_at).desc(), col(DocumentTemplate.id).desc())
    ).first()  # fmt: skip
    if earlier is None:
        raise TemplateNotFoundError(
            f"template {template_id}: no earlier active version to roll back to"
        )
    return activate_version(session, template_id=template_id, version=earlier.version, actor=actor,
                            now=now, settings=settings)  # fmt: skip


def local_today(now: datetime, settings: Settings) -> date:
    return utcnow_from(now).astimezone(ZoneInfo(settings.timezone)).date()


def load_active(session: Session, *, template_id: str, now: datetime,
                settings: Settings) -> tuple[TemplateVersion, CompiledTemplate, set[str]]:  # fmt: skip
    """The active version of `template_id`, compiled, and the field paths it reads (the
    shipped templates are registered first if needed)."""
    ensure_builtin(session, now=now, settings=settings)
    template = active_template(session, template_id=template_id, settings=settings)
    compiled = CompiledTemplate(
        template.read(), name=template.label, env=make_env(timezone=settings.timezone)
    )
    return template, compiled, template_paths(compiled)


def sample_text(version: TemplateVersion) -> str:
    return json.dumps(version.sample, ensure_ascii=False, indent=2)
