from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from legal_track.evidence.data import (
    contact_data,
    interruption_data,
    ledger_data,
    mask_third_party_numbers,
)
from legal_track.pdf.exhibits import render_exhibit
from legal_track.pdf.fonts import find_cjk_font
from legal_track.pdf.model import canonical_sha256
from legal_track.privacy.consents import record_consent
from tests.components import require_binary
from tests.factories import make_borrower, make_contact, make_ledger, make_loan

BORROWER_PHONE = "13811112222"
THIRD_PARTY = "13999998888"


@pytest.fixture
def font(settings):
    return find_cjk_font(settings)


@pytest.fixture
def loan(session):
    borrower = make_borrower(session, phone=BORROWER_PHONE, email="zhang@example.com")
    loan = make_loan(session, borrower_id=borrower.id, principal=Decimal("20000.00"))
    make_ledger(session, loan, kind="disbursement", amount=Decimal("20000.00"),
                booked_on=date(2024, 1, 10), reference="FK0001")  # fmt: skip
    make_ledger(session, loan, kind="repayment", amount=Decimal("1866.67"),
                booked_on=date(2024, 2, 10), reference="HK0001")  # fmt: skip
    make_contact(session, loan, at=datetime(2025, 6, 1, 2, 0, tzinfo=UTC), target=BORROWER_PHONE,
                 content=f"您的借款已逾期，请尽快还款。如有疑问联系 {THIRD_PARTY} 或 li@other.example")  # fmt: skip
    make_contact(session, loan, at=datetime(2025, 6, 2, 2, 0, tzinfo=UTC), target=THIRD_PARTY,
                 content="请转告张三尽快还款。")  # fmt: skip
    make_contact(session, loan, at=datetime(2025, 6, 3, 2, 0, tzinfo=UTC), channel="email",
                 target="zhang@example.com", content="还款提醒", delivery_status="failed")  # fmt: skip
    session.commit()
    return loan


def _text(path) -> str:
    exe = require_binary("pdftotext", "poppler-utils")
    return subprocess.run(
        [exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _fonts(path) -> list[list[str]]:
    exe = require_binary("pdffonts", "poppler-utils")
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def test_ledger_exhibit_has_chinese_text_source_ids_and_the_data_hash(
    session, loan, font, tmp_path
):
    data = ledger_data(session, loan_id=loan.id)
    assert [r[0] for r in data.rows] == [
        f"ledger#{i}" for i in sorted(int(r[0][7:]) for r in data.rows)
    ]
    out = tmp_path / "ledger.pdf"
    render_exhibit(data, font=font, made_on=date(2026, 11, 29), out=out)
    text = _text(out)
    assert "借款交易明细" in text and loan.contract_no in text
    assert "放款" in text and "20,000.00" in text and "HK0001" in text
    for row in data.rows:
        assert row[0] in text, f"source id {row[0]} printed"
    assert data.data_sha256 == canonical_sha256(data.canonical())
    assert data.data_sha256 in text.replace("\n", ""), "the footer prints the data hash"
    assert "第1页/共1页" in text.replace(" ", "")
    fonts = _fonts(out)
    assert fonts and all(f[-5] == "yes" for f in fonts), f"every font embedded: {fonts}"


def test_contact_exhibit_lists_the_borrowers_entries_and_masks_third_parties(
    session, loan, font, tmp_path
):
    data = contact_data(session, loan_id=loan.id)
    targets = [r[4] for r in data.rows]
    assert targets == [BORROWER_PHONE, "zhang@example.com"], "third-party entries are left out"
    assert any("另有 1 条与第三方的联系记录未列入（1 条未记录合法性基础）" in n for n in data.notes)
    content = data.rows[0][5]
    assert THIRD_PARTY not in content and "139****8888" in content
    assert "li@other.example" not in content and "l***@other.example" in content
    out = tmp_path / "contacts.pdf"
    render_exhibit(data, font=font, out=out)
    text = _text(out)
    assert "催收联系记录" in text and "已送达" in text and "未送达" in text
    assert THIRD_PARTY not in text and "2025-06-01 10:00" in text, "times in Beijing time"
    record_consent(session, loan_id=loan.id, target=THIRD_PARTY, name="李四", relation="relative",
                   basis="consent", since=date(2025, 5, 1), until=None, proof_ref="REC-1",
                   actor="t", role="staff", now=datetime(2025, 6, 5, tzinfo=UTC))  # fmt: skip
    with_third = contact_data(session, loan_id=loan.id)
    assert [r[4] for r in with_third.rows][1] == "139****8888", "covered: listed, masked"
    assert not any("第三方" in n for n in with_third.notes)
    assert with_third.data_sha256 != data.data_sha256


def test_masking_keeps_the_parties_own_numbers():
    parties = {BORROWER_PHONE}
    assert mask_third_party_numbers(f"call {BORROWER_PHONE} or {THIRD_PARTY}", parties) == (
        f"call {BORROWER_PHONE} or 139****8888"
    )


def test_interruption_exhibit_lists_the_events_from_the_limitation_clock(
    session, loan, font, tmp_path
):
    data = interruption_data(session, loan_id=loan.id, today=date(2026, 11, 29))
    assert data is not None
    ids = [r[0] for r in data.rows]
    assert "ledger:HK0001" in ids and any(i.startswith("contact#") for i in ids)
    assert all(r[1] for r in data.rows)
    out = tmp_path / "limitation.pdf"
    render_exhibit(data, font=font, made_on=date(2026, 11, 29), out=out)
    text = _text(out)
    assert "诉讼时效中断事由列表" in text and "债务人还款" in text and "ledger:HK0001" in text
    assert all(f[-5] == "yes" for f in _fonts(out))


def test_same_data_gives_the_same_pdf_and_changed_data_a_new_hash(session, loan, font):
    first = ledger_data(session, loan_id=loan.id)
    a = render_exhibit(first, font=font, made_on=date(2026, 11, 29))
    b = render_exhibit(ledger_data(session, loan_id=loan.id), font=font, made_on=date(2026, 11, 29))
    assert a == b, "rendering is deterministic"
    make_ledger(session, loan, kind="repayment", amount=Decimal("10.00"), reference="HK0002")
    assert ledger_data(session, loan_id=loan.id).data_sha256 != first.data_sha256


def test_a_long_table_runs_over_several_pages_with_repeated_headers(session, font, tmp_path):
    loan = make_loan(session)
    for n in range(120):
        make_ledger(session, loan, reference=f"R{n:04d}", booked_on=date(2024, 1, 1 + n % 28))
    out = tmp_path / "long.pdf"
    render_exhibit(ledger_data(session, loan_id=loan.id), font=font, out=out)
    text = _text(out)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 3
    assert all("来源编号" in p for p in pages if p.strip()), "headings repeat on each page"
    total = len([p for p in pages if p.strip()])
    assert "R0119" in text and f"第{total}页/共{total}页" in text.replace(" ", "")
