"""Approval requests: ask, approve or reject (by another lead or admin), withdraw, use.

The gate (`gate`) is what an action calls before it changes anything:

- the action does not need approval (setting `approval_actions`): nothing happens;
- an approved, unused request for the same action, case and payload exists: it is
  marked used in the action's own transaction (and so used once) and returned;
- otherwise a pending request is found or created (committed) and `ApprovalNeeded`
  is raised: "needs approval: request #N pending".

Doing the action again after the approval carries it out. Every step is audited on the
case (`object_type` "case", the case reference) or, without a case, on the request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from legal_track.audit import AuditEvent, record
from legal_track.audit.chain import plain_json
from legal_track.db import utcnow_from
from legal_track.models import ApprovalRequest, Case, Role


class Action(StrEnum):
    demand_letter = "demand_letter"  # mark a demand letter sent (documents.letters.mark_sent)
    filing = "filing"  # complaint, arbitration, payment order, enforcement (cases.events)
    escalation_accept = "escalation_accept"  # open cases from proposals (escalation.accept)


class Status(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    used = "used"  # approved and carried out


APPROVERS = frozenset({Role.admin.value, Role.lead.value})


class ApprovalError(ValueError):
    """A decision that cannot be made as asked (the message says why)."""


class ApprovalNeeded(ValueError):
    """The action waits for a second person's approval of `request`."""

    def __init__(self, request: ApprovalRequest, created: bool) -> None:
        self.request_id = int(request.id)
        self.created = created
        super().__init__(f"needs approval: request #{request.id} pending "
                         f"({request.action}: {request.subject})")  # fmt: skip


def required_actions(required: Collection[str] | None = None) -> frozenset[str]:
    """The actions that need approval: `required`, else the setting `approval_actions`."""
    if required is None:
        from legal_track.config import get_settings

        required = get_settings().approval_actions
    unknown = sorted(set(required) - {a.value for a in Action})
    if unknown:
        raise ApprovalError(f"approval_actions: unknown action(s) {', '.join(unknown)}; "
                            f"known: {', '.join(a.value for a in Action)}")  # fmt: skip
    return frozenset(required)


def fingerprint(action: str, case_id: int | None, key: dict) -> str:
    """SHA-256 of the action, the case and what identifies the action (`key`)."""
    body = json.dumps({"action": action, "case_id": case_id, "key": plain_json(key)},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(body.encode()).hexdigest()


def _audit(session: Session, request: ApprovalRequest, actor: str, action: str, now: datetime,
           **extra: object) -> None:  # fmt: skip
    detail = {"request": request.id, "action": request.action, "subject": request.subject} | extra
    if request.case_id is not None:
        ref = session.exec(select(Case.ref).where(Case.id == request.case_id)).first()
        record(session, AuditEvent(actor, action, "case", ref or str(request.case_id), detail),
               now=now)  # fmt: skip
    else:
        record(session, AuditEvent(actor, action, "approval", str(request.id), detail), now=now)


def gate(session: Session, *, action: Action | str, case_id: int | None, payload: dict,
         actor: str, now: datetime, subject: str = "", key: dict | None = None,
         required: Collection[str] | None = None) -> ApprovalRequest | None:  # fmt: skip
    """Let the action go ahead (None: no approval needed; or the approved request, now
    used) or raise ApprovalNeeded. Call it before the action changes anything: creating
    a request commits the session. `payload` is kept to carry the action out later;
    `key` (default: the payload) is what must match between the request and the action."""
    action = Action(action)
    if action.value not in required_actions(required):
        return None
    now = utcnow_from(now)
    digest = fingerprint(action.value, case_id, payload if key is None else key)
    t = ApprovalRequest.__table__
    for found in session.exec(
        select(ApprovalRequest)
        .where(ApprovalRequest.fingerprint == digest,
               ApprovalRequest.status.in_([Status.approved.value, Status.pending.value]))
        .order_by(ApprovalRequest.id)
    ).all():  # fmt: skip
        if found.status == Status.pending.value:
            raise ApprovalNeeded(found, created=False)
        taken = session.execute(
            update(t).where(t.c.id == found.id, t.c.status == Status.approved.value)
            .values(status=Status.used.value, used_by=actor, used_at=now)
        )  # fmt: skip
        if taken.rowcount == 1:  # not used meanwhile by a concurrent action
            session.refresh(found)
            _audit(session, found, actor, "approval.use", now)
            return found
    request = ApprovalRequest(action=action.value, case_id=case_id, subject=subject[:300],
                              payload=plain_json(payload), fingerprint=digest,
                              status=Status.pending.value, requested_by=actor,
                              requested_at=now)  # fmt: skip
    session.add(request)
    session.flush()
    _audit(session, request, actor, "approval.request", now, payload=request.payload)
    session.commit()
    raise ApprovalNeeded(request, created=True)


def _request(session: Session, request_id: int) -> ApprovalRequest:
    request = session.get(ApprovalRequest, request_id)
    if request is None:
        raise LookupError(f"no approval request #{request_id}")
    return request


def _decide(session: Session, *, request_id: int, actor: str, role: Role | str | None,
            now: datetime, reason: str, status: Status) -> ApprovalRequest:  # fmt: skip
    if role is not None and str(role) not in APPROVERS:
        raise ApprovalError(f"a {role} account may not decide approval requests")
    request = _request(session, request_id)
    if request.status != Status.pending.value:
        raise ApprovalError(f"request #{request_id} is {request.status}, not pending")
    if request.requested_by == actor:
        raise ApprovalError(f"request #{request_id}: nobody approves or rejects their own request")
    now = utcnow_from(now)
    request.status = status.value
    request.decided_by, request.decided_at, request.reason = actor, now, reason.strip()
    session.add(request)
    verb = "approval.approve" if status is Status.approved else "approval.reject"
    _audit(session, request, actor, verb, now, reason=request.reason,
           requested_by=request.requested_by)  # fmt: skip
    session.commit()
    return request


def approve(session: Session, *, request_id: int, actor: str, now: datetime,
            role: Role | str | None = None, reason: str = "") -> ApprovalRequest:  # fmt: skip
    """Approve a pending request (a lead or admin other than the requester). Audited."""
    return _decide(session, request_id=request_id, actor=actor, role=role, now=now,
                   reason=reason, status=Status.approved)  # fmt: skip


def reject(session: Session, *, request_id: int, actor: str, now: datetime, reason: str,
           role: Role | str | None = None) -> ApprovalRequest:  # fmt: skip
    """Reject a pending request with a reason (required). Audited."""
    if not reason.strip():
        raise ApprovalError("a rejection needs a reason")
    return _decide(session, request_id=request_id, actor=actor, role=role, now=now,
                   reason=reason, status=Status.rejected)  # fmt: skip


def withdraw(session: Session, *, request_id: int, actor: str, now: datetime) -> ApprovalRequest:
    """The requester takes back a pending or approved, unused request. Audited."""
    request = _request(session, request_id)
    if request.requested_by != actor:
        raise ApprovalError(f"request #{request_id} is {request.requested_by}'s to withdraw")
    if request.status not in (Status.pending.value, Status.approved.value):
        raise ApprovalError(f"request #{request_id} is {request.status}: nothing to withdraw")
    now = utcnow_from(now)
    request.status = Status.withdrawn.value
    request.decided_at = request.decided_at or now
    session.add(request)
    _audit(session, request, actor, "approval.withdraw", now)
    session.commit()
    return request


@dataclass(frozen=True, slots=True)
class RequestRow:
    request: ApprovalRequest
    case_ref: str | None


def list_requests(session: Session, *, statuses: Collection[str] = (), requested_by: str = "",
                  case_id: int | None = None, limit: int = 200) -> list[RequestRow]:  # fmt: skip
    """Requests, newest first, with their case reference (filtered by status, requester,
    case)."""
    query = select(ApprovalRequest, Case.ref).join(Case, Case.id == ApprovalRequest.case_id,
                                                   isouter=True)  # fmt: skip
    if statuses:
        query = query.where(ApprovalRequest.status.in_(list(statuses)))
    if requested_by:
        query = query.where(ApprovalRequest.requested_by == requested_by)
    if case_id is not None:
        query = query.where(ApprovalRequest.case_id == case_id)
    rows = session.exec(query.order_by(ApprovalRequest.id.desc()).limit(limit)).all()
    return [RequestRow(r, ref) for r, ref in rows]
