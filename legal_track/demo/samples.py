"""The sample files under ``evidence/samples/``: import examples and demo evidence.

- ``loans.csv`` (UTF-8 with BOM, Chinese headers), ``ledger_gbk.csv`` (GBK, as Chinese
  Excel writes it) and ``contacts.xlsx``: import examples for `legal-track import`;
- ``loan_contract_SAMPLE-0001.pdf``, ``id_card_SAMPLE-0001.png`` and
  ``transactions_SAMPLE-0001.csv``: the evidence a demo case starts with.

Everything is fictional and marked 演示 / DEMO. `write_samples` rebuilds the files
deterministically (`python -m legal_track.demo.samples evidence/samples`).
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from legal_track.identity import make_id_number

SAMPLE_LOANS = [  # contract, name, region, birth, seq, phone, principal, rate, disbursed, maturity, outstanding, overdue_since, commission
    ("SAMPLE-0001", "韩示例", "110101", date(1988, 5, 12), 11, "13800000001", "50,000.00", "18%", date(2024, 3, 1), date(2025, 3, 1), "¥31,250.00", date(2024, 9, 1), ""),
    ("SAMPLE-0002", "欧阳演示", "310104", date(1992, 11, 3), 22, "13900000002", "12000", "0.1200", date(2024, 6, 15), date(2025, 6, 15), "8,000.00", date(2024, 10, 15), "上海仲裁委员会"),
    ("SAMPLE-0003", "马测试", "330106", date(1979, 2, 28), 33, "13700000003", "200,000.00", "15.4%", date(2023, 12, 20), date(2025, 12, 20), "150,000.00", date(2025, 1, 20), ""),
    ("SAMPLE-0004", "A&B <样本> 公司担保人", "440305", date(1985, 8, 8), 44, "13600000004", "8,800", "24%", date(2024, 1, 5), date(2025, 1, 5), "4,400.00", date(2024, 7, 5), ""),
    ("SAMPLE-0005", "林样本", "510107", date(1999, 12, 31), 55, "13500000005", "30,000.00", "9.8%", date(2025, 2, 1), date(2026, 2, 1), "27,500.00", date(2025, 4, 1), "成都仲裁委员会"),
]  # fmt: skip
CREDITOR = "杭州示例小额贷款有限公司（演示）"

LOAN_HEADERS = ["合同编号", "借款人姓名", "身份证号", "手机号", "地址", "邮箱", "出借人", "借款本金",
                "年利率", "逾期利率", "放款日期", "到期日期", "剩余本金", "逾期起始日", "仲裁机构",
                "约定管辖法院"]  # fmt: skip
LEDGER_HEADERS = ["合同编号", "日期", "类型", "金额", "流水号"]
CONTACT_HEADERS = ["合同编号", "时间", "渠道", "号码/地址", "内容", "送达状态", "催收员",
                   "承诺还款日", "承诺金额"]  # fmt: skip


def loan_rows() -> list[list[str]]:
    rows = []
    for (
        c,
        name,
        region,
        birth,
        seq,
        phone,
        principal,
        rate,
        disb,
        mat,
        outst,
        since,
        comm,
    ) in SAMPLE_LOANS:
        rows.append([c, name, make_id_number(region, birth, seq), phone,
                     f"示例省示例市示例路{seq}号（演示数据）", f"{c.lower()}@demo.example.com",
                     CREDITOR, principal, rate, "", f"{disb:%Y/%m/%d}", f"{mat:%Y年%m月%d日}",
                     outst, since.isoformat(), comm, ""])  # fmt: skip
    return rows


def ledger_rows() -> list[list[str]]:
    rows = []
    for k, (c, *_r, principal, _rate, disb, _mat, _outst, _since, _comm) in enumerate(
        SAMPLE_LOANS, start=1
    ):
        rows.append([c, disb.isoformat(), "放款", principal, f"FK-S{k:04d}"])
        repaid = disb + timedelta(days=31)
        rows.append([c, f"{repaid:%Y/%m/%d}", "还款", "1,000.00", f"HK-S{k:04d}-1"])
        rows.append([c, f"{disb.year + 1}年1月15日", "费用", "￥50", f"FY-S{k:04d}"])
    return rows


def contact_rows() -> list[list]:
    rows = []
    for c, _name, _region, _birth, _seq, phone, *_r, since, _comm in SAMPLE_LOANS:
        base = datetime.combine(since, time(10, 0))
        text = "【示例贷款】您的借款已逾期，请尽快还款。"
        rows.append(
            [c, base + timedelta(days=1), "短信", phone, text, "已送达", "催收员甲", None, None]
        )
        rows.append(
            [
                c,
                base + timedelta(days=2, hours=5),
                "短信",
                phone,
                text,
                "失败",
                "催收员甲",
                None,
                None,
            ]
        )
        rows.append(
            [
                c,
                base + timedelta(days=5, hours=1),
                "电话",
                phone,
                "电话联系借款人，借款人承诺还款",
                "已送达",
                "催收员乙",
                since + timedelta(days=12),
                Decimal("2000.00"),
            ]
        )
    return rows


def _csv_text(headers: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def write_import_samples(folder: Path) -> list[Path]:
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    loans = folder / "loans.csv"
    loans.write_bytes(_csv_text(LOAN_HEADERS, loan_rows()).encode("utf-8-sig"))
    ledger = folder / "ledger_gbk.csv"
    ledger.write_bytes(_csv_text(LEDGER_HEADERS, ledger_rows()).encode("gbk"))
    contacts = folder / "contacts.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "催收记录"
    ws.append(CONTACT_HEADERS)
    for row in contact_rows():
        ws.append([str(v) if isinstance(v, Decimal) else v for v in row])
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 1)  # noqa: DTZ001 (openpyxl wants naive)
    wb.save(contacts)
    return [loans, ledger, contacts]


def write_transactions_csv(folder: Path) -> Path:
    path = folder / "transactions_SAMPLE-0001.csv"
    rows = [r for r in ledger_rows() if r[0] == "SAMPLE-0001"]
    path.write_bytes(
        _csv_text(["合同编号", "交易日期", "交易类型", "金额（元）", "流水号"], rows).encode(
            "utf-8-sig"
        )
    )
    return path


def write_samples(folder: Path) -> list[Path]:
    """All sample files (evidence PDFs/images need a CJK font; see legal_track.pdf.fonts)."""
    from legal_track.demo.evidence import write_contract_pdf, write_id_image

    paths = write_import_samples(folder)
    paths.append(write_transactions_csv(folder))
    paths.append(write_contract_pdf(folder, loan_rows()[0]))
    paths.append(write_id_image(folder, loan_rows()[0]))
    return paths


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for p in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "evidence/samples")):
        print(p)
