"""Outside counsel: law firms, their lawyers, counsel accounts, and case assignments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, rate_field, utc_field


class LawFirm(SQLModel, table=True):
    """A law firm the lender instructs, with its fee arrangement: a fixed fee per stage the
    case reaches (`fee_per_stage`: {"lit_filed": "1500.00", ...}) and/or a share of what is
    recovered (`fee_rate`)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    uscc: str | None = Field(default=None, max_length=18, unique=True)  # 统一社会信用代码
    contact: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    fee_per_stage: dict = json_field(dict)
    fee_rate: Decimal | None = rate_field(nullable=True)
    active: bool = Field(default=True)
    created_at: datetime = utc_field()


class Lawyer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("firm_id", "name", name="uq_lawyer_firm_name"),)
    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="lawfirm.id", index=True)
    name: str = Field(max_length=100)
    license_no: str = Field(default="", max_length=32)  # 执业证号
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)


class CounselAccount(SQLModel, table=True):
    """A counsel user account belongs to exactly one firm."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    firm_id: int = Field(foreign_key="lawfirm.id", index=True)


class CaseAssignment(SQLModel, table=True):
    """A case given to a firm from `assigned_on`; `ended_on` is set when the case is taken
    back or given to another firm (the history stays). `includes_filing`: the firm files
    for the lender, and so receives the borrower's full ID number and address."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    firm_id: int = Field(foreign_key="lawfirm.id", index=True)
    lawyer_id: int | None = Field(default=None, foreign_key="lawyer.id")
    includes_filing: bool = Field(default=True)
    assigned_on: date
    ended_on: date | None = Field(default=None, index=True)
    note: str = Field(default="")
    assigned_by: str = Field(max_length=64)
    assigned_at: datetime = utc_field()
