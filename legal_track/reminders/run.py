"""The reminder pass: which reminders are due at `now`, recorded once and sent once.

One pass (the same code for `legal-track reminders run`, the scheduler and the app):

* **Daily digest** per user, in the user's language: overdue deadlines, deadlines due
  today and within `digest_horizon_days`, and limitation clocks at risk. Due once per local
  day from `digest_time` on (a digest missed while nothing ran goes out at the next pass,
  once). Empty digests are not sent.
* **Immediate alerts** for deadlines of `alert_severities` (fatal) at each offset before the
  due date (the rule's own offsets when it has them, else `alert_offsets`: T-3, T-1, T-0)
  and once when overdue. Only the current stage is sent: a deadline first seen at T-1 gets
  the T-1 alert, not a late T-3 one.
* **Escalation** of deadlines overdue for `escalation_days` to the owner's lead.

Alerts and escalations missed by more than `alert_catchup_days` are not sent late (they are
in the digest's overdue section); this keeps a first start over old data from flooding
everyone. Deadlines of unassigned cases, and limitation clocks of loans in no open case,
go to every active team lead.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.config import Settings, get_settings
from legal_track.db import utcnow_from
from legal_track.models import User
from legal_track.models.reminder import ReminderKind
from legal_track.privacy import DECIDER_ROLES, check_role
from legal_track.reminders.delivery import (
    Delivered,
    Planned,
    SessionFactory,
    deliver_due,
    existing_keys,
    record_planned,
    waiting_count,
)
from legal_track.reminders.ics import assign_sequences, build_calendar, deadline_uid, entry_event
from legal_track.reminders.mail import Mailer, calendar_attachment, make_message_id, render_message
from legal_track.reminders.prefs import Recipient, load_recipients
from legal_track.reminders.sources import deadline_entries, limitation_entries, notice_entries
from legal_track.reminders.stages import (
    alert_stage,
    candidate_due_dates,
    pack_offsets,
    rule_offsets,
)
from legal_track.reminders.text import (
    DeadlineEntry,
    DigestContent,
    LimitationEntry,
    NoticeEntry,
    Rendered,
    Section,
    render_alert,
    render_digest,
    render_escalation,
    sort_key,
)


@dataclass(frozen=True, slots=True)
class PlannedSummary:
    kind: str
    recipient: str
    subject: str
    offset_days: int
    deadline_id: int | None
    case_id: int | None


@dataclass
class PassReport:
    now: datetime
    dry_run: bool
    digest_checked: bool
    alerts_checked: bool
    decided: list[PlannedSummary] = field(default_factory=list)
    sent: list[Delivered] = field(default_factory=list)
    failed: list[Delivered] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    waiting: int = 0  # rows not yet sent after the pass
    stopped: str | None = None


# ---------------------------------------------------------------- selection


@dataclass(frozen=True, slots=True)
class _Spec:
    """A decided reminder before its message is built."""

    kind: ReminderKind
    subject_key: str
    offset: int
    r: Recipient
    date_key: date
    scheduled_for: datetime
    rendered: Rendered
    entries: list[DeadlineEntry]
    deadline_id: int | None = None
    case_id: int | None = None

    @property
    def key(self) -> tuple:
        return (str(self.kind), self.subject_key, self.offset, self.r.email, self.date_key)


@dataclass
class _Planner:
    session: Session
    settings: Settings
    now: datetime
    today: date
    tz: ZoneInfo
    persist: bool  # False for a dry run: nothing written, not even calendar sequences
    known: set[tuple] = field(default_factory=set)  # keys already in the log
    skipped: list[str] = field(default_factory=list)
    specs: list[_Spec] = field(default_factory=list)

    def add(self, spec: _Spec) -> None:
        """Note a reminder unless it is recorded already; `build` makes the messages."""
        if spec.key not in self.known:
            self.specs.append(spec)

    def build(self) -> list[Planned]:
        """The messages of every noted reminder (calendar sequences assigned in one go)."""
        s = self.settings
        dates = {deadline_uid(e.deadline_id): e.due for x in self.specs for e in x.entries}
        seqs = assign_sequences(self.session, dates, now=self.now, persist=self.persist)
        planned = []
        for x in self.specs:
            label = f"{x.date_key:%Y%m%d}.{x.kind}"
            message_id = make_message_id(x.key, sender=s.smtp_from, label=label)
            events = [
                entry_event(e, lang=x.r.language, app_url=s.app_url, sequence=seqs[deadline_uid(e.deadline_id)])
                for e in x.entries
            ]  # fmt: skip
            ics = build_calendar(events, name="legal-track", now=self.now, timezone=s.timezone)
            text = render_message(
                sender=s.smtp_from, recipient=x.r.email, subject=x.rendered.subject,
                text=x.rendered.text, html=x.rendered.html, message_id=message_id, date=self.now,
                attachments=[calendar_attachment(ics)] if events else [],
            )  # fmt: skip
            planned.append(Planned(
                kind=x.kind, subject_key=x.subject_key, offset_days=x.offset, recipient=x.r.email,
                date_key=x.date_key, scheduled_for=x.scheduled_for, subject=x.rendered.subject,
                message_id=message_id, message=text, language=x.r.language, user_id=x.r.user_id,
                deadline_id=x.deadline_id, case_id=x.case_id,
            ))  # fmt: skip
        return planned

    def local_start(self, day: date, at: time = time(0, 0)) -> datetime:
        return utcnow_from(datetime.combine(day, at, self.tz))


def _plan_digests(
    p: _Planner, recipients: dict[int, Recipient], leads: list[int], users: dict[int, User]
) -> None:
    s = p.settings
    done = {k[3] for k in existing_keys(p.session, kinds=[ReminderKind.digest], dates=[p.today])}
    wanted = [r for r in recipients.values() if r.digest_enabled and r.email not in done]
    if not wanted:
        return
    horizon = p.today + timedelta(days=s.digest_horizon_days)
    by_owner: dict[int | None, list[DeadlineEntry]] = defaultdict(list)
    for e in deadline_entries(p.session, due_to=horizon):
        by_owner[e.owner_id].append(e)
    limits: dict[int | None, list[LimitationEntry]] = defaultdict(list)
    for owner, entry in limitation_entries(p.session, risks=list(s.digest_limitation_risks)):
        limits[owner].append(entry)
    moved: dict[int | None, list[NoticeEntry]] = defaultdict(list)
    for owner, notice in notice_entries(p.session):
        moved[owner].append(notice)
    # unassigned, or the owner's account is inactive: the team leads see them
    orphans = [o for o in {*by_owner, *limits, *moved} if o is None or o not in users]
    cap = s.digest_max_lines
    at = p.local_start(p.today, time.fromisoformat(s.digest_time))
    for r in sorted(wanted, key=lambda r: r.user_id):
        mine = list(by_owner.get(r.user_id, []))
        lim = list(limits.get(r.user_id, []))
        notes = list(moved.get(r.user_id, []))
        if r.user_id in leads:
            for o in orphans:
                mine += by_owner.get(o, [])
                lim += limits.get(o, [])
                notes += moved.get(o, [])
        mine = [e for e in mine if r.wants(e)]
        overdue = sorted(
            (e for e in mine if e.due < p.today),
            key=lambda e: (sort_key(e)[0], -e.due.toordinal(), e.case_ref),
        )
        today = sorted((e for e in mine if e.due == p.today), key=sort_key)
        upcoming = sorted((e for e in mine if e.due > p.today), key=lambda e: (e.due, sort_key(e)))
        sections = tuple(
            Section(k, tuple(v[:cap]), len(v))
            for k, v in (("overdue", overdue), ("today", today), ("upcoming", upcoming))
        )
        content = DigestContent(
            name=r.name, today=p.today, horizon_days=s.digest_horizon_days, sections=sections,
            limitation=tuple(lim[:cap]), limitation_total=len(lim), app_url=s.app_url,
            notices=tuple(notes[:cap]), notices_total=len(notes),
        )  # fmt: skip
        if content.empty:
            continue
        shown = [e for sec in sections for e in sec.lines]
        p.add(
            _Spec(
                ReminderKind.digest,
                "digest",
                0,
                r,
                p.today,
                at,
                render_digest(content, r.language),
                shown,
            )
        )


def _plan_alerts(
    p: _Planner, recipients: dict[int, Recipient], leads: list[int], users: dict[int, User]
) -> None:
    s = p.settings
    offsets = tuple(sorted({int(o) for o in s.alert_offsets if int(o) >= 0}, reverse=True))
    dates = candidate_due_dates(p.today, offsets={*offsets, *pack_offsets()},
                                catchup=s.alert_catchup_days, escalation_days=s.escalation_days)  # fmt: skip
    severities = set(s.alert_severities) | set(s.escalation_severities)
    entries = deadline_entries(p.session, due_in=dates, severities=severities)
    if not entries:
        return
    p.known |= existing_keys(
        p.session, kinds=[ReminderKind.alert, ReminderKind.escalation], dates=dates
    )
    for e in sorted(entries, key=lambda e: (e.due, e.deadline_id)):
        if e.severity in s.alert_severities:
            _alert(p, e, offsets, recipients, leads, users)
        if e.severity in s.escalation_severities:
            _escalation(p, e, recipients, leads, users)


def _alert(p: _Planner, e: DeadlineEntry, offsets: tuple[int, ...], recipients: dict[int, Recipient],
           leads: list[int], users: dict[int, User]) -> None:  # fmt: skip
    """The alert of the stage `e` has reached, to its owner (unassigned or inactive owner:
    the team leads)."""
    stage = alert_stage(e.due, p.today, rule_offsets(e.rule_id, e.rule_version, offsets))
    if stage is None or (p.today - stage[1]).days > p.settings.alert_catchup_days:
        return
    if e.owner_id in recipients:
        targets = [recipients[e.owner_id]]
    elif e.owner_id in users:  # active, but without an e-mail address
        p.skipped.append(f"user {users[e.owner_id].username} has no e-mail address")
        targets = []
    else:  # unassigned, or the owner's account is inactive: the team leads
        targets = [recipients[i] for i in leads]
    for r in targets:
        if r.wants(e):
            rendered = render_alert(
                e, today=p.today, lang=r.language, name=r.name, app_url=p.settings.app_url
            )
            p.add(_Spec(ReminderKind.alert, f"deadline:{e.deadline_id}", stage[0], r, e.due,
                        p.local_start(stage[1]), rendered, [e], e.deadline_id, e.case_id))  # fmt: skip


def _escalation(p: _Planner, e: DeadlineEntry, recipients: dict[int, Recipient], leads: list[int],
                users: dict[int, User]) -> None:  # fmt: skip
    """An overdue deadline to the owner's lead (no lead with an address: every lead)."""
    days = p.settings.escalation_days
    escalate_on = e.due + timedelta(days=days)
    if not 0 <= (p.today - escalate_on).days <= p.settings.alert_catchup_days:
        return
    owner = users.get(e.owner_id) if e.owner_id is not None else None
    if owner is not None and owner.lead_id in recipients:
        lead_ids = [owner.lead_id]
    else:
        lead_ids = [i for i in leads if i != e.owner_id]
    owner_name = (owner.display_name or owner.username) if owner else "—"
    for lead_id in lead_ids:
        r = recipients[lead_id]
        if e.case_id in r.muted:  # the lead's own mutes; the owner's do not apply
            continue
        rendered = render_escalation(e, today=p.today, lang=r.language, name=r.name,
                                     owner=owner_name, app_url=p.settings.app_url)  # fmt: skip
        p.add(_Spec(ReminderKind.escalation, f"deadline:{e.deadline_id}", days, r, e.due,
                    p.local_start(escalate_on), rendered, [e], e.deadline_id, e.case_id))  # fmt: skip


def plan_reminders(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    digest: bool | None = None,
    alerts: bool | None = None,
    persist: bool = True,
) -> tuple[list[Planned], list[str], bool, bool]:
    """Every reminder due at `now` that is not recorded yet: (planned, skipped notes,
    digest checked, alerts checked). `digest=None` means "if enabled and the local time is
    past digest_time"; `alerts=None` means "if enabled"."""
    now = utcnow_from(now)
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    if digest is None:
        digest = settings.digest_enabled and local.time() >= time.fromisoformat(
            settings.digest_time
        )
    if alerts is None:
        alerts = settings.alerts_enabled
    p = _Planner(session, settings, now, local.date(), tz, persist)
    if not (digest or alerts):
        return [], [], False, False
    recipients, leads, users = load_recipients(session)
    if digest:
        _plan_digests(p, recipients, leads, users)
    if alerts:
        _plan_alerts(p, recipients, leads, users)
    return p.build(), sorted(set(p.skipped)), bool(digest), bool(alerts)


def run_pass(
    session_factory: SessionFactory,
    *,
    now: datetime,
    mailer: Mailer,
    dry_run: bool = False,
    settings: Settings | None = None,
    digest: bool | None = None,
    alerts: bool | None = None,
    holder: str | None = None,
    role: str | None = None,
) -> PassReport:
    """One reminder pass: decide what is due, record it once, send what is waiting
    (including earlier failures whose retry time has come). A dry run decides and reports
    but writes and sends nothing."""
    check_role(role, DECIDER_ROLES, "run the reminders")
    settings = settings or get_settings()
    now = utcnow_from(now)
    holder = holder or f"pass-{uuid.uuid4().hex[:16]}"
    with session_factory() as s:
        planned, skipped, did_digest, did_alerts = plan_reminders(
            s, now=now, settings=settings, digest=digest, alerts=alerts, persist=not dry_run
        )
        report = PassReport(now, dry_run, did_digest, did_alerts, skipped=skipped)
        report.decided = [
            PlannedSummary(str(x.kind), x.recipient, x.subject, x.offset_days, x.deadline_id, x.case_id)
            for x in planned
        ]  # fmt: skip
        if dry_run:
            s.rollback()
            report.waiting = waiting_count(s)
            return report
        record_planned(s, planned, now=now)
    delivery = deliver_due(
        session_factory, mailer=mailer, now=now, holder=holder,
        retry_seconds=settings.reminder_retry_seconds,
        retry_max_seconds=settings.reminder_retry_max_seconds,
        stale_after=timedelta(seconds=max(300, 4 * settings.smtp_timeout_seconds)),
    )  # fmt: skip
    report.sent, report.failed, report.stopped = delivery.sent, delivery.failed, delivery.stopped
    with session_factory() as s:
        report.waiting = waiting_count(s)
        if report.decided or report.sent or report.failed:
            record(s, AuditEvent("reminders", "reminders.pass", detail={
                "decided": len(report.decided), "sent": len(report.sent),
                "failed": len(report.failed), "mailer": mailer.name,
            }), now=now)  # fmt: skip
            s.commit()
    return report
