"""The retention reports as tables: what would be purged (dry run) and what was purged.

Rows name cases by reference and count what they hold; they never carry a name, an ID
number or any other personal data (a purge report must not keep what the purge removed).
Files are written through `legal_track.sheets` (.csv or .xlsx) and recorded in the audit
trail with their SHA-256.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from legal_track import sheets
from legal_track.audit import AuditEvent, record
from legal_track.files import write_atomic
from legal_track.retention.candidates import Candidate
from legal_track.retention.purge import PurgeReport
from legal_track.retention.rules import RetentionError

CANDIDATE_COLUMNS = ("case", "closed_on", "close_reason", "due_on", "days_due", "borrower",
                     "other_parties", "parties_kept", "contact_log_entries", "evidence_files",
                     "documents", "generated_files", "holds")  # fmt: skip
PURGED_COLUMNS = ("case", "closed_on", "due_on", "purged_at", "people_purged", "parties_kept",
                  "contact_log_entries", "evidence_files", "evidence_kept", "documents",
                  "generated_files", "kept_in_batch_zips")  # fmt: skip


def candidate_rows(found: list[Candidate]) -> list[list]:
    return [[c.ref, c.closed_on, c.close_reason or "", c.due_on, c.days_due,
             "yes" if c.holdings.borrower else "no", c.holdings.parties, c.holdings.parties_kept,
             c.holdings.contacts, c.holdings.evidence, c.holdings.documents, c.holdings.files,
             c.holdings.describe()] for c in found]  # fmt: skip


def purged_rows(report: PurgeReport, *, timezone: str = "Asia/Shanghai") -> list[list]:
    from zoneinfo import ZoneInfo

    at = report.at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")
    return [[p.ref, p.closed_on, p.due_on, at, p.people, p.parties_kept, p.contacts, p.evidence,
             p.evidence_kept, p.documents, p.files, ", ".join(sorted(set(p.kept_in_batches)))]
            for p in report.cases]  # fmt: skip


def table_bytes(path: Path, header: tuple[str, ...], rows: list[list]) -> bytes:
    """The table as .csv or .xlsx bytes, by the suffix of `path`."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return sheets.csv_bytes(rows, header=header)
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "retention"
        sheets.append_row(sheet, list(header))
        for row in rows:
            sheets.append_row(sheet, row)
        return sheets.workbook_bytes(book)
    raise RetentionError(f"{path.name}: the report is written as .csv or .xlsx")


def write_report(session: Session, *, path: Path, kind: str, header: tuple[str, ...],
                 rows: list[list], actor: str, now: datetime, today: date) -> str:  # fmt: skip
    """Write a report file (atomically) and record it in the audit trail; its SHA-256."""
    path = Path(path)
    data = table_bytes(path, header, rows)
    write_atomic(path, data)
    digest = hashlib.sha256(data).hexdigest()
    record(session, AuditEvent(actor, f"retention.{kind}_report", "retention", "", {
        "file": path.name, "sha256": digest, "rows": len(rows), "today": today.isoformat(),
    }), now=now)  # fmt: skip
    session.commit()
    return digest
