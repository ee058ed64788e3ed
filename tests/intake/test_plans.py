"""Repayment-plan files: instalments keyed (loan, plan number, instalment number)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.intake import import_file
from legal_track.models import Loan, RepaymentPlan
from tests.intake.files import (
    FORMATS,
    PLAN_EN,
    PLAN_ROWS,
    counts,
    dump,
    kind_file,
    load,
    problems_of,
    write_csv,
)


@pytest.fixture
def loaded(session, tmp_path, now):
    load(session, tmp_path, ["loans"], "utf-8", now)
    return session


def _plans(session) -> dict[tuple[str, str, int], tuple[date, date, Decimal]]:
    session.expire_all()
    query = select(Loan.contract_no, RepaymentPlan).join(Loan, Loan.id == RepaymentPlan.loan_id)
    return {
        (c, p.plan_no, p.instalment_no): (p.agreed_on, p.due_on, p.amount)
        for c, p in session.exec(query).all()
    }


WANTED = {
    ("HT-2025-001", "FA-001", 1): (date(2025, 7, 10), date(2025, 8, 10), Decimal("1000.00")),
    ("HT-2025-001", "FA-001", 2): (date(2025, 7, 10), date(2025, 9, 10), Decimal("1000.00")),
    ("HT-2025-001", "FA-002", 1): (date(2025, 10, 1), date(2025, 10, 1), Decimal("11000.00")),
    ("HT-2025-003", "FA-001", 1): (date(2025, 9, 1), date(2025, 9, 15), Decimal("8888.88")),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_plans_import_in_every_format(loaded, tmp_path, now, fmt):
    touched: list[list[int]] = []
    (report,) = load(loaded, tmp_path, ["plans"], fmt, now,
                     after_import=lambda s, ids: touched.append(ids))  # fmt: skip
    assert (report.kind, report.rows, report.created, report.updated, report.unchanged) == (
        "plans",
        4,
        4,
        0,
        0,
    )
    assert _plans(loaded) == WANTED
    ids = dict(loaded.exec(select(Loan.contract_no, Loan.id)).all())
    assert touched == [sorted([ids["HT-2025-001"], ids["HT-2025-003"]])]


@pytest.mark.parametrize("fmt", FORMATS)
def test_second_plans_import_changes_nothing(loaded, tmp_path, now, fmt):
    load(loaded, tmp_path, ["plans"], fmt, now)
    before = dump(loaded)
    (again,) = load(loaded, tmp_path, ["plans"], fmt, now)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert dump(loaded) == before


def test_changed_instalments_are_updated(loaded, tmp_path, now):
    load(loaded, tmp_path, ["plans"], "utf-8", now)
    rows = [list(r) for r in PLAN_ROWS]
    rows[1][4], rows[1][5] = "2025-09-20", "1,200.00"  # FA-001 instalment 2 moved and raised
    rows[3][2] = "2025-09-02"  # FA-001 of HT-2025-003 signed a day later
    rows.append(["HT-2025-001", "FA-001", "2025-07-10", "3", "2025-10-10", "500"])
    path = write_csv(tmp_path / "plans-v2.csv", PLAN_EN, rows)
    report = import_file(loaded, kind="plans", path=path, actor="t", now=now)
    assert (report.created, report.updated, report.unchanged) == (1, 2, 2)
    plans = _plans(loaded)
    assert plans[("HT-2025-001", "FA-001", 2)] == (
        date(2025, 7, 10),
        date(2025, 9, 20),
        Decimal("1200.00"),
    )
    assert plans[("HT-2025-003", "FA-001", 1)][0] == date(2025, 9, 2)
    assert len(plans) == 5


def test_small_chunks_give_the_same_plans(loaded, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 1)
    monkeypatch.setattr("legal_track.intake.store.IN_CHUNK", 1)
    load(loaded, tmp_path, ["plans"], "xlsx", now)
    assert _plans(loaded) == WANTED
    assert load(loaded, tmp_path, ["plans"], "gbk", now)[0].unchanged == 4


def _ten_rows() -> list[list[str]]:
    return [["HT-2025-002", "FA-9", "2025-02-01", str(k), f"2025-{k + 2:02d}-01", "500"]
            for k in range(1, 11)]  # fmt: skip


def test_the_good_ten_rows_import(loaded, tmp_path, now):
    path = kind_file(tmp_path, "plans", _ten_rows())
    assert import_file(loaded, kind="plans", path=path, actor="t", now=now).created == 10


def test_a_due_date_before_signing_on_row_7_writes_nothing(loaded, tmp_path, now):
    load(loaded, tmp_path, ["plans"], "utf-8", now)
    rows = _ten_rows()
    rows[5][4] = "2025-01-31"
    path = kind_file(tmp_path, "plans", rows, "utf-8-sig", name="还款方案.csv")
    before = counts(loaded)
    assert problems_of(loaded, "plans", path, now) == [
        "还款方案.csv row 7, column 应还日期: due date 2025-01-31 is before the signing date "
        "2025-02-01"
    ]
    assert counts(loaded)["RepaymentPlan"] == before["RepaymentPlan"] == 4


def test_bad_plan_rows(loaded, tmp_path, now):
    rows = [
        ["HT-2025-001", "FA-1", "2025-07-10", "1", "2025-08-10", "0"],
        ["HT-2025-001", "FA-1", "2025-07-11", "2", "2025-09-10", "-5"],
        ["HT-2025-001", "FA-1", "2025-07-10", "1", "2025-10-10", "100"],
        ["HT-2025-001", "FA-2", "2025-07-11", "1", "2025-07-01", "100"],
        ["HT-2025-002", "FA-1", "2025-07-10", "1", "2025-08-10", "100"],  # another loan's FA-1
        ["HT-2025-XXX", "FA-1", "2025-07-10", "1", "2025-08-10", "100"],
        ["HT-2025-002", "FA-3", "2025-07-10", "第一期", "2025-08-10", "100"],
    ]
    path = kind_file(tmp_path, "plans", rows, "xlsx")
    assert problems_of(loaded, "plans", path, now) == [
        "plans.xlsx row 2, column 应还金额: amount must be more than zero: '0'",
        "plans.xlsx row 3, column 应还金额: negative amount: '-5'",
        "plans.xlsx row 3, column 签订日期: the same plan has the signing date 2025-07-10 on row 2",
        "plans.xlsx row 4, column 期数: same contract, plan number and instalment number already "
        "on row 2",
        "plans.xlsx row 5, column 应还日期: due date 2025-07-01 is before the signing date "
        "2025-07-11",
        "plans.xlsx row 7, column 合同编号: unknown contract number 'HT-2025-XXX': import it in a "
        "loans file first",
        "plans.xlsx row 8, column 期数: not a whole number: '第一期'",
    ]
