"""Case events: record, correct and delete the dated, typed facts of a case.

Every change recomputes the deadlines that depend on the case's events and is
audited. A stage move is validated (`lifecycle.check_transition`): an invalid one
is refused with the stages allowed next. An objection to a payment order moves the
case to litigation; a closing event closes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from legal_track.analytics.costs import refresh_costs
from legal_track.analytics.recoveries import refresh_recovery
from legal_track.approvals.gates import require_filing
from legal_track.audit import AuditEvent, record
from legal_track.calendar.workdays import WorkCalendar, load_calendar
from legal_track.cases.kinds import (
    FIELDS,
    FORCED_STAGE,
    IMPLIED_STAGE,
    DataField,
    EventDataError,
    EventKind,
    PartyRole,
    defaults_for,
    fields_for,
    normalize_data,
    parse_kind,
)
from legal_track.cases.lifecycle import (
    ROUTE_OF_STAGE,
    TRANSITIONS,
    CloseReason,
    Stage,
    TransitionError,
    check_transition,
)
from legal_track.cases.versions import CaseChangedError, check_version, conflict_guard, touch
from legal_track.cases.visits import refresh_visits
from legal_track.db import utcnow_from
from legal_track.deadlines.engine import ComputedDeadline, DeadlineComputer, plan_event
from legal_track.deadlines.rules import default_rules
from legal_track.deadlines.store import RecomputeReport, delete_for_event
from legal_track.deadlines.store import recompute_cases as _recompute_cases
from legal_track.limitation.portfolio import refresh_loans
from legal_track.models import Case, CaseEvent, CaseLoan
from legal_track.privacy import CASE_WORKER_ROLES, check_role

# A closing move needs a reason; these kinds carry an obvious one.
_CLOSE_REASON_OF_KIND = {
    EventKind.settlement: CloseReason.settled,
    EventKind.settlement_completed: CloseReason.settled,
}


@dataclass(frozen=True, slots=True)
class EventPreview:
    """What recording an event would do: the deadlines it creates and the stage move."""

    kind: EventKind
    on: date
    data: dict
    deadlines: list[ComputedDeadline]
    current_stage: Stage
    implied_stage: Stage | None
    allowed_next: tuple[Stage, ...]
    problems: list[str] = field(default_factory=list)


def events_of(session: Session, *, case_id: int) -> list[CaseEvent]:
    """A case's events in date order (the timeline)."""
    query = (
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.on, CaseEvent.id)
    )
    return list(session.exec(query).all())


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case {case_id} not found")
    return case


def _target_stage(kind: EventKind, to_stage: Stage | str | None) -> Stage | None:
    if to_stage is not None and to_stage != "":
        return Stage(to_stage)
    return FORCED_STAGE.get(kind)


def _move(case: Case, target: Stage | None, *, on: date, kind: EventKind, data: dict,
          actor: str, now: datetime) -> dict:  # fmt: skip
    """Apply a validated stage move to `case`; return what changed (for the audit)."""
    if target is None or target == Stage(case.stage):
        return {}
    check_transition(case.stage, target)
    touch(case, actor=actor, now=now)
    before = {"stage": case.stage, "route": case.route}
    case.stage = target.value
    route = ROUTE_OF_STAGE.get(target)
    if route is not None:
        case.route = route.value
    if target is Stage.closed:
        reason = data.get("reason") or _CLOSE_REASON_OF_KIND.get(kind)
        if reason is None:
            raise TransitionError(
                f"closing the case with a {kind.value} event needs a close reason "
                f"({', '.join(r.value for r in CloseReason)}); record a case_closed event"
            )
        case.closed_on, case.close_reason = on, CloseReason(reason).value
    return {"from": before, "to": {"stage": case.stage, "route": case.route}}


def add_event(
    session: Session,
    *,
    case_id: int,
    kind: EventKind | str,
    on: date,
    actor: str,
    now: datetime,
    party: str | None = None,
    data: dict | None = None,
    note: str = "",
    to_stage: Stage | str | None = None,
    role: str | None = None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Record an event; move the stage when asked (or when the kind forces it),
    recompute the case's deadlines, audit, commit. `role` (the signed-in user's; None: the
    command line) must work cases: viewers and counsel record nothing (counsel report
    progress through `counsel.updates.import_updates`).

    `expected_version` is the case version the form showed: if the case changed since
    (its stage moved, say), the event is refused (`CaseChangedError`): the move, and the
    stage the form offered moves from, were chosen against a stage that no longer holds.
    Events that move nothing leave the version as it is, so they never conflict."""
    check_role(role, CASE_WORKER_ROLES, "record case events")
    now = utcnow_from(now)
    kind = parse_kind(kind)
    clean = normalize_data(kind, data)
    case = _case(session, case_id)
    check_version(case, expected_version)
    target = _target_stage(kind, to_stage)
    require_filing(session, case_id=case_id, kind=kind.value, on=on, party=party, data=clean,
                   to_stage=to_stage, note=note, actor=actor, now=now)  # maker-checker  # fmt: skip
    moved = _move(case, target, on=on, kind=kind, data=clean, actor=actor, now=now)
    event = CaseEvent(
        case_id=case_id, kind=kind.value, on=on, party=(party or "").strip() or None,
        actor=actor, note=note, data=clean, created_at=now,
    )  # fmt: skip
    session.add(event)
    session.add(case)
    with conflict_guard(session, [case_id]):
        session.flush()
    refresh_visits(session, case_ids=[case_id])
    refresh_recovery(session, case_ids=[case_id])
    refresh_costs(session, case_ids=[case_id])
    report = _recompute_cases(session, now=now, case_ids=[case_id])
    record(
        session,
        AuditEvent(actor, "event.add", "case_event", str(event.id), {
            "case_id": case_id, "kind": kind.value, "on": on.isoformat(), "party": event.party,
            "data": clean, "stage": moved, "deadlines": _counts(report),
        }),
        now=now,
    )  # fmt: skip
    session.commit()
    refresh_limitation(session, case_id=case_id, now=now, actor=actor)
    return event


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event of a batch (`label` names it in errors: "updates.csv row 4")."""

    case_id: int
    kind: str
    on: date
    label: str
    data: dict | None = None
    party: str | None = None
    note: str = ""
    follow_stage: bool = True  # move to the kind's implied stage, as the form offers


class EventBatchError(ValueError):
    """Events of a batch that cannot be recorded; nothing of the batch was written."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def add_events(
    session: Session, *, events: list[NewEvent], actor: str, now: datetime
) -> list[CaseEvent]:
    """Record a batch of events all or nothing: each is checked (kind, data, the stage
    move from the stage its case is in after the batch's earlier events); if any fails,
    nothing is written and EventBatchError lists every failure by its label. Then the
    cases' deadlines are recomputed, each event audited, one commit, and the loans'
    limitation clocks refreshed."""
    now = utcnow_from(now)
    problems: list[str] = []
    made: list[tuple[CaseEvent, dict]] = []
    for item in events:
        try:
            kind = parse_kind(item.kind)
            clean = normalize_data(kind, item.data)
            case = _case(session, item.case_id)
            target = _target_stage(kind, None)
            if target is None and item.follow_stage:
                target = IMPLIED_STAGE.get(kind)
            moved = _move(case, target, on=item.on, kind=kind, data=clean, actor=actor, now=now)
        except (EventDataError, TransitionError, LookupError, ValueError) as exc:
            problems.append(f"{item.label}: {exc}")
            continue
        event = CaseEvent(case_id=item.case_id, kind=kind.value, on=item.on,
                          party=(item.party or "").strip() or None, actor=actor,
                          note=item.note, data=clean, created_at=now)  # fmt: skip
        session.add(event)
        session.add(case)
        made.append((event, moved))
    if problems:
        session.rollback()
        raise EventBatchError(problems)
    case_ids = sorted({e.case_id for e, _ in made})
    with conflict_guard(session, case_ids):  # read and written in this transaction
        session.flush()
    refresh_visits(session, case_ids=case_ids)
    refresh_recovery(session, case_ids=case_ids)
    refresh_costs(session, case_ids=case_ids)
    report = _recompute_cases(session, now=now, case_ids=case_ids)
    for event, moved in made:
        record(session, AuditEvent(actor, "event.add", "case_event", str(event.id), {
            "case_id": event.case_id, "kind": event.kind, "on": event.on.isoformat(),
            "data": event.data, "stage": moved, "batch": len(made),
        }), now=now)  # fmt: skip
    record(session, AuditEvent(actor, "event.batch", "case", "", {
        "events": len(made), "cases": case_ids, "deadlines": _counts(report)}), now=now)  # fmt: skip
    session.commit()
    for case_id in case_ids:
        refresh_limitation(session, case_id=case_id, now=now, actor=actor)
    return [e for e, _ in made]


def refresh_limitation(session: Session, *, case_id: int, now: datetime, actor: str) -> int:
    """Recompute the stored limitation clocks of the case's loans: filings and
    delivered demands recorded as events restart them (their own commit)."""

    loan_ids = list(session.exec(select(CaseLoan.loan_id).where(CaseLoan.case_id == case_id)))
    return refresh_loans(session, loan_ids=loan_ids, now=now, actor=actor)


_EDITABLE = frozenset({"kind", "on", "party", "data", "note"})


def update_event(
    session: Session,
    *,
    event_id: int,
    actor: str,
    now: datetime,
    role: str | None = None,
    **changes: Any,
) -> CaseEvent:
    """Correct an event (kind, on, party, data, note); recompute what depends on it.

    The stage is not moved back or forth by a correction; record a new event for that.
    Only roles that work cases (`role`, as for `add_event`).
    """
    check_role(role, CASE_WORKER_ROLES, "correct case events")
    now = utcnow_from(now)
    unknown = sorted(set(changes) - _EDITABLE)
    if unknown:
        raise EventDataError(
            f"event {event_id}: cannot change {', '.join(unknown)}; "
            f"editable: {', '.join(sorted(_EDITABLE))}"
        )
    event = session.get(CaseEvent, event_id)
    if event is None:
        raise LookupError(f"event {event_id} not found")
    before = {"kind": event.kind, "on": event.on.isoformat(), "party": event.party,
              "data": dict(event.data or {}), "note": event.note}  # fmt: skip
    kind = parse_kind(changes.get("kind", event.kind))
    data = changes.get("data", event.data)
    clean = normalize_data(kind, data)
    event.kind, event.data = kind.value, clean
    if "on" in changes:
        event.on = changes["on"]
    if "party" in changes:
        event.party = (changes["party"] or "").strip() or None
    if "note" in changes:
        event.note = changes["note"] or ""
    session.add(event)
    session.flush()
    refresh_visits(session, case_ids=[event.case_id])
    refresh_recovery(session, case_ids=[event.case_id])
    refresh_costs(session, case_ids=[event.case_id])
    report = _recompute_cases(session, now=now, case_ids=[event.case_id])
    after = {"kind": event.kind, "on": event.on.isoformat(), "party": event.party,
             "data": clean, "note": event.note}  # fmt: skip
    record(
        session,
        AuditEvent(actor, "event.update", "case_event", str(event.id), {
            "case_id": event.case_id, "before": before, "after": after,
            "deadlines": _counts(report),
        }),
        now=now,
    )  # fmt: skip
    session.commit()
    refresh_limitation(session, case_id=event.case_id, now=now, actor=actor)
    return event


def delete_event(session: Session, *, event_id: int, actor: str, now: datetime,
                 role: str | None = None) -> RecomputeReport:  # fmt: skip
    """Delete an event and the deadlines it triggered; recompute the rest of the case.
    Only roles that work cases (`role`, as for `add_event`)."""
    check_role(role, CASE_WORKER_ROLES, "delete case events")
    now = utcnow_from(now)
    event = session.get(CaseEvent, event_id)
    if event is None:
        raise LookupError(f"event {event_id} not found")
    case_id = event.case_id
    snapshot = {"kind": event.kind, "on": event.on.isoformat(), "party": event.party,
                "data": dict(event.data or {}), "note": event.note}  # fmt: skip
    removed = delete_for_event(session, event_id)
    session.delete(event)
    session.flush()
    refresh_visits(session, case_ids=[case_id])
    refresh_recovery(session, case_ids=[case_id])
    refresh_costs(session, case_ids=[case_id])
    report = _recompute_cases(session, now=now, case_ids=[case_id])
    report.deleted += removed
    record(
        session,
        AuditEvent(actor, "event.delete", "case_event", str(event_id),
                   {"case_id": case_id, "event": snapshot, "deadlines": _counts(report)}),
        now=now,
    )  # fmt: skip
    session.commit()
    refresh_limitation(session, case_id=case_id, now=now, actor=actor)
    return report


def preview_event(
    session: Session,
    *,
    case_id: int,
    kind: EventKind | str,
    on: date,
    party: str | None = None,
    data: dict | None = None,
    to_stage: Stage | str | None = None,
    calendar: WorkCalendar | None = None,
) -> EventPreview:
    """The deadlines an event would create and the stage move it implies, without
    writing anything. Data problems come back in `problems` instead of raising."""
    kind = parse_kind(kind)
    case = _case(session, case_id)
    current = Stage(case.stage)
    problems: list[str] = []
    try:
        clean = normalize_data(kind, data)
    except EventDataError as exc:
        problems.append(str(exc))
        clean = {}
    target = _target_stage(kind, to_stage)
    if target is not None and target != current:
        try:
            check_transition(current, target)
        except TransitionError as exc:
            problems.append(str(exc))
    route = ROUTE_OF_STAGE.get(target) if target else None
    computer = DeadlineComputer(calendar or load_calendar(session), default_rules())
    deadlines = plan_event(
        computer, kind=kind.value, on=on, route=(route.value if route else case.route),
        party=(party or "").strip() or None, data=clean, errors=problems,
    )  # fmt: skip
    implied = FORCED_STAGE.get(kind) or IMPLIED_STAGE.get(kind)
    return EventPreview(
        kind, on, clean, deadlines, current, implied, TRANSITIONS[current], problems
    )


def implied_stage(kind: EventKind | str) -> Stage | None:
    """The stage an event of `kind` usually brings the case to (the form's default)."""
    kind = parse_kind(kind)
    return FORCED_STAGE.get(kind) or IMPLIED_STAGE.get(kind)


def _counts(report: RecomputeReport) -> dict:
    return {"inserted": report.inserted, "updated": report.updated, "deleted": report.deleted,
            "errors": report.errors[:10]}  # fmt: skip


__all__ = [
    "FIELDS",
    "CaseChangedError",
    "DataField",
    "EventDataError",
    "EventKind",
    "EventPreview",
    "PartyRole",
    "add_event",
    "defaults_for",
    "delete_event",
    "events_of",
    "fields_for",
    "implied_stage",
    "normalize_data",
    "preview_event",
    "update_event",
]
