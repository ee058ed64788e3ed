"""Creditors (lending entities) and borrowers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from legal_track.models.base import utc_field


class LenderType(StrEnum):
    """Decides which interest cap a claim is checked against (see rules/caps.toml)."""

    licensed = "licensed"  # banks, consumer-finance and microloan companies
    private = "private"  # private lending: 4 x LPR cap


class Creditor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    uscc: str | None = Field(default=None, max_length=18, description="统一社会信用代码")
    legal_rep: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=500)
    lender_type: LenderType = Field(default=LenderType.licensed, max_length=16)


class Borrower(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=100)
    id_number: str = Field(index=True, unique=True, max_length=18)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    is_demo: bool = Field(default=False)
    # Set by the retention purge (legal_track.retention): the personal data above was
    # replaced by placeholders; the row stays so that loans and cases keep their borrower.
    purged_at: datetime | None = utc_field(nullable=True)
