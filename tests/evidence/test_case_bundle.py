from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.evidence.bundle import ExhibitError
from legal_track.evidence.intake import IntakeTools
from legal_track.evidence.register import (
    build_case_bundle,
    case_exhibits,
    custody_log,
    default_bundle_options,
    exhibit_candidates,
    intake,
    register_lookup,
    verify_store,
)
from legal_track.models import AuditEntry, GeneratedFile
from legal_track.pdf.bundle import verify_bundle
from tests.components import require_binary
from tests.evidence import samples
from tests.factories import make_borrower, make_case, make_contact, make_ledger, make_loan

ON = date(2026, 11, 29)


def _add(session, settings, now, data, name, category, *, case=None, loan=None, purpose="证明"):
    return intake(
        session, data=data, original_name=name, category=category, source="原告提供",
        purpose=purpose, captured_at=None, actor="alice", now=now,
        case_ids=[case.id] if case else [], loan_ids=[loan.id] if loan else [],
        settings=settings, tools=IntakeTools(),
    ).item  # fmt: skip


@pytest.fixture
def world(session, settings, now):
    """A litigation case with uploaded items (added in a shuffled order) and loan data."""
    borrower = make_borrower(session, name="张三", phone="13811112222")
    loan = make_loan(session, borrower_id=borrower.id, principal=Decimal("20000.00"))
    make_ledger(session, loan, kind="disbursement", amount=Decimal("20000.00"),
                booked_on=date(2024, 1, 10), reference="FK0001")  # fmt: skip
    make_ledger(session, loan, kind="repayment", amount=Decimal("1000.00"),
                booked_on=date(2024, 2, 10), reference="HK0001")  # fmt: skip
    make_contact(session, loan, at=datetime(2025, 6, 1, 2, 0, tzinfo=UTC), target="13811112222")
    case = make_case(session, loans=[loan], ref="LT-2026-000123")
    session.commit()
    items = {
        "repayment": _add(session, settings, now, samples.csv_bytes(), "还款流水.csv", "repayment_record", loan=loan),
        "demand": _add(session, settings, now, samples.docx_bytes(), "律师函.docx", "demand_letter", case=case),
        "id": _add(session, settings, now, samples.image_bytes("PNG", (300, 200)), "身份证.png", "id_document", case=case),
        "contract": _add(session, settings, now, samples.pdf_bytes(2, "contract"), "借款合同.pdf", "loan_contract", case=case),
        "disbursement": _add(session, settings, now, samples.broken_xref_pdf(), "放款凭证.pdf", "disbursement_proof", loan=loan),
    }  # fmt: skip
    return case, loan, items


def test_candidates_follow_the_route_order_and_flag_what_cannot_be_bundled(session, world):
    case, loan, items = world
    cands = exhibit_candidates(session, case_id=case.id, today=ON)
    keys = [c.key for c in cands]
    assert keys == [
        f"item:{items['contract'].id}",
        f"item:{items['id'].id}",
        f"item:{items['disbursement'].id}",
        f"item:{items['repayment'].id}",
        f"ledger:{loan.id}",
        f"item:{items['demand'].id}",
        f"contacts:{loan.id}",
        f"interruptions:{loan.id}",
    ]
    demand = cands[5]
    assert not demand.bundleable and "LibreOffice" in demand.reason
    assert cands[0].name == "借款合同" and cands[0].purpose == "证明"


def test_case_exhibits_default_order_uses_renditions_and_renders_data(session, settings, world):
    case, loan, items = world
    inputs = case_exhibits(session, case_id=case.id, today=ON, settings=settings)
    assert [i.name for i in inputs][:4] == ["借款合同", "身份证", "放款凭证", "还款流水"]
    assert len(inputs) == 7, "the DOCX kept as an attachment stays out"
    for i in inputs:
        assert hashlib.sha256(i.path.read_bytes()).hexdigest() == i.sha256
    assert inputs[2].sha256 == items["disbursement"].rendition_sha256, "the repaired copy goes in"
    assert inputs[0].sha256 == items["contract"].sha256
    cache = settings.output_dir / "exhibit-cache"
    rendered = sorted(p.name.split("-")[0] for p in cache.glob("*.pdf"))
    assert rendered == ["contacts", "interruptions", "ledger", "printout"]


def test_order_chooses_and_orders_and_refuses_what_cannot_go_in(session, settings, world):
    case, loan, items = world
    order = [f"ledger:{loan.id}", f"item:{items['contract'].id}"]
    inputs = case_exhibits(session, case_id=case.id, order=order, today=ON, settings=settings)
    assert [i.name for i in inputs] == [f"借款交易明细（{loan.contract_no}）", "借款合同"]
    with pytest.raises(ExhibitError, match="cannot go into a bundle: LibreOffice"):
        case_exhibits(
            session, case_id=case.id, order=[f"item:{items['demand'].id}"], settings=settings
        )
    with pytest.raises(LookupError, match="item:999"):
        case_exhibits(session, case_id=case.id, order=["item:999"], settings=settings)
    with pytest.raises(ExhibitError, match="twice"):
        case_exhibits(session, case_id=case.id, order=order + order[:1], settings=settings)


def test_build_case_bundle_end_to_end(session, settings, now, world, tmp_path):
    case, loan, items = world
    options = default_bundle_options(session, case_id=case.id, on=ON)
    assert options.case_ref == "LT-2026-000123" and options.prefix == "LT-2026-000123"
    assert any("张三" in p for p in options.parties)
    out = tmp_path / "bundle.pdf"
    seen = []
    result = build_case_bundle(
        session, case_id=case.id, out=out, options=options, actor="bob", now=now,
        progress=lambda d, t: seen.append((d, t)), settings=settings,
    )  # fmt: skip
    assert result.volumes == [out] and out.is_file()
    assert result.sha256 == [hashlib.sha256(out.read_bytes()).hexdigest()]
    assert seen and seen[-1][0] == seen[-1][1]
    assert [r.label for r in result.rows] == [f"证据{n}" for n in range(1, 8)]

    text = subprocess.run([require_binary("pdftotext", "poppler-utils"), str(out), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "证据目录" in text and "借款交易明细" in text and "催收联系记录" in text
    qpdf = require_binary("qpdf", "qpdf")
    assert subprocess.run([qpdf, "--check", str(out)], capture_output=True).returncode == 0

    gen = session.exec(select(GeneratedFile).where(GeneratedFile.kind == "bundle")).one()
    assert gen.sha256 == result.sha256[0] and gen.case_id == case.id and gen.actor == "bob"
    assert [i["sha256"] for i in gen.inputs] == [r.sha256 for r in result.rows]
    assert gen.inputs[4]["key"] == f"ledger:{loan.id}" and len(gen.inputs[4]["data_sha256"]) == 64
    assert gen.versions["evidence_rules"].startswith("evidence_requirements@")
    exhibits = session.exec(select(GeneratedFile).where(GeneratedFile.kind == "exhibit")).all()
    assert len(exhibits) == 4, "rendered exhibits are kept and recorded"

    for key in ("contract", "id", "disbursement", "repayment"):
        log = custody_log(session, item_id=items[key].id)
        assert log[-1].action == "exported" and log[-1].actor == "bob"
        assert log[-1].detail["bundle_sha256"] == result.sha256
    assert custody_log(session, item_id=items["demand"].id)[-1].action == "added"
    assert "evidence.bundle_built" in [a.action for a in session.exec(select(AuditEntry)).all()]

    report = verify_bundle(out, lookup=register_lookup(session, settings=settings))
    assert report.ok, [p.message for p in report.problems]
    assert report.exhibits_checked == 7
    assert verify_store(session, actor="bob", now=now, settings=settings).ok

    (tmp_path / "again").mkdir()
    again = build_case_bundle(session, case_id=case.id, out=tmp_path / "again" / "bundle.pdf",
                              options=options, actor="bob", now=now, settings=settings)  # fmt: skip
    assert again.sha256 == result.sha256, "same inputs and options give the same bundle"


def test_grouping_numbers_adjacent_exhibits_of_one_category(
    session, settings, now, world, tmp_path
):
    case, loan, items = world
    order = [f"item:{items['contract'].id}", f"item:{items['repayment'].id}", f"ledger:{loan.id}"]
    result = build_case_bundle(
        session, case_id=case.id, out=tmp_path / "g.pdf", order=order, group_by_category=True,
        options=default_bundle_options(session, case_id=case.id, on=ON), actor="bob", now=now,
        settings=settings,
    )  # fmt: skip
    assert [r.label for r in result.rows] == ["证据1", "证据2-1", "证据2-2"]


def test_a_later_bundle_reports_moved_exhibits_or_appends_keeping_pages(
    session, settings, now, world, tmp_path
):
    case, loan, items = world
    options = default_bundle_options(session, case_id=case.id, on=ON)
    contract, id_card = f"item:{items['contract'].id}", f"item:{items['id'].id}"
    first = build_case_bundle(session, case_id=case.id, out=tmp_path / "v1.pdf", order=[contract],
                              options=options, actor="bob", now=now, settings=settings)  # fmt: skip
    renumbered = build_case_bundle(
        session, case_id=case.id, out=tmp_path / "v2.pdf", order=[id_card, contract],
        previous=first.volumes[0], options=options, actor="bob", now=now, settings=settings,
    )  # fmt: skip
    moved = {c.name: c for c in renumbered.changes}
    assert moved["借款合同"].old_label == "证据1" and moved["借款合同"].label == "证据2"
    appended = build_case_bundle(
        session, case_id=case.id, out=tmp_path / "v3.pdf", order=[contract, id_card],
        previous=first.volumes[0], append=True, options=options, actor="bob", now=now,
        settings=settings,
    )  # fmt: skip
    old, new = first.rows[0], appended.rows[0]
    assert (new.label, new.first_page, new.last_page) == (old.label, old.first_page, old.last_page)
    assert appended.rows[1].first_page > old.last_page
