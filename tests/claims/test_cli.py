"""`legal-track limitation`, `fee` and `claim` through the real Typer app."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session as cli_session
from legal_track.models import AuditEntry, LimitationClock
from tests.factories import at, make_contact, make_creditor, make_ledger, make_loan

runner = CliRunner()


@pytest.fixture
def contract(env) -> str:
    with cli_session() as s:
        creditor = make_creditor(s, lender_type="private")
        loan = make_loan(s, creditor_id=creditor.id, contract_no="HT-CLI-1", schedule=[],
                         maturity_on=date(2023, 1, 10), disbursed_on=date(2022, 1, 10),
                         overdue_rate=Decimal("0.27"))  # fmt: skip
        make_contact(s, loan, at=at(date(2025, 3, 1)), channel="sms")
        make_contact(s, loan, at=at(date(2025, 6, 6)), channel="call")
        make_ledger(s, loan, kind="fee", amount=Decimal("80.00"), booked_on=date(2025, 4, 1))
        s.commit()
    return "HT-CLI-1"


def run(*args):
    return runner.invoke(app, list(args))


def test_fee_json_has_the_fee_as_a_two_place_decimal_string(env):
    result = run("fee", "court", "100000", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fee"] == "2300.00" and data["kind"] == "court"
    assert data["basis"].startswith("诉讼费用交纳办法 art. 13")
    assert [s["amount"] for s in data["steps"]] == ["50.00", "2250.00"]


@pytest.mark.parametrize(
    "args, fee",
    [(("enforcement", "1,000,000"), "12400.00"), (("preservation", "¥2,000,000"), "5000.00"),
     (("court", "100000", "--procedure", "payment_order"), "766.67"),
     (("court", "100000", "--procedure", "summary"), "1150.00")],
    ids=["enforcement", "preservation-cap", "payment-order", "summary"],
)  # fmt: skip
def test_fee_kinds_and_procedures(env, args, fee):
    result = run("fee", *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["fee"] == fee


def test_fee_text_output(env):
    result = run("fee", "court", "500000")
    assert result.exit_code == 0 and "8,800.00" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [(("fee", "court", "abc"), "not an amount"),
     (("fee", "enforcement", "1000", "--procedure", "summary"), "court acceptance fee only"),
     (("fee", "court", "0"), "positive")],
    ids=["not-a-number", "procedure-on-enforcement", "zero"],
)  # fmt: skip
def test_fee_errors_exit_1_with_a_message(env, args, message):
    result = run(*args)
    assert result.exit_code == 1 and message in result.stderr


def test_fee_unknown_kind_is_a_usage_error(env):
    assert run("fee", "stamp", "100").exit_code == 2


def test_limitation_json(contract):
    result = run("limitation", contract, "--json", "--today", "2026-11-29")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["contract_no"] == contract
    assert (data["expiry"], data["conservative_expiry"]) == ("2028-06-06", "2028-03-01")
    assert data["risk"] == "ok" and data["last_event"]["kind"] == "call"
    assert data["last_event"]["certain"] is False
    assert {"explanation_zh", "explanation_en", "events", "longstop", "days_left"} <= set(data)


def test_limitation_text(contract):
    result = run("limitation", contract, "--today", "2026-11-29")
    assert result.exit_code == 0 and "2028-03-01" in result.stdout and "届满日" in result.stdout


def test_limitation_unknown_contract_and_missing_argument(env):
    missing = run("limitation", "NOPE")
    assert missing.exit_code == 1 and "NOPE" in missing.stderr
    none = run("limitation")
    assert none.exit_code == 1 and "--all" in none.stderr
    bad = run("limitation", "X", "--today", "yesterday")
    assert bad.exit_code == 1 and "--today" in bad.stderr


def test_limitation_all_stores_every_clock(contract):
    result = run("limitation", "--all", "--json", "--today", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["recomputed"] == 1
    with cli_session() as s:
        rows = s.exec(select(LimitationClock)).all()
        assert [(r.expiry, r.risk) for r in rows] == [(date(2028, 6, 6), "ok")]
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "limitation.recompute")).one()
        assert audit.actor == "cli"


def test_claim_json(contract):
    result = run("claim", contract, "--cutoff", "2025-06-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    keys = {"principal", "interest", "overdue_interest", "fees", "excess", "total", "cap_rule",
            "cap_basis", "lines", "small_claims", "court_fee", "loans"}  # fmt: skip
    assert keys <= set(data)
    assert data["cap_rule"] == "private_4x_lpr" and Decimal(data["excess"]) > 0
    total = Decimal(data["principal"]) + sum(
        Decimal(data[k]) for k in ("interest", "overdue_interest", "fees")
    )
    assert Decimal(data["total"]) == total, "the excess is left out of the total"
    kept = json.loads(run("claim", contract, "--cutoff", "2025-06-01", "--json",
                          "--include-excess").stdout)  # fmt: skip
    assert Decimal(kept["total"]) == total + Decimal(data["excess"])


def test_claim_text_and_errors(contract):
    text = run("claim", contract, "--cutoff", "2025-06-01")
    assert text.exit_code == 0 and "合计" in text.stdout
    bad = run("claim", contract, "--cutoff", "June")
    assert bad.exit_code == 1 and "--cutoff" in bad.stderr
    early = run("claim", contract, "--cutoff", "2020-01-01")
    assert early.exit_code == 1 and "before the disbursement" in early.stderr
