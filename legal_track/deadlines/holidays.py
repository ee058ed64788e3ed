"""A new year's holiday notice and the stored deadlines: load it, recompute every
deadline whose dates depend on that year, and tell owners about the ones that moved."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.calendar.notices import parse_notice, store_year
from legal_track.calendar.workdays import load_calendar
from legal_track.db import utcnow_from
from legal_track.deadlines.store import MovedDeadline, recompute_for_calendar
from legal_track.models import CalendarYear
from legal_track.privacy import ADMIN_ROLES, check_role


@dataclass(frozen=True, slots=True)
class NoticeLoadResult:
    year: int
    title: str
    off_days: int
    work_days: int
    replaced: bool  # the year was known before (seeded or loaded earlier)
    recomputed_cases: int
    moved: list[MovedDeadline] = field(default_factory=list)


def load_notice(
    session: Session,
    *,
    raw: bytes,
    file_name: str,
    actor: str,
    now: datetime,
    role: str | None = None,
) -> NoticeLoadResult:
    """Load a year's notice, recompute the deadlines that depend on it, tell owners
    about the ones that moved; audits and commits once."""
    check_role(role, ADMIN_ROLES, "load holiday notices")
    now = utcnow_from(now)
    notice = parse_notice(raw, file_name=file_name)
    digest = hashlib.sha256(raw).hexdigest()
    before = load_calendar(session)
    row = CalendarYear(
        year=notice.year,
        source="notice",
        title=notice.title[:200],
        file_name=Path(file_name).name[:200],
        sha256=digest,
        loaded_by=actor,
        loaded_at=now,
    )
    replaced = store_year(session, year=notice.year, days=notice.days, row=row)
    replaced = replaced or before.is_known_year(notice.year)
    calendar = before.with_years(notice.days, [notice.year], f"notice {notice.title}")
    cases, moved = recompute_for_calendar(session, calendar=calendar, year=notice.year, now=now)
    record(
        session,
        AuditEvent(
            actor,
            "calendar.load",
            "calendar",
            str(notice.year),
            {
                "file": Path(file_name).name,
                "sha256": digest,
                "title": notice.title,
                "off_days": len(notice.off_days),
                "work_days": len(notice.work_days),
                "replaced": replaced,
                "recomputed_cases": cases,
                "moved": [m.deadline_id for m in moved],
            },
        ),
        now=now,
    )
    session.commit()
    return NoticeLoadResult(
        notice.year,
        notice.title,
        len(notice.off_days),
        len(notice.work_days),
        replaced,
        cases,
        moved,
    )
