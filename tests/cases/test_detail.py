"""The case and loan read models: masking per role, every section, the audit entry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from legal_track.cases.detail import NotFoundError, case_detail, loan_detail
from legal_track.models import AuditEntry, CaseEvent, LoanParty, Role
from tests.factories import (
    T0,
    make_borrower,
    make_case,
    make_contact,
    make_ledger,
    make_loan,
    make_user,
)
from tests.ui.data import add_deadline

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


@pytest.fixture
def portfolio(session):
    borrower = make_borrower(session, phone="13912345678", email="zhang@example.com")
    guarantor = make_borrower(session, name="李保证", phone="13700001111")
    loan = make_loan(session, borrower_id=borrower.id, contract_no="HT-VIEW-1")
    session.add(LoanParty(loan_id=loan.id, borrower_id=guarantor.id, role="guarantor"))
    make_ledger(
        session, loan, kind="disbursement", amount=loan.principal, booked_on=date(2024, 1, 10)
    )
    make_ledger(session, loan, booked_on=date(2024, 2, 10))
    make_contact(session, loan, target="13912345678", channel="sms")
    make_contact(
        session, loan, target="13600002222", channel="call", at=datetime(2025, 7, 1, 2, tzinfo=UTC)
    )
    make_contact(
        session,
        loan,
        target="北京市东城区示例路1号",
        channel="letter",
        at=datetime(2025, 8, 1, 2, tzinfo=UTC),
    )
    owner = make_user(session, display_name="王律师")
    case = make_case(session, loans=[loan], owner_id=owner.id, claim_total="12000.00")
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="complaint_filed",
            on=date(2026, 3, 1),
            actor="wang",
            created_at=T0,
        )
    )
    add_deadline(session, case, date(2026, 12, 10), explanation_zh="说明", explanation_en="why")
    session.commit()
    return dict(case=case, loan=loan, borrower=borrower, guarantor=guarantor)


def audits(session, action):
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("role", [Role.admin, Role.lead, Role.staff])
def test_case_workers_see_personal_data_in_full(session, portfolio, role):
    d = case_detail(session, case_id=portfolio["case"].id, role=role, actor="u", now=NOW)
    assert d.pii_visible
    assert d.borrower.id_number == portfolio["borrower"].id_number
    assert (d.borrower.phone, d.borrower.email) == ("13912345678", "zhang@example.com")
    assert {c.target for c in d.contacts} == {"13912345678", "13600002222", "北京市东城区示例路1号"}


def _assign(session, case, *, filing: bool) -> int:
    from datetime import date

    from legal_track.models import CaseAssignment, LawFirm

    firm = LawFirm(name=f"某律师事务所{case.id}{filing}", created_at=NOW)
    session.add(firm)
    session.flush()
    session.add(CaseAssignment(case_id=case.id, firm_id=firm.id, includes_filing=filing,
                               assigned_on=date(2026, 11, 1), assigned_by="t", assigned_at=NOW))  # fmt: skip
    session.commit()
    return firm.id


@pytest.mark.parametrize("role", [Role.viewer, Role.counsel])
def test_other_roles_see_masked_personal_data(session, portfolio, role):
    firm = _assign(session, portfolio["case"], filing=False) if role == Role.counsel else None
    d = case_detail(session, case_id=portfolio["case"].id, role=role, actor="u", now=NOW,
                    firm_id=firm)  # fmt: skip
    real = portfolio["borrower"].id_number
    assert not d.pii_visible
    assert d.borrower.id_number == real[:6] + "********" + real[-4:]
    assert (d.borrower.phone, d.borrower.email) == ("139****5678", "z***@example.com")
    assert d.parties[0].phone == "137****1111", "guarantors are masked too"
    assert {c.target for c in d.contacts} == {
        "139****5678",
        "136****2222",  # a third party's number
        "北京市东城区示例路1号",  # a letter's postal address is not a number
    }


def test_counsel_who_file_see_the_borrower_but_not_third_parties(session, portfolio):
    firm = _assign(session, portfolio["case"], filing=True)
    d = case_detail(session, case_id=portfolio["case"].id, role=Role.counsel, actor="u",
                    now=NOW, firm_id=firm)  # fmt: skip
    assert d.borrower.id_number == portfolio["borrower"].id_number, "full ID for the filing"
    assert d.parties[0].phone == "137****1111" and "136****2222" in {c.target for c in d.contacts}


def test_counsel_see_nothing_of_cases_not_assigned_to_their_firm(session, portfolio):
    from legal_track.cases.detail import NotFoundError

    other = _assign(session, portfolio["case"], filing=True) + 1000
    for firm in (None, other):
        with pytest.raises(NotFoundError, match="no case with id"):
            case_detail(session, case_id=portfolio["case"].id, role=Role.counsel, actor="u",
                        now=NOW, firm_id=firm)  # fmt: skip


def test_case_detail_has_every_section(session, portfolio):
    d = case_detail(session, case_id=portfolio["case"].id, role=Role.staff, actor="u", now=NOW)
    assert (d.ref, d.owner_name, str(d.claim_total)) == (
        portfolio["case"].ref,
        "王律师",
        "12000.00",
    )
    assert [p.role for p in d.parties] == ["guarantor"] and d.parties[0].name == "李保证"
    assert [ln.contract_no for ln in d.loans] == ["HT-VIEW-1"]
    assert [c.name for c in d.creditors] == [d.loans[0].creditor]
    assert [e.kind for e in d.ledger] == ["disbursement", "repayment"], "in date order"
    assert d.contacts_total == 3 and d.contacts[0].channel == "letter", "newest contact first"
    assert [e.kind for e in d.events] == ["complaint_filed"]
    assert [(x.due, x.explanation_en) for x in d.deadlines] == [(date(2026, 12, 10), "why")]


def test_every_view_is_audited_with_actor_and_reference(session, portfolio):
    case = portfolio["case"]
    case_detail(session, case_id=case.id, role=Role.viewer, actor="vera", now=NOW)
    entries = audits(session, "case.view")
    assert [(e.actor, e.object_type, e.object_id, e.detail) for e in entries] == [
        ("vera", "case", case.ref, {"role": "viewer"})
    ]
    case_detail(session, case_id=case.id, role=Role.viewer, actor="vera", now=NOW, audit=False)
    assert len(audits(session, "case.view")) == 1, "audit=False (a rerun) records nothing"


def test_loan_detail_masks_and_audits(session, portfolio):
    loan = portfolio["loan"]
    d = loan_detail(session, loan_id=loan.id, role=Role.viewer, actor="vera", now=NOW)
    assert d.loan.contract_no == "HT-VIEW-1" and d.borrower.phone == "139****5678"
    assert [c.ref for c in d.cases] == [portfolio["case"].ref]
    assert len(d.ledger) == 2 and d.contacts_total == 3
    assert [(e.actor, e.object_id) for e in audits(session, "loan.view")] == [("vera", "HT-VIEW-1")]


def test_unknown_ids_raise_not_found(session):
    with pytest.raises(NotFoundError, match="no case with id 404"):
        case_detail(session, case_id=404, role=Role.admin, actor="a", now=NOW)
    with pytest.raises(NotFoundError, match="no loan with id 404"):
        loan_detail(session, loan_id=404, role=Role.admin, actor="a", now=NOW)
