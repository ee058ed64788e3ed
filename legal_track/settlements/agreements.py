"""Settlement services: record an agreement with its instalments, show where it stands,
and the daily check that records a missed instalment once, resumes the paused
deadlines and tells the case owner the next step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from legal_track.analytics.recoveries import case_payments
from legal_track.audit import AuditEvent, record
from legal_track.cases.events import add_event
from legal_track.cases.lifecycle import Stage
from legal_track.db import utcnow_from
from legal_track.deadlines.rules import default_rules
from legal_track.models import (
    Case,
    CaseEvent,
    Deadline,
    DeadlineNotice,
    DeadlineStatus,
    Role,
    Settlement,
    SettlementInstalment,
    SettlementKind,
    SettlementStatus,
)
from legal_track.settlements.plans import PlanError, PlannedInstalment, check_instalments
from legal_track.settlements.tracking import (
    InstalmentState,
    InstalmentView,
    KindRule,
    allocate,
    settlement_rules,
)

RECORDERS = frozenset({Role.admin.value, Role.lead.value, Role.staff.value})


def record_agreement(
    session: Session,
    *,
    case_id: int,
    kind: SettlementKind | str,
    agreed_on: date,
    instalments: list[PlannedInstalment],
    actor: str,
    now: datetime,
    grace_days: int | None = None,
    note: str = "",
    role: str | None = None,
) -> Settlement:
    """Record a settlement / instalment agreement and its `settlement_agreed` event (which
    pauses the case's internal deadlines and restarts limitation); audited, one commit.
    PlanError names every problem; nothing is written then. `role`: the signed-in user's
    (None: the command line's operator, trusted); only the lender's team records one."""
    if role is not None and str(role) not in RECORDERS:
        raise PermissionError(f"a {role} account may not record a settlement")
    now = utcnow_from(now)
    try:
        kind = SettlementKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in SettlementKind)
        raise PlanError([f"kind {kind!r}: use {choices}"]) from None
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case {case_id} not found")
    if case.stage == Stage.closed:
        raise PlanError([f"{case.ref} is closed: no agreement can be recorded"])
    check_instalments(instalments)
    if instalments[0].due_on < agreed_on:
        raise PlanError([f"instalment 1: due {instalments[0].due_on} is before the "
                         f"agreement ({agreed_on})"])  # fmt: skip
    open_ = session.exec(select(Settlement).where(
        Settlement.case_id == case_id, Settlement.status == SettlementStatus.kept.value)).first()  # fmt: skip
    if open_ is not None:
        raise PlanError([f"{case.ref} already has a kept agreement (#{open_.id} of "
                         f"{open_.agreed_on}); record its outcome first"])  # fmt: skip
    grace = settlement_rules().grace_days if grace_days is None else grace_days
    if grace < 0:
        raise PlanError([f"grace days {grace}: must be 0 or more"])
    total = sum((i.amount for i in instalments), Decimal("0"))
    agreement = Settlement(case_id=case_id, kind=kind.value, agreed_on=agreed_on, total=total,
                           grace_days=grace, note=note, created_by=actor, created_at=now)  # fmt: skip
    session.add(agreement)
    session.flush()
    for i in instalments:
        session.add(SettlementInstalment(settlement_id=agreement.id, no=i.no, due_on=i.due_on,
                                         amount=i.amount))  # fmt: skip
    record(session, AuditEvent(actor, "settlement.add", "settlement", str(agreement.id), {
        "case_id": case_id, "kind": kind.value, "agreed_on": agreed_on.isoformat(),
        "total": str(total), "instalments": len(instalments), "grace_days": grace,
    }), now=now)  # fmt: skip
    # add_event commits the agreement with its event
    add_event(session, case_id=case_id, kind="settlement_agreed", on=agreed_on, actor=actor,
              now=now, note=note, data={
                  "agreement_id": agreement.id, "settlement_kind": kind.value,
                  "total": str(total), "instalments": len(instalments),
                  "last_due": instalments[-1].due_on})  # fmt: skip
    return agreement


@dataclass(frozen=True, slots=True)
class DeadlineEffect:
    """What the agreement does to one of the case's deadlines, and why."""

    deadline_id: int
    rule_id: str
    name_zh: str
    name_en: str
    due: date
    status: str
    mode: str  # none | pause | interrupt (rules/deadlines.toml `settlement`)
    why_zh: str
    why_en: str


@dataclass(frozen=True, slots=True)
class SettlementView:
    agreement: Settlement
    rule: KindRule
    instalments: list[InstalmentView]
    effects: list[DeadlineEffect] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((i.paid for i in self.instalments), Decimal("0"))

    @property
    def first_missed(self) -> InstalmentView | None:
        return next((i for i in self.instalments if i.state is InstalmentState.missed), None)

    @property
    def all_paid(self) -> bool:
        return all(i.state is InstalmentState.paid for i in self.instalments)


def _instalments(session: Session, agreement: Settlement) -> list[SettlementInstalment]:
    q = select(SettlementInstalment).where(SettlementInstalment.settlement_id == agreement.id)
    return list(session.exec(q.order_by(SettlementInstalment.no)).all())


def _view(session: Session, agreement: Settlement, today: date) -> SettlementView:
    rows = _instalments(session, agreement)
    payments = case_payments(session, case_id=agreement.case_id, since=agreement.agreed_on)
    views = allocate([(r.no, r.due_on, r.amount) for r in rows], payments,
                     grace_days=agreement.grace_days, today=today)  # fmt: skip
    rule = settlement_rules().kinds[agreement.kind]
    return SettlementView(agreement, rule, views, _effects(session, agreement.case_id))


def _effects(session: Session, case_id: int) -> list[DeadlineEffect]:
    rules = default_rules()
    q = (
        select(Deadline)
        .where(
            Deadline.case_id == case_id,
            Deadline.status.in_([DeadlineStatus.open.value, DeadlineStatus.paused.value]),
        )
        .order_by(Deadline.due, Deadline.id)
    )
    out = []
    for d in session.exec(q).all():
        try:
            rule = rules.version(d.rule_id, d.trigger_date)
        except LookupError:
            continue
        why = rules.settlement.text(rule)
        out.append(DeadlineEffect(d.id, d.rule_id, rule.name_zh, rule.name_en, d.effective_due,
                                  str(d.status), rule.settlement, why.zh, why.en))  # fmt: skip
    return out


def case_settlements(session: Session, *, case_id: int, today: date) -> list[SettlementView]:
    """The case's agreements, newest first, each with its instalments' state as of `today`
    and what it does to the case's open and paused deadlines."""
    q = select(Settlement).where(Settlement.case_id == case_id)
    agreements = session.exec(q.order_by(Settlement.agreed_on.desc(), Settlement.id.desc()))
    return [_view(session, a, today) for a in agreements.all()]


@dataclass
class CheckReport:
    checked: int = 0
    missed: list[str] = field(default_factory=list)  # "LT-…: instalment 2 due 2026-…"
    completed: list[str] = field(default_factory=list)


def _recorded(session: Session, case_id: int, kind: str, agreement_id: int) -> bool:
    q = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
    return any(e.data.get("agreement_id") == agreement_id for e in session.exec(q).all())


def check_settlements(
    session: Session,
    *,
    today: date,
    now: datetime,
    actor: str = "system",
    case_ids: list[int] | None = None,
) -> CheckReport:
    """For every kept agreement: a missed instalment (due date + grace passed, not paid in
    full) records one `instalment_missed` event (which resumes the paused deadlines),
    marks the agreement missed and tells the case owner the next step; an agreement paid
    in full records `settlement_completed`. Idempotent: an event already recorded for the
    agreement is never recorded again. Each case's changes commit with its event."""
    now = utcnow_from(now)
    report = CheckReport()
    q = select(Settlement).where(Settlement.status == SettlementStatus.kept.value)
    if case_ids is not None:
        q = q.where(Settlement.case_id.in_(case_ids))
    for agreement in list(session.exec(q.order_by(Settlement.id)).all()):
        report.checked += 1
        view = _view(session, agreement, today)
        case = session.get(Case, agreement.case_id)
        missed = view.first_missed
        if missed is not None:
            if _recorded(session, case.id, "instalment_missed", agreement.id):
                agreement.status = SettlementStatus.missed.value
                session.add(agreement)
                session.commit()
                continue
            on = missed.missed_after + timedelta(days=1)
            row = next(r for r in _instalments(session, agreement) if r.no == missed.no)
            row.missed_on = on
            agreement.status = SettlementStatus.missed.value
            session.add_all([row, agreement])
            rule = view.rule
            session.add(DeadlineNotice(
                case_id=case.id, owner_id=case.owner_id, kind="settlement_missed",
                rule_id="settlement", new_due=on,
                message_zh=(f"{case.ref}：{rule.name_zh}第{missed.no}期（{missed.due_on}，"
                            f"{missed.amount}元）未按期支付，未付 {missed.unpaid} 元；已暂停的内部期限恢复计算。"
                            f"下一步：{rule.next_zh}（{rule.basis_zh}）"),
                message_en=(f"{case.ref}: instalment {missed.no} of the {rule.name_en.lower()} "
                            f"(due {missed.due_on}, {missed.amount}) was missed, {missed.unpaid} "
                            f"unpaid; paused internal deadlines resume. Next: {rule.next_en} "
                            f"({rule.basis_en})"),
                created_at=now,
            ))  # fmt: skip
            add_event(session, case_id=case.id, kind="instalment_missed", on=on, actor=actor,
                      now=now, note=rule.next_zh, data={
                          "agreement_id": agreement.id, "instalment_no": missed.no,
                          "due_on": missed.due_on, "unpaid": str(missed.unpaid)})  # fmt: skip
            report.missed.append(f"{case.ref}: instalment {missed.no} due {missed.due_on}")
        elif view.all_paid:
            agreement.status = SettlementStatus.completed.value
            session.add(agreement)
            last = max(i.paid_on for i in view.instalments if i.paid_on)
            if _recorded(session, case.id, "settlement_completed", agreement.id):
                session.commit()
                continue
            add_event(session, case_id=case.id, kind="settlement_completed", on=last,
                      actor=actor, now=now,
                      data={"agreement_id": agreement.id, "amount": str(view.paid)})  # fmt: skip
            report.completed.append(case.ref)
    return report
