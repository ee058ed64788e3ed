"""Test data the shared factories do not make (deadlines belong to the deadlines area)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from legal_track.models import Case, Deadline
from tests.factories import T0, deadline_values


def add_deadline(session: Session, case: Case, due: date, **kw) -> Deadline:
    values = dict(
        case_id=case.id,
        rule_id="appeal_judgment",
        rule_version="appeal_judgment@2024-01-01",
        trigger_date=date(2026, 1, 1),
        raw_due=due,
        due=due,
        computed_at=T0,
    )
    deadline = Deadline(**deadline_values(session, values | kw))
    session.add(deadline)
    session.flush()
    return deadline
