"""Import a loans, ledger, contacts, parties, schedules, plans or consents file: all or nothing,
idempotent, streaming.

The pipeline: scan (hash, format, encoding) -> check pass (parse every row,
keep only keys, collect every problem; at the end the checks that need the whole
file) -> write pass (parse again, look up existing rows in chunks, bulk insert /
update) -> audit -> one commit. If the check pass found any problem, nothing is
written and `IntakeError` carries them all. Memory stays bounded: rows are
streamed in chunks of `CHUNK_ROWS`; only keys (contract numbers, ID numbers) are
kept across the file, and for schedules the instalments of each contract (a
schedule is checked as a whole).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from legal_track.analytics.recoveries import refresh_recovery_of_loans
from legal_track.audit import AuditEvent, record
from legal_track.config import get_settings
from legal_track.db import utcnow_from
from legal_track.intake.cells import is_empty
from legal_track.intake.columns import map_header
from legal_track.intake.consents import ConsentImporter
from legal_track.intake.contacts import ContactImporter
from legal_track.intake.ledger import LedgerImporter
from legal_track.intake.loans import LoanImporter
from legal_track.intake.parties import PartyImporter
from legal_track.intake.plans import PlanImporter
from legal_track.intake.problems import IntakeError, ProblemLog
from legal_track.intake.reading import ReadError, Scan, Source, open_rows, scan
from legal_track.intake.rows import Importer, ParsedRow, parse_row
from legal_track.intake.schedules import ScheduleImporter
from legal_track.privacy import CASE_WORKER_ROLES, check_role

Kind = Literal["loans", "ledger", "contacts", "parties", "schedules", "plans", "consents"]
Progress = Callable[[int, int], None]
AfterImport = Callable[[Session, list[int]], None]

IMPORTERS: dict[str, type[Importer]] = {
    "loans": LoanImporter,
    "ledger": LedgerImporter,
    "contacts": ContactImporter,
    "parties": PartyImporter,
    "schedules": ScheduleImporter,
    "plans": PlanImporter,
    "consents": ConsentImporter,
}
CHUNK_ROWS = 1_000


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did. `created + updated + unchanged == rows`, except for schedules,
    which count loans (a loan's schedule is all of its rows)."""

    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    sha256: str
    details: dict[str, int] = field(default_factory=dict)  # borrowers/creditors created, ...


def import_file(
    session: Session,
    *,
    kind: Kind,
    path: Path,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
    after_import: AfterImport | None = None,
    timezone: str | None = None,
    role: str | None = None,
) -> ImportReport:
    """Import the CSV or XLSX file at `path`. Raises IntakeError (nothing written) on problems.

    `progress(done, total)` is called per chunk: while checking with total 0 (not
    known yet), while writing with the exact total. `after_import(session,
    loan_ids)` runs after the commit with the ids of the loans whose data changed.
    `timezone` (default settings.timezone) is the zone of contact times without one.
    """
    check_role(role, CASE_WORKER_ROLES, "import files")
    return _import(
        session,
        kind=kind,
        source=Source.from_path(Path(path)),
        actor=actor,
        now=now,
        progress=progress,
        after_import=after_import,
        timezone=timezone,
    )


def import_bytes(
    session: Session,
    *,
    kind: Kind,
    data: bytes,
    filename: str,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
    after_import: AfterImport | None = None,
    timezone: str | None = None,
    role: str | None = None,
) -> ImportReport:
    """Import an uploaded file (its bytes and original name); same rules as `import_file`."""
    check_role(role, CASE_WORKER_ROLES, "import files")
    return _import(
        session,
        kind=kind,
        source=Source.from_bytes(data, filename),
        actor=actor,
        now=now,
        progress=progress,
        after_import=after_import,
        timezone=timezone,
    )


def _import(
    session: Session,
    *,
    kind: str,
    source: Source,
    actor: str,
    now: datetime,
    progress: Progress | None,
    after_import: AfterImport | None,
    timezone: str | None,
) -> ImportReport:
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}: use one of {', '.join(IMPORTERS)}")
    now = utcnow_from(now)
    zone = ZoneInfo(timezone or get_settings().timezone)
    log = ProblemLog(source.name)
    found = scan(source, log)
    log.raise_if_any()
    assert found is not None
    try:
        importer = IMPORTERS[kind](session.connection(), log=log, zone=zone)
        importer.actor, importer.now = actor, now
        rows = _pass(
            source,
            found,
            importer,
            log,
            importer.check,
            progress,
            total=0,
            finish=importer.finish_check,
        )
        log.raise_if_any()
        importer.end_check()
        write_log = ProblemLog(source.name)
        _pass(
            source,
            found,
            importer,
            write_log,
            lambda chunk: importer.write([r for r in chunk if r.ok]),
            progress,
            total=rows,
        )
        # the file cannot change between passes unless someone rewrote it meanwhile
        write_log.raise_if_any()
        counts = importer.counts
        report = ImportReport(
            kind,
            source.name,
            rows,
            counts.created,
            counts.updated,
            counts.unchanged,
            found.sha256,
            dict(sorted(counts.details.items())),
        )
        record(
            session,
            AuditEvent(
                actor=actor,
                action=f"intake.{kind}",
                object_type="file",
                object_id=source.name[:64],
                detail={
                    "file": source.name,
                    "sha256": found.sha256,
                    "format": found.format,
                    "encoding": found.encoding,
                    "rows": rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    **report.details,
                },
            ),
            now=now,
        )
        if kind == "ledger" and counts.loan_ids:
            # the dashboard's per-case recovery follows the ledger, in the same transaction
            refresh_recovery_of_loans(session, loan_ids=counts.loan_ids)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        failed = ProblemLog(source.name)
        failed.add(None, None, "database", reason=reason)
        raise IntakeError(failed.problems) from exc
    except BaseException:
        session.rollback()
        raise
    if after_import is not None:
        after_import(session, sorted(counts.loan_ids))
    return report


def _pass(
    source: Source,
    found: Scan,
    importer: Importer,
    log: ProblemLog,
    step: Callable[[list[ParsedRow]], None],
    progress: Progress | None,
    *,
    total: int,
    finish: Callable[[], None] | None = None,
) -> int:
    """Stream the file once, feeding `step` chunks of parsed rows; return the data-row count.

    Cell problems are logged as rows are parsed; `step` gets every row (a row
    whose cells did not all parse has `ok == False` and only the values that did).
    A header problem stops the pass before any row. `finish` runs once the whole
    file was read (not after a header problem or a read error).
    """
    done = 0
    number = 0  # the row being read, for a read error
    try:
        with open_rows(source, found) as rows:
            header_row = next(rows, None)
            if header_row is None or all(is_empty(c) for c in header_row):
                log.add(None, None, "empty_file")
                return 0
            number = 1
            header = map_header(header_row, importer.columns, log)
            if log:
                return 0
            importer.begin(header, log)
            chunk: list[ParsedRow] = []
            for number, raw in enumerate(rows, start=2):
                if all(is_empty(c) for c in raw):
                    continue
                chunk.append(parse_row(header, raw, number, log))
                if len(chunk) >= CHUNK_ROWS:
                    done += _feed(chunk, step, progress, done, total)
                    chunk = []
            done += _feed(chunk, step, progress, done, total)
        if finish is not None:
            finish()
    except ReadError as exc:
        log.add(number + 1, None, exc.code, reason=exc.reason)
    return done


def _feed(chunk: list[ParsedRow], step, progress: Progress | None, done: int, total: int) -> int:
    if chunk:
        step(chunk)
        if progress is not None:
            progress(done + len(chunk), total)
    return len(chunk)
