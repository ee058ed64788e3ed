"""`legal-track retention report` and `legal-track retention purge` on the configured
database: the dry run, the report files, confirmation, the purge and the audit check."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlmodel import Session
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import Borrower, Role
from tests.factories import make_user
from tests.retention.conftest import seed_case

runner = CliRunner()
TODAY = "2026-12-03"


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def _seed():
    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        seeded = seed_case(s, settings)
        make_user(s, username="admin", role=Role.admin)
        make_user(s, username="lead1", role=Role.lead)
        s.commit()
    return engine, seeded


def test_report_lists_the_due_case_and_writes_csv_and_xlsx(env):
    engine, seeded = _seed()
    result = invoke("retention", "report", "--today", TODAY, "--out", str(env / "due.csv"))
    assert result.exit_code == 0, result.output
    assert (
        seeded.case.ref in result.stdout
        and "1 case(s) due for purge on 2026-12-03" in result.stdout
    )
    assert "due since 2026-06-30" in result.stdout
    rows = list(csv.DictReader(io.StringIO((env / "due.csv").read_text(encoding="utf-8-sig"))))
    assert [r["case"] for r in rows] == [seeded.case.ref]
    assert rows[0]["evidence_files"] == "1" and rows[0]["contact_log_entries"] == "3"
    text = (env / "due.csv").read_text(encoding="utf-8-sig")
    assert not [v for v in seeded.secrets if v in text], "the report names nobody"
    invoke("retention", "report", "--today", TODAY, "--out", str(env / "due.xlsx"))
    sheet = openpyxl.load_workbook(env / "due.xlsx").active
    assert sheet["A2"].value == seeded.case.ref
    earlier = invoke("retention", "report", "--today", "2026-06-29")
    assert "0 case(s) due" in earlier.stdout
    engine.dispose()


def test_bad_input_gets_a_clear_message(env):
    _seed()
    bad_day = invoke("retention", "report", "--today", "3.12.2026")
    assert bad_day.exit_code == 1 and "is not a date (YYYY-MM-DD)" in bad_day.output
    bad_out = invoke("retention", "report", "--out", "x.pdf")
    assert bad_out.exit_code == 1 and "write .csv or .xlsx" in bad_out.output
    not_due = invoke("retention", "purge", "--today", TODAY, "--case", "LT-1999-000001", "--yes")
    assert not_due.exit_code == 1 and "not due for purge" in not_due.output


def test_purge_asks_first_then_purges_and_audit_verify_passes(env):
    engine, seeded = _seed()
    declined = invoke("retention", "purge", "--today", TODAY, input="n\n")
    assert declined.exit_code != 0
    with Session(engine) as s:
        assert s.get(Borrower, seeded.borrower.id).purged_at is None, "declined: nothing purged"
    result = invoke("retention", "purge", "--today", TODAY, "--yes", "--out",
                    str(env / "purged.xlsx"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"purged {seeded.case.ref}: 2 people, 3 contacts, 1 evidence files" in result.stdout
    sheet = openpyxl.load_workbook(env / "purged.xlsx").active
    assert [c.value for c in sheet[1]][:2] == ["case", "closed_on"]
    assert sheet["A2"].value == seeded.case.ref
    with Session(engine) as s:
        assert s.get(Borrower, seeded.borrower.id).purged_at is not None
    assert "nothing is due" in invoke("retention", "purge", "--today", TODAY, "--yes").stdout
    verify = invoke("audit", "verify")
    assert verify.exit_code == 0 and "audit chain intact" in verify.output, verify.output
    evidence = invoke("evidence", "verify")
    assert evidence.exit_code == 0 and "purged (retention): 1 file(s)" in evidence.output
    engine.dispose()


def test_purge_by_a_lead_is_refused(env):
    engine, seeded = _seed()
    result = invoke("retention", "purge", "--today", TODAY, "--yes", "--by", "lead1")
    assert result.exit_code == 1 and "only an admin may purge" in result.output
    with Session(engine) as s:
        assert s.get(Borrower, seeded.borrower.id).purged_at is None
    engine.dispose()
