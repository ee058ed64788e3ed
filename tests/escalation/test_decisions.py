"""Accepting, rejecting, opening by hand and changing cases: real rows, audited, once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from legal_track.escalation import (
    EscalationError,
    accept,
    change_case,
    open_case,
    propose,
    reject,
)
from legal_track.models import (
    AuditEntry,
    Case,
    CaseLoan,
    EscalationDecision,
    LimitationClock,
    Role,
)
from tests.factories import make_borrower, make_case, make_contact, make_loan, make_user

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)


@pytest.fixture
def team(session):
    return [make_user(session, username=f"staff{i}", role=Role.staff, password_hash="-")
            for i in (1, 2)]  # fmt: skip


def _overdue(session, **kw):
    loan = make_loan(session, overdue_since=date(2026, 6, 1), **kw)
    make_contact(session, loan, at=datetime(2026, 11, 20, 2, tzinfo=UTC))
    return loan


def test_accept_opens_one_case_per_borrower_and_route(session, team):
    zhang = make_borrower(session, address="北京市东城区示例路1号")
    a = _overdue(session, borrower_id=zhang.id, contract_no="HT-A1")
    b = _overdue(session, borrower_id=zhang.id, contract_no="HT-A2")
    c = _overdue(session, borrower_id=zhang.id, contract_no="HT-A3",
                 arbitration_commission="上海仲裁委员会")  # fmt: skip
    other = _overdue(session, contract_no="HT-B1")
    make_case(session, ref="LT-2026-000041", loans=[make_loan(session)], stage="lit_filed")
    report = accept(session, contracts=None, today=TODAY, now=NOW, actor="lead1")
    by_contracts = {o.contracts: o for o in report.cases}
    assert set(by_contracts) == {("HT-A1", "HT-A2"), ("HT-A3",), ("HT-B1",)}
    assert sorted(o.ref for o in report.cases) == ["LT-2026-000042", "LT-2026-000043",
                                                    "LT-2026-000044"], "numbering continues"  # fmt: skip
    joint = session.get(Case, by_contracts[("HT-A1", "HT-A2")].case_id)
    assert joint.route == "payment_order" and joint.stage == "demand_letter"
    assert Decimal(joint.claim_total) == Decimal("24000.00") and joint.opened_on == TODAY
    assert by_contracts[("HT-A3",)].route == "arbitration"
    owners = [o.owner for o in sorted(report.cases, key=lambda o: o.ref)]
    assert owners == ["staff1", "staff2", "staff1"], "least open cases, then lowest id"
    for loan in (a, b, c, other):
        session.refresh(loan)
        assert loan.status == "legal"
    decisions = session.exec(select(EscalationDecision)).scalars().all()
    assert len(decisions) == 4 and {d.decided_by for d in decisions} == {"lead1"}
    assert all(d.proposal["reasons"] for d in decisions), "the proposal as shown is kept"
    clocks = session.exec(select(LimitationClock)).scalars().all()
    assert {k.loan_id for k in clocks} == {a.id, b.id, c.id, other.id}
    audit = (
        session.exec(select(AuditEntry).where(AuditEntry.action == "escalation.accept"))
        .scalars()
        .all()
    )
    assert len(audit) == 1 and audit[0].detail["loans"] == 4
    assert propose(session, today=TODAY) == [], "accepted loans leave the queue"


def test_accepting_a_loan_that_is_not_proposed_changes_nothing(session, team):
    good = _overdue(session, contract_no="HT-OK")
    make_case(session, loans=[in_case := make_loan(session, contract_no="HT-IN")])
    with pytest.raises(EscalationError, match="not proposed on 2026-12-03: HT-IN"):
        accept(session, contracts=["HT-OK", "HT-IN"], today=TODAY, now=NOW, actor="lead1")
    with pytest.raises(EscalationError, match="no loan with contract number HT-NONE"):
        accept(session, contracts=["HT-NONE"], today=TODAY, now=NOW, actor="lead1")
    assert session.exec(select(EscalationDecision)).scalars().all() == []
    assert session.execute(select(CaseLoan.loan_id)).scalars().all() == [in_case.id]
    assert good.status != "legal"


def test_reject_needs_a_reason_and_keeps_the_loan_out_for_the_reconsider_days(session, team):
    loan = _overdue(session, contract_no="HT-R")
    with pytest.raises(EscalationError, match="needs a reason"):
        reject(session, contracts=["HT-R"], reason=" ", today=TODAY, now=NOW, actor="lead1")
    assert reject(session, contracts=["HT-R"], reason="在协商分期", today=TODAY, now=NOW,
                  actor="lead1") == 1  # fmt: skip
    assert propose(session, today=TODAY) == []
    assert propose(session, today=date(2026, 12, 20)) == [], "within 30 days"
    back = propose(session, today=date(2027, 1, 3))
    assert [p.loan_id for p in back] == [loan.id], "back in the queue after 30 days"
    row = session.exec(select(EscalationDecision)).scalars().one()
    assert (row.decision, row.reason, row.case_id) == ("rejected", "在协商分期", None)


def test_owner_strategy_and_explicit_owner(session, team):
    _overdue(session, contract_no="HT-O1")
    report = accept(session, contracts=["HT-O1"], today=TODAY, now=NOW, actor="lead1",
                    owner="staff2")  # fmt: skip
    assert report.cases[0].owner == "staff2"
    _overdue(session, contract_no="HT-O2")
    with pytest.raises(EscalationError, match="no active user named 'nobody'"):
        accept(session, contracts=["HT-O2"], today=TODAY, now=NOW, actor="lead1", owner="nobody")


def test_open_a_case_by_hand(session, team):
    loan = make_loan(session, contract_no="HT-H1", overdue_since=date(2026, 11, 20))
    opened = open_case(session, contracts=["HT-H1"], route="litigation", today=TODAY, now=NOW,
                       actor="staff1", forum="北京市东城区人民法院")  # fmt: skip
    case = session.get(Case, opened.case_id)
    assert (case.route, case.forum, case.stage) == (
        "litigation",
        "北京市东城区人民法院",
        "demand_letter",
    )
    session.refresh(loan)
    assert loan.status == "legal"
    with pytest.raises(EscalationError, match="already in a case: HT-H1"):
        open_case(session, contracts=["HT-H1"], route="litigation", today=TODAY, now=NOW,
                  actor="staff1")  # fmt: skip
    make_loan(session, contract_no="HT-H2", arbitration_commission="上海仲裁委员会")
    with pytest.raises(EscalationError, match="has an arbitration clause"):
        open_case(session, contracts=["HT-H2"], route="litigation", today=TODAY, now=NOW,
                  actor="staff1")  # fmt: skip
    make_loan(session, contract_no="HT-H3")
    with pytest.raises(EscalationError, match="no arbitration clause"):
        open_case(session, contracts=["HT-H3"], route="arbitration", today=TODAY, now=NOW,
                  actor="staff1")  # fmt: skip
    make_loan(session, contract_no="HT-H4")
    with pytest.raises(EscalationError, match="one borrower"):
        open_case(session, contracts=["HT-H3", "HT-H4"], route="litigation", today=TODAY,
                  now=NOW, actor="staff1")  # fmt: skip


def test_change_owner_route_and_counsel_is_audited(session, team):
    case = make_case(session, stage="demand_letter", owner_id=team[0].id)
    done = change_case(session, case_id=case.id, now=NOW, actor="lead1", owner="staff2",
                       route="payment_order", counsel_firm="北京示例律师事务所")  # fmt: skip
    assert done == {"owner": ("staff1", "staff2"), "route": ("litigation", "payment_order"),
                    "counsel_firm": (None, "北京示例律师事务所")}  # fmt: skip
    entry = (
        session.exec(select(AuditEntry).where(AuditEntry.action == "case.change")).scalars().one()
    )
    assert entry.detail["owner"] == ["staff1", "staff2"] and entry.actor == "lead1"
    assert change_case(session, case_id=case.id, now=NOW, actor="lead1", owner="staff2") == {}
    filed = make_case(session, stage="lit_filed")
    with pytest.raises(EscalationError, match="only before filing"):
        change_case(session, case_id=filed.id, now=NOW, actor="lead1", route="arbitration")


def test_roles_are_enforced_in_the_services(session, team):
    _overdue(session, contract_no="HT-ROLE")
    for role in ("staff", "viewer", "counsel"):
        with pytest.raises(EscalationError, match=f"a {role} account may not decide"):
            accept(session, contracts=["HT-ROLE"], today=TODAY, now=NOW, actor="x", role=role)
        with pytest.raises(EscalationError, match="may not decide"):
            reject(session, contracts=["HT-ROLE"], reason="r", today=TODAY, now=NOW, actor="x",
                   role=role)  # fmt: skip
    with pytest.raises(EscalationError, match="a viewer account may not open cases"):
        open_case(session, contracts=["HT-ROLE"], route="litigation", today=TODAY, now=NOW,
                  actor="x", role="viewer")  # fmt: skip
    case = make_case(session, stage="demand_letter")
    with pytest.raises(EscalationError, match="a staff account may not reassign"):
        change_case(session, case_id=case.id, now=NOW, actor="x", owner="staff1", role="staff")
    assert change_case(session, case_id=case.id, now=NOW, actor="x", counsel_firm="某所",
                       role="staff") == {"counsel_firm": (None, "某所")}  # fmt: skip
    assert accept(session, contracts=["HT-ROLE"], today=TODAY, now=NOW, actor="lead",
                  role="lead").loans == 1  # fmt: skip


def test_dashboard_reports_the_expected_cost_of_cases_opened_from_the_queue(session, team):
    from legal_track.analytics import recovery

    _overdue(session, contract_no="HT-COST")
    report = accept(session, contracts=["HT-COST"], today=TODAY, now=NOW, actor="lead")
    [row] = [r for r in recovery(session, by="route") if r["route"] == report.cases[0].route]
    decision = session.exec(select(EscalationDecision)).scalars().one()
    assert row["cases_with_cost"] == 1
    assert str(row["expected_cost_per_case"]) == decision.proposal["cost"]["total"]
