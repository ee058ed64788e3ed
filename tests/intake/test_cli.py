"""`legal-track import loans|ledger|contacts FILE` through Typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from tests.intake.files import LOAN_EN, LOAN_ROWS, counts, sample_file, write_csv

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
