"""Kept for the dashboard: each stay of a case in a stage, from its events."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Index, text
from sqlmodel import Field, SQLModel


class StageVisit(SQLModel, table=True):
    """A case entered `stage` on `entered_on` (the event that moved it there) and left it on
    `left_on` (the next event moving it elsewhere; None while it is still there). `days`
    is `left_on - entered_on` for a finished stay. `route`: the route of the stage (the
    case's route for the shared demand-letter stage). Rewritten with the case's events."""

    __table_args__ = (
        Index("ix_stagevisit_route_stage_days", "route", "stage", "days"),
        # the stays still going, read by their start day (a partial index: few rows)
        Index("ix_stagevisit_going", "route", "stage", "entered_on",
              sqlite_where=text("left_on IS NULL"), postgresql_where=text("left_on IS NULL")),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    route: str = Field(max_length=16)
    stage: str = Field(max_length=24)
    entered_on: date
    left_on: date | None = None
    days: int | None = None


class CaseRecovery(SQLModel, table=True):
    """What a case recovered in a month (`month` = YYYYMM), in fen: ledger repayments on
    its loans booked on or after the case was opened, plus its `payment_received` events
    that no such ledger repayment matches (same amount, same day). Rewritten whenever
    the case's events or its loans' ledger change."""

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    month: int = Field(primary_key=True)
    fen: int = Field(sa_column=Column(BigInteger, nullable=False))


class CaseCost(SQLModel, table=True):
    """What a case cost, per category, in fen: its `cost_paid` events less its
    `cost_refunded` events (a court fee refunded after a mediation or a withdrawal).
    Rewritten whenever the case's events change."""

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    category: str = Field(primary_key=True, max_length=24)
    fen: int = Field(sa_column=Column(BigInteger, nullable=False))
