"""The sample files under ``evidence/samples/``: import examples and demo evidence.

- ``loans.csv`` (UTF-8 with BOM, Chinese headers), ``ledger_gbk.csv`` (GBK, as Chinese
  Excel writes it), ``contacts.xlsx``, ``parties.csv`` (UTF-8 without BOM),
  ``schedules_gbk.csv`` (GBK), ``plans.xlsx`` and ``consents_gbk.csv`` (GBK): import
  examples for `legal-track import`;
- ``loan_contract_SAMPLE-0001.pdf``, ``id_card_SAMPLE-0001.png`` and
  ``transactions_SAMPLE-0001.csv``: the evidence a demo case starts with.

Everything is fictional and marked 演示 / DEMO. `write_samples` rebuilds the files
deterministically (`python -m legal_track.demo.samples evidence/samples`).
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import sys
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from legal_track.identity import make_id_number
from legal_track.money import parse_amount, quantize

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
PARTY_HEADERS = ["合同编号", "角色", "姓名", "身份证号", "手机号", "地址"]
SCHEDULE_HEADERS = ["合同编号", "期数", "应还日期", "应还本金", "应还利息"]
PLAN_HEADERS = ["合同编号", "方案编号", "签订日期", "期数", "应还日期", "应还金额"]
CONSENT_HEADERS = ["合同编号", "号码/地址", "姓名", "关系", "合法性基础", "起始日期", "截止日期",
                   "凭证"]  # fmt: skip
# third parties of the sample loans and the lawful basis for contacting them (fictional)
CONSENT_ROWS = [
    ["SAMPLE-0001", "13800000091", "韩示例之妹", "亲属", "个人同意", "2024-08-20", "",
     "授权书 SAMPLE-TP-0001"],
    ["SAMPLE-0003", "13700000092", "示例科技有限公司人事部", "工作单位", "个人同意",
     "2025-01-10", "2025-06-30", "录音 SAMPLE-REC-0092（2025-06-30 撤回）"],
]  # fmt: skip

# contract, role, name, region, birth, seq, phone: the co-borrowers and guarantors
SAMPLE_PARTIES = [
    ("SAMPLE-0001", "担保人", "韩担保", "110105", date(1960, 7, 1), 61, "13800000061"),
    ("SAMPLE-0002", "共同借款人", "欧阳共借", "310104", date(1993, 4, 18), 62, ""),
    ("SAMPLE-0003", "保证人", "韩担保", "110105", date(1960, 7, 1), 61, "13800000061"),
    ("SAMPLE-0003", "共同借款人", "马配偶", "330106", date(1981, 9, 9), 63, "13700000063"),
]  # fmt: skip


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


def party_rows() -> list[list[str]]:
    rows = []
    for c, role, name, region, birth, seq, phone in SAMPLE_PARTIES:
        rows.append([c, role, name, make_id_number(region, birth, seq), phone,
                     f"示例省示例市示例街{seq}号（演示数据）"])  # fmt: skip
    # the borrower of SAMPLE-0005 also guarantees SAMPLE-0004 (the same person, same details)
    borrower = next(r for r in loan_rows() if r[0] == "SAMPLE-0005")
    rows.append(["SAMPLE-0004", "担保人", borrower[1], borrower[2], borrower[3], borrower[4]])
    return rows


def _months_later(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def _rate(text: str) -> Decimal:
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def schedule_rows() -> list[list[str]]:
    """Monthly instalments from a month after disbursement to maturity: equal principal,
    interest on the opening balance (the last instalment falls due on the maturity date)."""
    rows = []
    for c, *_r, principal, rate, disb, mat, _outst, _since, _comm in SAMPLE_LOANS:
        months = (mat.year - disb.year) * 12 + mat.month - disb.month
        total = parse_amount(principal)
        per, balance = quantize(total / months), total
        for k in range(1, months + 1):
            part = balance if k == months else per
            interest = quantize(balance * _rate(rate) / 12)
            due = _months_later(disb, k)
            rows.append([c, str(k), f"{due:%Y/%m/%d}", f"{part:,.2f}", f"{interest:,.2f}"])
            balance -= part
    return rows


def plan_rows() -> list[list]:
    """Repayment plans of the overdue loans: the outstanding principal in three monthly
    instalments, agreed three weeks after the loan fell overdue."""
    rows = []
    for c, *_r, outst, since, _comm in SAMPLE_LOANS[:3]:
        agreed = since + timedelta(days=21)
        left = parse_amount(outst)
        per = quantize(left / 3)
        for k in range(1, 4):
            part = left - 2 * per if k == 3 else per
            due = datetime.combine(_months_later(agreed, k), time())
            rows.append([c, f"FA-{c[-4:]}-1", datetime.combine(agreed, time()), k, due, part])
    return rows


def _csv_text(headers: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _save_workbook(book, path: Path) -> None:
    """Save with fixed times (document properties, zip entries): the same rows, the same bytes."""
    book.properties.created = datetime(2026, 1, 1)  # noqa: DTZ001 (openpyxl wants naive)
    raw = io.BytesIO()
    book.save(raw)  # stamps `modified` with the current time
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


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
    _save_workbook(wb, contacts)
    parties = folder / "parties.csv"
    parties.write_bytes(_csv_text(PARTY_HEADERS, party_rows()).encode("utf-8"))
    schedules = folder / "schedules_gbk.csv"
    schedules.write_bytes(_csv_text(SCHEDULE_HEADERS, schedule_rows()).encode("gbk"))
    plans = folder / "plans.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "还款方案"
    ws.append(PLAN_HEADERS)
    for row in plan_rows():
        ws.append([str(v) if isinstance(v, Decimal) else v for v in row])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd"
    _save_workbook(wb, plans)
    consents = folder / "consents_gbk.csv"
    consents.write_bytes(_csv_text(CONSENT_HEADERS, CONSENT_ROWS).encode("gbk"))
    return [loans, ledger, contacts, parties, schedules, plans, consents]


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
