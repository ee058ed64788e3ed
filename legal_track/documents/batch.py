"""Batch generation: select cases, preflight them, render on every core, stream one zip.

The main process selects the cases, builds each context from the database and runs
preflight; worker processes (one per core, no database; see `start_method`) render chunks of
contexts and send back bytes. Results are written into the zip as they arrive, in
selection order, with at most a few chunks in flight, so memory stays bounded
whatever the batch size. The zip holds one folder per case and `report.csv` (ok, or
failed with the reason). A case that fails preflight or rendering fails alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import exists, insert, update
from sqlmodel import Session, col, select

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.documents.context import CaseData, assemble, load_rows
from legal_track.documents.convert import profiles_root, require_soffice
from legal_track.documents.preflight import PreflightResult, Problem, preflight_case
from legal_track.documents.registry import TemplateVersion, load_active, local_today
from legal_track.documents.render import document_values
from legal_track.documents.worker import Job, Rendered, render_chunk
from legal_track.models import Case, CaseEvent, CaseLoan, GeneratedDocument, GeneratedFile, Loan
from legal_track.privacy import CASE_WORKER_ROLES, check_role
from legal_track.sheets import csv_bytes
from legal_track.workers import process_pool, start_method  # noqa: F401

Progress = Callable[[int, int], None] | None
LETTER_EVENTS = ("demand_letter_sent", "demand_letter_delivered")
REPORT_NAME = "report.csv"
LOAD_BLOCK = 200  # cases whose rows are loaded together
_SAFE = re.compile(r"[^\w.\-]|^\.+")  # zip folder names: no separators, no leading dots
DOCX_CHUNK = 25  # documents per worker task
PDF_CHUNK = 4


@dataclass(frozen=True)
class CaseFilter:
    """Which cases a batch covers. `case_refs` wins over the other filters."""

    stage: str | None = None
    route: str | None = None
    min_dpd: int | None = None  # days past due of the most overdue loan, at `today`
    no_demand_letter: bool = False  # no letter generated, sent or delivered yet
    case_refs: tuple[str, ...] = ()
    include_closed: bool = False


def select_cases(session: Session, *, filters: CaseFilter, today: date) -> list[int]:
    """Case ids matching `filters`, in case-reference order. Unknown references are an error."""
    if filters.case_refs:
        refs = [r.strip() for r in filters.case_refs if r.strip()]
        found = dict(session.exec(select(Case.ref, Case.id).where(col(Case.ref).in_(refs))).all())
        unknown = [r for r in refs if r not in found]
        if unknown:
            raise LookupError(f"unknown case references: {', '.join(unknown)}")
        return [found[r] for r in dict.fromkeys(refs)]
    query = select(Case.id)
    if filters.stage:
        query = query.where(Case.stage == filters.stage)
    elif not filters.include_closed:
        query = query.where(Case.stage != "closed")
    if filters.route:
        query = query.where(Case.route == filters.route)
    if filters.min_dpd is not None:
        limit = today - timedelta(days=filters.min_dpd)
        query = query.where(exists().where(
            CaseLoan.case_id == Case.id, CaseLoan.loan_id == Loan.id,
            col(Loan.overdue_since).is_not(None), col(Loan.overdue_since) <= limit))  # fmt: skip
    if filters.no_demand_letter:
        query = query.where(
            ~exists().where(CaseEvent.case_id == Case.id, col(CaseEvent.kind).in_(LETTER_EVENTS))
        )
        query = query.where(~exists().where(GeneratedDocument.case_id == Case.id,
                                            GeneratedDocument.template_id == "demand_letter"))  # fmt: skip
    return list(session.exec(query.order_by(col(Case.ref))))


def preflight_batch(session: Session, *, template_id: str, case_ids: list[int], now: datetime,
                    cutoff: date | None = None, settings: Settings | None = None,
                    progress: Progress = None) -> list[PreflightResult]:  # fmt: skip
    """The preflight report of every selected case (nothing generated)."""
    settings = settings or get_settings()
    template, _, paths = load_active(session, template_id=template_id, now=now, settings=settings)
    out: list[PreflightResult] = []

    def failed(case_id: int, reason: str) -> None:
        ref = session.get(Case, case_id).ref
        out.append(PreflightResult(template.label, case_id, ref, [Problem("context", reason)]))

    today = local_today(now, settings)
    for data in _case_data(session, case_ids, today=today, cutoff=cutoff, on_error=failed):
        out.append(preflight_case(session, data, template.meta, paths))
        if progress:
            progress(len(out), len(case_ids))
    return out


@dataclass
class BatchRow:
    case_id: int
    case_ref: str
    status: str = "failed"  # ok | failed
    reason: str = ""
    file: str = ""
    sha256: str = ""
    context_sha256: str = ""
    pdf_file: str = ""


@dataclass
class BatchResult:
    batch_id: str
    template: str
    zip_path: Path
    rows: list[BatchRow] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(r.status == "ok" for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r.status != "ok" for r in self.rows)


def _chunks(items: Iterator[tuple[int, dict]], size: int) -> Iterator[list[tuple[int, dict]]]:
    chunk: list[tuple[int, dict]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


REPORT_COLUMNS = ("case_ref", "status", "reason", "file", "sha256", "context_sha256", "pdf_file",
                  "template")  # fmt: skip


def _report_csv(rows: list[BatchRow], template: str) -> bytes:
    """The batch report; case references and reasons may be anyone's text, so the cells
    go through `legal_track.sheets` (never a live formula). BOM: Excel reads the Chinese."""
    return csv_bytes(
        ([r.case_ref, r.status, r.reason, r.file, r.sha256, r.context_sha256, r.pdf_file, template]
         for r in rows),
        header=REPORT_COLUMNS,
    )  # fmt: skip


class _Writer:
    """Writes rendered chunks into the zip and records each document (no commit)."""

    def __init__(self, session: Session, zf: zipfile.ZipFile, template: TemplateVersion, zip_path: Path,
                 batch_id: str, actor: str, now: datetime, rows: dict[int, BatchRow]) -> None:  # fmt: skip
        self.session, self.zf, self.template, self.zip_path = session, zf, template, zip_path
        self.batch_id, self.actor, self.now, self.rows = batch_id, actor, now, rows

    def _member(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED  # .docx and .pdf are compressed already
        self.zf.writestr(info, data)

    def write(self, chunk: list[tuple[int, dict]], results: list[Rendered]) -> None:
        """Zip members for each rendered case; its GeneratedDocument row is inserted at once
        (core insert, no ORM objects kept: memory stays flat), linked to the zip at the end."""
        contexts = dict(chunk)
        values = []
        for result in results:
            row = self.rows[result.key]
            if result.docx is None:
                row.reason = result.error
                continue
            safe = _SAFE.sub("_", row.case_ref) or f"case{row.case_id}"
            stem = f"{safe}/{safe}_{self.template.id}"
            self._member(stem + ".docx", result.docx)
            has_pdf = result.pdf is not None
            if has_pdf:
                self._member(stem + ".pdf", result.pdf)
            doc = document_values(
                case_id=result.key, template=self.template, context=contexts[result.key], data=result.docx,
                path=self.zip_path, zip_member=stem + ".docx", actor=self.actor, now=self.now,
                batch_id=self.batch_id, pdf_path=self.zip_path if has_pdf else None,
                pdf_sha=hashlib.sha256(result.pdf).hexdigest() if has_pdf else None,
                pdf_member=stem + ".pdf" if has_pdf else None,
            )  # fmt: skip
            values.append(doc)
            row.status, row.reason = "ok", ""
            row.file, row.sha256, row.context_sha256 = (
                stem + ".docx",
                doc["sha256"],
                doc["context_sha256"],
            )
            row.pdf_file = stem + ".pdf" if has_pdf else ""
        if values:
            self.session.execute(insert(GeneratedDocument), values)


def _case_data(session: Session, case_ids: list[int], *, today: date, cutoff: date | None,
               on_error: Callable[[int, str], None]) -> Iterator[CaseData]:  # fmt: skip
    """CaseData for each case, loaded LOAD_BLOCK cases at a time; a case that cannot be
    built is reported through `on_error` and skipped."""
    for start in range(0, len(case_ids), LOAD_BLOCK):
        block = case_ids[start : start + LOAD_BLOCK]
        with session.no_autoflush:
            rows = load_rows(session, block)
        for row in rows:
            try:
                yield assemble(row, today=today, cutoff=cutoff)
            except (ValueError, LookupError) as exc:
                on_error(row.case.id, f"context: {exc}")


def _contexts(session: Session, case_ids: list[int], template: TemplateVersion, paths: set[str], *,
              today: date, cutoff: date | None, rows: dict[int, BatchRow], on_fail: Callable[[], None]
              ) -> Iterator[tuple[int, dict]]:  # fmt: skip
    """(case id, context) for every case that passes preflight; the others fail their row."""

    def failed(case_id: int, reason: str) -> None:
        rows[case_id].reason = reason
        on_fail()

    for data in _case_data(session, case_ids, today=today, cutoff=cutoff, on_error=failed):
        with session.no_autoflush:
            result = preflight_case(session, data, template.meta, paths)
        if not result.ok:
            failed(data.case.id, f"preflight: {result.reason()}")
            continue
        yield data.case.id, data.context.data()


def run_batch(
    session: Session,
    *,
    template_id: str,
    case_ids: list[int],
    out: Path,
    actor: str,
    now: datetime,
    cutoff: date | None = None,
    pdf: bool = False,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: Progress = None,
    settings: Settings | None = None,
    role: str | None = None,
) -> BatchResult:
    """Generate `template_id` for every case into the zip `out`; one commit at the end.

    Uses `workers` processes (default: settings.document_workers, else every core);
    small batches render in this process. The zip appears only when complete."""
    check_role(role, CASE_WORKER_ROLES, "generate documents")
    settings = settings or get_settings()
    soffice = str(require_soffice(settings)) if pdf else None
    template, _, paths = load_active(session, template_id=template_id, now=now, settings=settings)
    job = Job(str(template.path), template.sha256, template.label, settings.timezone, pdf, soffice,
              str(profiles_root(settings)))  # fmt: skip
    workers = max(1, workers or settings.document_workers or os.cpu_count() or 1)
    refs = dict(session.exec(select(Case.id, Case.ref).where(col(Case.id).in_(case_ids))).all())
    missing = [i for i in case_ids if i not in refs]
    if missing:
        raise LookupError(f"no cases with ids {missing}")
    rows = {i: BatchRow(case_id=i, case_ref=refs[i]) for i in case_ids}
    batch_id = f"{utcnow_from(now):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{batch_id}.part")
    total, done = len(case_ids), 0

    def tick(count: int = 1) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    contexts = _contexts(session, case_ids, template, paths, today=local_today(now, settings),
                         cutoff=cutoff, rows=rows, on_fail=tick)  # fmt: skip
    # A LibreOffice run per chunk: small chunks spread the conversions over the workers.
    chunk_size = chunk_size or (PDF_CHUNK if pdf else DOCX_CHUNK)
    use_pool = workers > 1 and total > chunk_size
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            writer = _Writer(session, zf, template, out, batch_id, actor, now, rows)
            if use_pool:
                _pooled(job, _chunks(contexts, chunk_size), writer, workers, tick)
            else:
                for chunk in _chunks(contexts, chunk_size):
                    writer.write(chunk, render_chunk(job, chunk))
                    tick(len(chunk))
            ordered = [rows[i] for i in case_ids]
            zf.writestr(zipfile.ZipInfo(REPORT_NAME, date_time=(1980, 1, 1, 0, 0, 0)),
                        _report_csv(ordered, template.label), compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        data_sha = _sha_file(tmp)
        zip_file = GeneratedFile(
            kind="document_batch", path=str(out), sha256=data_sha, size=tmp.stat().st_size, case_id=None,
            inputs=[{"name": f"{r.case_ref}/context.json", "sha256": r.context_sha256} for r in ordered
                    if r.status == "ok"],
            versions={"template": template.label, "batch": batch_id}, created_at=utcnow_from(now), actor=actor,
        )  # fmt: skip
        session.add(zip_file)
        session.flush()
        session.execute(update(GeneratedDocument).where(GeneratedDocument.batch_id == batch_id)
                        .values(file_id=zip_file.id))  # fmt: skip
        result = BatchResult(batch_id, template.label, out, ordered)
        record(session, AuditEvent(actor, "document.batch", "template", template.label, {
            "batch_id": batch_id, "cases": total, "ok": result.ok, "failed": result.failed,
            "path": str(out), "sha256": data_sha, "pdf": pdf,
        }), now=now)  # fmt: skip
        os.replace(tmp, out)
        session.commit()
    except BaseException:
        session.rollback()
        tmp.unlink(missing_ok=True)
        raise
    return result


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pooled(job: Job, chunks: Iterator[list[tuple[int, dict]]], writer: _Writer, workers: int,
            tick: Callable[[int], None]) -> None:  # fmt: skip
    """Keep at most 2 chunks per worker in flight; write results in submission order.
    A worker that dies fails its chunk only; a new pool takes over."""
    window = 2 * workers
    pool = process_pool(workers)
    pending: deque[tuple[Future, list[tuple[int, dict]]]] = deque()

    def drain_one() -> None:
        nonlocal pool
        future, chunk = pending.popleft()
        try:
            results = future.result()
        except BrokenProcessPool:
            results = [
                Rendered(key, None, error="the worker process rendering it died")
                for key, _ in chunk
            ]
            pool.shutdown(wait=False, cancel_futures=True)
            resubmit = list(pending)
            pending.clear()
            pool = process_pool(workers)
            for _, again in resubmit:
                pending.append((pool.submit(render_chunk, job, again), again))
        writer.write(chunk, results)
        tick(len(chunk))

    try:
        for chunk in chunks:
            pending.append((pool.submit(render_chunk, job, chunk), chunk))
            while len(pending) >= window:
                drain_one()
        while pending:
            drain_one()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
