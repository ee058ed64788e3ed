"""Fictional evidence for the demo: a loan contract PDF and an ID-card image."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from legal_track.evidence.register import add_item
from legal_track.models import Borrower, CaseLoan, Creditor, Loan
from legal_track.pdf.fonts import find_cjk_font

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # keeps the sample files byte-stable


def write_contract_pdf(folder: Path, loan_row: list[str]) -> Path:
    from fpdf import FPDF

    contract, name, id_number, phone, address, _email, creditor, principal, rate = loan_row[:9]
    font = find_cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.collection_index)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, "个人借款合同（演示样本 DEMO）", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    lines = [
        f"合同编号：{contract}",
        f"出借人（甲方）：{creditor}",
        f"借款人（乙方）：{name}    身份证号：{id_number}",
        f"联系电话：{phone}    住址：{address}",
        "",
        f"第一条 借款金额：人民币 {principal} 元。",
        f"第二条 借款年利率：{rate}，按月等额本金还款，逾期部分按约定逾期利率计收罚息。",
        "第三条 乙方未按期足额还款的，甲方有权宣布借款提前到期并要求乙方立即清偿全部欠款。",
        "第四条 甲方通过短信、电子邮件、App 站内信向乙方预留的联系方式发送的通知，"
        "到达乙方系统即视为送达。",
        "第五条 因本合同发生的争议，由甲方住所地人民法院管辖。",
        "",
        "甲方（盖章）：                    乙方（签字）：",
        "本文件为演示数据，不具有任何法律效力。 This is fictional demo data.",
    ]
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path = folder / f"loan_contract_{contract}.pdf"
    pdf.output(str(path))
    return path


def write_id_image(folder: Path, loan_row: list[str]) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    contract, name, id_number = loan_row[:3]
    font = find_cjk_font()
    face = ImageFont.truetype(str(font.path), 28, index=font.collection_index)
    img = Image.new("RGB", (856, 540), (236, 242, 248))
    draw = ImageDraw.Draw(img)
    draw.rectangle((8, 8, 847, 531), outline=(60, 90, 140), width=4)
    draw.text((40, 40), "居民身份证（演示样本 DEMO）", fill=(30, 30, 30), font=face)
    draw.text((40, 140), f"姓名  {name}", fill=(30, 30, 30), font=face)
    draw.text((40, 200), "住址  示例省示例市示例路（演示数据）", fill=(30, 30, 30), font=face)
    draw.text((40, 400), f"公民身份号码  {id_number}", fill=(30, 30, 30), font=face)
    draw.text((520, 470), "仅供演示 NOT VALID", fill=(200, 40, 40), font=face)
    path = folder / f"id_card_{contract}.png"
    img.save(path, format="PNG", optimize=True)
    return path


def attach_demo_evidence(
    session, *, case_ids: list[int], workdir: Path, now: datetime, actor: str = "demo"
) -> int:
    """Give the first loan of each case a contract PDF and an ID image in the register.

    The files are made from the case's own (fictional) borrower and loan, so a demo
    bundle shows consistent parties. Returns the number of items registered.
    """
    from sqlmodel import select

    workdir.mkdir(parents=True, exist_ok=True)
    added = 0
    for case_id in case_ids:
        link = session.exec(select(CaseLoan).where(CaseLoan.case_id == case_id)).first()
        if link is None:
            continue
        loan = session.get(Loan, link.loan_id)
        borrower = session.get(Borrower, loan.borrower_id)
        creditor = session.get(Creditor, loan.creditor_id)
        row = [loan.contract_no, borrower.name, borrower.id_number, borrower.phone or "",
               borrower.address or "", borrower.email or "", creditor.name,
               f"{loan.principal:,.2f}", f"{loan.annual_rate * 100:.2f}%"]  # fmt: skip
        for path, category, purpose in (
            (write_contract_pdf(workdir, row), "loan_contract",
             "证明原被告之间存在借款合同关系及合同约定的借款金额、利率和还款方式"),
            (write_id_image(workdir, row), "id_document", "证明被告的身份信息"),
        ):  # fmt: skip
            add_item(session, data=path, original_name=path.name, category=category,
                     source="原告提供（演示数据）", purpose=purpose, captured_at=now, actor=actor,
                     now=now, case_ids=[case_id], loan_ids=[loan.id])  # fmt: skip
            added += 1
    return added
