"""The deadline engine's public face: compute one deadline, recompute stored ones,
list the open ones, and act on them.

- :func:`compute` — rule + trigger date + calendar -> :class:`ComputedDeadline` (pure).
- :func:`recompute_case` / :func:`recompute_all` — services that rewrite stored deadlines
  from the case events (audited, committed).
- :func:`open_deadlines`, :func:`board_counts`, :func:`board_page` — queries.
- :func:`override_deadline`, :func:`complete_deadline`, :func:`waive_deadline` — actions.

The parts live in `rules` (rule pack), `periods` (period arithmetic), `engine`
(dates and explanations), `pauses` (a settlement pausing the internal deadlines),
`store` and `sql` (bulk recompute), `board` (queries, actions) and `holidays` (a new
holiday notice and the stored deadlines).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.deadlines.board import (
    Bucket,
    DeadlineActionError,
    OpenDeadline,
    board_counts,
    board_page,
    case_deadlines,
    clear_override,
    complete_deadline,
    mark_notices_seen,
    notices_for,
    open_deadlines,
    override_deadline,
    reopen_deadline,
    waive_deadline,
)
from legal_track.deadlines.engine import (
    ComputedDeadline,
    DeadlineComputer,
    DeadlineError,
    compute,
    merge_basis,
    plan_event,
)
from legal_track.deadlines.rules import Rule, RuleBook, RuleNotFoundError, default_rules, load_rules
from legal_track.deadlines.store import (
    AUTO_ACTOR,
    Progress,
    RecomputeReport,
    recompute_cases,
)
from legal_track.models import Case


def recompute_case(
    session: Session, *, case_id: int, now: datetime, actor: str = AUTO_ACTOR
) -> RecomputeReport:
    """Recompute one case's deadlines from its events; audits and commits."""
    now = utcnow_from(now)
    if session.get(Case, case_id) is None:
        raise LookupError(f"case {case_id} not found")
    report = recompute_cases(session, now=now, case_ids=[case_id])
    record(
        session, recompute_audit(actor, "deadline.recompute_case", str(case_id), report), now=now
    )
    session.commit()
    return report


def recompute_all(
    session: Session,
    *,
    now: datetime,
    actor: str = AUTO_ACTOR,
    progress: Progress = None,
    force: bool = False,
) -> RecomputeReport:
    """Recompute every case's deadlines; audits and commits. Cases whose events, rules,
    calendar and engine are unchanged are skipped unless `force`."""
    now = utcnow_from(now)
    report = recompute_cases(session, now=now, progress=progress, force=force)
    record(session, recompute_audit(actor, "deadline.recompute_all", "", report), now=now)
    session.commit()
    return report


def recompute_audit(actor: str, action: str, object_id: str, report: RecomputeReport) -> AuditEvent:
    return AuditEvent(
        actor,
        action,
        "case" if object_id else "portfolio",
        object_id,
        {
            "cases": report.cases,
            "inserted": report.inserted,
            "updated": report.updated,
            "deleted": report.deleted,
            "skipped_cases": report.skipped_cases,
            "moved": len(report.moved),
            "errors": report.errors[:20],
        },
    )


__all__ = [
    "AUTO_ACTOR",
    "Bucket",
    "ComputedDeadline",
    "DeadlineActionError",
    "DeadlineComputer",
    "DeadlineError",
    "OpenDeadline",
    "RecomputeReport",
    "Rule",
    "RuleBook",
    "RuleNotFoundError",
    "board_counts",
    "board_page",
    "case_deadlines",
    "clear_override",
    "complete_deadline",
    "compute",
    "default_rules",
    "load_rules",
    "mark_notices_seen",
    "merge_basis",
    "notices_for",
    "open_deadlines",
    "override_deadline",
    "plan_event",
    "recompute_all",
    "recompute_audit",
    "recompute_case",
    "recompute_cases",
    "reopen_deadline",
    "waive_deadline",
]
