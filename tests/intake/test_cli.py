"""`legal-track import loans|ledger|contacts|parties|schedules|plans FILE` through Typer's
runner."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from legal_track.limitation.clock import last_due_date
from legal_track.models import LimitationClock, Loan
from tests.intake.files import (
    ID_C,
    LOAN_EN,
    LOAN_ROWS,
    SAMPLE_ROWS,
    counts,
    kind_file,
    sample_file,
    write_csv,
)

runner = CliRunner()


def test_import_all_three_kinds_and_again(env):
    for kind, fmt in (("loans", "gbk"), ("ledger", "utf-8-sig"), ("contacts", "xlsx")):
        path = sample_file(env, kind, fmt)
        result = runner.invoke(app, ["import", kind, str(path)])
        assert result.exit_code == 0, result.output
        rows = {"loans": 3, "ledger": 5, "contacts": 4}[kind]
        assert f"{path.name}: {rows} rows, {rows} created, 0 updated, 0 unchanged" in result.stdout
    result = runner.invoke(app, ["import", "loans", str(env / "loans.csv"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {k: report[k] for k in ("kind", "file", "rows", "created", "updated", "unchanged")} == {
        "kind": "loans",
        "file": "loans.csv",
        "rows": 3,
        "created": 0,
        "updated": 0,
        "unchanged": 3,
    }
    assert len(report["sha256"]) == 64
    with session() as s:
        assert counts(s) | {"AuditEntry": None} == {
            "Creditor": 2,
            "Borrower": 2,
            "Loan": 3,
            "LedgerEntry": 5,
            "ContactLog": 4,
            "LoanParty": 0,
            "RepaymentPlan": 0,
            "AuditEntry": None,
        }


def test_problems_go_to_stderr_one_per_line_and_exit_1(env):
    rows = [list(r) for r in LOAN_ROWS]
    rows[0][7] = "-5"
    rows[2][0] = rows[1][0]
    path = write_csv(env / "bad.csv", LOAN_EN, rows)
    result = runner.invoke(app, ["import", "loans", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[-3:] == [
        "bad.csv row 2, column principal: negative amount: '-5'",
        "bad.csv row 4, column contract_no: contract number repeated in the file (first on row 3)",
        "2 problem(s); nothing was imported",
    ]
    assert result.stdout == ""
    with session() as s:
        assert counts(s)["Loan"] == 0 and counts(s)["Borrower"] == 0


def test_unknown_encoding_and_missing_file(env):
    path = env / "loans.csv"
    path.write_bytes(b"contract_no\n\xff\xff\n")
    result = runner.invoke(app, ["import", "loans", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "loans.csv row 2: unknown encoding: not UTF-8 or GBK/GB18030 (byte 0xFF at offset 12, "
        "line 2)" in result.stderr
    )
    result = runner.invoke(app, ["import", "ledger", str(env / "nope.csv")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no such file" in result.stderr


def test_unknown_kind_is_a_usage_error(env):
    result = runner.invoke(app, ["import", "cases", "x.csv"])
    assert result.exit_code == 2


def _import_loans(env) -> None:
    result = runner.invoke(app, ["import", "loans", str(sample_file(env, "loans", "utf-8"))])
    assert result.exit_code == 0, result.output


def _json_import(kind: str, path) -> dict:
    result = runner.invoke(app, ["import", kind, str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _counts(report: dict) -> tuple:
    return tuple(report[k] for k in ("kind", "rows", "created", "updated", "unchanged"))


@pytest.mark.parametrize(
    ("kind", "fmt", "created", "details"),
    [
        ("parties", "gbk", 5, {"borrowers_created": 2, "borrowers_updated": 0}),
        ("schedules", "xlsx", 2, {}),  # loans
        ("plans", "utf-8-sig", 4, {}),
    ],
)
def test_import_the_new_kinds_as_json_and_again(env, kind, fmt, created, details):
    _import_loans(env)
    path = sample_file(env, kind, fmt)
    rows = SAMPLE_ROWS[kind]
    first = _json_import(kind, path)
    assert _counts(first) == (kind, rows, created, 0, 0)
    assert first["file"] == path.name and first["details"] == details
    assert _counts(_json_import(kind, path)) == (kind, rows, 0, 0, created)
    result = runner.invoke(app, ["import", kind, str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path.name}: {rows} rows, 0 created, 0 updated, {created} unchanged" in result.stdout


@pytest.mark.parametrize(
    ("kind", "rows", "message"),
    [
        ("parties", [["HT-2025-001", "担保人", "王五", ID_C[:-1] + "X", "", ""]],
         "bad.csv row 2, column 身份证号: ID number checksum fails (last character should be 5)"),
        ("schedules", [["HT-2025-001", "1", "2025-02-05", "100", ""],
                       ["HT-2025-001", "3", "2025-04-05", "100", ""]],
         "bad.csv row 3, column 期数: instalment 2 of this contract is missing before instalment 3 "
         "(number the instalments 1, 2, 3, … without gaps)"),
        ("plans", [["HT-2025-001", "FA-1", "2025-07-10", "1", "2025-07-09", "100"]],
         "bad.csv row 2, column 应还日期: due date 2025-07-09 is before the signing date 2025-07-10"),
    ],
)  # fmt: skip
def test_a_bad_file_of_a_new_kind_exits_1_naming_the_row(env, kind, rows, message):
    _import_loans(env)
    with session() as s:
        before = counts(s)
    bad = kind_file(env, kind, rows, name="bad.csv")
    result = runner.invoke(app, ["import", kind, str(bad), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-2:] == [message, "1 problem(s); nothing was imported"]
    assert result.stdout == ""
    with session() as s:
        assert counts(s) == before


def _clock(contract: str) -> tuple[LimitationClock, Loan]:
    with session() as s:
        loan = s.exec(select(Loan).where(Loan.contract_no == contract)).one()
        clock = s.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
        return clock, loan


def test_a_schedules_import_moves_the_stored_limitation_clock(env):
    """The whole debt's limitation runs from the last instalment's due date (art. 189)."""
    _import_loans(env)
    clock, loan = _clock("HT-2025-001")
    assert clock.start_on == loan.maturity_on == date(2026, 1, 5)
    old_expiry = clock.expiry
    result = runner.invoke(app, ["import", "schedules", str(sample_file(env, "schedules", "gbk"))])
    assert result.exit_code == 0, result.output
    clock, loan = _clock("HT-2025-001")
    assert last_due_date(loan.schedule, loan.maturity_on) == (date(2025, 5, 5), True)
    assert clock.start_on == date(2025, 5, 5), "the clock starts at the last instalment"
    assert clock.expiry < old_expiry and clock.expiry.year == 2028
    untouched, _loan = _clock("HT-2025-003")
    assert untouched.start_on == date(2026, 3, 10), "a loan without a schedule keeps maturity"
