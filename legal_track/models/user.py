"""Local user accounts, sign-in attempts and the append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field


class Role(StrEnum):
    """What a user may see and do (see privacy.py for what each role sees)."""

    admin = "admin"  # everything, user and calendar administration
    lead = "lead"  # team lead: full personal data, assigns cases, receives escalations
    staff = "staff"  # works cases: full personal data of the cases
    viewer = "viewer"  # read-only, masked personal data
    counsel = "counsel"  # outside counsel: masked except for filing needs


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(default="", max_length=100)
    email: str | None = Field(default=None, max_length=254)
    role: Role = Field(default=Role.staff, max_length=16)
    language: str = Field(default="zh", max_length=2)
    password_hash: str = Field(max_length=200)
    active: bool = Field(default=True)
    lead_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field()
    # Set by an admin's password reset: the next sign-in must choose a new password.
    must_change_password: bool = Field(default=False)
    # Open app sessions signed in before this moment end (password reset or change).
    password_changed_at: datetime | None = utc_field(nullable=True)
    # An admin re-enabled or reset the account: failed sign-ins before this no longer count.
    unlocked_at: datetime | None = utc_field(nullable=True)


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt (the lockout counts failures per account and per client)."""

    __table_args__ = (
        Index("ix_loginattempt_username_at", "username", "at"),
        Index("ix_loginattempt_client_at", "client", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field()
    username: str = Field(max_length=64)  # as typed (an unknown name counts too)
    client: str = Field(default="", max_length=64)  # the browser's address, "" when unknown
    outcome: str = Field(max_length=16)  # auth.Outcome


class AuditEntry(SQLModel, table=True):
    """Who did what to which object, when. Never updated or deleted.

    Entries form a hash chain (legal_track.audit): `seq` numbers them without gaps, `hash`
    is the SHA-256 of the entry's canonical content including `prev_hash`, the hash of the
    entry before it."""

    __table_args__ = (Index("ix_auditentry_object", "object_type", "object_id"),)
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: datetime = utc_field(index=True)
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=64)
    detail: dict = json_field(dict)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChain(SQLModel, table=True):
    """The head of the audit chain: one row (id 1), the last entry's number and hash.

    `audit.record` updates it first (`UPDATE ... SET seq = seq + 1 ... RETURNING`): that
    takes SQLite's write lock or PostgreSQL's row lock until the transaction ends, so two
    writers can never give two entries the same place in the chain."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(default=0)
    last_hash: str = Field(max_length=64)
