"""Computed deadlines of a case: what rule made them, from what, and why this date."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, Relationship, SQLModel

from legal_track.models.base import utc_field


class Severity(StrEnum):
    fatal = "fatal"  # missing it loses the right (appeal, enforcement application)
    critical = "critical"
    info = "info"  # informational (trial time limits)


class DeadlineStatus(StrEnum):
    open = "open"
    completed = "completed"
    waived = "waived"
    paused = "paused"  # an internal deadline held by a kept settlement (deadlines.pauses)


class DeadlineText(SQLModel, table=True):
    """The legal basis and the zh/en explanation of computed deadlines, stored once per
    distinct text: a portfolio's ~500,000 deadlines share ~10,000 explanations (one per
    rule, trigger date and calendar outcome). Rows are immutable and content-addressed by
    `key`; a full recompute prunes the ones no deadline uses any more."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True)  # see `text_key`
    basis: str = Field(default="")
    explanation_zh: str = Field(default="")
    explanation_en: str = Field(default="")


def text_key(basis: str, explanation_zh: str, explanation_en: str) -> str:
    """The content address of a DeadlineText."""
    raw = "\x1f".join((basis, explanation_zh, explanation_en)).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class Deadline(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    rule_id: str = Field(max_length=64)
    rule_version: str = Field(max_length=32)  # e.g. "set_aside_award@2026-03-01"
    trigger_event_id: int | None = Field(default=None, foreign_key="caseevent.id", index=True)
    trigger_date: date
    party: str | None = Field(default=None, max_length=100)
    raw_due: date  # before rolling off a rest day
    due: date  # computed final date (queries use the override when set: not indexed)
    provisional: bool = Field(default=False)  # year without a loaded notice
    severity: Severity = Field(default=Severity.critical, max_length=10)
    # basis and explanations (zh, en), shared with other deadlines; always loaded with it
    text_id: int | None = Field(default=None, foreign_key="deadlinetext.id")  # set by the store
    text: DeadlineText = Relationship(sa_relationship_kwargs={"lazy": "joined"})
    # digest of the computed columns and texts: a recompute compares it instead of them
    fingerprint: str = Field(default="", max_length=32)
    status: DeadlineStatus = Field(default=DeadlineStatus.open, max_length=10, index=True)
    override_due: date | None = None
    override_reason: str | None = None
    override_by: str | None = Field(default=None, max_length=64)
    override_at: datetime | None = utc_field(nullable=True)
    moved_under_override: bool = Field(default=False)  # computed date changed; owner told
    done_by: str | None = Field(default=None, max_length=64)
    done_at: datetime | None = utc_field(nullable=True)
    done_note: str | None = None
    computed_at: datetime = utc_field()

    @property
    def effective_due(self) -> date:
        return self.override_due or self.due

    @property
    def basis(self) -> str:
        return self.text.basis if self.text else ""

    @property
    def explanation_zh(self) -> str:
        return self.text.explanation_zh if self.text else ""

    @property
    def explanation_en(self) -> str:
        return self.text.explanation_en if self.text else ""


class NoticeKind(StrEnum):
    calendar_moved = "calendar_moved"  # a loaded holiday notice moved a provisional date
    moved_under_override = "moved_under_override"  # the computed date moved; override kept
    counsel_update = "counsel_update"  # outside counsel reported an event on the case
    settlement_missed = "settlement_missed"  # an instalment was missed: next step proposed


class DeadlineNotice(SQLModel, table=True):
    """A message to a case owner that one of their deadlines moved (read by the board
    and by the reminders digest)."""

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    kind: NoticeKind = Field(max_length=24)
    rule_id: str = Field(max_length=64)
    old_due: date | None = None
    new_due: date
    message_zh: str = Field(default="")
    message_en: str = Field(default="")
    created_at: datetime = utc_field(index=True)
    seen_at: datetime | None = utc_field(nullable=True)


class DeadlineCase(SQLModel, table=True):
    """What a case's stored deadlines were computed from (a digest of its events, route,
    the rules, the calendar and the engine): a recompute skips a case whose digest has
    not changed."""

    case_id: int = Field(
        primary_key=True, foreign_key="case.id", sa_column_kwargs={"autoincrement": False}
    )
    signature: str = Field(max_length=32)
    computed_at: datetime = utc_field()
