"""The audit trail: every access to personal data and every output is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from legal_track.db import utcnow_from
from legal_track.models.user import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A typed audit record; `record` adds it to the session (the caller commits)."""

    actor: str
    action: str
    object_type: str = ""
    object_id: str = ""
    detail: dict = field(default_factory=dict)


def record(session: Session, event: AuditEvent, *, now: datetime) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow_from(now),
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=str(event.object_id),
        detail=event.detail,
    )
    session.add(entry)
    return entry
