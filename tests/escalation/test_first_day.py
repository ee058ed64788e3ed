"""A legal team's first day with its own data, through the command line only: import the
loan tape (GBK CSV), ledger (XLSX) and contact log, compute the limitation clocks, see the
queue, accept it, name outside counsel, register the contract, and generate the demand
letter for the new case."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.identity import make_id_number

runner = CliRunner()
TODAY = "2026-12-03"


def _ok(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"legal-track {' '.join(args)}: {result.output}"
    return result


def _csv(path, header, rows, encoding):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.slow
def test_import_propose_accept_and_write_the_demand_letter(env):
    from datetime import date

    wang = make_id_number("110101", date(1988, 4, 2), 31)
    zhao = make_id_number("330106", date(1979, 9, 9), 12)
    loans = _csv(env / "借款台账.csv", ["合同编号", "借款人姓名", "身份证号", "手机号", "地址", "出借人",
                                       "借款本金", "年利率", "放款日期", "到期日期", "剩余本金", "逾期起始日"], [
        ["XD-2025-0001", "王小明", wang, "13900000001", "北京市东城区和平里街道1号",
         "示例小额贷款有限公司", "30,000.00", "18%", "2025-01-10", "2026-01-10", "24,000.00", "2025-07-10"],
        ["XD-2025-0002", "王小明", wang, "13900000001", "北京市东城区和平里街道1号",
         "示例小额贷款有限公司", "8,000.00", "18%", "2025-03-01", "2026-03-01", "8,000.00", "2025-08-01"],
        ["XD-2025-0003", "赵丽", zhao, "13900000002", "浙江省杭州市西湖区文三路2号",
         "示例小额贷款有限公司", "5,000.00", "18%", "2026-09-01", "2027-09-01", "5,000.00", "2026-11-20"],
    ], "gbk")  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(["合同编号", "日期", "类型", "金额", "流水号"])
    sheet.append(["XD-2025-0001", "2025-01-10", "放款", 30000, "FK-1"])
    sheet.append(["XD-2025-0001", "2025-06-10", "还款", 6000, "HK-1"])
    sheet.append(["XD-2025-0002", "2025-03-01", "放款", 8000, "FK-2"])
    sheet.append(["XD-2025-0003", "2026-09-01", "放款", 5000, "FK-3"])
    ledger = env / "流水.xlsx"
    book.save(ledger)
    contacts = _csv(env / "催收记录.csv", ["合同编号", "时间", "渠道", "号码/地址", "内容", "送达状态", "催收员"], [
        ["XD-2025-0001", "2025-08-01 10:00", "短信", "13900000001", "您的借款已逾期，请尽快还款。", "已送达", "系统"],
        ["XD-2025-0003", "2026-11-28 10:00", "短信", "13900000002", "您的借款已逾期，请尽快还款。", "已送达", "系统"],
    ], "utf-8-sig")  # fmt: skip

    _ok("init")
    _ok("users", "add", "li_lead", "--role", "lead", "--email", "li@example.com")
    _ok("users", "add", "chen", "--role", "staff", "--email", "chen@example.com")
    _ok("import", "loans", str(loans))
    _ok("import", "ledger", str(ledger))
    _ok("import", "contacts", str(contacts))
    _ok("limitation", "--all", "--today", TODAY)

    queue = json.loads(_ok("escalate", "propose", "--today", TODAY, "--json").stdout)
    assert {p["contract_no"] for p in queue} == {"XD-2025-0001", "XD-2025-0002"}, (
        "赵丽's loan is 13 days overdue and contacted: it stays in collections"
    )
    first = next(p for p in queue if p["contract_no"] == "XD-2025-0001")
    assert "dpd_90" in {r["rule"] for r in first["reasons"]}
    assert first["route"] == "litigation" and first["forum"] == "北京市东城区人民法院"

    accepted = json.loads(_ok("escalate", "accept", "--all", "--today", TODAY, "--json").stdout)
    assert len(accepted["cases"]) == 1, "王小明's two loans travel in one case"
    case = accepted["cases"][0]
    assert case["owner"] == "chen" and set(case["contracts"]) == {"XD-2025-0001", "XD-2025-0002"}
    ref = case["ref"]
    assert ref == "LT-2026-000001"

    _ok("case", "set", ref, "--counsel", "北京示例律师事务所")
    contract = env / "借款合同.pdf"
    from tests.pdf import samples

    samples.text_pdf(contract, ["LOAN CONTRACT XD-2025-0001"])
    _ok("evidence", "add", str(contract), "--case", ref, "--loan", "XD-2025-0001",
        "--category", "loan_contract", "--purpose", "证明借款合同关系")  # fmt: skip
    _ok("evidence", "add", str(samples.text_pdf(env / "合同2.pdf", ["CONTRACT 2"])), "--case", ref,
        "--loan", "XD-2025-0002", "--category", "loan_contract", "--purpose", "证明借款合同关系")  # fmt: skip
    letter = env / "律师函.docx"
    made = json.loads(_ok("docs", "render", "demand_letter", ref, "--out", str(letter),
                          "--cutoff", TODAY, "--json").stdout)  # fmt: skip
    assert letter.is_file() and made["sha256"]
    again = json.loads(_ok("escalate", "propose", "--today", TODAY, "--json").stdout)
    assert again == [], "the accepted loans are not proposed again"
