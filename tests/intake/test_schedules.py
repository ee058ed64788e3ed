"""Schedule files: a contract's rows replace its loan's whole instalment schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.claims.figures import _schedule
from legal_track.intake import import_file
from legal_track.limitation.clock import last_due_date
from legal_track.models import Loan
from tests.intake.files import (
    FORMATS,
    SCHEDULE_EN,
    SCHEDULE_WANTED,
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


def _schedules(session) -> dict[str, list]:
    session.expire_all()
    return dict(session.exec(select(Loan.contract_no, Loan.schedule)).all())


@pytest.mark.parametrize("fmt", FORMATS)
def test_schedules_import_in_every_format(loaded, tmp_path, now, fmt):
    touched: list[list[int]] = []
    (report,) = load(loaded, tmp_path, ["schedules"], fmt, now,
                     after_import=lambda s, ids: touched.append(ids))  # fmt: skip
    # counts are loans: two schedules set; HT-2025-003 is not in the file
    assert (report.kind, report.rows, report.created, report.updated, report.unchanged) == (
        "schedules",
        6,
        2,
        0,
        0,
    )
    assert _schedules(loaded) == SCHEDULE_WANTED
    ids = dict(loaded.exec(select(Loan.contract_no, Loan.id)).all())
    assert touched == [sorted([ids["HT-2025-001"], ids["HT-2025-002"]])]
    loan = loaded.exec(select(Loan).where(Loan.contract_no == "HT-2025-001")).one()
    assert last_due_date(loan.schedule, loan.maturity_on) == (date(2025, 5, 5), True)
    assert _schedule(loan)[0] == (date(2025, 2, 5), Decimal("5000.00")), "claims read it too"


@pytest.mark.parametrize("fmt", FORMATS)
def test_second_schedules_import_changes_nothing(loaded, tmp_path, now, fmt):
    load(loaded, tmp_path, ["schedules"], fmt, now)
    before = dump(loaded)
    touched: list[list[int]] = []
    (again,) = load(loaded, tmp_path, ["schedules"], fmt, now,
                    after_import=lambda s, ids: touched.append(ids))  # fmt: skip
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dump(loaded) == before and touched == [[]]


def test_a_new_schedule_replaces_the_old_one_whole(loaded, tmp_path, now):
    load(loaded, tmp_path, ["schedules"], "utf-8", now)
    rows = [
        ["HT-2025-001", "2", "2025-07-05", "10000", "100"],
        ["HT-2025-001", "1", "2025-06-05", "10000", "200"],
        ["HT-2025-002", "1", "2025-03-05", "2500", "0"],
        ["HT-2025-002", "2", "2025-04-05", "2500", "37.50"],
    ]
    report = import_file(loaded, kind="schedules", path=write_csv(tmp_path / "v2.csv",
                         SCHEDULE_EN, rows), actor="t", now=now)  # fmt: skip
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert _schedules(loaded)["HT-2025-001"] == [
        {"due_on": "2025-06-05", "principal": "10000.00", "interest": "200.00"},
        {"due_on": "2025-07-05", "principal": "10000.00", "interest": "100.00"},
    ]


def test_small_chunks_give_the_same_schedules(loaded, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 1)
    monkeypatch.setattr("legal_track.intake.store.IN_CHUNK", 1)
    (report,) = load(loaded, tmp_path, ["schedules"], "xlsx", now)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert _schedules(loaded) == SCHEDULE_WANTED
    (again,) = load(loaded, tmp_path, ["schedules"], "gbk", now)
    assert again.unchanged == 2


def _ten_rows(skip: int | None = None) -> list[list[str]]:
    """Ten monthly instalments of HT-2025-001; with `skip`, numbered past it (a gap)."""
    numbers = [k + (skip is not None and k >= skip) for k in range(1, 11)]
    return [["HT-2025-001", str(n), f"2025-{k + 1:02d}-05", "1,000.00", "50"]
            for k, n in enumerate(numbers, start=1)]  # fmt: skip


def test_the_good_ten_rows_import(loaded, tmp_path, now):
    path = kind_file(tmp_path, "schedules", _ten_rows())
    report = import_file(loaded, kind="schedules", path=path, actor="t", now=now)
    assert (report.rows, report.created) == (10, 1)


def test_a_gap_in_instalment_numbers_writes_nothing(loaded, tmp_path, now):
    load(loaded, tmp_path, ["schedules"], "utf-8", now)
    rows = _ten_rows(skip=6)  # row 7 holds instalment 7: there is no 6
    assert [r[1] for r in rows] == ["1", "2", "3", "4", "5", "7", "8", "9", "10", "11"]
    path = kind_file(tmp_path, "schedules", rows, "xlsx", name="计划表.xlsx")
    assert problems_of(loaded, "schedules", path, now) == [
        "计划表.xlsx row 7, column 期数: instalment 6 of this contract is missing before "
        "instalment 7 (number the instalments 1, 2, 3, … without gaps)"
    ]
    assert _schedules(loaded) == SCHEDULE_WANTED, "the stored schedule is untouched"


def test_bad_schedule_rows(loaded, tmp_path, now):
    rows = [
        ["HT-2025-001", "1", "2024-12-05", "5000", ""],  # before disbursement 2025-01-05
        ["HT-2025-002", "1", "2025-03-05", "4000", ""],
        ["HT-2025-001", "2", "2025-03-05", "5000", ""],
        ["HT-2025-002", "2", "2025-03-05", "1001", ""],  # not after instalment 1; sum > 5000
        ["HT-2025-001", "2", "2025-04-05", "5000", ""],  # repeated
        ["HT-2025-001", "4", "2025-05-05", "5000", ""],  # 3 missing
        ["HT-2025-404", "1", "2025-05-05", "5000", ""],
        ["HT-2025-003", "0", "2025-05-05", "1", ""],
        ["HT-2025-003", "1.5", "2025-05-05", "1", "-1"],
    ]
    path = kind_file(tmp_path, "schedules", rows)
    assert problems_of(loaded, "schedules", path, now) == [
        "schedules.csv row 2, column 应还日期: due date 2024-12-05 is before the disbursement date "
        "2025-01-05",
        "schedules.csv row 5, column 应还日期: due date 2025-03-05 is not after 2025-03-05, the due "
        "date of instalment 1",
        "schedules.csv row 5, column 应还本金: the instalments' principal adds up to 5001.00, more "
        "than the loan's principal 5000.00",
        "schedules.csv row 6, column 期数: same contract and instalment number already on row 4",
        "schedules.csv row 7, column 期数: instalment 3 of this contract is missing before "
        "instalment 4 (number the instalments 1, 2, 3, … without gaps)",
        "schedules.csv row 8, column 合同编号: unknown contract number 'HT-2025-404': import it in "
        "a loans file first",
        "schedules.csv row 9, column 期数: number '0' is not between 1 and 9999",
        "schedules.csv row 10, column 期数: not a whole number: '1.5'",
        "schedules.csv row 10, column 应还利息: negative amount: '-1'",
    ]


def test_rows_of_a_contract_far_apart_are_one_schedule(loaded, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 2)
    rows = [
        ["HT-2025-001", "3", "2025-04-05", "1000", ""],
        *[["HT-2025-002", str(k), f"2025-{k + 2:02d}-05", "100", ""] for k in range(1, 6)],
        ["HT-2025-001", "1", "2025-02-05", "1000", ""],
        ["HT-2025-001", "2", "2025-03-05", "1000", ""],
    ]
    report = import_file(loaded, kind="schedules", path=kind_file(tmp_path, "schedules", rows),
                         actor="t", now=now)  # fmt: skip
    assert (report.rows, report.created) == (8, 2)
    assert [i["due_on"] for i in _schedules(loaded)["HT-2025-001"]] == [
        "2025-02-05",
        "2025-03-05",
        "2025-04-05",
    ]
    rows[-1][1] = "4"  # now 1, 3, 4: the gap is named at instalment 3, far up the file
    assert problems_of(loaded, "schedules", kind_file(tmp_path, "schedules", rows), now) == [
        "schedules.csv row 2, column 期数: instalment 2 of this contract is missing before "
        "instalment 3 (number the instalments 1, 2, 3, … without gaps)",
        "schedules.csv row 9, column 应还日期: due date 2025-03-05 is not after 2025-04-05, the due "
        "date of instalment 3",
    ]


def test_a_broken_file_gives_only_the_read_problem(loaded, tmp_path, now):
    """The whole-schedule checks run only on a file read to its end."""
    path = tmp_path / "schedules.csv"
    head = ",".join(SCHEDULE_EN).encode() + b"\r\n" + b"HT-2025-001,1,2025-02-05,1,0\r\n"
    path.write_bytes(head + b'HT-2025-001,3,"' + b"x" * 200_000 + b'"\r\n')
    assert problems_of(loaded, "schedules", path, now) == [
        "schedules.csv row 3: CSV format error: field larger than field limit (131072)"
    ]
