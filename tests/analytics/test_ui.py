"""The dashboard through AppTest: the landing page of leads and admins, its figures, its
filters; staff land on the case list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from legal_track.analytics.recoveries import rebuild_recovery
from legal_track.models import Role
from tests.factories import make_case, make_ledger, make_loan


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_lead_lands_on_the_dashboard_with_the_figures(app, db, user_of):
    loan = make_loan(db)
    make_case(db, loans=[loan], route="litigation", stage="lit_filed", opened_on=date(2026, 1, 5),
              claim_total="10000.00")  # fmt: skip
    make_case(db, route="arbitration", stage="arb_applied", claim_total="5000.00")
    make_ledger(db, loan, amount=Decimal("1200.00"), booked_on=date.today())
    rebuild_recovery(db)  # the factory writes the ledger directly, like the demo
    db.commit()
    at = app(user_of(Role.lead)).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["总览"], "the dashboard is a lead's landing page"
    metrics = _metrics(at)
    assert metrics["在办案件"] == "2"
    assert metrics["在办标的"] == "¥15,000.00"
    assert metrics["本年回款"] == "¥1,200.00"
    assert len(at.get("vega_lite_chart")) >= 3, "funnel, dwell, recovery charts render"
    at.selectbox(key="dashboard.route").set_value("arbitration")
    at.button(key="FormSubmitter:dashboard.filters-应用筛选").click().run()
    assert _metrics(at)["在办案件"] == "1" and _metrics(at)["本年回款"] == "¥0.00"


def test_staff_land_on_the_case_list(app, user_of):
    at = app(user_of(Role.staff)).run()
    assert not at.exception and [t.value for t in at.title] == ["案件列表"]


def test_the_case_page_shows_the_costs_paid(app, db, user_of, now):
    from legal_track.cases.events import add_event
    from tests.ui.test_app import open_case

    case = make_case(db, loans=[make_loan(db)], route="litigation", stage="lit_filed")
    for kind, category, amount in (("cost_paid", "court_fee", "800.00"),
                                   ("cost_paid", "counsel_fee", "3000.00"),
                                   ("cost_refunded", "court_fee", "400.00")):  # fmt: skip
        add_event(db, case_id=case.id, kind=kind, on=date(2026, 11, 2), actor="t", now=now,
                  data={"category": category, "amount": amount})  # fmt: skip
    at = open_case(app, user_of(Role.staff), case.ref)
    assert not at.exception, at.exception
    costs = at.dataframe[-1].value.to_dict("records")
    assert costs == [{"费用类别": "律师费", "金额（元）": "¥3,000.00"},
                     {"费用类别": "案件受理费", "金额（元）": "¥400.00"}]  # fmt: skip
    assert any("3,400" in m.value for m in at.markdown), "the total beside the recovery"
