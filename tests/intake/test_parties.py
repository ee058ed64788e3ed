"""Parties files: co-borrowers and guarantors, in every format; idempotency; bad rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from legal_track.identity import make_id_number
from legal_track.intake import import_file
from legal_track.models import Borrower, Loan, LoanParty
from tests.intake.files import (
    FORMATS,
    ID_A,
    ID_B,
    ID_C,
    ID_X,
    PARTY_EN,
    PARTY_ROWS,
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


def _parties(session) -> set[tuple[str, str, str]]:
    """(contract, ID number, role) of every stored party."""
    query = (
        select(Loan.contract_no, Borrower.id_number, LoanParty.role)
        .join(Loan, Loan.id == LoanParty.loan_id)
        .join(Borrower, Borrower.id == LoanParty.borrower_id)
    )
    return set(session.exec(query).all())


WANTED = {
    ("HT-2025-001", ID_C, "guarantor"),
    ("HT-2025-001", ID_B, "co_borrower"),
    ("HT-2025-002", ID_C, "guarantor"),
    ("HT-2025-003", ID_X, "co_borrower"),
    ("HT-2025-003", ID_A, "guarantor"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_parties_import_in_every_format(loaded, tmp_path, now, fmt):
    (report,) = load(loaded, tmp_path, ["parties"], fmt, now)
    assert (report.kind, report.rows, report.created, report.updated, report.unchanged) == (
        "parties",
        5,
        5,
        0,
        0,
    )
    assert report.details == {"borrowers_created": 2, "borrowers_updated": 0}
    assert _parties(loaded) == WANTED
    people = {b.id_number: b for b in loaded.exec(select(Borrower)).all()}
    assert (people[ID_C].name, people[ID_C].phone, people[ID_C].address) == (
        "王五",
        "13700137000",
        "广州市天河区示例路3号",
    )
    assert (people[ID_X].name, people[ID_X].phone, people[ID_X].address) == ("赵六", None, None)
    assert people[ID_X].email is None and people[ID_X].is_demo is False
    assert people[ID_A].email == "zs@example.com", "the loans file's e-mail is left alone"


@pytest.mark.parametrize("fmt", FORMATS)
def test_second_parties_import_changes_nothing(loaded, tmp_path, now, fmt):
    load(loaded, tmp_path, ["parties"], fmt, now)
    before = dump(loaded)
    (again,) = load(loaded, tmp_path, ["parties"], fmt, now)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert again.details == {"borrowers_created": 0, "borrowers_updated": 0}
    assert dump(loaded) == before


def test_changed_person_details_update_the_borrower(loaded, tmp_path, now):
    load(loaded, tmp_path, ["parties"], "utf-8", now)
    rows = [list(r) for r in PARTY_ROWS]
    rows[0][4] = rows[2][4] = "13700137001"  # 王五's new phone, on both of his rows
    rows.append(["HT-2025-002", "共同借款人", "李四", ID_B, "+86 139 0013 9000",
                 "上海市徐汇区示例路2号"])  # fmt: skip
    touched: list[list[int]] = []
    path = write_csv(tmp_path / "parties-v2.csv", PARTY_EN, rows)
    report = import_file(loaded, kind="parties", path=path, actor="t", now=now,
                         after_import=lambda s, ids: touched.append(ids))  # fmt: skip
    assert (report.created, report.updated, report.unchanged) == (1, 2, 3)
    assert report.details == {"borrowers_created": 0, "borrowers_updated": 1}
    assert loaded.exec(select(Borrower.phone).where(Borrower.id_number == ID_C)).one() == (
        "13700137001"
    )
    ids = dict(loaded.exec(select(Loan.contract_no, Loan.id)).all())
    assert touched == [sorted([ids["HT-2025-001"], ids["HT-2025-002"]])]


def test_small_chunks_count_the_same(loaded, tmp_path, now, monkeypatch):
    monkeypatch.setattr("legal_track.intake.service.CHUNK_ROWS", 1)
    monkeypatch.setattr("legal_track.intake.store.IN_CHUNK", 1)
    load(loaded, tmp_path, ["parties"], "xlsx", now)
    assert _parties(loaded) == WANTED
    rows = [list(r) for r in PARTY_ROWS]
    rows[0][4] = rows[2][4] = "13700137001"
    report = import_file(loaded, kind="parties", path=write_csv(tmp_path / "p.csv", PARTY_EN, rows),
                         actor="t", now=now)  # fmt: skip
    assert (report.created, report.updated, report.unchanged) == (0, 2, 3)
    assert report.details == {"borrowers_created": 0, "borrowers_updated": 1}


def _ten_rows() -> list[list[str]]:
    return [
        ["HT-2025-001" if k % 2 else "HT-2025-002", "担保人", f"保证人{k}",
         make_id_number("440106", date(1970, 1, k), k), "", ""]
        for k in range(1, 11)
    ]  # fmt: skip


def test_one_bad_checksum_on_row_7_of_10_writes_nothing(loaded, tmp_path, now):
    rows = _ten_rows()
    good = rows[5][3]
    rows[5][3] = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = kind_file(tmp_path, "parties", rows, "gbk", name="担保人.csv")
    before = counts(loaded)
    assert problems_of(loaded, "parties", path, now) == [
        f"担保人.csv row 7, column 身份证号: ID number checksum fails (last character should be "
        f"{good[-1]})"
    ]
    assert counts(loaded) == before and before["Borrower"] == 2 and before["LoanParty"] == 0


def test_the_good_ten_rows_import(loaded, tmp_path, now):
    report = import_file(loaded, kind="parties", path=kind_file(tmp_path, "parties", _ten_rows()),
                         actor="t", now=now)  # fmt: skip
    assert (report.created, report.details["borrowers_created"]) == (10, 10)


def test_bad_party_rows(loaded, tmp_path, now):
    rows = [
        ["HT-2025-001", "担保人", "张三", ID_A, "13800138000", "北京市东城区示例路1号"],
        ["HT-2025-001", "担保人", "王五", ID_C, "1", "广州"],
        ["HT-2025-001", "guarantor", "王五", ID_C, "1", "广州"],
        ["HT-2025-009", "担保人", "王五", ID_C, "1", "广州"],
        ["HT-2025-002", "共同借款人", "王五", ID_C, "2", "广州"],
        ["HT-2025-002", "配偶", "王五", ID_C, "1", "广州"],
        ["HT-2025-003", "共同借款人", "李四", ID_B, "", ""],
    ]
    path = kind_file(tmp_path, "parties", rows, "xlsx")
    assert problems_of(loaded, "parties", path, now) == [
        "parties.xlsx row 2, column 身份证号: this person is the borrower of contract "
        "'HT-2025-001': list only co-borrowers and guarantors",
        "parties.xlsx row 4, column 身份证号: same contract, ID number and role already on row 3",
        "parties.xlsx row 5, column 合同编号: unknown contract number 'HT-2025-009': import it in "
        "a loans file first",
        "parties.xlsx row 6, column 身份证号: person with this ID number has other details on row "
        "3 (name, phone and address must match)",
        "parties.xlsx row 7, column 角色: unknown value '配偶'; accepted: co_borrower, guarantor, "
        "共同借款人, 担保人, 保证人",
        "parties.xlsx row 8, column 身份证号: this person is the borrower of contract "
        "'HT-2025-003': list only co-borrowers and guarantors",
    ]


def test_a_person_may_be_guarantor_and_co_borrower_of_one_loan(loaded, tmp_path, now):
    rows = [
        ["HT-2025-001", "担保人", "王五", ID_C, "1", "广州"],
        ["HT-2025-001", "共同借款人", "王五", ID_C, "1", "广州"],
    ]
    report = import_file(loaded, kind="parties", path=kind_file(tmp_path, "parties", rows),
                         actor="t", now=now)  # fmt: skip
    assert report.created == 2 and counts(loaded)["LoanParty"] == 2
