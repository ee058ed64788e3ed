"""What people do with deadlines: see the open ones (board, per owner, per case),
override a date, complete or waive one, read the notices about moved dates.

Queries page in SQL; the effective date is the override when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import case as sql_case
from sqlalchemy import func
from sqlmodel import Session, select

from legal_track.audit import AuditEvent, record
from legal_track.cases.access import case_condition
from legal_track.db import utcnow_from
from legal_track.deadlines.rules import default_rules
from legal_track.models import Case, Deadline, DeadlineNotice, DeadlineStatus, User
from legal_track.privacy import CASE_WORKER_ROLES, check_role


class DeadlineActionError(ValueError):
    """An action that does not fit the deadline's state (says which deadline and why)."""


class Bucket(StrEnum):
    overdue = "overdue"
    today = "today"
    week = "week"  # the next 7 days after today
    later = "later"


@dataclass(frozen=True, slots=True)
class OpenDeadline:
    """One open deadline as the board, the reminders and the CLI show it."""

    id: int
    case_id: int
    case_ref: str
    owner_id: int | None
    owner_name: str | None
    rule_id: str
    rule_version: str
    name_zh: str
    name_en: str
    party: str | None
    trigger_date: date
    due: date  # effective: the override when set
    computed_due: date
    provisional: bool
    severity: str
    overridden: bool
    override_reason: str | None
    moved_under_override: bool
    basis: str
    explanation_zh: str
    explanation_en: str
    reminders: tuple[int, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def explanation(self, lang: str) -> str:
        return self.explanation_zh if lang == "zh" else self.explanation_en


effective_due_sql = func.coalesce(Deadline.override_due, Deadline.due)


def _bucket_filter(bucket: Bucket, today: date):
    if bucket is Bucket.overdue:
        return effective_due_sql < today
    if bucket is Bucket.today:
        return effective_due_sql == today
    if bucket is Bucket.week:
        return effective_due_sql.between(today + timedelta(days=1), today + timedelta(days=7))
    return effective_due_sql > today + timedelta(days=7)


def _query(owner_id: int | None):
    q = (
        select(Deadline, Case.ref, Case.owner_id, User.display_name, User.username)
        .join(Case, Case.id == Deadline.case_id)
        .outerjoin(User, User.id == Case.owner_id)
        .where(Deadline.status == DeadlineStatus.open)
    )
    if owner_id is not None:
        q = q.where(Case.owner_id == owner_id)
    return q


def _item(row) -> OpenDeadline:
    d: Deadline = row[0]
    rules = default_rules()
    rule = None
    for version in rules.versions.get(d.rule_id, ()):
        if version.version == d.rule_version:
            rule = version
    return OpenDeadline(
        id=d.id,
        case_id=d.case_id,
        case_ref=row[1],
        owner_id=row[2],
        owner_name=row[3] or row[4],
        rule_id=d.rule_id,
        rule_version=d.rule_version,
        name_zh=rule.name_zh if rule else d.rule_id,
        name_en=rule.name_en if rule else d.rule_id,
        party=d.party,
        trigger_date=d.trigger_date,
        due=d.effective_due,
        computed_due=d.due,
        provisional=d.provisional,
        severity=str(d.severity.value if hasattr(d.severity, "value") else d.severity),
        overridden=d.override_due is not None,
        override_reason=d.override_reason,
        moved_under_override=d.moved_under_override,
        basis=d.basis,
        explanation_zh=d.explanation_zh,
        explanation_en=d.explanation_en,
        reminders=rule.reminders if rule else (),
    )


def open_deadlines(
    session: Session,
    *,
    owner_id: int | None = None,
    until: date | None = None,
    since: date | None = None,
    case_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[OpenDeadline]:
    """Open deadlines by effective due date (then severity), optionally of one owner,
    one case, or due within [since, until]."""
    q = _query(owner_id)
    if until is not None:
        q = q.where(effective_due_sql <= until)
    if since is not None:
        q = q.where(effective_due_sql >= since)
    if case_id is not None:
        q = q.where(Deadline.case_id == case_id)
    severity_order = sql_case({"fatal": 0, "critical": 1}, value=Deadline.severity, else_=2)
    q = q.order_by(effective_due_sql, severity_order, Deadline.id).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [_item(row) for row in session.exec(q).all()]


def board_counts(
    session: Session,
    *,
    today: date,
    owner_id: int | None = None,
    role: str | None = None,
    firm_id: int | None = None,
) -> dict[str, int]:
    """How many open deadlines fall in each bucket (overdue, today, week, later); a
    counsel viewer counts only its firm's cases."""
    out = {}
    scope = case_condition(role, firm_id)
    for bucket in Bucket:
        q = select(func.count()).select_from(Deadline).join(Case, Case.id == Deadline.case_id)
        q = q.where(Deadline.status == DeadlineStatus.open, _bucket_filter(bucket, today))
        if owner_id is not None:
            q = q.where(Case.owner_id == owner_id)
        if scope is not None:
            q = q.where(scope)
        out[bucket.value] = session.exec(q).one()
    return out


def board_page(
    session: Session,
    *,
    today: date,
    bucket: Bucket | str,
    owner_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    role: str | None = None,
    firm_id: int | None = None,
) -> list[OpenDeadline]:
    """One page of one board bucket, most urgent first (a counsel viewer: its firm's cases)."""
    q = _query(owner_id).where(_bucket_filter(Bucket(bucket), today))
    scope = case_condition(role, firm_id)
    if scope is not None:
        q = q.where(scope)
    q = q.order_by(effective_due_sql, Deadline.id).limit(limit).offset(offset)
    return [_item(row) for row in session.exec(q).all()]


def case_deadlines(session: Session, *, case_id: int) -> list[Deadline]:
    """Every deadline of a case (any status), by due date."""
    q = select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due, Deadline.id)
    return list(session.exec(q).all())


def _get(session: Session, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise LookupError(f"deadline {deadline_id} not found")
    return deadline


def override_deadline(
    session: Session,
    *,
    deadline_id: int,
    due: date,
    reason: str,
    actor: str,
    now: datetime,
    role: str | None = None,
) -> Deadline:
    """Set a manual date (a court's notice, counsel's advice); kept through recomputes."""
    check_role(role, CASE_WORKER_ROLES, "change deadlines")
    now = utcnow_from(now)
    if not reason or not reason.strip():
        raise DeadlineActionError(f"deadline {deadline_id}: an override needs a reason")
    d = _get(session, deadline_id)
    before = d.override_due
    d.override_due, d.override_reason = due, reason.strip()
    d.override_by, d.override_at = actor, now
    d.moved_under_override = False
    session.add(d)
    record(
        session,
        AuditEvent(actor, "deadline.override", "deadline", str(d.id), {
            "case_id": d.case_id, "rule_id": d.rule_id, "computed_due": d.due.isoformat(),
            "before": before.isoformat() if before else None, "override_due": due.isoformat(),
            "reason": d.override_reason,
        }),
        now=now,
    )  # fmt: skip
    session.commit()
    return d


def clear_override(session: Session, *, deadline_id: int, actor: str, now: datetime,
                   role: str | None = None) -> Deadline:  # fmt: skip
    """Go back to the computed date."""
    check_role(role, CASE_WORKER_ROLES, "change deadlines")
    now = utcnow_from(now)
    d = _get(session, deadline_id)
    if d.override_due is None:
        raise DeadlineActionError(f"deadline {deadline_id} has no override")
    before = d.override_due
    d.override_due = d.override_reason = d.override_by = d.override_at = None
    d.moved_under_override = False
    session.add(d)
    record(
        session,
        AuditEvent(actor, "deadline.override_cleared", "deadline", str(d.id),
                   {"case_id": d.case_id, "before": before.isoformat()}),
        now=now,
    )  # fmt: skip
    session.commit()
    return d


def _finish(
    session: Session, *, deadline_id: int, status: DeadlineStatus, actor: str, now: datetime,
    note: str,
) -> Deadline:  # fmt: skip
    now = utcnow_from(now)
    d = _get(session, deadline_id)
    if d.status != DeadlineStatus.open:
        raise DeadlineActionError(
            f"deadline {deadline_id} is already {d.status.value} (by {d.done_by} at {d.done_at})"
        )
    if status is DeadlineStatus.waived and not note.strip():
        raise DeadlineActionError(f"deadline {deadline_id}: waiving needs a reason")
    d.status, d.done_by, d.done_at, d.done_note = status, actor, now, note.strip() or None
    session.add(d)
    record(
        session,
        AuditEvent(actor, f"deadline.{status.value}", "deadline", str(d.id),
                   {"case_id": d.case_id, "rule_id": d.rule_id, "note": d.done_note}),
        now=now,
    )  # fmt: skip
    session.commit()
    return d


def complete_deadline(
    session: Session,
    *,
    deadline_id: int,
    actor: str,
    now: datetime,
    note: str = "",
    role: str | None = None,
) -> Deadline:
    """Mark done (filed, paid, served...), with who and when."""
    check_role(role, CASE_WORKER_ROLES, "change deadlines")
    return _finish(
        session, deadline_id=deadline_id, status=DeadlineStatus.completed, actor=actor,
        now=now, note=note,
    )  # fmt: skip


def waive_deadline(
    session: Session,
    *,
    deadline_id: int,
    actor: str,
    now: datetime,
    note: str,
    role: str | None = None,
) -> Deadline:
    """Decide not to act on it (a reason is required), with who and when."""
    check_role(role, CASE_WORKER_ROLES, "change deadlines")
    return _finish(
        session, deadline_id=deadline_id, status=DeadlineStatus.waived, actor=actor,
        now=now, note=note,
    )  # fmt: skip


def reopen_deadline(session: Session, *, deadline_id: int, actor: str, now: datetime,
                    role: str | None = None) -> Deadline:  # fmt: skip
    check_role(role, CASE_WORKER_ROLES, "change deadlines")
    now = utcnow_from(now)
    d = _get(session, deadline_id)
    if d.status == DeadlineStatus.open:
        raise DeadlineActionError(f"deadline {deadline_id} is open already")
    before = d.status.value
    d.status, d.done_by, d.done_at, d.done_note = DeadlineStatus.open, None, None, None
    session.add(d)
    record(
        session,
        AuditEvent(actor, "deadline.reopen", "deadline", str(d.id),
                   {"case_id": d.case_id, "before": before}),
        now=now,
    )  # fmt: skip
    session.commit()
    return d


def notices_for(
    session: Session, *, owner_id: int | None, unseen_only: bool = True, limit: int = 100
) -> list[DeadlineNotice]:
    """Messages about moved deadlines for an owner (all owners when None), newest first."""
    q = select(DeadlineNotice)
    if owner_id is not None:
        q = q.where(DeadlineNotice.owner_id == owner_id)
    if unseen_only:
        q = q.where(DeadlineNotice.seen_at.is_(None))
    q = q.order_by(DeadlineNotice.created_at.desc(), DeadlineNotice.id.desc()).limit(limit)
    return list(session.exec(q).all())


def mark_notices_seen(session: Session, *, notice_ids: list[int], actor: str, now: datetime) -> int:
    now = utcnow_from(now)
    notices = session.exec(select(DeadlineNotice).where(DeadlineNotice.id.in_(notice_ids))).all()
    for n in notices:
        if n.seen_at is None:
            n.seen_at = now
            session.add(n)
    record(
        session,
        AuditEvent(actor, "deadline.notices_seen", "deadline_notice", "",
                   {"ids": [n.id for n in notices]}),
        now=now,
    )  # fmt: skip
    session.commit()
    return len(notices)
