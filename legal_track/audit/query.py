"""Reading the audit trail: the filtered, paged list (audit page) and the file export."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from legal_track.audit.chain import AuditEvent, record, timestamp_text
from legal_track.models import AuditEntry, Case
from legal_track.privacy import DECIDER_ROLES, check_role

MAX_PAGE_SIZE = 500
EXPORT_COLUMNS = ("seq", "id", "at_utc", "at_local", "actor", "action", "object_type",
                  "object_id", "detail", "prev_hash", "hash")  # fmt: skip
_REF = re.compile(r"^LT-\d{4}-\d{6}$")


class AuditQueryError(ValueError):
    """A filter or export request that cannot be served (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class AuditFilters:
    actor: str = ""  # exact user name
    action: str = ""  # exact action, or a prefix ending in "." ("login.")
    object_id: str = ""  # an object id; a case reference also finds entries by case id
    date_from: date | None = None  # local days (timezone), inclusive
    date_to: date | None = None
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditEntry]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _conditions(session: Session, f: AuditFilters) -> list:
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise AuditQueryError(f"date range: {f.date_from} is after {f.date_to}")
    where = []
    if f.actor.strip():
        where.append(AuditEntry.actor == f.actor.strip())
    action = f.action.strip()
    if action.endswith("."):
        where.append(AuditEntry.action.startswith(action, autoescape=True))
    elif action:
        where.append(AuditEntry.action == action)
    obj = f.object_id.strip()
    if obj:
        either = [AuditEntry.object_id == obj]
        case = None
        if _REF.match(obj):
            case = session.execute(select(Case.id, Case.ref).where(Case.ref == obj)).first()
        elif obj.isdigit():
            case = session.execute(select(Case.id, Case.ref).where(Case.id == int(obj))).first()
        if case is not None:  # a case is named by its reference or its id, by area
            either.append(and_(AuditEntry.object_type == "case",
                               AuditEntry.object_id.in_([str(case.id), case.ref])))  # fmt: skip
        where.append(or_(*either))
    if f.date_from:
        where.append(AuditEntry.at >= _day_start(f.date_from, f.timezone))
    if f.date_to:
        where.append(AuditEntry.at < _day_start(f.date_to + timedelta(days=1), f.timezone))
    return where


def search_entries(session: Session, *, filters: AuditFilters, page: int = 1,
                   page_size: int = 50, role: str | None = None) -> AuditPage:  # fmt: skip
    """Entries matching `filters`, newest first, one page (1-based; past the end gives the
    last page): one COUNT and one LIMIT/OFFSET query. Only an admin or a team lead reads
    the audit trail (`role`; None: the command line)."""
    check_role(role, DECIDER_ROLES, "read the audit trail")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise AuditQueryError(f"page size must be 1–{MAX_PAGE_SIZE}, not {page_size}")
    where = _conditions(session, filters)
    total = session.execute(select(func.count()).select_from(AuditEntry).where(*where)).scalar_one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(AuditEntry).where(*where).order_by(AuditEntry.seq.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).scalars().all()  # fmt: skip
    return AuditPage(list(rows), total, page, page_size)


def action_options(session: Session) -> list[str]:
    """The actions that occur in the trail (for the filter), alphabetical."""
    return list(
        session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars()
    )


def actor_options(session: Session) -> list[str]:
    return list(
        session.execute(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)).scalars()
    )


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: Path
    rows: int
    sha256: str


def _rows(session: Session, where: list, zone: str):
    """Export rows in seq order, read in keyset-paged batches."""
    t = AuditEntry.__table__
    tz = ZoneInfo(zone)
    after = 0
    while True:
        batch = session.execute(
            select(t).where(*where, t.c.seq > after).order_by(t.c.seq).limit(2000)
        ).all()
        if not batch:
            return
        for e in batch:
            yield [e.seq, e.id, timestamp_text(e.at), e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
                   e.actor, e.action, e.object_type, e.object_id,
                   json.dumps(e.detail, ensure_ascii=False, sort_keys=True), e.prev_hash, e.hash]  # fmt: skip
        after = batch[-1].seq


def write_table(path: Path, header: tuple[str, ...], rows) -> bytes:
    """Write rows as .csv or .xlsx through the shared spreadsheet writer (cells starting
    with = + - @ tab or CR are kept as text, never run as formulas)."""
    from legal_track import sheets

    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = sheets.csv_bytes(rows, header=header)
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=False)
        sheet = book.active
        sheet.title = "audit"
        sheets.append_row(sheet, list(header))
        for row in rows:
            sheets.append_row(sheet, row)
        data = sheets.workbook_bytes(book)
    else:
        raise AuditQueryError(f"{path.name}: write .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def export_entries(session: Session, *, path: Path, date_from: date, date_to: date, actor: str,
                   now: datetime, timezone: str = "Asia/Shanghai",
                   role: str | None = None) -> ExportReport:  # fmt: skip
    """Write the entries of the local days `date_from`..`date_to` (with their hashes, so a
    reader can re-check the chain) to `path` (.csv or .xlsx). The export is audited. Only
    an admin or a team lead (`role`; None: the command line)."""
    check_role(role, DECIDER_ROLES, "export the audit trail")
    filters = AuditFilters(date_from=date_from, date_to=date_to, timezone=timezone)
    where = _conditions(session, filters)
    counted = []

    def rows():
        for row in _rows(session, where, timezone):
            counted.append(1)
            yield row

    data = write_table(Path(path), EXPORT_COLUMNS, rows())
    digest = hashlib.sha256(data).hexdigest()
    record(session, AuditEvent(actor, "audit.export", "audit", "", {
        "from": date_from.isoformat(), "to": date_to.isoformat(), "rows": len(counted),
        "file": Path(path).name, "sha256": digest,
    }), now=now)  # fmt: skip
    session.commit()
    return ExportReport(Path(path), len(counted), digest)
