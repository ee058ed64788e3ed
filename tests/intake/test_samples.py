"""The import examples in evidence/samples/: what legal_track.demo.samples writes, and
they import (all seven kinds) through the CLI."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from legal_track.demo.samples import write_import_samples
from legal_track.limitation.clock import last_due_date
from legal_track.models import Borrower, LimitationClock, Loan, LoanParty, RepaymentPlan
from legal_track.readme import ROOT

SAMPLES = ROOT / "evidence" / "samples"
FILES = (
    ("loans", "loans.csv", 5, 5),
    ("ledger", "ledger_gbk.csv", 15, 15),
    ("contacts", "contacts.xlsx", 15, 15),
    ("parties", "parties.csv", 5, 5),
    ("schedules", "schedules_gbk.csv", 72, 5),  # schedules count loans
    ("plans", "plans.xlsx", 9, 9),
    ("consents", "consents_gbk.csv", 2, 2),
)


def test_the_committed_samples_are_what_the_module_writes(tmp_path):
    written = write_import_samples(tmp_path)
    assert [p.name for p in written] == [name for _k, name, _r, _c in FILES]
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), (
            f"evidence/samples/{path.name} is stale: run "
            "`python -m legal_track.demo.samples evidence/samples`"
        )


def test_the_encodings_are_the_ones_their_names_promise():
    assert not (SAMPLES / "parties.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    (SAMPLES / "schedules_gbk.csv").read_bytes().decode("gbk")
    assert (SAMPLES / "plans.xlsx").read_bytes()[:4] == b"PK\x03\x04"


def test_every_sample_imports_through_the_cli_and_again(env):
    runner = CliRunner()
    for kind, name, rows, created in FILES:
        result = runner.invoke(app, ["import", kind, str(SAMPLES / name), "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert (report["rows"], report["created"], report["updated"]) == (rows, created, 0), name
    for kind, name, _rows, created in FILES:
        result = runner.invoke(app, ["import", kind, str(SAMPLES / name), "--json"])
        report = json.loads(result.stdout)
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, created)
    with session() as s:
        loan = s.exec(select(Loan).where(Loan.contract_no == "SAMPLE-0001")).one()
        assert len(loan.schedule) == 12
        assert last_due_date(loan.schedule, loan.maturity_on) == (loan.maturity_on, True)
        clock = s.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
        assert clock.start_on == date(2025, 3, 1), "the last instalment falls due at maturity"
        assert len(s.exec(select(LoanParty)).all()) == 5
        assert len(s.exec(select(RepaymentPlan)).all()) == 9
        guarantor = s.exec(
            select(Borrower)
            .join(LoanParty, LoanParty.borrower_id == Borrower.id)
            .join(Loan, Loan.id == LoanParty.loan_id)
            .where(Loan.contract_no == "SAMPLE-0004")
        ).one()
        assert guarantor.name == "林样本", "the borrower of SAMPLE-0005 guarantees SAMPLE-0004"
