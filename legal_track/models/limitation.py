"""The stored limitation clock (诉讼时效) of each loan, refreshed by `limitation.recompute_portfolio`."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from legal_track.models.base import utc_field


class LimitationClock(SQLModel, table=True):
    """One row per loan: when the 3-year limitation ends and what last restarted it.

    `expiry` counts evidence-dependent events (connected calls); `conservative_expiry`
    ignores them. `risk` is measured against the conservative date.
    """

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", unique=True)
    start_on: date  # last instalment due date (or maturity)
    expiry: date = Field(index=True)
    conservative_expiry: date = Field(index=True)
    longstop: date  # 20 years from the start, never interrupted
    provisional: bool = Field(default=False)  # a date falls in a year without a loaded notice
    risk: str = Field(max_length=8, index=True)  # limitation.Risk
    last_event_kind: str | None = Field(default=None, max_length=32)
    last_event_on: date | None = None
    last_event_source: str | None = Field(default=None, max_length=16)
    last_event_source_id: str | None = Field(default=None, max_length=64)
    computed_at: datetime = utc_field()
