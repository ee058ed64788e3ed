"""Fictional evidence for the demo: per case, the loan contract, the borrower's ID card, the
disbursement receipt (放款凭证) and, once the case has one, the judgment, award or payment
order, so that every shipped template has demo cases that pass preflight.

fpdf2 parses the CJK font for each document (about 0.4 s), so the PDFs of one kind are
typeset as the pages of one document and split into one file per case with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, select

from legal_track.cases.lifecycle import Route
from legal_track.evidence.register import add_item
from legal_track.models import Borrower, Case, CaseLoan, Creditor, Loan
from legal_track.pdf.fonts import find_cjk_font

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # keeps the sample files byte-stable
DEMO_SOURCE = "原告提供（演示数据）"
# Stages at which the case has an effective ruling (judgment, award or payment order).
RULED_STAGES = frozenset({
    "lit_judgment", "lit_appeal", "lit_effective", "arb_award", "po_effective",
    "enf_applied", "enf_accepted", "enf_measures", "enf_terminated", "closed",
})  # fmt: skip
RULING_TITLE = {
    Route.litigation.value: "民事判决书",
    Route.arbitration.value: "裁决书",
    Route.payment_order.value: "支付令",
}


@dataclass(frozen=True, slots=True)
class DemoLoan:
    """What the demo documents print about one loan of a case."""

    contract_no: str
    borrower: str
    id_number: str
    phone: str
    address: str
    email: str
    creditor: str
    principal: str
    rate: str
    disbursed_on: date | None = None
    case_ref: str = ""
    route: str = ""
    forum: str = ""
    court_case_no: str = ""

    @classmethod
    def from_row(cls, row: Sequence[str]) -> DemoLoan:
        """From a row of the sample loan tape (contract, name, ID, phone, address, e-mail,
        creditor, principal, rate)."""
        return cls(*row[:9])


def _contract_lines(loan: DemoLoan) -> tuple[str, list[str]]:
    return "个人借款合同（演示样本 DEMO）", [
        f"合同编号：{loan.contract_no}",
        f"出借人（甲方）：{loan.creditor}",
        f"借款人（乙方）：{loan.borrower}    身份证号：{loan.id_number}",
        f"联系电话：{loan.phone}    住址：{loan.address}",
        "",
        f"第一条 借款金额：人民币 {loan.principal} 元。",
        f"第二条 借款年利率：{loan.rate}，按月等额本金还款，逾期部分按约定逾期利率计收罚息。",
        "第三条 乙方未按期足额还款的，甲方有权宣布借款提前到期并要求乙方立即清偿全部欠款。",
        "第四条 甲方通过短信、电子邮件、App 站内信向乙方预留的联系方式发送的通知，"
        "到达乙方系统即视为送达。",
        "第五条 因本合同发生的争议，由甲方住所地人民法院管辖。",
        "",
        "甲方（盖章）：                    乙方（签字）：",
        "本文件为演示数据，不具有任何法律效力。 This is fictional demo data.",
    ]


def _receipt_lines(loan: DemoLoan) -> tuple[str, list[str]]:
    day = loan.disbursed_on.isoformat() if loan.disbursed_on else ""
    return "放款凭证（电子回单，演示样本 DEMO）", [
        f"交易流水号：DEMO{loan.contract_no.replace('-', '')}",
        f"交易日期：{day}",
        f"付款人：{loan.creditor}",
        f"收款人：{loan.borrower}",
        f"金额：人民币 {loan.principal} 元",
        f"用途：借款合同 {loan.contract_no} 项下放款",
        "交易状态：成功",
        "",
        "本文件为演示数据，不具有任何法律效力。 This is fictional demo data.",
    ]


def _ruling_lines(loan: DemoLoan) -> tuple[str, list[str]]:
    title = RULING_TITLE.get(loan.route, "民事判决书")
    party = "申请人" if loan.route != Route.litigation.value else "原告"
    other = "被申请人" if loan.route != Route.litigation.value else "被告"
    return f"{loan.forum or '示例人民法院'}\n{title}（演示样本 DEMO）", [
        f"{loan.court_case_no}",
        f"{party}：{loan.creditor}",
        f"{other}：{loan.borrower}（身份证号 {loan.id_number}）",
        "",
        f"{party}与{other}借款合同纠纷一案，经审理查明：双方签订借款合同 {loan.contract_no}，"
        f"{party}依约放款人民币 {loan.principal} 元，{other}未按约还款。",
        f"{'判决' if loan.route == Route.litigation.value else '裁决'}如下：",
        f"{other}于本文书生效之日起十日内向{party}偿还借款本金人民币 {loan.principal} 元及相应利息。",
        "",
        "本文书已发生法律效力。",
        "本文件为演示数据，不具有任何法律效力。 This is fictional demo data.",
    ]


def _typeset(
    loans: Sequence[DemoLoan], lines: Callable[[DemoLoan], tuple[str, list[str]]]
) -> list[bytes]:
    """One single-page PDF per loan, typeset as the pages of one fpdf2 document."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    if not loans:
        return []
    font = find_cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.collection_index)
    for loan in loans:
        title, body = lines(loan)
        pdf.add_page()
        pdf.set_font("cjk", size=18)
        pdf.multi_cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=11)
        for line in body:
            pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    files = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        files.append(out.getvalue())
    return files


def write_contract_pdf(folder: Path, loan_row: list[str]) -> Path:
    """The sample contract of one loan-tape row (evidence/samples)."""
    loan = DemoLoan.from_row(loan_row)
    path = folder / f"loan_contract_{loan.contract_no}.pdf"
    path.write_bytes(_typeset([loan], _contract_lines)[0])
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


def _demo_loans(session: Session, case_ids: list[int]) -> list[tuple[int, int, DemoLoan, str]]:
    """(case id, loan id, printed data, stage) of every loan of each case, case by case."""
    out = []
    for case_id in case_ids:
        case = session.get(Case, case_id)
        if case is None:
            continue
        links = session.exec(
            select(CaseLoan).where(CaseLoan.case_id == case_id).order_by(CaseLoan.loan_id)
        ).all()
        for link in links:
            loan = session.get(Loan, link.loan_id)
            borrower = session.get(Borrower, loan.borrower_id)
            creditor = session.get(Creditor, loan.creditor_id)
            printed = DemoLoan(
                loan.contract_no, borrower.name, borrower.id_number, borrower.phone or "",
                borrower.address or "", borrower.email or "", creditor.name,
                f"{loan.principal:,.2f}", f"{loan.annual_rate * Decimal(100):.2f}%",
                loan.disbursed_on, case.ref, case.route, case.forum or "",
                case.court_case_no or "",
            )  # fmt: skip
            out.append((case_id, loan.id, printed, case.stage))
    return out


def attach_demo_evidence(
    session: Session,
    *,
    case_ids: list[int],
    workdir: Path,
    now: datetime,
    actor: str = "demo",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Register the demo evidence of each case: per loan its contract and disbursement
    receipt; per case the borrower's ID card and, once the case is past judgment, award or
    payment order, the effective ruling. The files show the case's own (fictional)
    parties. Returns the number of items added."""
    workdir.mkdir(parents=True, exist_ok=True)
    rows = _demo_loans(session, case_ids)
    loans = [r[2] for r in rows]
    first = {}
    for row in rows:
        first.setdefault(row[0], row)
    ruled = [r for r in first.values() if r[3] in RULED_STAGES and r[2].court_case_no]
    contracts = _typeset(loans, _contract_lines)
    receipts = _typeset(loans, _receipt_lines)
    rulings = dict(zip((r[0] for r in ruled), _typeset([r[2] for r in ruled], _ruling_lines),
                       strict=True))  # fmt: skip
    total, added = len(rows), 0
    for n, ((case_id, loan_id, loan, _stage), contract, receipt) in enumerate(
        zip(rows, contracts, receipts, strict=True), start=1
    ):
        files = [
            (f"loan_contract_{loan.contract_no}.pdf", contract, "loan_contract",
             "证明原被告之间存在借款合同关系及合同约定的借款金额、利率和还款方式"),
            (f"disbursement_{loan.contract_no}.pdf", receipt, "disbursement_proof",
             "证明原告已依约向被告发放借款"),
        ]  # fmt: skip
        if first[case_id][1] == loan_id:
            image = write_id_image(workdir, [loan.contract_no, loan.borrower, loan.id_number])
            files.insert(1, (image.name, None, "id_document", "证明被告的身份信息"))
            if case_id in rulings:
                title = RULING_TITLE.get(loan.route, "民事判决书")
                files.append((f"ruling_{loan.case_ref}.pdf", rulings[case_id], "court_document",
                              f"证明{title}已发生法律效力，为执行依据"))  # fmt: skip
        for name, data, category, purpose in files:
            path = workdir / name
            if data is not None:
                path.write_bytes(data)
            add_item(session, data=path, original_name=name, category=category,
                     source=DEMO_SOURCE, purpose=purpose, captured_at=now, actor=actor,
                     now=now, case_ids=[case_id], loan_ids=[loan_id])  # fmt: skip
            added += 1
        if progress is not None:
            progress(n, total)
    return added
