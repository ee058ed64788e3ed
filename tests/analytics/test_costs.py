"""Costs actually paid on a case: recorded as events by the team or reported by counsel,
kept per case and category in `casecost`, rewritten with every change of the events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from legal_track.analytics import case_costs, recovery
from legal_track.cases.events import add_event, delete_event, update_event
from legal_track.cases.kinds import EventDataError
from legal_track.counsel.firms import add_firm, assign_case
from legal_track.counsel.updates import UpdateError, import_updates
from tests.factories import make_case, make_loan, make_user

TODAY = date(2026, 12, 3)


def test_costs_follow_the_events_of_the_case(session, now):
    case = make_case(session, loans=[make_loan(session)], route="litigation", stage="lit_filed")
    paid = add_event(session, case_id=case.id, kind="cost_paid", on=date(2026, 11, 2), actor="t",
                     now=now, data={"category": "court_fee", "amount": "1,250.50", "payee": "某法院"})  # fmt: skip
    assert case_costs(session, case_id=case.id) == {"court_fee": Decimal("1250.50")}
    assert paid.data == {"category": "court_fee", "amount": "1250.50", "payee": "某法院"}
    update_event(session, event_id=paid.id, actor="t", now=now,
                 data={"category": "court_fee", "amount": "1250.00"})  # fmt: skip
    add_event(session, case_id=case.id, kind="cost_refunded", on=date(2026, 11, 20), actor="t",
              now=now, data={"category": "court_fee", "amount": "625.00"})  # fmt: skip
    assert case_costs(session, case_id=case.id) == {"court_fee": Decimal("625.00")}
    assert case.stage == "lit_filed", "a cost moves no stage"
    delete_event(session, event_id=paid.id, actor="t", now=now)
    assert case_costs(session, case_id=case.id) == {"court_fee": Decimal("-625.00")}, (
        "a refund without the payment it refunds shows as a credit, not hidden"
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"amount": "100.00"}, "data field 'category' is required"),
        ({"category": "bribe", "amount": "100.00"}, "'bribe' is not one of court_fee"),
        ({"category": "court_fee"}, "data field 'amount' is required"),
        ({"category": "court_fee", "amount": "-5"}, "not an amount with at most 2 decimals"),
    ],
)
def test_a_cost_needs_a_known_category_and_an_amount(session, now, data, message):
    case = make_case(session, loans=[make_loan(session)], stage="lit_filed")
    with pytest.raises(EventDataError, match=message):
        add_event(session, case_id=case.id, kind="cost_paid", on=TODAY, actor="t", now=now,
                  data=data)  # fmt: skip
    assert case_costs(session, case_id=case.id) == {}


def test_counsel_report_costs_in_their_updates_file(session, now):
    owner = make_user(session, username="owner1", password_hash="-")
    firm = add_firm(session, name="甲律师事务所", actor="t", now=now)
    case = make_case(session, ref="LT-2026-300001", loans=[make_loan(session)],
                     route="litigation", stage="lit_filed", owner_id=owner.id)  # fmt: skip
    assign_case(session, case_id=case.id, firm_id=firm.id, on=date(2026, 11, 1), actor="lead",
                now=now, includes_filing=True)  # fmt: skip
    rows = [
        "案件编号,事件,日期,详情",
        f"{case.ref},支付费用,2026-11-20,category=court_fee;amount=880.00",
        f"{case.ref},cost_paid,2026-11-21,category=preservation_fee;amount=520.00;payee=某法院",
    ]
    report = import_updates(session, data="\n".join(rows).encode("gbk"), filename="进展.csv",
                            actor="lawyer_a", now=now, today=TODAY, firm_id=firm.id)  # fmt: skip
    assert report.events == 2
    assert case_costs(session, case_id=case.id) == {
        "court_fee": Decimal("880.00"), "preservation_fee": Decimal("520.00")}  # fmt: skip
    bad = rows[:2] + [f"{case.ref},cost_paid,2026-11-22,category=court_fee;amount=abc"]
    with pytest.raises(
        UpdateError, match="进展.csv row 3, column 详情: event cost_paid, data field 'amount'"
    ):
        import_updates(session, data="\n".join(bad).encode("gbk"), filename="进展.csv",
                       actor="lawyer_a", now=now, today=TODAY, firm_id=firm.id)  # fmt: skip
    assert case_costs(session, case_id=case.id)["court_fee"] == Decimal("880.00"), "nothing applied"
    by_firm = {r["firm"]: r for r in recovery(session, by="firm")}
    assert by_firm["甲律师事务所"]["costs_paid"] == Decimal("1400.00")
