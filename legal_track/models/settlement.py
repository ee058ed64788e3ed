"""Settlement and instalment agreements on a case (和解协议 / 调解 / 执行和解): what was
agreed, when each instalment falls due, and whether the agreement is kept."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import money_field, utc_field


class SettlementKind(StrEnum):
    pre_litigation = "pre_litigation"  # 和解协议 before suit (or in mediation)
    litigation = "litigation"  # 调解 in litigation (调解书 / 和解)
    enforcement = "enforcement"  # 执行和解 (CPL art. 241)


class SettlementStatus(StrEnum):
    kept = "kept"  # being performed; the case's internal deadlines are paused
    completed = "completed"  # every instalment paid
    missed = "missed"  # an instalment was missed: deadlines resumed, next step proposed


class Settlement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=16)  # SettlementKind
    agreed_on: date
    total: Decimal = money_field()
    grace_days: int = Field(default=0)  # days after a due date before it counts as missed
    status: str = Field(
        default=SettlementStatus.kept.value, max_length=12, index=True
    )  # SettlementStatus
    note: str = Field(default="")
    created_by: str = Field(max_length=64)
    created_at: datetime = utc_field()


class SettlementInstalment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("settlement_id", "no", name="uq_settlement_instalment"),)
    id: int | None = Field(default=None, primary_key=True)
    settlement_id: int = Field(foreign_key="settlement.id", index=True)
    no: int  # 1, 2, ... in due order
    due_on: date
    amount: Decimal = money_field()
    missed_on: date | None = None  # set once, when the missed event is recorded
