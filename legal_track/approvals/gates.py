"""The gates of the three actions that may need approval: each builds the action's
payload (what is kept to carry it out) and key (what must match), then calls `gate`.

Strings only: the approvals package sits below cases, documents and escalation, which
call these functions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import Session

from legal_track.approvals.requests import Action, gate
from legal_track.models import ApprovalRequest

# Case events that file with a court, a commission or an enforcement court.
FILING_KINDS = frozenset({"complaint_filed", "arbitration_applied", "payment_order_applied",
                          "enforcement_applied"})  # fmt: skip


def require_filing(session: Session, *, case_id: int, kind: str, on: date, party: str | None,
                   data: dict, to_stage: object, note: str, actor: str, now: datetime,
                   required: Collection[str] | None = None) -> ApprovalRequest | None:  # fmt: skip
    """The gate of a filing event (cases.events.add_event); other kinds pass."""
    if kind not in FILING_KINDS:
        return None
    stage = str(getattr(to_stage, "value", to_stage)) if to_stage else None
    key = {"kind": kind, "on": on.isoformat(), "party": (party or "").strip() or None,
           "data": data, "to_stage": stage}  # fmt: skip
    return gate(session, action=Action.filing, case_id=case_id, payload=key | {"note": note},
                key=key, actor=actor, now=now, subject=f"{kind} on {on.isoformat()}",
                required=required)  # fmt: skip


def require_letter(session: Session, *, case_id: int, document_id: int, on: date,
                   tracking_no: str, actor: str, now: datetime,
                   required: Collection[str] | None = None) -> ApprovalRequest | None:  # fmt: skip
    """The gate of sending a demand letter (documents.letters.mark_sent)."""
    key = {"document_id": document_id, "on": on.isoformat()}
    return gate(session, action=Action.demand_letter, case_id=case_id,
                payload=key | {"tracking_no": tracking_no.strip()}, key=key, actor=actor, now=now,
                subject=f"demand letter (document {document_id}) sent on {on.isoformat()}",
                required=required)  # fmt: skip


def require_escalation(session: Session, *, contracts: list[str], today: date, owner: str | None,
                       actor: str, now: datetime,
                       required: Collection[str] | None = None) -> ApprovalRequest | None:  # fmt: skip
    """The gate of accepting escalation proposals (escalation.decisions.accept): the
    contracts accepted, the day's proposals and the owner are what is approved."""
    names = sorted(contracts)
    key = {"contracts": names, "today": today.isoformat(), "owner": owner or None}
    shown = ", ".join(names[:5]) + (f" +{len(names) - 5}" if len(names) > 5 else "")
    return gate(session, action=Action.escalation_accept, case_id=None, payload=key, actor=actor,
                now=now, subject=f"accept {len(names)} proposals on {today.isoformat()}: {shown}",
                required=required)  # fmt: skip
