"""Maker-checker: a request to carry out an action that needs a second person's approval."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class ApprovalRequest(SQLModel, table=True):
    """Who asked to do what on which case; who approved or rejected it, and why.

    The action is carried out by doing it again once the request is approved: the
    gate (legal_track.approvals.gate) finds the approved request by its `fingerprint`
    (action, case and payload) and marks it used in the action's own transaction."""

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=32, index=True)  # approvals.Action
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    subject: str = Field(default="", max_length=300)  # what is asked, for the list
    payload: dict = json_field(dict)  # the action's arguments, as JSON
    fingerprint: str = Field(max_length=64, index=True)  # SHA-256 of action, case, payload
    status: str = Field(default="pending", max_length=16, index=True)  # approvals.Status
    requested_by: str = Field(max_length=64)
    requested_at: datetime = utc_field()
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = utc_field(nullable=True)
    reason: str = Field(default="")
    used_by: str | None = Field(default=None, max_length=64)
    used_at: datetime | None = utc_field(nullable=True)
