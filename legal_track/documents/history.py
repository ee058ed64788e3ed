"""The documents generated for a case, their bytes, and what changed between two of them."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from legal_track.cases.access import require_case
from legal_track.documents.errors import DocumentError
from legal_track.models import GeneratedDocument
from legal_track.privacy import CASE_WORKER_ROLES, can_see_pii, check_role

# View-model leaves that travel as small objects: compare them as one value.
_LEAF_KEYS = ({"value", "figures", "capitals"}, {"iso", "cn"})


@dataclass(frozen=True, slots=True)
class Change:
    path: str  # "claim.total", "defendants[1].address"
    old: Any  # None when added
    new: Any  # None when removed


def documents_for_case(
    session: Session, *, case_id: int, role: str | None = None, firm_id: int | None = None
) -> list[GeneratedDocument]:
    """Newest first. A counsel viewer (`role`, `firm_id`) gets only its firm's cases'."""
    require_case(session, case_id=case_id, role=role, firm_id=firm_id)
    return list(session.exec(
        select(GeneratedDocument).where(GeneratedDocument.case_id == case_id)
        .order_by(col(GeneratedDocument.created_at).desc(), col(GeneratedDocument.id).desc())
    ))  # fmt: skip


def previous_document(session: Session, doc: GeneratedDocument) -> GeneratedDocument | None:
    """The document generated before `doc` from the same template for the same case."""
    return session.exec(
        select(GeneratedDocument).where(
            GeneratedDocument.case_id == doc.case_id, GeneratedDocument.template_id == doc.template_id,
            GeneratedDocument.id < doc.id,
        ).order_by(col(GeneratedDocument.id).desc())
    ).first()  # fmt: skip


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        keys = set(value)
        if keys in _LEAF_KEYS:
            out[path] = value.get("value", value.get("iso"))
            return
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        if not value:
            out[path] = []
        for i, item in enumerate(value):
            _flatten(item, f"{path}[{i}]", out)
    else:
        out[path] = value


def context_diff(old: dict, new: dict) -> list[Change]:
    """Key-level differences between two contexts, in path order."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    return [Change(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


HIDDEN = "***"  # a changed value a role without full personal data does not see


def diff_with_previous(
    session: Session, *, document_id: int, role: str | None = None
) -> tuple[GeneratedDocument | None, list[Change]]:
    """(the previous document, what changed in the context since it); ([], None) if first.
    A viewer or counsel (`role` outside privacy.FULL_PII_ROLES) learns which fields
    changed but not their values: a document's context holds full ID numbers and phones."""
    doc = session.get(GeneratedDocument, document_id)
    if doc is None:
        raise LookupError(f"no generated document {document_id}")
    before = previous_document(session, doc)
    if before is None:
        return None, []
    changes = context_diff(before.context, doc.context)
    if role is not None and not can_see_pii(role):
        changes = [Change(c.path, None if c.old is None else HIDDEN,
                          None if c.new is None else HIDDEN) for c in changes]  # fmt: skip
    return before, changes


def read_document(doc: GeneratedDocument, *, pdf: bool = False, role: str | None = None) -> bytes:
    """The stored bytes (a file or a batch-zip member), checked against the recorded SHA-256."""
    check_role(role, CASE_WORKER_ROLES, "download generated documents")
    path = doc.pdf_path if pdf else doc.path
    member = doc.pdf_member if pdf else doc.zip_member
    expected = doc.pdf_sha256 if pdf else doc.sha256
    if not path:
        raise DocumentError(f"document {doc.id} has no {'PDF' if pdf else 'file'}")
    try:
        if member:
            with zipfile.ZipFile(path) as zf:
                data = zf.read(member)
        else:
            data = Path(path).read_bytes()
    except (FileNotFoundError, KeyError):
        raise DocumentError(
            f"document {doc.id}: {path}{'!' + member if member else ''} is missing"
        ) from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise DocumentError(f"document {doc.id}: {path} no longer matches its recorded SHA-256")
    return data
