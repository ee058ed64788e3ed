"""Case packages for outside counsel: one zip, a folder per case with the evidence bundle,
the generated documents and a case summary, and `manifest.json` listing every file with
its SHA-256, when and by whom the package was made, and each case's data version.

Personal data is minimised to what the firm needs: the summary is the case as the firm's
counsel account sees it (the borrower's full ID number and address only when the firm
files for the lender; third parties' numbers always masked). Every export is recorded on
the case (audit `counsel.export` and a GeneratedFile row). `verify_package` checks a zip
against its manifest: a file changed, added or removed is named.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from legal_track import __version__
from legal_track.audit import AuditEvent, record
from legal_track.cases.detail import case_detail
from legal_track.db import utcnow_from
from legal_track.documents.history import documents_for_case
from legal_track.models import Case, CaseAssignment, GeneratedFile, LawFirm, Role

MANIFEST = "manifest.json"
FORMAT = "legal-track counsel package 1"


class PackageError(ValueError):
    """A package that cannot be made or does not verify (names the case or the file)."""


@dataclass(frozen=True, slots=True)
class PackageReport:
    path: Path
    sha256: str
    cases: tuple[str, ...]
    files: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    files: int
    problems: tuple[str, ...] = field(default=())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value) -> bytes:
    def default(v):
        if isinstance(v, Decimal | date | datetime):
            return str(v) if isinstance(v, Decimal) else v.isoformat()
        if hasattr(v, "__dataclass_fields__"):
            return asdict(v)
        return str(v)

    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=default).encode()


def _summary(
    session: Session, case: Case, firm_id: int | None, cutoff: date, now: datetime
) -> dict:
    from legal_track.claims.figures import claim_for_case
    from legal_track.limitation import clocks_for_case

    detail = case_detail(session, case_id=case.id, role=Role.counsel, actor="counsel-export",
                         now=now, audit=False, firm_id=firm_id)  # fmt: skip
    try:
        claim = asdict(claim_for_case(session, case_id=case.id, cutoff=cutoff))
    except (LookupError, ValueError) as exc:
        claim = {"error": str(exc)}
    clocks = [
        {"contract_no": c.contract_no, "expiry": c.expiry, "conservative_expiry":
         c.conservative_expiry, "risk": c.risk, "explanation": c.explanation_zh}
        for c in clocks_for_case(session, case_id=case.id, today=cutoff)
    ]  # fmt: skip
    return {
        "case": {"ref": detail.ref, "route": detail.route, "stage": detail.stage,
                 "forum": detail.forum, "court_case_no": detail.court_case_no,
                 "opened_on": detail.opened_on, "claim_total": detail.claim_total},
        "borrower": asdict(detail.borrower),
        "parties": [asdict(p) for p in detail.parties],
        "loans": [asdict(x) for x in detail.loans],
        "claim": claim,
        "deadlines": [asdict(d) for d in detail.deadlines],
        "limitation": clocks,
        "events": [asdict(e) for e in detail.events],
        "personal_data": "full borrower ID and address (the firm files)" if detail.pii_visible
        else "masked",
    }  # fmt: skip


def _data_version(summary: dict) -> str:
    """The case's data version: the SHA-256 of its summary (changes when any figure does)."""
    return _sha(_json(summary))


def export_packages(
    session: Session,
    *,
    case_refs: list[str],
    out: Path,
    actor: str,
    now: datetime,
    cutoff: date,
    with_bundle: bool = True,
    role: str | None = None,
) -> PackageReport:
    """Write the package of `case_refs` (each currently assigned to a firm) to `out`."""
    from legal_track.evidence.bundle import build_case_bundle, default_bundle_options

    if role is not None and str(role) not in (Role.admin.value, Role.lead.value, Role.staff.value):
        raise PackageError(f"a {role} account may not export case packages")
    now = utcnow_from(now)
    refs = list(dict.fromkeys(r.strip() for r in case_refs if r.strip()))
    if not refs:
        raise PackageError("no case references given")
    cases = {c.ref: c for c in session.exec(select(Case).where(Case.ref.in_(refs))).scalars()}
    missing = [r for r in refs if r not in cases]
    if missing:
        raise PackageError(f"no case with reference {', '.join(missing)}")
    entries: list[dict] = []
    notes: list[str] = []
    versions: dict[str, str] = {}
    firms: dict[str, str] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with (
        tempfile.TemporaryDirectory(prefix="counsel-") as tmp,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for ref in refs:
            case = cases[ref]
            assignment = session.exec(select(CaseAssignment).where(
                CaseAssignment.case_id == case.id, CaseAssignment.ended_on.is_(None))).scalars().first()  # fmt: skip
            if assignment is None:
                raise PackageError(f"{ref} is not assigned to a law firm: assign it first")
            firms[ref] = session.get(LawFirm, assignment.firm_id).name

            def add(name: str, data: bytes, kind: str, ref: str = ref) -> None:
                zf.writestr(name, data)
                entries.append({"path": name, "sha256": _sha(data), "size": len(data),
                                "kind": kind, "case": ref})  # fmt: skip

            summary = _summary(session, case, assignment.firm_id, cutoff, now)
            versions[ref] = _data_version(summary)
            add(f"{ref}/case_summary.json", _json(summary), "summary")
            for doc in documents_for_case(session, case_id=case.id):
                path = Path(doc.path)
                if doc.zip_member or not path.is_file():
                    notes.append(f"{ref}: document {doc.template_id} is not a file on disk")
                    continue
                add(f"{ref}/documents/{doc.id}_{path.name}", path.read_bytes(), "document")
            if with_bundle:
                target = Path(tmp) / f"{ref}.pdf"
                try:
                    result = build_case_bundle(session, case_id=case.id, out=target,
                                               options=default_bundle_options(session, case_id=case.id, on=cutoff),
                                               actor=actor, now=now)  # fmt: skip
                    for volume in result.volumes:
                        add(
                            f"{ref}/bundle/{Path(volume).name}", Path(volume).read_bytes(), "bundle"
                        )
                except (ValueError, LookupError) as exc:
                    notes.append(f"{ref}: no bundle ({exc})")
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "exported_by": actor,
            "builder": __version__, "cutoff": cutoff.isoformat(), "cases": refs,
            "firms": firms, "case_data_versions": versions, "files": entries, "notes": notes,
        }  # fmt: skip
        zf.writestr(MANIFEST, _json(manifest))
    partial.replace(out)
    digest = _sha(out.read_bytes())
    for ref in refs:
        session.add(GeneratedFile(kind="counsel_package", path=str(out), sha256=digest,
                                  size=out.stat().st_size,
                                  inputs=[{"name": e["path"], "sha256": e["sha256"]}
                                          for e in entries if e["case"] == ref],
                                  versions={"data": versions[ref], "builder": __version__},
                                  case_id=cases[ref].id, created_at=now, actor=actor))  # fmt: skip
        record(session, AuditEvent(actor, "counsel.export", "case", ref, {
            "firm": firms[ref], "package": out.name, "sha256": digest,
            "files": sum(1 for e in entries if e["case"] == ref),
        }), now=now)  # fmt: skip
    session.commit()
    return PackageReport(out, digest, tuple(refs), len(entries), tuple(notes))


def verify_package(path: Path) -> VerifyReport:
    """Check every file of the zip against its manifest (hash and size), and that nothing
    was added or removed."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path}: not a zip file ({exc})") from None
    with zf:
        try:
            manifest = json.loads(zf.read(MANIFEST))
        except KeyError:
            raise PackageError(f"{path}: no {MANIFEST}") from None
        if manifest.get("format") != FORMAT:
            raise PackageError(f"{path}: not a legal-track counsel package")
        listed = {e["path"]: e for e in manifest["files"]}
        present = set(zf.namelist()) - {MANIFEST}
        for name in sorted(present - listed.keys()):
            problems.append(f"{name}: in the zip but not in the manifest (added)")
        for name, entry in sorted(listed.items()):
            if name not in present:
                problems.append(f"{name}: in the manifest but missing (removed)")
                continue
            data = zf.read(name)
            if _sha(data) != entry["sha256"] or len(data) != entry["size"]:
                problems.append(f"{name}: SHA-256 differs from the manifest (changed)")
    return VerifyReport(not problems, len(listed), tuple(problems))
