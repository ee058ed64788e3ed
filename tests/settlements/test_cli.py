"""`legal-track settlement add|show|check`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from tests.factories import make_case, make_ledger, make_loan

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def _ok(*args: str):
    result = _run(*args)
    assert result.exit_code == 0, result.output
    return result


def test_settlement_commands(env, tmp_path):
    _ok("init")
    with session() as s:
        loan = make_loan(s)
        make_case(s, ref="LT-2026-700001", loans=[loan], stage="demand_letter",
                  opened_on=date(2026, 5, 1))  # fmt: skip
        make_ledger(s, loan, amount=Decimal("400.00"), booked_on=date(2026, 6, 30))
        s.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text("due_on,amount\n2026-06-30,400\n2026-07-31,四百\n", encoding="utf-8")
    result = _run("settlement", "add", "LT-2026-700001", "--file", str(bad),
                  "--agreed-on", "2026-06-10")  # fmt: skip
    assert result.exit_code == 1 and "bad.csv row 3, column amount" in result.output
    plan = tmp_path / "plan.csv"
    plan.write_text("due_on,amount\n2026-06-30,400\n2026-07-31,400\n", encoding="utf-8")
    out = _ok("settlement", "add", "LT-2026-700001", "--file", str(plan), "--agreed-on",
              "2026-06-10", "--grace-days", "2").stdout  # fmt: skip
    assert "2 instalments, total 800.00" in out
    [row] = json.loads(_ok("settlement", "show", "LT-2026-700001", "--today", "2026-07-15",
                           "--json").stdout)  # fmt: skip
    assert [i["state"] for i in row["instalments"]] == ["paid", "due"]
    out = _ok("settlement", "check", "--today", "2026-08-03").stdout
    assert "1 missed" in out and "instalment 2 due 2026-07-31" in out
    assert "0 missed" in _ok("settlement", "check", "--today", "2026-08-04").stdout
    text = _ok("settlement", "show", "LT-2026-700001", "--today", "2026-08-04").stdout
    assert "missed" in text
