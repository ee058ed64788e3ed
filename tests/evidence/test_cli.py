"""`legal-track evidence add|list|verify|checklist` and the `bundle build` command."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal

import typer
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from legal_track.cli.evidence import build_command
from legal_track.config import get_settings
from legal_track.evidence.store import EvidenceStore
from tests.evidence import samples
from tests.factories import make_case, make_ledger, make_loan
from tests.spreadsheets import HOSTILE_NAME, HOSTILE_PURPOSE, assert_inert_xlsx

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def _case(ref="LT-2026-000777", contract="HT-CLI-1"):
    with session() as s:
        loan = make_loan(s, contract_no=contract)
        make_ledger(s, loan, kind="disbursement", amount=Decimal("20000.00"),
                    booked_on=date(2024, 1, 10), reference="FK1")  # fmt: skip
        case = make_case(s, loans=[loan], ref=ref)
        s.commit()
        return case.ref, loan.contract_no


def test_add_list_and_verify(env):
    ref, contract = _case()
    good, bad = env / "合同.docx", env / "scan.png"
    good.write_bytes(samples.pdf_bytes(2))  # a PDF whatever the name says
    bad.write_bytes(samples.exe_bytes())
    result = _run("evidence", "add", str(good), str(bad), "--case", ref, "--category", "loan_contract",
                  "--purpose", "证明借贷关系成立", "--source", "出借人", "--captured-at", "2026-01-05")  # fmt: skip
    assert result.exit_code == 1, "a refused file makes the exit status 1"
    assert "合同.docx" in result.stdout and "sha256=" in result.stdout
    assert "refused: scan.png: unsupported file type" in result.stderr

    again = _run("evidence", "add", str(good), "--loan", contract, "--category", "other",
                 "--purpose", "p", "--json")  # fmt: skip
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["added"][0]["duplicate"] is True and data["refused"] == []

    listing = _run("evidence", "list", "--case", ref, "--json")
    rows = json.loads(listing.stdout)
    assert [(r["name"], r["kind"], r["pages"], r["category"]) for r in rows] == [
        ("合同.docx", "pdf", 2, "loan_contract")
    ]
    assert rows[0]["captured_at"].startswith("2026-01-04T16:00"), "midnight in Shanghai, stored UTC"

    ok = _run("evidence", "verify", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["checked"] == 1

    store = EvidenceStore(get_settings().evidence_dir)
    path = store.path_for(rows[0]["sha256"])
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    broken = _run("evidence", "verify")
    assert broken.exit_code == 1
    assert "MISMATCH: item #" in broken.stdout and "1 problem(s)" in broken.stdout
    path.unlink()
    missing = _run("evidence", "verify", "--json")
    assert (
        missing.exit_code == 1 and json.loads(missing.stdout)["problems"][0]["state"] == "missing"
    )


def test_add_needs_a_target_and_a_known_category(env):
    ref, _ = _case()
    f = env / "a.pdf"
    f.write_bytes(samples.pdf_bytes())
    no_target = _run("evidence", "add", str(f), "--category", "other", "--purpose", "p")
    assert no_target.exit_code == 1 and "--case" in no_target.stderr
    bad = _run("evidence", "add", str(f), "--case", ref, "--category", "contract", "--purpose", "p")
    assert bad.exit_code == 1 and "unknown evidence category 'contract'" in bad.stderr
    unknown = _run(
        "evidence", "add", str(f), "--case", "LT-NOPE", "--category", "other", "--purpose", "p"
    )
    assert unknown.exit_code == 1 and "no case with reference 'LT-NOPE'" in unknown.stderr


def test_checklist(env):
    ref, _ = _case()
    result = _run("evidence", "checklist", "--case", ref, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["document"] == "complaint"
    missing = [r["key"] for r in data["rows"] if not r["satisfied"]]
    assert missing == ["loan_contract", "id_document", "disbursement_proof", "demand_proof"]
    text = _run("evidence", "checklist", "--case", ref, "--document", "enforcement_application")
    assert "强制执行申请书" in text.stdout and "[MISSING] 生效判决书" in text.stdout


def test_bundle_build_command(env):
    ref, contract = _case()
    f = env / "contract.pdf"
    f.write_bytes(samples.pdf_bytes(1, "contract"))
    assert _run("evidence", "add", str(f), "--case", ref, "--category", "loan_contract",
                "--purpose", "证明借贷关系").exit_code == 0  # fmt: skip
    bundle_app = typer.Typer()
    bundle_app.command("build")(build_command)
    bundle_app.command("noop")(lambda: None)  # keep `build` a sub-command
    out = env / "out" / "bundle.pdf"
    result = runner.invoke(bundle_app, ["build", ref, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["volumes"] == [str(out)] and out.is_file()
    assert [e["name"] for e in data["exhibits"]] == ["contract", f"借款交易明细（{contract}）"]
    bad = runner.invoke(bundle_app, ["build", ref, "--out", str(out), "--exhibit", "item:999"])
    assert bad.exit_code == 1 and "item:999" in bad.stderr


def test_a_formula_like_purpose_is_stored_as_typed_and_exported_as_text(env):
    ref, _ = _case()
    f = env / "contract.pdf"
    f.write_bytes(samples.pdf_bytes(1, "contract"))
    added = _run("evidence", "add", str(f), "--case", ref, "--category", "loan_contract",
                 "--purpose", HOSTILE_NAME, "--source", HOSTILE_PURPOSE)  # fmt: skip
    assert added.exit_code == 0, added.output
    listing = json.loads(_run("evidence", "list", "--case", ref, "--json").stdout)
    assert listing[0]["purpose"] == HOSTILE_NAME, "the register keeps what was typed"
    bundle_app = typer.Typer()
    bundle_app.command("build")(build_command)
    bundle_app.command("noop")(lambda: None)
    xlsx = env / "out" / "index.xlsx"
    built = runner.invoke(bundle_app, ["build", ref, "--out", str(env / "out" / "b.pdf"),
                                       "--index-xlsx", str(xlsx), "--exhibit", f"item:{listing[0]['id']}"])  # fmt: skip
    assert built.exit_code == 0, built.output
    rows = assert_inert_xlsx(xlsx)
    assert rows[1][2] == HOSTILE_PURPOSE and rows[1][3].startswith(HOSTILE_NAME)
