"""Cases, the loans they cover and their dated, typed events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Computed, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, utc_field

CLAIM_TOTAL_FEN_SQL = "CAST(ROUND(CAST(claim_total AS NUMERIC) * 100) AS BIGINT)"

# The case's version (optimistic concurrency, migration ver01): SQLAlchemy's version
# counter adds "AND version = <the version read>" to every ORM UPDATE of a case and bumps
# it, so two writers that read the same version cannot both save; a form sends the version
# it showed as `expected_version` (legal_track.cases.versions).
_VERSION = Column("version", Integer, nullable=False, server_default="1")


class Case(SQLModel, table=True):
    __mapper_args__ = {"version_id_col": _VERSION}
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=20)  # LT-2026-000123
    borrower_id: int = Field(foreign_key="borrower.id", index=True)
    route: str = Field(max_length=16, index=True)  # lifecycle.Route
    stage: str = Field(max_length=24, index=True)  # lifecycle.Stage
    forum: str | None = Field(default=None, max_length=200, index=True)  # court or commission
    court_case_no: str | None = Field(default=None, max_length=64)  # 案号 (litigation)
    enforcement_case_no: str | None = Field(default=None, max_length=64)  # 案号 (执行)
    counsel_firm: str | None = Field(default=None, max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    claim_total: str | None = Field(default=None, max_length=24)  # decimal text, for filters
    # The same amount in integer fen, computed by the database, for exact range filters and
    # sorting (migration ui01; SQLite adds it as a VIRTUAL column, PostgreSQL as STORED).
    claim_total_fen: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, Computed(CLAIM_TOTAL_FEN_SQL, persisted=True), index=True),
    )
    claim_snapshot: dict = json_field(dict)
    opened_on: date
    closed_on: date | None = None
    close_reason: str | None = Field(default=None, max_length=16)
    created_at: datetime = utc_field()
    version: int = Field(default=1, sa_column=_VERSION)
    changed_by: str | None = Field(default=None, max_length=64)  # who made `version`
    changed_at: datetime | None = utc_field(nullable=True)
    # Set by the retention purge: the personal data of the case's parties, contact log,
    # evidence and documents was removed; figures, events and deadlines stay.
    purged_at: datetime | None = utc_field(nullable=True)


class CaseLoan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "loan_id"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)


class CaseEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=40, index=True)  # lifecycle.EventKind
    on: date = Field(index=True)
    party: str | None = Field(default=None, max_length=100)  # whose service date, etc.
    actor: str = Field(max_length=64)
    note: str = Field(default="")
    data: dict = json_field(dict)
    created_at: datetime = utc_field()
