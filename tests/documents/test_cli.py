"""`legal-track docs ...` and `legal-track templates ...` through the real Typer app."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session as cli_session
from legal_track.models import GeneratedDocument
from tests.documents.conftest import DOC_TEMPLATES, TEMPLATE_IDS, docx_text, full_case
from tests.documents.test_registry import variant

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def refs(env) -> list[str]:
    with cli_session() as s:
        cases = [full_case(s), full_case(s), full_case(s, counsel_firm=None)]
        return [c.ref for c in cases]


def test_templates_list_and_check(env):
    result = run("templates", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["id"] for r in rows) == TEMPLATE_IDS and all(r["active"] for r in rows)
    result = run("templates", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok ") == len(TEMPLATE_IDS)


def test_templates_check_names_the_broken_tag(env, tmp_path):
    data, meta, sample = variant("demand_letter", "2", extra="金额：{{ claim.total.figures }")
    (tmp_path / "letter.docx").write_bytes(data)
    (tmp_path / "letter.toml").write_text(meta, encoding="utf-8")
    (tmp_path / "letter.sample.json").write_text(sample, encoding="utf-8")
    result = run("templates", "check", tmp_path / "letter.docx")
    assert result.exit_code == 1
    assert "template demand_letter@2: syntax error in tag {{ claim.total.figures }" in result.stdout
    result = run("templates", "upload", tmp_path / "letter.docx")
    assert result.exit_code == 1 and "was not registered" in result.output


def test_templates_upload_activate_rollback(env, tmp_path):
    for suffix in (".docx", ".toml", ".sample.json"):
        shutil.copy(DOC_TEMPLATES / f"evidence_list{suffix}", tmp_path / f"evidence_list{suffix}")
    toml = tmp_path / "evidence_list.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('version = "1"', 'version = "2"'), encoding="utf-8"
    )
    result = run("templates", "upload", tmp_path / "evidence_list.docx")
    assert result.exit_code == 0, result.output
    assert "registered evidence_list@2 (not active" in result.stdout
    assert run("templates", "activate", "evidence_list", "2").exit_code == 0
    listed = json.loads(run("templates", "list", "--all", "--json").stdout)
    assert {(r["version"], r["active"]) for r in listed if r["id"] == "evidence_list"} == {
        ("1", False),
        ("2", True),
    }
    result = run("templates", "rollback", "evidence_list")
    assert result.exit_code == 0 and "evidence_list@1 is active" in result.stdout


def test_docs_render_list_and_diff(env, refs, tmp_path):
    out = tmp_path / "complaint.docx"
    result = run("docs", "render", "civil_complaint", refs[0], "--out", out, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["template"] == "civil_complaint@1" and data["path"] == str(out)
    assert "民事起诉状" in docx_text(out)
    second = json.loads(run("docs", "render", "civil_complaint", refs[0], "--out", tmp_path / "again.docx",
                            "--json").stdout)  # fmt: skip
    assert second["context_sha256"] == data["context_sha256"]
    listed = json.loads(run("docs", "list", refs[0], "--json").stdout)
    assert [r["id"] for r in listed] == [second["id"], data["id"]]
    result = run("docs", "diff", second["id"])
    assert result.exit_code == 0 and "same context as document" in result.stdout


def test_docs_render_refuses_a_case_that_fails_preflight(env, refs, tmp_path):
    result = run("docs", "render", "demand_letter", refs[2], "--out", tmp_path / "x.docx")
    assert result.exit_code == 1
    assert "template demand_letter@1 needs field counsel.firm" in " ".join(result.output.split())
    assert not (tmp_path / "x.docx").exists()
    result = run("docs", "preflight", "demand_letter", refs[2])
    assert result.exit_code == 1 and "BLOCKED" in result.stdout
    assert (
        run("docs", "render", "demand_letter", "LT-NOPE", "--out", tmp_path / "y.docx").exit_code
        == 1
    )


def test_docs_batch_writes_one_zip_with_a_report(env, refs, tmp_path):
    out = tmp_path / "batch.zip"
    result = run(
        "docs", "batch", "demand_letter", "--cases", ",".join(refs), "--out", out, "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["ok"], summary["failed"]) == (2, 1)
    with zipfile.ZipFile(out) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("report.csv").decode("utf-8-sig"))))
        assert f"{refs[0]}/{refs[0]}_demand_letter.docx" in zf.namelist()
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    assert "counsel.firm" in rows[2]["reason"]
    result = run(
        "docs", "batch", "demand_letter", "--stage", "closed", "--out", tmp_path / "none.zip"
    )
    assert result.exit_code == 1 and "no case matches" in result.output


def test_docs_sent_and_delivered(env, refs, tmp_path):
    data = json.loads(
        run(
            "docs", "render", "demand_letter", refs[0], "--out", tmp_path / "l.docx", "--json"
        ).stdout
    )
    with cli_session() as s:
        created = s.get(GeneratedDocument, data["id"]).created_at
    made_on = created.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    result = run("docs", "sent", data["id"], "--on", made_on, "--tracking", "EMS1")
    assert result.exit_code == 0, result.output
    assert "demand_letter_sent" in result.stdout
    result = run("docs", "delivered", refs[0], "--signed-on", made_on, "--document", data["id"])
    assert result.exit_code == 0, result.output
    assert "demand_letter_delivered" in result.stdout
    assert run("docs", "sent", data["id"], "--on", "yesterday").exit_code == 1
