"""recompute_portfolio: stores one row per loan, agrees with clock_for_loan, is idempotent."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel, select

from legal_track.limitation import clock_for_loan, recompute_portfolio
from legal_track.models import AuditEntry, CaseEvent, LimitationClock
from tests.components import pg_url
from tests.factories import at, make_case, make_contact, make_ledger, make_loan

TODAY = date(2026, 11, 29)


def portfolio(session):
    """Loans covering every kind of source, plus one with nothing at all."""
    plain = make_loan(session, maturity_on=date(2023, 1, 10), schedule=[])
    sms = make_loan(session, maturity_on=date(2023, 1, 10), schedule=[])
    make_contact(session, sms, at=at(date(2025, 3, 1)))
    make_contact(session, sms, at=at(date(2025, 6, 6)), channel="call")
    make_contact(session, sms, at=at(date(2025, 7, 1)), delivery_status="failed")
    paid = make_loan(session, maturity_on=date(2023, 1, 10), schedule=[
        {"due_on": "2023-02-02", "principal": "100.00", "interest": "1.00"},
        {"due_on": "2023-03-02", "principal": "100.00", "interest": "1.00"},
    ])  # fmt: skip
    make_ledger(session, paid, kind="repayment", booked_on=date(2024, 5, 9), reference="HK-P")
    filed = make_loan(session, maturity_on=date(2022, 1, 10), schedule=[])
    case = make_case(session, loans=[filed])
    session.add(CaseEvent(case_id=case.id, kind="payment_order_applied", on=date(2024, 9, 2),
                          actor="t", created_at=datetime(2024, 9, 2, tzinfo=UTC)))  # fmt: skip
    promise = make_loan(session, maturity_on=date(2023, 1, 10), schedule=[])
    make_contact(session, promise, at=at(date(2024, 3, 1)), channel="call",
                 promise_date=date(2024, 3, 8))  # fmt: skip
    session.commit()
    return [plain, sms, paid, filed, promise]


def stored(session) -> dict[int, LimitationClock]:
    session.expire_all()
    return {r.loan_id: r for r in session.exec(select(LimitationClock))}


def test_recompute_stores_the_same_clock_as_one_loan(session, now, calendar):
    loans = portfolio(session)
    seen = []
    n = recompute_portfolio(session, today=TODAY, now=now, calendar=calendar,
                            progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert n == len(loans) and seen[-1] == (5, 5)
    rows = stored(session)
    assert set(rows) == {loan.id for loan in loans}
    for loan in loans:
        one = clock_for_loan(session, loan_id=loan.id, today=TODAY, calendar=calendar)
        row = rows[loan.id]
        assert (row.start_on, row.expiry, row.conservative_expiry, row.longstop, row.risk,
                row.provisional) == (one.start, one.expiry, one.conservative_expiry,
                                     one.longstop, one.risk.value, one.provisional), loan.contract_no  # fmt: skip
        last = one.last_event
        assert (row.last_event_kind, row.last_event_on, row.last_event_source,
                row.last_event_source_id) == (
            (last.kind, last.on, last.source, last.source_id) if last else (None,) * 4
        )  # fmt: skip
        assert row.computed_at == now
    assert rows[loans[1].id].expiry == date(2028, 6, 6)
    assert rows[loans[1].id].conservative_expiry == date(2028, 3, 1)
    assert rows[loans[2].id].last_event_source_id == "HK-P"
    assert rows[loans[3].id].last_event_kind == "filing"
    assert rows[loans[0].id].risk == "expired"


def test_recompute_is_idempotent(session, now, calendar):
    portfolio(session)
    recompute_portfolio(session, today=TODAY, now=now, calendar=calendar)
    first = {k: (r.expiry, r.risk, r.last_event_source_id) for k, r in stored(session).items()}
    recompute_portfolio(session, today=TODAY, now=now, calendar=calendar)
    second = {k: (r.expiry, r.risk, r.last_event_source_id) for k, r in stored(session).items()}
    assert first == second and len(second) == 5
    audits = session.exec(select(AuditEntry).where(AuditEntry.action == "limitation.recompute"))
    assert len(audits.all()) == 2


def test_recompute_a_subset_updates_only_those_loans(session, now, calendar):
    loans = portfolio(session)
    recompute_portfolio(session, today=TODAY, now=now, calendar=calendar)
    make_contact(session, loans[0], at=at(date(2025, 12, 1)))
    make_contact(session, loans[4], at=at(date(2025, 12, 1)))
    session.commit()
    later = datetime(2026, 12, 1, tzinfo=UTC)
    n = recompute_portfolio(session, today=TODAY, now=later, loan_ids=[loans[0].id, 10_000],
                            calendar=calendar)  # fmt: skip
    assert n == 1, "an unknown id is skipped"
    rows = stored(session)
    assert rows[loans[0].id].expiry == date(2028, 12, 1) and rows[loans[0].id].computed_at == later
    assert rows[loans[4].id].expiry == date(2027, 3, 1), "not in the subset: unchanged"
    assert len(rows) == 5


def test_recompute_of_an_empty_portfolio(session, now, calendar):
    assert recompute_portfolio(session, today=TODAY, now=now, calendar=calendar) == 0


@pytest.mark.pg
def test_recompute_on_postgresql(now, calendar):
    """The last-instalment SQL differs per database: run the same portfolio on PostgreSQL."""
    url = pg_url()
    schema = f"claims_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    eng = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        SQLModel.metadata.create_all(eng)
        with Session(eng, expire_on_commit=False) as s:
            loans = portfolio(s)
            assert recompute_portfolio(s, today=TODAY, now=now, calendar=calendar) == 5
            rows = stored(s)
            for loan in loans:
                one = clock_for_loan(s, loan_id=loan.id, today=TODAY, calendar=calendar)
                assert (rows[loan.id].start_on, rows[loan.id].expiry) == (one.start, one.expiry)
            assert rows[loans[2].id].start_on == date(2023, 3, 2), "last due date read in SQL"
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def boundary_portfolio(session):
    """Interrupting rows right at the clock's start (the last instalment, 2023-03-02):
    the databases keep the rows from the start on and drop those before it."""
    schedule = [{"due_on": "2023-03-02", "principal": "100.00", "interest": "1.00"}]
    loans = [make_loan(session, maturity_on=date(2023, 1, 10), schedule=schedule)
             for _ in range(4)]  # fmt: skip
    make_ledger(session, loans[0], booked_on=date(2023, 3, 2), reference="HK-ON")
    make_ledger(session, loans[1], booked_on=date(2023, 3, 1), reference="HK-BEFORE")
    make_contact(session, loans[2], at=at(date(2023, 3, 2), hour=0))  # the day before in UTC
    make_contact(session, loans[3], at=at(date(2023, 3, 1), hour=23))
    session.commit()
    return loans


@pytest.fixture
def pg_session():
    url = pg_url()
    schema = f"clocks_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    eng = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    SQLModel.metadata.create_all(eng)
    try:
        with Session(eng, expire_on_commit=False) as s:
            yield s
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.mark.parametrize(
    "db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)], ids=str
)
def test_rows_at_the_start_are_read_and_those_before_are_not(db, request, now, calendar):
    """The bulk reads filter the ledger and contact log by each loan's start inside the
    database (differently on each): the same clocks as one loan's, on both."""
    s = request.getfixturevalue("session" if db == "sqlite" else "pg_session")
    loans = boundary_portfolio(s)

    def clocks() -> dict[int, tuple]:
        return {i: (r.start_on, r.expiry, r.last_event_source, r.last_event_on,
                    r.last_event_source_id) for i, r in stored(s).items()}  # fmt: skip

    assert recompute_portfolio(s, today=TODAY, now=now, calendar=calendar) == 4
    ranged = clocks()  # loans read by id range
    recompute_portfolio(s, today=TODAY, now=now, calendar=calendar,
                        loan_ids=[loan.id for loan in loans])  # fmt: skip
    assert clocks() == ranged, f"{db}: read by id list, the same clocks"
    for loan in loans:
        one = clock_for_loan(s, loan_id=loan.id, today=TODAY, calendar=calendar)
        last = one.last_event
        expected = (one.start, one.expiry, last.source_id if last else None)
        row = ranged[loan.id]
        assert (row[0], row[1], row[4]) == expected, f"{db}: as clock_for_loan"
    got = [ranged[loan.id][2:4] for loan in loans]
    assert got == [("ledger", date(2023, 3, 2)), (None, None),
                   ("contact_log", date(2023, 3, 2)), (None, None)], "start day in, day before out"  # fmt: skip
