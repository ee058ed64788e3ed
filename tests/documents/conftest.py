from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session

from legal_track.config import Settings
from legal_track.models import EvidenceItem, EvidenceLink, LoanParty
from tests.factories import make_borrower, make_case, make_ledger, make_loan

DOC_TEMPLATES = Path(__file__).resolve().parents[2] / "doc_templates"
TEMPLATE_IDS = [
    "arbitration_application", "civil_complaint", "demand_letter", "enforcement_application",
    "evidence_list", "payment_order_application", "power_of_attorney", "preservation_application",
]  # fmt: skip
_items = itertools.count(1)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url="sqlite://",
        output_dir=tmp_path / "output",
        templates_dir=tmp_path / "templates",
        evidence_dir=tmp_path / "store",
    )


def add_evidence(session: Session, *, category: str, name: str, case_id: int | None = None,
                 loan_id: int | None = None, pages: int = 2) -> EvidenceItem:  # fmt: skip
    n = next(_items)
    item = EvidenceItem(sha256=f"{n:064x}", size=100, kind="pdf", original_name=name, category=category,
                        source="", purpose="", added_by="test", added_at=datetime(2026, 11, 1, tzinfo=UTC),
                        page_count=pages)  # fmt: skip
    session.add(item)
    session.flush()
    session.add(EvidenceLink(item_id=item.id, case_id=case_id, loan_id=loan_id, linked_by="test",
                             linked_at=datetime(2026, 11, 1, tzinfo=UTC)))  # fmt: skip
    session.flush()
    return item


def full_case(session: Session, *, route: str = "litigation", stage: str = "demand_letter",
              guarantor: bool = False, borrower: dict | None = None, creditor_name: str | None = None,
              evidence: bool = True, **case_kw):  # fmt: skip
    """A case that passes preflight for every template of its route: counsel, court case
    number, ledger consistent with the loan, every evidence category on file."""
    from tests.factories import make_creditor

    creditor = make_creditor(session, **({"name": creditor_name} if creditor_name else {}))
    person = make_borrower(session, **(borrower or {}))
    loan = make_loan(
        session, creditor_id=creditor.id, borrower_id=person.id, overdue_rate=Decimal("0.24")
    )
    make_ledger(
        session, loan, kind="disbursement", amount=loan.principal, booked_on=loan.disbursed_on
    )
    make_ledger(session, loan, kind="repayment", amount=loan.principal - loan.outstanding_principal,
                booked_on=date(2025, 2, 10))  # fmt: skip
    if guarantor:
        g = make_borrower(session, name="李保证", address="北京市朝阳区保证路2号")
        session.add(LoanParty(loan_id=loan.id, borrower_id=g.id, role="guarantor"))
    forum = "杭州仲裁委员会" if route == "arbitration" else "北京市东城区人民法院"
    values = dict(route=route, stage=stage, forum=forum, counsel_firm="北京示例律师事务所",
                  court_case_no="（2026）京0101民初1234号")  # fmt: skip
    case = make_case(session, loans=[loan], **(values | case_kw))
    if evidence:
        for category, name in (("loan_contract", "借款合同.pdf"), ("id_document", "身份证.pdf"),
                               ("disbursement_proof", "放款凭证.pdf"), ("repayment_record", "还款记录.pdf"),
                               ("delivery_proof", "签收回执.pdf"), ("court_document", "判决书.pdf")):  # fmt: skip
            add_evidence(session, category=category, name=name, case_id=case.id)
    session.commit()
    return case


def docx_text(data: bytes | Path) -> str:
    """Every paragraph of body, tables, header and footer, one per line."""
    doc = Document(io.BytesIO(data) if isinstance(data, bytes) else str(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    for section in doc.sections:
        lines += [p.text for p in section.header.paragraphs] + [
            p.text for p in section.footer.paragraphs
        ]
    return "\n".join(lines)
