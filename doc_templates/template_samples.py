"""Sample contexts for the shipped templates (fictional parties, marked 示例)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from legal_track.documents.viewmodel import (
    Amount,
    CaseInfo,
    Claim,
    ClaimPart,
    CnDate,
    Counsel,
    CreditorView,
    Doc,
    DocumentContext,
    Enforcement,
    EvidenceRow,
    Fees,
    Forum,
    Letter,
    LoanInfo,
    Party,
)
from legal_track.identity import make_id_number
from legal_track.privacy import mask_id_number

FORUMS = {
    "litigation": ("北京市东城区人民法院", "court", "人民法院"),
    "payment_order": ("北京市东城区人民法院", "court", "人民法院"),
    "arbitration": ("杭州仲裁委员会", "commission", "仲裁委员会"),
}
ROUTE_ZH = {"litigation": "诉讼", "arbitration": "仲裁", "payment_order": "支付令"}
BASIS_DOC = {"litigation": "民事判决书", "arbitration": "仲裁裁决书", "payment_order": "支付令"}


def _a(value: str) -> Amount:
    return Amount.of(Decimal(value))


def _id_number(birth: date, sequence: int) -> dict:
    """A fictional ID number that passes the GB 11643 checksum like real data must (an odd
    sequence is a man's, an even one a woman's), and its mask."""
    number = make_id_number("110101", birth, sequence)
    return {"id_number": number, "id_number_masked": mask_id_number(number),
            "birth_date": CnDate.of(birth)}  # fmt: skip


def sample_context(route: str) -> dict:
    forum, kind, kind_zh = FORUMS[route]
    borrower = Party(
        name="张示例", **_id_number(date(1990, 1, 1), 1), gender="男",
        address="北京市东城区示例路1号（示例）", phone="13800000000", role="borrower", role_zh="借款人",
    )  # fmt: skip
    guarantor = Party(
        name="李示例", **_id_number(date(1985, 5, 5), 2), gender="女",
        address="北京市朝阳区样例街2号（示例）", phone="", role="guarantor", role_zh="保证人",
    )  # fmt: skip
    loan = LoanInfo(
        contract_no="HT-2024-000001", principal=_a("20000.00"), annual_rate="18%", overdue_rate="24%",
        disbursed_on=CnDate.of(date(2024, 1, 10)), maturity_on=CnDate.of(date(2025, 1, 10)),
        outstanding_principal=_a("12000.00"), overdue_since=CnDate.of(date(2025, 3, 10)), dpd=629,
        claim_total=_a("16512.34"),
    )  # fmt: skip
    claim = Claim(
        cutoff=CnDate.of(date(2026, 11, 29)), principal=_a("12000.00"), interest=_a("3012.34"),
        overdue_interest=_a("1400.00"), fees=_a("100.00"), excess=_a("0.00"), total=_a("16512.34"),
        cap_basis="法发〔2017〕22号第二条",
        parts=[
            ClaimPart(key="principal", label="借款本金", amount=_a("12000.00")),
            ClaimPart(key="interest", label="利息", amount=_a("3012.34")),
            ClaimPart(key="overdue_interest", label="逾期利息（罚息）", amount=_a("1400.00")),
            ClaimPart(key="fees", label="费用", amount=_a("100.00")),
        ],
    )  # fmt: skip
    context = DocumentContext(
        doc=Doc(date=CnDate.of(date(2026, 11, 29)), copies=2),
        case=CaseInfo(ref="LT-2026-000001", route=route, route_zh=ROUTE_ZH[route], stage="demand_letter",
                      court_case_no="（2026）京0101民初1234号", enforcement_case_no=""),
        creditor=CreditorView(name="示例消费金融有限公司", uscc="91110000MA00000000", legal_rep="王示例",
                              address="北京市西城区金融街1号（示例）"),
        borrower=borrower,
        defendants=[borrower, guarantor],
        loans=[loan],
        loan=loan,
        claim=claim,
        fees=Fees(court=_a("212.81"), preservation=_a("170.12"), enforcement=_a("197.68")),
        forum=Forum(name=forum, kind=kind, kind_zh=kind_zh),
        counsel=Counsel(firm="示例律师事务所", agent="赵示例"),
        letter=Letter(no="〔2026〕律函字第LT-2026-000001号", payment_days=7,
                      deadline=CnDate.of(date(2026, 12, 6))),
        enforcement=Enforcement(basis_doc=BASIS_DOC[route], basis_no="（2026）京0101民初1234号",
                                issuer=forum, court="北京市东城区人民法院"),
        evidence=[
            EvidenceRow(no=1, name="借款合同（HT-2024-000001）", source="委托人提供",
                        purpose="证明双方借款合同关系成立并生效，以及借款金额、利率、期限等约定", pages="1-6",
                        sha256="0" * 64),
            EvidenceRow(no=2, name="放款凭证", source="委托人提供", purpose="证明原告已依约发放借款",
                        pages="7", sha256="1" * 64),
            EvidenceRow(no=3, name="还款记录", source="委托人系统导出", purpose="证明被告的还款情况及欠款金额",
                        pages="8-9", sha256="2" * 64),
        ],
    )  # fmt: skip
    return context.data()
