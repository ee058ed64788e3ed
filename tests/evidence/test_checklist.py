from __future__ import annotations

from datetime import UTC, datetime

import pytest

from legal_track.cases.lifecycle import Route, Stage
from legal_track.evidence.intake import IntakeTools
from legal_track.evidence.register import intake, missing_for
from legal_track.evidence.rules import checklist, default_document, load_rules, order_slots
from legal_track.models import EvidenceCategory
from tests.evidence import samples
from tests.factories import make_borrower, make_case, make_contact, make_ledger, make_loan

COMPLAINT = [
    "loan_contract",
    "id_document",
    "disbursement_proof",
    "repayment_record",
    "demand_proof",
]


def _add(session, settings, now, category, *, text, case_ids=(), loan_ids=()):
    return intake(
        session, data=samples.pdf_bytes(1, text), original_name=f"{category}.pdf", category=category,
        source="", purpose="", captured_at=None, actor="alice", now=now, case_ids=case_ids,
        loan_ids=loan_ids, settings=settings, tools=IntakeTools(),
    ).item  # fmt: skip


def test_rules_file_is_consistent():
    rules = load_rules()
    categories = {c.value for c in EvidenceCategory}
    assert set(rules.documents) == {
        "complaint", "arbitration_application", "payment_order_application",
        "enforcement_application", "demand_letter",
    }  # fmt: skip
    for doc in rules.documents.values():
        assert doc.basis and doc.requires, f"{doc.id} needs a legal basis and requirements"
    for route in Route:
        slots = order_slots(route.value, "demand_letter")
        assert set(categories) <= set(slots), f"{route} order names every category"
        assert (
            slots.index("loan_contract")
            < slots.index("id_document")
            < slots.index("disbursement_proof")
        )
    assert order_slots("litigation", "enf_applied")[0] == "court_document"


def test_complaint_checklist_shows_everything_missing_for_an_empty_case(session):
    case = make_case(session)
    assert missing_for(session, case_id=case.id, document="complaint") == COMPLAINT


def test_items_and_data_satisfy_requirements(session, settings, now):
    loan = make_loan(session)
    case = make_case(session, loans=[loan])
    _add(session, settings, now, "loan_contract", text="c", case_ids=[case.id])
    _add(session, settings, now, "id_document", text="id", loan_ids=[loan.id])
    assert missing_for(session, case_id=case.id, document="complaint") == [
        "disbursement_proof", "repayment_record", "demand_proof",
    ]  # fmt: skip
    make_ledger(session, loan, kind="disbursement", reference="D1")
    assert missing_for(session, case_id=case.id, document="complaint") == [
        "disbursement_proof",
        "demand_proof",
    ], "the ledger (electronic transaction record) is the repayment record"
    rows = {r.key: r for r in checklist(session, case_id=case.id, document="complaint")}
    assert rows["repayment_record"].by_data == ("ledger",)


def test_a_delivered_demand_to_the_borrower_counts_but_not_one_to_a_third_party(session):
    borrower = make_borrower(session, phone="13811112222")
    loan = make_loan(session, borrower_id=borrower.id)
    case = make_case(session, loans=[loan])
    make_contact(session, loan, target="13999998888", delivery_status="delivered")
    make_contact(session, loan, target="13811112222", delivery_status="failed",
                 at=datetime(2025, 7, 1, tzinfo=UTC))  # fmt: skip
    assert "demand_proof" in missing_for(session, case_id=case.id, document="complaint")
    make_contact(session, loan, target="138-1111-2222", delivery_status="delivered",
                 at=datetime(2025, 8, 1, tzinfo=UTC))  # fmt: skip
    assert "demand_proof" not in missing_for(session, case_id=case.id, document="complaint")


def test_several_loans_are_checked_one_by_one(session, settings, now):
    first = make_loan(session)
    second = make_loan(session, borrower_id=first.borrower_id, creditor_id=first.creditor_id)
    case = make_case(session, loans=[first, second])
    _add(session, settings, now, "loan_contract", text="first", loan_ids=[first.id])
    _add(session, settings, now, "loan_contract", text="case-level", case_ids=[case.id])
    missing = missing_for(session, case_id=case.id, document="payment_order_application")
    assert f"loan_contract:{second.contract_no}" in missing, (
        "a case-level item does not cover each loan"
    )
    assert f"loan_contract:{first.contract_no}" not in missing


@pytest.mark.parametrize(
    ("route", "stage", "document", "missing"),
    [
        ("arbitration", "arb_applied", "arbitration_application", COMPLAINT),
        ("payment_order", "po_applied", "payment_order_application", COMPLAINT[:4]),
        (
            "litigation",
            "lit_effective",
            "enforcement_application",
            ["effective_ruling", "id_document"],
        ),
        (
            "litigation",
            "enf_applied",
            "enforcement_application",
            ["effective_ruling", "id_document"],
        ),
        ("litigation", "demand_letter", "complaint", COMPLAINT),
    ],
)
def test_default_document_and_missing_per_route(session, route, stage, document, missing):
    case = make_case(session, route=route, stage=stage)
    assert default_document(route, Stage(stage).value) == document
    assert missing_for(session, case_id=case.id, document=document) == missing


def test_enforcement_is_satisfied_by_a_court_document(session, settings, now):
    case = make_case(session, stage="lit_effective")
    _add(session, settings, now, "court_document", text="judgment", case_ids=[case.id])
    assert missing_for(session, case_id=case.id, document="enforcement_application") == [
        "id_document"
    ]


def test_unknown_document_is_named(session):
    case = make_case(session)
    with pytest.raises(LookupError, match="unknown document 'appeal'"):
        missing_for(session, case_id=case.id, document="appeal")
