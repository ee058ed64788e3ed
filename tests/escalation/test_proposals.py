"""The proposal queue against real rows in SQLite: which loans, why, which route, what cost."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from legal_track.escalation import propose
from legal_track.escalation.facts import broken_promises
from legal_track.escalation.proposals import domicile_court
from legal_track.models import LimitationClock, RepaymentPlan
from tests.factories import make_borrower, make_case, make_contact, make_ledger, make_loan

TODAY = date(2026, 12, 3)
RECENT = datetime(2026, 11, 20, 2, tzinfo=UTC)  # a delivered SMS two weeks ago


def _one(session, loan):
    found = [p for p in propose(session, today=TODAY) if p.loan_id == loan.id]
    return found[0] if found else None


def _reasons(p) -> set[str]:
    return {r.rule for r in p.reasons}


def test_dpd_over_90_is_proposed_with_the_figures(session):
    loan = make_loan(session, overdue_since=date(2026, 8, 1))  # 124 days past due
    make_contact(session, loan, at=RECENT)
    p = _one(session, loan)
    assert p is not None and _reasons(p) == {"dpd_90"}
    reason = p.reasons[0]
    assert reason.figures == {"dpd": "124", "dpd_rule": "dpd >= 90"}
    assert p.claim == Decimal("12000.00") and p.rule_version == "2026-12-01"


def test_a_loan_that_fires_no_trigger_or_fails_a_gate_is_not_proposed(session):
    fresh = make_loan(session, overdue_since=date(2026, 11, 1))  # 32 days, contacted
    make_contact(session, fresh, at=RECENT)
    small = make_loan(session, overdue_since=date(2026, 1, 1), outstanding_principal=Decimal("900"))
    current = make_loan(session, overdue_since=None)
    assert _one(session, fresh) is None, "32 days past due and contacted: stays in collections"
    assert _one(session, small) is None, "below the 1,000 outstanding gate"
    assert _one(session, current) is None, "not overdue"


def test_loans_in_a_case_are_not_proposed_again(session):
    loan = make_loan(session, overdue_since=date(2026, 1, 1))
    make_case(session, loans=[loan])
    assert _one(session, loan) is None


def test_broken_promises_count_against_the_ledger(session):
    loan = make_loan(session, overdue_since=date(2026, 10, 1))  # 63 days: under dpd_90
    make_contact(session, loan, at=datetime(2026, 10, 10, 2, tzinfo=UTC),
                 promise_date=date(2026, 10, 20), promise_amount=Decimal("500.00"))  # fmt: skip
    make_contact(session, loan, at=datetime(2026, 11, 1, 2, tzinfo=UTC), channel="call",
                 promise_date=date(2026, 11, 10), promise_amount=Decimal("800.00"))  # fmt: skip
    make_ledger(session, loan, booked_on=date(2026, 11, 12), amount=Decimal("300.00"))
    make_contact(session, loan, at=RECENT)
    p = _one(session, loan)
    assert p is not None and _reasons(p) == {"broken_promises"}
    assert p.broken == ("promise 2026-10-20 (500.00)", "promise 2026-11-10 (800.00)")


def test_a_kept_promise_is_not_broken(session):
    loan = make_loan(session, overdue_since=date(2026, 10, 1))
    make_contact(session, loan, at=datetime(2026, 10, 10, 2, tzinfo=UTC),
                 promise_date=date(2026, 10, 20), promise_amount=Decimal("500.00"))  # fmt: skip
    make_ledger(session, loan, booked_on=date(2026, 10, 22), amount=Decimal("500.00"))  # grace
    make_contact(session, loan, at=RECENT)
    assert _one(session, loan) is None


def test_plan_instalments_are_broken_cumulatively(session):
    loan = make_loan(session, overdue_since=date(2026, 8, 1))  # dpd_90 fires
    for n, due in enumerate((date(2026, 10, 5), date(2026, 11, 5), date(2027, 1, 5)), start=1):
        session.add(RepaymentPlan(loan_id=loan.id, plan_no="P1", agreed_on=date(2026, 9, 30),
                                  instalment_no=n, due_on=due, amount=Decimal("1000.00")))  # fmt: skip
    session.commit()
    make_ledger(session, loan, booked_on=date(2026, 10, 6), amount=Decimal("1000.00"))
    make_ledger(session, loan, booked_on=date(2026, 11, 20), amount=Decimal("400.00"))
    make_contact(session, loan, at=RECENT)
    p = _one(session, loan)
    assert p is not None and p.broken == ("plan P1 #2 2026-11-05",)
    assert p.broken_promises == 1 and "broken_promises" not in _reasons(p), "one is not enough"


def test_limitation_risk_fires_on_the_stored_clock(session, now):
    loan = make_loan(session, overdue_since=date(2026, 11, 1))
    make_contact(session, loan, at=RECENT)
    session.add(LimitationClock(loan_id=loan.id, start_on=date(2024, 1, 1),
                                expiry=date(2027, 3, 1), conservative_expiry=date(2027, 3, 1),
                                longstop=date(2044, 1, 1), risk="lt180", computed_at=now))  # fmt: skip
    session.commit()
    p = _one(session, loan)
    assert p is not None and _reasons(p) == {"limitation_risk"}
    assert p.reasons[0].figures["days_to_expiry"] == "88" and p.days_to_expiry == 88


def test_no_contact_for_60_days(session):
    loan = make_loan(session, overdue_since=date(2026, 9, 20))  # 74 days
    make_contact(session, loan, at=datetime(2026, 9, 1, 2, tzinfo=UTC))
    make_contact(session, loan, at=RECENT, delivery_status="failed")  # a failure is no contact
    p = _one(session, loan)
    assert p is not None and _reasons(p) == {"no_contact"}
    assert p.days_since_contact == 93


@pytest.mark.parametrize(
    ("loan_kw", "contact_kw", "route", "procedure"),
    [
        pytest.param({"arbitration_commission": "上海仲裁委员会"}, {}, "arbitration", "arbitration",
                     id="arbitration_clause"),
        pytest.param({}, {}, "payment_order", "payment_order", id="undisputed_and_reachable"),
        pytest.param({}, {"direction": "inbound", "content": "我对欠款金额有异议"}, "litigation",
                     "ordinary", id="disputed"),
        pytest.param({"outstanding_principal": Decimal("300000")}, {}, "litigation", "ordinary",
                     id="over_the_payment_order_ceiling"),
    ],
)  # fmt: skip
def test_route_choice(session, loan_kw, contact_kw, route, procedure):
    borrower = make_borrower(session, address="北京市东城区示例路1号")
    loan = make_loan(session, borrower_id=borrower.id, overdue_since=date(2026, 6, 1), **loan_kw)
    make_contact(session, loan, at=RECENT)
    if contact_kw:
        make_contact(session, loan, at=datetime(2026, 11, 25, 2, tzinfo=UTC), **contact_kw)
    p = _one(session, loan)
    assert (p.route, p.procedure) == (route, procedure)
    if route == "arbitration":
        assert p.forum == "上海仲裁委员会" and p.cost.preservation_fee == 0
    elif route == "payment_order":
        assert p.forum == "北京市东城区人民法院"
        assert p.cost.court_fee == Decimal("33.33"), "a third of the 100-yuan acceptance fee"


def test_costs_follow_the_fee_rules(session):
    loan = make_loan(
        session, overdue_since=date(2026, 1, 1), outstanding_principal=Decimal("100000")
    )
    make_contact(session, loan, at=datetime(2026, 1, 5, 2, tzinfo=UTC))  # not reachable now
    p = _one(session, loan)
    assert p.route == "litigation"
    assert p.cost.court_fee == Decimal("2300.00"), "诉讼费用交纳办法 art. 13: 100,000 -> 2,300"
    assert p.cost.preservation_fee == Decimal("1020.00"), "art. 14(2): 30 + 1 % of 99,000"
    assert p.cost.counsel_fee == Decimal("3800.00")  # 800 + 3 %


def test_broken_promises_is_pure_and_uses_the_grace_days():
    repaid = ([date(2026, 3, 4)], [Decimal("100")])
    promises = [(date(2026, 2, 20), date(2026, 3, 1), Decimal("100"))]
    assert broken_promises(promises, {}, repaid, today=date(2026, 3, 10), grace=3) == []
    assert broken_promises(promises, {}, repaid, today=date(2026, 3, 10), grace=2) == [
        "promise 2026-03-01 (100.00)"
    ]
    assert broken_promises(promises, {}, None, today=date(2026, 3, 3), grace=3) == [], "not yet due"


def test_domicile_court_from_the_address():
    assert domicile_court("北京市东城区示例路1号") == "北京市东城区人民法院"
    assert domicile_court("浙江省杭州市西湖区文三路") == "浙江省杭州市西湖区人民法院"
    assert domicile_court("") == "被告住所地基层人民法院（待确认）"


def test_mediation_is_proposed_where_the_rules_turn_it_on(session, monkeypatch):
    from dataclasses import replace

    from legal_track.escalation import proposals

    rules = proposals.rules_on(TODAY)
    assert rules.route.mediation is False, "shipped off: the team turns it on per court"
    on = replace(rules, route=replace(rules.route, payment_order=False, mediation=True,
                                      mediation_courts=("北京市东城区人民法院",)))  # fmt: skip
    monkeypatch.setattr(proposals, "rules_on", lambda today: on)
    borrower = make_borrower(session, address="北京市东城区示例路1号")
    loan = make_loan(session, borrower_id=borrower.id, overdue_since=date(2026, 6, 1))
    other = make_loan(session, borrower_id=make_borrower(session, address="上海市徐汇区示例路2号").id,
                      overdue_since=date(2026, 6, 1))  # fmt: skip
    for ln in (loan, other):
        make_contact(session, ln, at=RECENT)
    p = _one(session, loan)
    assert (p.route, p.procedure, p.forum) == ("mediation", "pre_mediation", "北京市东城区人民法院")
    assert (p.cost.court_fee, p.cost.preservation_fee) == (0, 0), "no court fee before 立案"
    assert "第一百二十五条" in p.route_basis or "125" in p.route_basis
    assert _one(session, other).route == "litigation", "that court runs no 诉前调解 here"
