"""Factories for test data: `make_x(session, **overrides)` adds, flushes and returns."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from legal_track.auth import hash_password
from legal_track.identity import make_id_number
from legal_track.models import (
    Borrower,
    Case,
    CaseLoan,
    ContactLog,
    Creditor,
    DeadlineText,
    LedgerEntry,
    Loan,
    Role,
    User,
    text_key,
)

_seq = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def _add(session: Session, obj):
    session.add(obj)
    session.flush()
    return obj


def make_creditor(session: Session, **kw) -> Creditor:
    n = next(_seq)
    values = dict(
        name=f"测试小额贷款有限公司{n}",
        uscc="91330100MA2XXXXX0X",
        legal_rep="王五",
        address="浙江省杭州市西湖区文三路1号",
    )
    return _add(session, Creditor(**(values | kw)))


def make_borrower(session: Session, **kw) -> Borrower:
    n = next(_seq)
    values = dict(
        name=f"张三{n}",
        id_number=make_id_number("110101", date(1990, 1, 1), n),
        phone=f"138{n:08d}",
        address="北京市东城区示例路1号",
        email=f"b{n}@example.com",
    )
    return _add(session, Borrower(**(values | kw)))


def make_loan(session: Session, **kw) -> Loan:
    n = next(_seq)
    if "creditor_id" not in kw:
        kw["creditor_id"] = make_creditor(session).id
    if "borrower_id" not in kw:
        kw["borrower_id"] = make_borrower(session).id
    values = dict(
        contract_no=f"HT{n:06d}",
        principal=Decimal("20000.00"),
        annual_rate=Decimal("0.18"),
        disbursed_on=date(2024, 1, 10),
        maturity_on=date(2025, 1, 10),
        outstanding_principal=Decimal("12000.00"),
        overdue_since=date(2025, 3, 10),
    )
    return _add(session, Loan(**(values | kw)))


def make_ledger(session: Session, loan: Loan, **kw) -> LedgerEntry:
    n = next(_seq)
    values = dict(
        loan_id=loan.id,
        kind="repayment",
        amount=Decimal("1000.00"),
        booked_on=date(2025, 2, 10),
        reference=f"LS{n:08d}",
    )
    return _add(session, LedgerEntry(**(values | kw)))


def make_contact(session: Session, loan: Loan, **kw) -> ContactLog:
    values = dict(
        loan_id=loan.id,
        at=datetime(2025, 6, 1, 2, 0, tzinfo=UTC),
        channel="sms",
        target="13800000000",
        content="您的借款已逾期，请尽快还款。",
        delivery_status="delivered",
        agent="李四",
    )
    return _add(session, ContactLog(**(values | kw)))


def make_user(session: Session, **kw) -> User:
    n = next(_seq)
    values = dict(
        username=f"user{n}",
        display_name=f"用户{n}",
        email=f"user{n}@example.com",
        role=Role.staff,
        password_hash=hash_password("correct horse battery"),
        created_at=T0,
    )
    return _add(session, User(**(values | kw)))


def make_case(session: Session, *, loans: list[Loan] | None = None, **kw) -> Case:
    n = next(_seq)
    if loans is None:
        loans = [make_loan(session)]
    values = dict(
        ref=f"LT-2026-{n:06d}",
        borrower_id=loans[0].borrower_id,
        route="litigation",
        stage="lit_filed",
        forum="北京市东城区人民法院",
        opened_on=date(2026, 3, 1),
        created_at=T0,
    )
    case = _add(session, Case(**(values | kw)))
    for loan in loans:
        _add(session, CaseLoan(case_id=case.id, loan_id=loan.id))
    return case


def deadline_values(session: Session, values: dict) -> dict:
    """`values` for a Deadline with `basis`/`explanation_zh`/`explanation_en` turned into
    its shared DeadlineText (found by content or added), as the store does."""
    texts = tuple(values.pop(k, "") for k in ("basis", "explanation_zh", "explanation_en"))
    key = text_key(*texts)
    text = session.exec(select(DeadlineText).where(DeadlineText.key == key)).first()
    if text is None:
        text = DeadlineText(key=key, basis=texts[0], explanation_zh=texts[1],
                            explanation_en=texts[2])  # fmt: skip
        session.add(text)
        session.flush()
    return values | {"text": text}


def at(day: date, hour: int = 10) -> datetime:
    """A contact timestamp at `hour` Shanghai time on `day`, in UTC."""
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)
