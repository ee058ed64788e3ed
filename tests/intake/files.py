"""Import files for the intake tests, written into tmp_path in every format."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session

from legal_track.identity import make_id_number
from legal_track.intake import IntakeError, import_file
from legal_track.models import (
    AuditEntry,
    Borrower,
    ContactLog,
    Creditor,
    LedgerEntry,
    Loan,
    LoanParty,
    RepaymentPlan,
)

FORMATS = ("utf-8", "utf-8-sig", "gbk", "xlsx")

ID_A = make_id_number("110101", date(1990, 3, 7), 123)
ID_B = make_id_number("310104", date(1985, 12, 31), 45)
ID_C = make_id_number("440106", date(1982, 2, 14), 21)
ID_X = make_id_number("440106", date(1978, 6, 30), 6)  # ends in X

LOAN_ZH = ["合同编号", "借款人姓名", "身份证号", "手机号", "地址", "邮箱", "出借人", "借款本金",
           "年利率", "逾期利率", "放款日期", "到期日期", "剩余本金", "逾期起始日", "仲裁机构",
           "约定管辖法院"]  # fmt: skip
LOAN_EN = ["contract_no", "borrower_name", "id_number", "phone", "address", "email", "creditor",
           "principal", "annual_rate", "overdue_rate", "disbursed_on", "maturity_on",
           "outstanding_principal", "overdue_since", "arbitration_commission",
           "agreed_court"]  # fmt: skip
# CSV text as exported by Excel or a core system: every supported spelling appears once.
LOAN_ROWS = [
    ["HT-2025-001", "张三", ID_A, "13800138000", "北京市东城区示例路1号", "zs@example.com",
     "示例小额贷款有限公司", "￥20,000.00", "18%", "24%", "2025-01-05", "2026/1/5",
     "12,000.00元", "2025年6月5日", "", "北京市东城区人民法院"],
    ["HT-2025-002", "张三", ID_A, "13800138000", "北京市东城区示例路1号", "zs@example.com",
     "示例小额贷款有限公司", "5000", "0.18", "", "2025/2/5", "2026-02-05", "5,000", "",
     "上海仲裁委员会", ""],
    ["HT-2025-003", "李四", ID_B, "+86 139 0013 9000", "上海市徐汇区示例路2号", "",
     "示例消费金融有限公司", "¥8,888.88", "23.5%", "", "20250310", "2026年3月10日", "8888.88",
     "2025-09-10", "", ""],
]  # fmt: skip
# The same loans as typed XLSX cells: real dates, numbers, percent as fractions.
LOAN_XLSX_ROWS = [
    ["HT-2025-001", "张三", ID_A, 13800138000, "北京市东城区示例路1号", "zs@example.com",
     "示例小额贷款有限公司", 20000, 0.18, 0.24, datetime(2025, 1, 5), datetime(2026, 1, 5),
     12000.0, datetime(2025, 6, 5), None, "北京市东城区人民法院"],
    ["HT-2025-002", "张三", ID_A, "13800138000", "北京市东城区示例路1号", "zs@example.com",
     "示例小额贷款有限公司", 5000.00, "18%", None, datetime(2025, 2, 5), datetime(2026, 2, 5),
     5000, None, "上海仲裁委员会", None],
    ["HT-2025-003", "李四", ID_B, "+86 139 0013 9000", "上海市徐汇区示例路2号", None,
     "示例消费金融有限公司", 8888.88, 0.235, None, 45726, datetime(2026, 3, 10), "8888.88",
     date(2025, 9, 10), None, None],
]  # fmt: skip

LEDGER_ZH = ["合同编号", "日期", "类型", "金额", "流水号"]
LEDGER_EN = ["contract_no", "date", "kind", "amount", "reference"]
LEDGER_ROWS = [
    ["HT-2025-001", "2025-01-05", "放款", "20,000.00", "LN-0001"],
    ["HT-2025-001", "2025/2/5", "还款", "1,800.00", "RP-0001"],
    ["HT-2025-001", "2025年3月5日", "费用", "50", "FE-0001"],
    ["HT-2025-002", "2025-02-05", "disbursement", "5000", "LN-0002"],
    ["HT-2025-003", "2025-03-10", "Write_Off", "¥100.00", "WO-0001"],
]
LEDGER_XLSX_ROWS = [
    ["HT-2025-001", datetime(2025, 1, 5), "放款", 20000, "LN-0001"],
    ["HT-2025-001", datetime(2025, 2, 5), "还款", 1800.0, "RP-0001"],
    ["HT-2025-001", datetime(2025, 3, 5), "费用", 50, "FE-0001"],
    ["HT-2025-002", datetime(2025, 2, 5), "disbursement", "5000", "LN-0002"],
    ["HT-2025-003", datetime(2025, 3, 10), "Write_Off", 100, "WO-0001"],
]

CONTACT_ZH = ["合同编号", "时间", "渠道", "号码/地址", "内容", "送达状态", "催收员", "承诺还款日",
              "承诺金额"]  # fmt: skip
CONTACT_EN = ["contract_no", "time", "channel", "target", "content", "delivery_status", "agent",
              "promise_date", "promise_amount"]  # fmt: skip
CONTACT_ROWS = [
    ["HT-2025-001", "2025-07-01 09:30", "短信", "13800138000", "您的借款已逾期，请尽快还款。",
     "已送达", "王催收", "", ""],
    ["HT-2025-001", "2025/7/3 14:05:30", "电话", "13800138000", "本人接听，承诺月底还款",
     "delivered", "王催收", "2025-07-31", "1,000.00"],
    ["HT-2025-002", "2025年7月4日 10:00", "信函", "北京市东城区示例路1号", "催收函", "失败",
     "", "", ""],
    ["HT-2025-003", "2025-07-05T08:00:00+08:00", "上门", "上海市徐汇区示例路2号", "", "",
     "赵外访", "", ""],
]  # fmt: skip
CONTACT_XLSX_ROWS = [
    ["HT-2025-001", datetime(2025, 7, 1, 9, 30), "短信", 13800138000,
     "您的借款已逾期，请尽快还款。", "已送达", "王催收", None, None],
    ["HT-2025-001", datetime(2025, 7, 3, 14, 5, 30), "电话", "13800138000",
     "本人接听，承诺月底还款", "delivered", "王催收", datetime(2025, 7, 31), 1000],
    ["HT-2025-002", "2025年7月4日 10:00", "信函", "北京市东城区示例路1号", "催收函", "失败",
     None, None, None],
    ["HT-2025-003", datetime(2025, 7, 5, 8, 0), "上门", "上海市徐汇区示例路2号", None, None,
     "赵外访", None, None],
]  # fmt: skip

PARTY_ZH = ["合同编号", "角色", "姓名", "身份证号", "手机号", "地址"]
PARTY_EN = ["contract_no", "role", "name", "id_number", "phone", "address"]
# 王五 is new and guarantees two loans; 李四 and 张三 are borrowers of other loans (same details).
PARTY_ROWS = [
    ["HT-2025-001", "担保人", "王五", ID_C, "13700137000", "广州市天河区示例路3号"],
    ["HT-2025-001", "co_borrower", "李四", ID_B, "+86 139 0013 9000", "上海市徐汇区示例路2号"],
    ["HT-2025-002", "保证人", "王五", ID_C, "13700137000", "广州市天河区示例路3号"],
    ["HT-2025-003", "共同借款人", "赵六", ID_X.lower(), "", ""],
    ["HT-2025-003", "Guarantor", "张三", ID_A, "13800138000", "北京市东城区示例路1号"],
]  # fmt: skip
PARTY_XLSX_ROWS = [
    ["HT-2025-001", "担保人", "王五", ID_C, 13700137000, "广州市天河区示例路3号"],
    ["HT-2025-001", "co_borrower", "李四", ID_B, "+86 139 0013 9000", "上海市徐汇区示例路2号"],
    ["HT-2025-002", "保证人", "王五", ID_C, "13700137000", "广州市天河区示例路3号"],
    ["HT-2025-003", "共同借款人", "赵六", ID_X, None, None],
    ["HT-2025-003", "Guarantor", "张三", ID_A, 13800138000, "北京市东城区示例路1号"],
]  # fmt: skip

SCHEDULE_ZH = ["合同编号", "期数", "应还日期", "应还本金", "应还利息"]
SCHEDULE_EN = ["contract_no", "instalment_no", "due_on", "principal", "interest"]
# Two loans' rows interleaved and out of instalment order; HT-2025-003 keeps its schedule.
SCHEDULE_ROWS = [
    ["HT-2025-001", "1", "2025-02-05", "5,000.00", "300.00"],
    ["HT-2025-002", "1", "2025/3/5", "2500", ""],
    ["HT-2025-001", "2", "2025年3月5日", "5000", "225"],
    ["HT-2025-001", "4", "2025-05-05", "5,000.00元", "75.00"],
    ["HT-2025-001", "3", "20250405", "￥5,000.00", "150.00"],
    ["HT-2025-002", "+2", "2025-04-05", "2,500.00", "37.5"],
]
SCHEDULE_XLSX_ROWS = [
    ["HT-2025-001", 1, datetime(2025, 2, 5), 5000, 300],
    ["HT-2025-002", 1.0, datetime(2025, 3, 5), 2500.0, None],
    ["HT-2025-001", "2", datetime(2025, 3, 5), "5000", 225.0],
    ["HT-2025-001", 4, datetime(2025, 5, 5), 5000, 75],
    ["HT-2025-001", 3, 45752, 5000, "150.00"],
    ["HT-2025-002", 2, datetime(2025, 4, 5), 2500, 37.5],
]
SCHEDULE_WANTED = {
    "HT-2025-001": [
        {"due_on": "2025-02-05", "principal": "5000.00", "interest": "300.00"},
        {"due_on": "2025-03-05", "principal": "5000.00", "interest": "225.00"},
        {"due_on": "2025-04-05", "principal": "5000.00", "interest": "150.00"},
        {"due_on": "2025-05-05", "principal": "5000.00", "interest": "75.00"},
    ],
    "HT-2025-002": [
        {"due_on": "2025-03-05", "principal": "2500.00", "interest": "0.00"},
        {"due_on": "2025-04-05", "principal": "2500.00", "interest": "37.50"},
    ],
    "HT-2025-003": [],
}

PLAN_ZH = ["合同编号", "方案编号", "签订日期", "期数", "应还日期", "应还金额"]
PLAN_EN = ["contract_no", "plan_no", "agreed_on", "instalment_no", "due_on", "amount"]
PLAN_ROWS = [
    ["HT-2025-001", "FA-001", "2025-07-10", "1", "2025-08-10", "1,000.00"],
    ["HT-2025-001", "FA-001", "2025/7/10", "2", "2025-09-10", "1000"],
    ["HT-2025-001", "FA-002", "2025-10-01", "1", "2025-10-01", "￥11,000.00"],
    ["HT-2025-003", "FA-001", "2025年9月1日", "1", "2025-09-15", "8,888.88"],
]
PLAN_XLSX_ROWS = [
    ["HT-2025-001", "FA-001", datetime(2025, 7, 10), 1, datetime(2025, 8, 10), 1000],
    ["HT-2025-001", "FA-001", datetime(2025, 7, 10), 2, datetime(2025, 9, 10), 1000.0],
    ["HT-2025-001", "FA-002", "2025-10-01", 1, datetime(2025, 10, 1), "11,000.00"],
    ["HT-2025-003", "FA-001", 45901, 1.0, datetime(2025, 9, 15), 8888.88],
]

SAMPLES = {
    "loans": (LOAN_ZH, LOAN_EN, LOAN_ROWS, LOAN_XLSX_ROWS),
    "ledger": (LEDGER_ZH, LEDGER_EN, LEDGER_ROWS, LEDGER_XLSX_ROWS),
    "contacts": (CONTACT_ZH, CONTACT_EN, CONTACT_ROWS, CONTACT_XLSX_ROWS),
    "parties": (PARTY_ZH, PARTY_EN, PARTY_ROWS, PARTY_XLSX_ROWS),
    "schedules": (SCHEDULE_ZH, SCHEDULE_EN, SCHEDULE_ROWS, SCHEDULE_XLSX_ROWS),
    "plans": (PLAN_ZH, PLAN_EN, PLAN_ROWS, PLAN_XLSX_ROWS),
}
#: data rows of each sample file
SAMPLE_ROWS = {kind: len(sample[2]) for kind, sample in SAMPLES.items()}


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, header, rows, encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(header, rows, encoding))
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime | date):
                has_time = (
                    isinstance(cell.value, datetime) and cell.value.time() != datetime.min.time()
                )
                cell.number_format = "yyyy-mm-dd hh:mm:ss" if has_time else "yyyy-mm-dd"
    book.save(path)
    return path


def sample_file(tmp_path: Path, kind: str, fmt: str, *, english: bool = False) -> Path:
    """The sample file of `kind` in `fmt` (utf-8, utf-8-sig, gbk or xlsx)."""
    zh, en, rows, xlsx_rows = SAMPLES[kind]
    header = en if english else zh
    if fmt == "xlsx":
        return write_xlsx(tmp_path / f"{kind}.xlsx", header, xlsx_rows)
    if fmt == "gbk":  # '¥' (U+00A5) has no GBK code: Chinese Excel writes the full-width '￥'
        rows = [[v.replace("¥", "￥") for v in row] for row in rows]
    return write_csv(tmp_path / f"{kind}.csv", header, rows, fmt)


def kind_file(tmp_path: Path, kind: str, rows, fmt: str = "utf-8", *, name: str = "") -> Path:
    """`rows` of `kind` under its Chinese header, in `fmt` (named `name` or `kind`.csv/.xlsx)."""
    header = SAMPLES[kind][0]
    if fmt == "xlsx":
        return write_xlsx(tmp_path / (name or f"{kind}.xlsx"), header, rows)
    return write_csv(tmp_path / (name or f"{kind}.csv"), header, rows, fmt)


def load(session: Session, tmp_path: Path, kinds, fmt: str, now: datetime, **kw) -> list:
    """Import the sample file of each of `kinds` in `fmt`; the reports."""
    return [
        import_file(session, kind=kind, path=sample_file(tmp_path, kind, fmt), actor="t", now=now,
                    **kw)
        for kind in kinds
    ]  # fmt: skip


def problems_of(session: Session, kind: str, path: Path, now: datetime) -> list[str]:
    """Import `path`, expect IntakeError, check nothing was written; the problem lines."""
    before, rows = counts(session), dump(session)
    with pytest.raises(IntakeError) as caught:
        import_file(session, kind=kind, path=path, actor="t", now=now)
    assert counts(session) == before, "a failed import must write nothing"
    assert dump(session) == rows, "a failed import must change nothing"
    assert not session.in_transaction() or not session.new, "no pending objects after a failure"
    return [str(p) for p in caught.value.problems]


TABLES = (Creditor, Borrower, Loan, LedgerEntry, ContactLog, LoanParty, RepaymentPlan, AuditEntry)


def counts(session: Session) -> dict[str, int]:
    """Row count of every table intake can write."""
    return {
        t.__name__: session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in TABLES
    }


def dump(session: Session) -> dict[str, list[tuple]]:
    """Every row of the data tables (not the audit trail), to compare before/after."""
    result = {}
    for model in TABLES[:-1]:
        table = model.__table__
        result[model.__name__] = [
            tuple(row) for row in session.execute(select(table).order_by(table.c.id)).all()
        ]
    return result
