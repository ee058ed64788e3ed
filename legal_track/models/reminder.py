"""Reminders: what was (or will be) sent to whom, per-user preferences, the scheduler lease
and the iCalendar sequence numbers of exported deadlines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class ReminderKind(StrEnum):
    digest = "digest"  # the daily overview of one user
    alert = "alert"  # an immediate alert for one deadline at one offset
    escalation = "escalation"  # an overdue deadline told to the owner's lead


class ReminderStatus(StrEnum):
    pending = "pending"  # decided, not yet handed to the mail server
    sending = "sending"  # claimed by one pass; in doubt if it stays here (crash)
    sent = "sent"
    failed = "failed"  # the last attempt failed; retried at next_attempt_at


class ReminderLog(SQLModel, table=True):
    """One reminder to one recipient. The unique key makes a reminder exist once: two passes
    (or two workers) deciding the same reminder insert one row between them."""

    __table_args__ = (
        UniqueConstraint(
            "kind", "subject_key", "offset_days", "recipient", "date_key", name="uq_reminder_once"
        ),
        Index("ix_reminderlog_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: ReminderKind = Field(max_length=12)
    # "digest", "deadline:<id>": what the reminder is about (part of the unique key)
    subject_key: str = Field(max_length=64)
    # days before the due date (3, 1, 0), -1 for "overdue", escalation_days for escalations
    offset_days: int = Field(default=0)
    recipient: str = Field(max_length=254, index=True)
    # digest: the local day it covers; alert/escalation: the due date it is about
    date_key: date = Field(index=True)
    deadline_id: int | None = Field(default=None, index=True)  # no FK: deadlines get recomputed
    case_id: int | None = Field(default=None, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    language: str = Field(default="zh", max_length=2)
    subject: str = Field(default="", max_length=300)
    scheduled_for: datetime = utc_field()
    status: ReminderStatus = Field(default=ReminderStatus.pending, max_length=10)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = utc_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    message_id: str = Field(max_length=200, index=True)
    # the complete message (RFC 5322 text): a retry sends exactly what was decided
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field()
    sent_at: datetime | None = utc_field(nullable=True)


class ReminderPreference(SQLModel, table=True):
    """What one user wants to receive. A user without a row gets the defaults."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    digest_enabled: bool = Field(default=True)
    # severities that appear in the user's digest and alerts (values of models.Severity)
    severities: list = json_field(lambda: ["fatal", "critical", "info"])
    muted_case_ids: list = json_field(list)
    updated_at: datetime = utc_field()


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler: one row per lease name, renewed by its holder."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime = utc_field()


class CalendarSequence(SQLModel, table=True):
    """The iCalendar SEQUENCE of an exported event: bumped when its date changes, so a
    calendar that imports the file again updates the event instead of ignoring it."""

    uid: str = Field(primary_key=True, max_length=128)
    on: date
    sequence: int = Field(default=0)
    changed_at: datetime = utc_field()
