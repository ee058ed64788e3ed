"""The view-model built from a case, the field paths, and preflight's evidence check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from legal_track.documents.context import assemble, build_case_data, load_rows
from legal_track.documents.env import make_env
from legal_track.documents.fields import referenced_paths
from legal_track.documents.metadata import TemplateMeta
from legal_track.documents.preflight import evidence_missing, missing_fields
from legal_track.documents.viewmodel import known_paths
from legal_track.evidence.rules import load_rules, missing_for
from legal_track.models import Case, LoanParty
from tests.documents.conftest import add_evidence, full_case
from tests.factories import make_borrower, make_case, make_contact, make_loan

TODAY = date(2026, 11, 29)


def test_context_of_a_case(session):
    case = full_case(session, guarantor=True)
    data = build_case_data(session, case_id=case.id, today=TODAY)
    ctx = data.context.data()
    assert ctx["doc"]["date"] == {"iso": "2026-11-29", "cn": "2026年11月29日"}
    assert ctx["doc"]["copies"] == 2
    assert [d["role_zh"] for d in ctx["defendants"]] == ["借款人", "保证人"]
    assert (
        ctx["borrower"]["gender"] in ("男", "女")
        and ctx["borrower"]["birth_date"]["cn"] == "1990年1月1日"
    )
    assert ctx["borrower"]["id_number_masked"].startswith("110101****")
    loan = ctx["loans"][0]
    assert loan["principal"] == {
        "value": "20000.00",
        "figures": "20,000.00",
        "capitals": "贰万元整",
    }
    assert loan["annual_rate"] == "18%" and loan["overdue_since"]["cn"] == "2025年3月10日"
    assert loan["dpd"] == (TODAY - date(2025, 3, 10)).days
    claim = ctx["claim"]
    total = Decimal(claim["total"]["value"])
    assert total == sum(Decimal(p["amount"]["value"]) for p in claim["parts"])
    assert [p["key"] for p in claim["parts"]][0] == "principal"
    assert ctx["forum"] == {"name": "北京市东城区人民法院", "kind": "court", "kind_zh": "人民法院"}
    assert ctx["fees"]["court"]["value"] != "0.00"
    assert ctx["letter"]["payment_days"] == 7 and ctx["letter"]["deadline"]["iso"] == "2026-12-06"
    assert ctx["enforcement"]["basis_doc"] == "民事判决书"


def test_arbitration_forum_falls_back_to_the_contract(session):
    loan = make_loan(session, arbitration_commission="上海仲裁委员会")
    case = make_case(session, loans=[loan], route="arbitration", stage="arb_applied", forum=None)
    session.commit()
    ctx = build_case_data(session, case_id=case.id, today=TODAY).context.data()
    assert ctx["forum"]["name"] == "上海仲裁委员会" and ctx["forum"]["kind"] == "commission"
    assert ctx["enforcement"]["court"] == "", (
        "an award is enforced by a court the data does not name"
    )


def test_bulk_loading_gives_the_same_contexts(session):
    cases = [full_case(session, guarantor=bool(i % 2)) for i in range(4)]
    ids = [c.id for c in cases]
    bulk = [assemble(r, today=TODAY).context.data() for r in load_rows(session, ids)]
    single = [build_case_data(session, case_id=i, today=TODAY).context.data() for i in ids]
    assert bulk == single


def test_claim_error_is_kept_not_raised(session):
    case = make_case(
        session,
        loans=[make_loan(session, disbursed_on=date(2027, 1, 1), maturity_on=date(2028, 1, 1))],
    )
    session.commit()
    data = build_case_data(session, case_id=case.id, today=TODAY)
    assert "before the disbursement" in data.claim_error
    assert data.context.claim.total.value == "0.00"


def test_required_paths_through_lists():
    data = {
        "loans": [{"contract_no": "A"}, {"contract_no": ""}],
        "borrower": {"name": "x"},
        "evidence": [],
    }
    assert missing_fields(data, ("loans[].contract_no", "borrower.name", "evidence", "claim.total.value")) == [
        "loans[1].contract_no", "evidence", "claim.total.value"]  # fmt: skip


def test_referenced_paths_follow_loops_and_skip_locals():
    env = make_env()
    ast = env.parse(
        "{% for d in defendants %}{{ d.name }}{{ loop.index }}{% endfor %}"
        "{% set n = claim.parts|length %}{{ n }}{{ claim.total['capitals'] }}"
        "{% for it in claim.parts if it.key != 'x' %}{{ it.amount.figures }}{% endfor %}{{ borrower.nmae }}"
    )
    paths = referenced_paths(ast)
    assert paths == {"defendants", "defendants[].name", "claim.parts", "claim.total.capitals",
                     "claim.parts[].key", "claim.parts[].amount.figures", "borrower.nmae"}  # fmt: skip
    assert paths - known_paths() == {"borrower.nmae"}


def test_no_context_key_shadows_a_dict_method():
    """`{{ claim.items }}` would be dict.items in Jinja: no field may be named like that."""
    methods = set(dir({}))
    segments = {part.rstrip("[]") for path in known_paths() for part in path.split(".")}
    assert not segments & methods


SCENARIOS = ["nothing", "items on the case", "items on the loan", "two loans", "delivered sms"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("checklist", ["complaint", "demand_letter", "enforcement_application",
                                       "payment_order_application"])  # fmt: skip
def test_evidence_check_agrees_with_the_evidence_register(session, scenario, checklist):
    borrower = make_borrower(session)
    loans = [make_loan(session, borrower_id=borrower.id)]
    if scenario == "two loans":
        loans.append(make_loan(session, borrower_id=borrower.id, creditor_id=loans[0].creditor_id))
    case = make_case(session, loans=loans)
    if scenario == "items on the case":
        add_evidence(session, category="loan_contract", name="c.pdf", case_id=case.id)
        add_evidence(session, category="id_document", name="i.pdf", case_id=case.id)
    if scenario in ("items on the loan", "two loans"):
        add_evidence(session, category="loan_contract", name="c.pdf", loan_id=loans[0].id)
        add_evidence(session, category="disbursement_proof", name="d.pdf", loan_id=loans[0].id)
    if scenario == "delivered sms":
        make_contact(session, loans[0], target=borrower.phone)
        session.add(
            LoanParty(loan_id=loans[0].id, borrower_id=make_borrower(session).id, role="guarantor")
        )
    session.commit()
    rules = load_rules()
    expected = []
    for key in missing_for(session, case_id=case.id, document=checklist):
        base, _, contract = key.partition(":")
        expected.append(rules.requirements[base].name_zh + (f"（{contract}）" if contract else ""))
    data = build_case_data(session, case_id=case.id, today=TODAY)
    meta = TemplateMeta("t", "1", "t", "t", (), (), checklist)
    assert evidence_missing(session, data, meta) == expected
    assert session.get(Case, case.id) is not None


def test_bulk_claim_figures_equal_the_claims_service(session):
    """Batches compute the figures from preloaded rows with the claims module's own pure
    functions; they must equal claims.claim_for_case."""
    from legal_track.claims.figures import claim_for_case

    case = full_case(session, guarantor=True)
    data = build_case_data(session, case_id=case.id, today=TODAY)
    assert data.figures == claim_for_case(session, case_id=case.id, cutoff=TODAY)
