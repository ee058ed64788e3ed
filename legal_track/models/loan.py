"""Loans, their other parties, the ledger and the collection contact log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from legal_track.models.base import json_field, money_field, rate_field, utc_field


class LoanStatus(StrEnum):
    current = "current"
    overdue = "overdue"
    legal = "legal"  # a case is open
    settled = "settled"
    paid_off = "paid_off"
    written_off = "written_off"


class PartyRole(StrEnum):
    co_borrower = "co_borrower"
    guarantor = "guarantor"


class Loan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contract_no: str = Field(index=True, unique=True, max_length=64)
    creditor_id: int = Field(foreign_key="creditor.id", index=True)
    borrower_id: int = Field(foreign_key="borrower.id", index=True)
    principal: Decimal = money_field()
    annual_rate: Decimal = rate_field()
    overdue_rate: Decimal | None = rate_field(nullable=True)
    disbursed_on: date
    maturity_on: date
    # [{"due_on": "2026-01-05", "principal": "1000.00", "interest": "15.00"}, ...]
    schedule: list = json_field(list)
    outstanding_principal: Decimal = money_field()
    overdue_since: date | None = Field(default=None, index=True)
    arbitration_commission: str | None = Field(default=None, max_length=200)
    agreed_court: str | None = Field(default=None, max_length=200)
    status: LoanStatus = Field(default=LoanStatus.overdue, max_length=16, index=True)


class LoanParty(SQLModel, table=True):
    """Co-borrowers and guarantors of a loan."""

    __table_args__ = (UniqueConstraint("loan_id", "borrower_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    borrower_id: int = Field(foreign_key="borrower.id", index=True)
    role: PartyRole = Field(max_length=16)


class LedgerKind(StrEnum):
    disbursement = "disbursement"
    repayment = "repayment"
    fee = "fee"
    write_off = "write_off"


class LedgerEntry(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("loan_id", "reference", name="uq_ledger_loan_ref"),
        # a loan's entries by date: the limitation clock reads only those from its start on
        Index("ix_ledgerentry_loan_booked", "loan_id", "booked_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id")
    kind: LedgerKind = Field(max_length=16)
    amount: Decimal = money_field()
    booked_on: date = Field(index=True)
    reference: str = Field(max_length=64)


class Channel(StrEnum):
    sms = "sms"
    email = "email"
    app = "app"
    call = "call"
    letter = "letter"
    visit = "visit"


class Direction(StrEnum):
    outbound = "outbound"
    inbound = "inbound"


class DeliveryStatus(StrEnum):
    delivered = "delivered"
    failed = "failed"
    unknown = "unknown"


class ContactLog(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("loan_id", "at", "channel", "target", name="uq_contact_natural"),
    )
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    at: datetime = utc_field(index=True)
    channel: Channel = Field(max_length=8)
    direction: Direction = Field(default=Direction.outbound, max_length=8)
    target: str = Field(default="", max_length=254)
    content: str = Field(default="")
    delivery_status: DeliveryStatus = Field(default=DeliveryStatus.unknown, max_length=10)
    agent: str | None = Field(default=None, max_length=100)
    promise_date: date | None = None
    promise_amount: Decimal | None = money_field(nullable=True)
    proof_ref: str | None = Field(default=None, max_length=200)


class RepaymentPlan(SQLModel, table=True):
    """One instalment of a repayment plan agreed in collections (还款计划/分期协议): the
    borrower promised `amount` by `due_on`. Imported from a plans file; an instalment whose
    due date has passed without the repayments in the ledger is a broken promise."""

    __table_args__ = (
        UniqueConstraint("loan_id", "plan_no", "instalment_no", name="uq_plan_instalment"),
    )
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    plan_no: str = Field(max_length=64)
    agreed_on: date
    instalment_no: int
    due_on: date
    amount: Decimal = money_field()
