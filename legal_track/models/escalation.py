"""Decisions on escalation proposals: a lead accepted a loan into a case, or rejected it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class Decision(StrEnum):
    accepted = "accepted"
    rejected = "rejected"


class EscalationDecision(SQLModel, table=True):
    """Who decided what about which loan, on which proposal (its reasons, route and figures
    as they were shown), and the case it opened. A rejected loan comes back to the queue
    after the rule pack's `reconsider_days`."""

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    decision: str = Field(max_length=10)  # Decision
    reason: str = Field(default="")
    route: str = Field(default="", max_length=16)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    proposed_on: date
    proposal: dict = json_field(dict)
    rule_version: str = Field(max_length=40)
    decided_by: str = Field(max_length=64)
    decided_at: datetime = utc_field()
