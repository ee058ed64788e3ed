"""One document for one case: content, traceability, preflight, regeneration."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.documents.errors import PreflightFailed
from legal_track.documents.filters import rmb_upper
from legal_track.documents.history import diff_with_previous, documents_for_case, read_document
from legal_track.documents.preflight import preflight
from legal_track.documents.render import render_document
from legal_track.documents.viewmodel import canonical_json
from legal_track.models import AuditEntry, Borrower, GeneratedFile, LedgerEntry, Loan
from tests.documents.conftest import TEMPLATE_IDS, docx_text, full_case

ROUTE_OF = {"arbitration_application": "arbitration", "payment_order_application": "payment_order"}
STAGE_OF = {"enforcement_application": "lit_effective"}


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_template_renders_for_a_factory_case(session, now, settings, tmp_path, template_id):
    case = full_case(session, route=ROUTE_OF.get(template_id, "litigation"),
                     stage=STAGE_OF.get(template_id, "demand_letter"), guarantor=True)  # fmt: skip
    out = tmp_path / f"{template_id}.docx"
    doc = render_document(session, template_id=template_id, case_id=case.id, actor="alice", now=now,
                          out=out, settings=settings)  # fmt: skip
    text = docx_text(out)
    borrower = session.get(Borrower, case.borrower_id)
    assert borrower.name in text
    assert "李保证" in text or template_id in (
        "demand_letter",
        "power_of_attorney",
        "evidence_list",
    )
    total = Decimal(doc.context["claim"]["total"]["value"])
    if template_id not in ("evidence_list", "power_of_attorney"):
        assert rmb_upper(total) in text, f"amount in capitals missing from {template_id}"
    if template_id not in ("demand_letter", "evidence_list"):
        assert case.forum in text, f"court or commission missing from {template_id}"
    assert case.ref in text, "footer carries the case reference"


def test_document_records_template_version_and_hashes(session, now, settings, tmp_path):
    case = full_case(session)
    out = tmp_path / "letter.docx"
    doc = render_document(session, template_id="demand_letter", case_id=case.id, actor="alice", now=now,
                          out=out, settings=settings)  # fmt: skip
    data = out.read_bytes()
    assert (doc.template_id, doc.template_version) == ("demand_letter", "1")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.context_sha256 == hashlib.sha256(canonical_json(doc.context).encode()).hexdigest()
    assert doc.cutoff == date(2026, 11, 29), "figures are computed to today in Shanghai by default"
    file = session.get(GeneratedFile, doc.file_id)
    assert file.sha256 == doc.sha256 and file.versions == {"template": "demand_letter@1"}
    assert {"name": "context.json", "sha256": doc.context_sha256} in file.inputs
    assert [d.id for d in documents_for_case(session, case_id=case.id)] == [doc.id]
    assert read_document(doc) == data
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "document.generate")).one()
    assert audit.detail["sha256"] == doc.sha256 and audit.actor == "alice"


def test_default_output_path_is_under_the_case_folder(session, now, settings):
    case = full_case(session)
    doc = render_document(session, template_id="power_of_attorney", case_id=case.id, actor="a", now=now,
                          settings=settings)  # fmt: skip
    assert doc.path.startswith(str(settings.output_dir / "cases" / case.ref))


def test_markup_characters_in_names_render_as_text(session, now, settings, tmp_path):
    case = full_case(session, creditor_name="A&B <金融> 公司", borrower={"name": "张<三>&李"})
    out = tmp_path / "c.docx"
    render_document(session, template_id="civil_complaint", case_id=case.id, actor="a", now=now, out=out,
                    settings=settings)  # fmt: skip
    text = docx_text(out)
    assert "原告：A&B <金融> 公司" in text
    assert "被告：张<三>&李" in text


def test_regeneration_is_idempotent_and_shows_what_changed(session, now, settings, tmp_path):
    case = full_case(session)
    first = render_document(session, template_id="civil_complaint", case_id=case.id, actor="a", now=now,
                            out=tmp_path / "1.docx", settings=settings)  # fmt: skip
    again = render_document(session, template_id="civil_complaint", case_id=case.id, actor="a",
                            now=now + timedelta(minutes=5), out=tmp_path / "2.docx", settings=settings)  # fmt: skip
    assert again.context_sha256 == first.context_sha256
    assert (tmp_path / "1.docx").read_bytes() == (tmp_path / "2.docx").read_bytes(), (
        "same inputs, same bytes"
    )
    assert diff_with_previous(session, document_id=again.id) == (first, [])

    borrower = session.get(Borrower, case.borrower_id)
    borrower.address = "北京市西城区新地址8号"
    session.add(borrower)
    session.commit()
    third = render_document(session, template_id="civil_complaint", case_id=case.id, actor="a",
                            now=now + timedelta(minutes=9), out=tmp_path / "3.docx", settings=settings)  # fmt: skip
    assert third.context_sha256 != first.context_sha256
    before, changes = diff_with_previous(session, document_id=third.id)
    assert before.id == again.id
    assert {c.path for c in changes} == {"borrower.address", "defendants[0].address"}
    change = next(c for c in changes if c.path == "borrower.address")
    assert change.new == "北京市西城区新地址8号" and change.old == "北京市东城区示例路1号"


def test_a_later_cutoff_changes_the_figures_in_the_diff(session, now, settings, tmp_path):
    case = full_case(session)
    a = render_document(session, template_id="demand_letter", case_id=case.id, actor="a", now=now,
                        out=tmp_path / "a.docx", settings=settings)  # fmt: skip
    b = render_document(session, template_id="demand_letter", case_id=case.id, actor="a", now=now + timedelta(days=30),
                        out=tmp_path / "b.docx", settings=settings)  # fmt: skip
    paths = {c.path for c in diff_with_previous(session, document_id=b.id)[1]}
    assert {"claim.cutoff", "claim.total", "doc.date"} <= paths
    assert Decimal(b.context["claim"]["total"]["value"]) > Decimal(
        a.context["claim"]["total"]["value"]
    )


def _problems(session, now, settings, case, template_id="civil_complaint"):
    result = preflight(
        session, template_id=template_id, case_id=case.id, now=now, settings=settings
    )
    return {p.code: p.message for p in result.errors}


def test_preflight_names_a_missing_field_and_the_template(session, now, settings, tmp_path):
    case = full_case(session, counsel_firm=None)
    problems = _problems(session, now, settings, case, "demand_letter")
    assert (
        problems["missing_field"]
        == f"template demand_letter@1 needs field counsel.firm, empty for case {case.ref}"
    )
    out = tmp_path / "never.docx"
    with pytest.raises(PreflightFailed, match="counsel.firm"):
        render_document(session, template_id="demand_letter", case_id=case.id, actor="a", now=now, out=out,
                        settings=settings)  # fmt: skip
    assert not out.exists() and documents_for_case(session, case_id=case.id) == []


def test_preflight_needs_a_service_address(session, now, settings):
    case = full_case(session, borrower={"address": "  "})
    problems = _problems(session, now, settings, case, "power_of_attorney")
    assert "no service address for borrower" in problems["service_address"]


def test_preflight_checks_required_evidence(session, now, settings):
    case = full_case(session, evidence=False)
    problems = _problems(session, now, settings, case)
    assert problems["evidence"].endswith("借款合同, 借款人身份证明, 放款凭证, 催收及送达证明")
    assert "repayment" not in problems["evidence"], (
        "the ledger itself satisfies the repayment record"
    )


def test_preflight_checks_the_route(session, now, settings):
    case = full_case(session, route="arbitration")
    assert (
        "is for litigation, payment_order; case" in _problems(session, now, settings, case)["route"]
    )


def test_preflight_checks_claim_figures_against_the_ledger(session, now, settings):
    case = full_case(session)
    repayment = session.exec(select(LedgerEntry).where(LedgerEntry.kind == "repayment")).one()
    repayment.amount = Decimal("1000.00")  # the loan says 8,000.00 was repaid
    session.add(repayment)
    session.commit()
    message = _problems(session, now, settings, case)["ledger"]
    assert (
        "outstanding principal is 8,000.00 below the amount lent but the ledger shows only 1,000.00"
        in message
    )


def test_preflight_warns_about_repayments_after_the_cutoff(session, now, settings):
    case = full_case(session)
    loan = session.exec(select(Loan)).one()
    session.add(LedgerEntry(loan_id=loan.id, kind="repayment", amount=Decimal("50.00"), booked_on=date(2026, 12, 1),
                            reference="LATE"))  # fmt: skip
    session.commit()
    result = preflight(
        session, template_id="civil_complaint", case_id=case.id, now=now, settings=settings
    )
    assert result.ok
    assert any("repaid after the cut-off" in w.message for w in result.warnings)


def test_context_is_plain_json(session, now, settings, tmp_path):
    case = full_case(session)
    doc = render_document(session, template_id="evidence_list", case_id=case.id, actor="a", now=now,
                          out=tmp_path / "e.docx", settings=settings)  # fmt: skip
    assert json.loads(canonical_json(doc.context)) == doc.context
    assert [row["no"] for row in doc.context["evidence"]] == list(range(1, 7))
    assert doc.context["evidence"][0]["name"] == "借款合同"
