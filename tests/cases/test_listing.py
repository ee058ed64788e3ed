"""The case list read model: paging in SQL, every filter, search by every key."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import Session

from legal_track.cases.listing import (
    CaseFilters,
    CaseQueryError,
    CaseSort,
    case_id_for_ref,
    case_url,
    forum_options,
    list_cases,
    loan_id_for_contract,
    owner_options,
)
from legal_track.db import make_engine, migrate
from legal_track.identity import make_id_number
from tests.components import pg_url
from tests.factories import make_borrower, make_case, make_loan, make_user
from tests.ui.data import add_deadline

TODAY = date(2026, 11, 29)


def refs(session: Session, **filters) -> list[str]:
    page = list_cases(session, filters=CaseFilters(**filters), page=1, page_size=100, today=TODAY)
    return sorted(r.ref for r in page.rows)


def test_paging_counts_in_sql_and_clamps_to_the_last_page(session):
    made = [make_case(session, opened_on=date(2026, 1, i + 1)) for i in range(7)]
    session.commit()
    first = list_cases(session, filters=CaseFilters(), page=1, page_size=3, today=TODAY)
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    assert [r.ref for r in first.rows] == [c.ref for c in reversed(made)][:3], "newest first"
    last = list_cases(session, filters=CaseFilters(), page=3, page_size=3, today=TODAY)
    assert [r.ref for r in last.rows] == [made[0].ref]
    beyond = list_cases(session, filters=CaseFilters(), page=99, page_size=3, today=TODAY)
    assert beyond.page == 3 and beyond.rows == last.rows
    seen = {
        r.ref
        for p in (1, 2, 3)
        for r in list_cases(session, filters=CaseFilters(), page=p, page_size=3, today=TODAY).rows
    }
    assert seen == {c.ref for c in made}, "the pages cover every case exactly once"


def test_empty_result_has_one_page(session):
    page = list_cases(session, filters=CaseFilters(), page=1, page_size=25, today=TODAY)
    assert (page.total, page.pages, page.rows) == (0, 1, [])


@pytest.mark.parametrize("size", [0, 501])
def test_page_size_out_of_range_is_refused(session, size):
    with pytest.raises(CaseQueryError, match="page size must be between 1 and 500"):
        list_cases(session, filters=CaseFilters(), page=1, page_size=size, today=TODAY)


def test_filter_by_stage_and_route(session):
    a = make_case(session, route="litigation", stage="lit_judgment")
    b = make_case(session, route="arbitration", stage="arb_award")
    c = make_case(session, route="arbitration", stage="enf_applied")
    session.commit()
    assert refs(session, stages=("lit_judgment",)) == [a.ref]
    assert refs(session, stages=("arb_award", "enf_applied")) == sorted([b.ref, c.ref])
    assert refs(session, routes=("arbitration",)) == sorted([b.ref, c.ref])
    assert refs(session, routes=("arbitration",), stages=("enf_applied",)) == [c.ref]
    assert refs(session, routes=("payment_order",)) == []


def test_filter_by_owner_and_forum(session):
    alice, bob = make_user(session), make_user(session)
    a = make_case(session, owner_id=alice.id, forum="北京市东城区人民法院")
    b = make_case(session, owner_id=bob.id, forum="杭州仲裁委员会")
    make_case(session, owner_id=None, forum=None)
    session.commit()
    assert refs(session, owner_id=alice.id) == [a.ref]
    assert refs(session, forum="杭州仲裁委员会") == [b.ref]
    assert refs(session, forum="北京市东城区人民法院", owner_id=bob.id) == []
    assert forum_options(session) == ["北京市东城区人民法院", "杭州仲裁委员会"]
    assert {o.id for o in owner_options(session)} >= {alice.id, bob.id}


def test_filter_by_claim_amount_is_exact_to_the_fen(session):
    low = make_case(session, claim_total="999.99")
    edge = make_case(session, claim_total="1000.00")
    high = make_case(session, claim_total="12345.67")
    make_case(session, claim_total=None)
    session.commit()
    assert refs(session, min_claim=Decimal("1000.00")) == sorted([edge.ref, high.ref])
    assert refs(session, max_claim=Decimal("999.99")) == [low.ref]
    assert refs(session, min_claim=Decimal("1000"), max_claim=Decimal("12345.66")) == [edge.ref]
    assert refs(session, min_claim=Decimal("12345.67"), max_claim=Decimal("12345.67")) == [high.ref]
    row = list_cases(
        session, filters=CaseFilters(sort=CaseSort.claim), page=1, page_size=2, today=TODAY
    ).rows[0]
    assert (row.ref, row.claim_total) == (high.ref, Decimal("12345.67")), "largest claim first"


def test_claim_total_fen_is_computed_by_the_database(session):
    case = make_case(session, claim_total="12345.67")
    session.commit()
    raw = session.exec(
        text('SELECT claim_total_fen FROM "case" WHERE id = :i').bindparams(i=case.id)
    )
    assert raw.one()[0] == 1234567
    case.claim_total = "10.10"
    session.commit()
    raw = session.exec(
        text('SELECT claim_total_fen FROM "case" WHERE id = :i').bindparams(i=case.id)
    )
    assert raw.one()[0] == 1010, "an update of claim_total updates the fen column"


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"stages": ("nope",)}, "unknown stage 'nope'"),
        ({"routes": ("court",)}, "unknown route 'court'"),
        ({"min_claim": Decimal("-1")}, "minimum claim amount is negative"),
        ({"min_claim": Decimal("10"), "max_claim": Decimal("5")}, "minimum claim amount .* above"),
    ],
    ids=["stage", "route", "negative", "min-above-max"],
)
def test_bad_filters_are_refused_with_the_reason(session, filters, message):
    with pytest.raises(CaseQueryError, match=message):
        refs(session, **filters)


def test_filter_overdue_deadlines_uses_the_override_and_open_status(session):
    overdue = make_case(session)
    add_deadline(session, overdue, date(2026, 11, 28))
    due_today = make_case(session)
    add_deadline(session, due_today, TODAY)
    done = make_case(session)
    add_deadline(session, done, date(2026, 10, 1), status="completed")
    moved = make_case(session)
    add_deadline(session, moved, date(2026, 11, 1), override_due=date(2026, 12, 31))
    pulled = make_case(session)
    add_deadline(session, pulled, date(2026, 12, 31), override_due=date(2026, 11, 20))
    session.commit()
    assert refs(session, overdue_only=True) == sorted([overdue.ref, pulled.ref])
    rows = {
        r.ref: r
        for r in list_cases(session, filters=CaseFilters(), page=1, page_size=50, today=TODAY).rows
    }
    assert rows[overdue.ref].overdue and rows[overdue.ref].next_due == date(2026, 11, 28)
    assert not rows[due_today.ref].overdue, "due today is not overdue yet"
    assert rows[moved.ref].next_due == date(2026, 12, 31), "the override wins"
    assert rows[done.ref].next_due is None, "completed deadlines are not next"
    urgent = list_cases(
        session, filters=CaseFilters(sort=CaseSort.next_due), page=1, page_size=1, today=TODAY
    )
    assert urgent.rows[0].ref == pulled.ref


def test_search_by_borrower_name_id_number_contract_and_reference(session):
    borrower = make_borrower(
        session, name="欧阳娜娜", id_number=make_id_number("330106", date(1988, 5, 4), 17)
    )
    first = make_loan(session, borrower_id=borrower.id, contract_no="HTX-2024-0001")
    second = make_loan(session, borrower_id=borrower.id, contract_no="HTX-2024-0777")
    target = make_case(session, loans=[first, second], ref="LT-2026-990001")
    other = make_case(session, ref="LT-2026-990002")
    session.commit()
    assert refs(session, search="欧阳") == [target.ref], "part of the name"
    assert refs(session, search=borrower.id_number) == [target.ref], "the whole ID number"
    assert refs(session, search=borrower.id_number.lower()) == [target.ref], "x or X"
    assert refs(session, search=borrower.id_number[:10]) == [], "no partial ID number search"
    assert refs(session, search="0777") == [target.ref], "the second loan's contract number"
    assert refs(session, search="htx-2024") == [target.ref], "contract number, any case"
    assert refs(session, search="990002") == [other.ref], "case reference"
    assert refs(session, search="  LT-2026-99000  ") == sorted([target.ref, other.ref])
    assert refs(session, search="%") == [], "LIKE wildcards are literal"
    row = list_cases(
        session, filters=CaseFilters(search="欧阳"), page=1, page_size=5, today=TODAY
    ).rows[0]
    assert (row.first_contract_no, row.loan_count) == ("HTX-2024-0001", 2)


def test_lookups_and_links(session):
    loan = make_loan(session, contract_no="HT-LOOKUP-1")
    case = make_case(session, loans=[loan], ref="LT-2026-123456")
    session.commit()
    assert case_id_for_ref(session, " LT-2026-123456 ") == case.id
    assert case_id_for_ref(session, "LT-2026-000000") is None
    assert loan_id_for_contract(session, "HT-LOOKUP-1") == loan.id
    assert case_url("http://127.0.0.1:8501/", "LT-2026-123456") == (
        "http://127.0.0.1:8501/case?ref=LT-2026-123456"
    )


def test_list_on_a_migrated_sqlite_database(tmp_path):
    """The migration adds claim_total_fen as a VIRTUAL column on SQLite: same results."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        a = make_case(s, claim_total="5000.00")
        make_case(s, claim_total="50.00")
        s.commit()
        assert refs(s, min_claim=Decimal("1000")) == [a.ref]
    engine.dispose()


@pytest.mark.pg
def test_list_on_postgresql():
    """Same queries on PostgreSQL, in a schema of its own (other tests share the database)."""
    schema = f"ui_{uuid.uuid4().hex[:8]}"
    base = make_engine(pg_url())
    with base.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{pg_url()}?options=-csearch_path%3D{schema}")
    try:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as s:
            big = make_case(s, claim_total="99999999.99", stage="enf_applied")
            small = make_case(s, claim_total="0.01")
            add_deadline(s, small, date(2026, 1, 1))
            s.commit()
            assert refs(s, min_claim=Decimal("99999999.99")) == [big.ref]
            assert refs(s, overdue_only=True) == [small.ref]
            assert refs(s, search=big.ref.lower()) == [big.ref], "case-insensitive"
            assert refs(s, stages=("enf_applied",)) == [big.ref]
    finally:
        engine.dispose()
        with base.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        base.dispose()
