"""The counsel commands end to end: firm, counsel account, assignment, package, verify,
tamper, updates with a bad row."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import session
from tests.factories import make_case

runner = CliRunner()


def _ok(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"{args}: {result.output}"
    return result


def test_counsel_commands(env, tmp_path):
    _ok("init")
    with session() as s:
        make_case(s, ref="LT-2026-500001", stage="demand_letter")
        s.commit()
    _ok("counsel", "firm", "add", "辛律师事务所", "--uscc", "91110000MA01ABCD2X", "--fee-rate",
        "0.08", "--stage-fee", "lit_filed=1500")  # fmt: skip
    _ok("counsel", "lawyer", "辛律师事务所", "周律师", "--license", "11101201810000000")
    _ok("users", "add", "xin_lawyer", "--role", "counsel")
    _ok("counsel", "account", "xin_lawyer", "辛律师事务所")
    _ok("counsel", "assign", "LT-2026-500001", "--firm", "辛律师事务所", "--lawyer", "周律师")
    firms = json.loads(_ok("counsel", "firm", "list", "--json").stdout)
    assert firms[0]["open_cases"] == 1 and firms[0]["fee_rate"] == "0.08"
    pkg = tmp_path / "pkg.zip"
    _ok("counsel", "export", "LT-2026-500001", "--out", str(pkg), "--no-bundle")
    assert "OK" in _ok("counsel", "verify", str(pkg)).stdout
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            if not item.filename.endswith("case_summary.json"):
                dst.writestr(item, src.read(item))
    checked = runner.invoke(app, ["counsel", "verify", str(bad)])
    assert checked.exit_code == 1 and "missing (removed)" in checked.stdout
    updates = tmp_path / "u.csv"
    updates.write_text("案件编号,事件,日期\nLT-2026-500001,complaint_filed,2026-11-20\n"
                       "LT-2026-500001,no_such_event,2026-11-21\n", encoding="utf-8")  # fmt: skip
    failed = runner.invoke(app, ["counsel", "updates", str(updates), "--firm", "辛律师事务所"])
    assert failed.exit_code == 1 and "u.csv row 3, column 事件: unknown event" in failed.output
    updates.write_text("案件编号,事件,日期\nLT-2026-500001,complaint_filed,2026-11-20\n",
                       encoding="utf-8")  # fmt: skip
    assert (
        "1 events recorded"
        in _ok("counsel", "updates", str(updates), "--firm", "辛律师事务所").stdout
    )
