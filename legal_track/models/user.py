"""Local user accounts and the append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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


class AuditEntry(SQLModel, table=True):
    """Who did what to which object, when. Never updated or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(index=True)
    actor: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=64)
    detail: dict = json_field(dict)
