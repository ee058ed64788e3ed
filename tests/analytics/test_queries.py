"""The dashboard's figures on a small portfolio computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

from legal_track.analytics import (
    Filters,
    case_costs,
    case_recovery,
    dwell_times,
    funnel,
    kpis,
    monthly_trend,
    recovery,
)
from legal_track.models import CaseEvent, Deadline, LimitationClock
from tests.components import pg_url
from tests.factories import T0, make_case, make_ledger, make_loan, make_user

TODAY = date(2026, 12, 3)


def _event(session, case, kind, on, **data):
    from legal_track.cases.visits import refresh_visits

    session.add(CaseEvent(case_id=case.id, kind=kind, on=on, actor="t", data=data, created_at=T0))
    session.flush()
    refresh_visits(session, case_ids=[case.id])
    session.commit()


def _deadline(session, case, due, status="open"):
    session.add(Deadline(case_id=case.id, rule_id="r", rule_version="1", trigger_event_id=None,
                         trigger_date=due, raw_due=due, due=due, status=status,
                         severity="critical", computed_at=T0))  # fmt: skip
    session.commit()


def portfolio(session):
    """Three cases:
    A litigation, opened 2026-03-01, claim 10,000, lit_filed since 2026-03-10 (the demand
      letter went 2026-03-01): repaid 1,000 on 2026-02-20 (before: not recovery), 2,000 on
      2026-05-10 and 500 on 2026-12-01; counsel reported the 2,000 too (counted once) and
      a 300 cash payment the ledger does not have.
    B arbitration, opened 2026-11-15, claim 6,000, firm 某所, no payments.
    C litigation, opened 2026-01-10, closed 2026-06-30, claim 4,000: 4,000 repaid 2026-06-20.
    """
    lead = make_user(session, username="lead", password_hash="-")
    loan_a, loan_b, loan_c = (make_loan(session) for _ in range(3))
    a = make_case(session, loans=[loan_a], route="litigation", stage="lit_filed",
                  opened_on=date(2026, 3, 1), claim_total="10000.00", owner_id=lead.id)  # fmt: skip
    b = make_case(session, loans=[loan_b], route="arbitration", stage="arb_applied",
                  opened_on=date(2026, 11, 15), claim_total="6000.00", counsel_firm="某所")  # fmt: skip
    c = make_case(session, loans=[loan_c], route="litigation", stage="closed",
                  opened_on=date(2026, 1, 10), closed_on=date(2026, 6, 30), claim_total="4000.00")  # fmt: skip
    for amount, day in (("1000.00", date(2026, 2, 20)), ("2000.00", date(2026, 5, 10)),
                        ("500.00", date(2026, 12, 1))):  # fmt: skip
        make_ledger(session, loan_a, amount=Decimal(amount), booked_on=day)
    make_ledger(session, loan_c, amount=Decimal("4000.00"), booked_on=date(2026, 6, 20))
    _event(session, a, "demand_letter_sent", date(2026, 3, 1))
    _event(session, a, "complaint_filed", date(2026, 3, 10))
    _event(session, a, "payment_received", date(2026, 5, 10), amount="2000.00")
    _event(session, a, "payment_received", date(2026, 7, 1), amount="300.00")
    _event(session, b, "arbitration_applied", date(2026, 11, 20))
    _event(session, c, "complaint_filed", date(2026, 1, 20))
    _event(session, c, "case_closed", date(2026, 6, 30), reason="paid")
    _event(session, a, "cost_paid", date(2026, 3, 10), category="court_fee", amount="1000.00")
    _event(session, a, "cost_paid", date(2026, 3, 10), category="counsel_fee", amount="500.00")
    _event(session, a, "cost_refunded", date(2026, 8, 1), category="court_fee", amount="500.00")
    _event(session, c, "cost_paid", date(2026, 1, 20), category="court_fee", amount="200.00")
    _deadline(session, a, date(2026, 11, 30))  # overdue
    _deadline(session, b, date(2026, 12, 8))  # this week
    _deadline(session, b, date(2026, 11, 1), status="completed")
    from legal_track.analytics.costs import rebuild_costs
    from legal_track.analytics.recoveries import rebuild_recovery

    rebuild_recovery(session)  # the factories write the ledger directly, like the demo
    rebuild_costs(session)  # and the events
    session.add(LimitationClock(loan_id=make_loan(session).id, start_on=date(2023, 1, 1),
                                expiry=date(2026, 12, 20), conservative_expiry=date(2026, 12, 20),
                                longstop=date(2043, 1, 1), risk="lt90", computed_at=T0))  # fmt: skip
    session.commit()
    return a, b, c


def check(session):
    a, b, c = portfolio(session)
    k = kpis(session, today=TODAY)
    assert (k.open_cases, k.open_by_route) == (2, {"litigation": 1, "arbitration": 1})
    assert k.claim_in_legal == Decimal("16000.00"), "open cases only"
    assert k.recovered_year == Decimal("6800.00"), (
        "2,000 + 500 + 300 cash (A) + 4,000 (C); not the 1,000 before, the 2,000 once"
    )
    assert k.recovered_month == Decimal("500.00")
    assert (k.deadlines_overdue, k.deadlines_this_week, k.clocks_at_risk) == (1, 1, 1)
    assert case_recovery(session, case_id=a.id) == {
        "recovered": Decimal("2800.00"), "outstanding": Decimal("12000.00"),
        "written_off": Decimal("0.00")}, "ledger 2,000 + 500, the matched 2,000 once, cash 300"  # fmt: skip
    by_route = {r["route"]: r for r in recovery(session, by="route")}
    assert by_route["litigation"]["recovered"] == Decimal("6800.00")
    assert by_route["litigation"]["recovery_rate"] == Decimal("0.4857")  # 6,800 / 14,000
    assert by_route["arbitration"]["recovered"] == Decimal("0.00")
    lit, arb = by_route["litigation"], by_route["arbitration"]
    assert (lit["costs_paid"], lit["cases_with_costs"], lit["cost_per_case"]) == (
        Decimal("1200.00"), 2, Decimal("600.00")), "A: 1,000 - 500 refunded + 500 counsel; C: 200"  # fmt: skip
    assert lit["net_recovered"] == Decimal("5600.00")
    assert (arb["costs_paid"], arb["cases_with_costs"], arb["cost_per_case"]) == (0, 0, None)
    assert case_costs(session, case_id=a.id) == {"counsel_fee": Decimal("500.00"),
                                                 "court_fee": Decimal("500.00")}  # fmt: skip
    firms = {r["firm"]: r for r in recovery(session, by="firm")}
    assert {f: r["cases"] for f, r in firms.items()} == {"": 2, "某所": 1}
    assert firms[""]["costs_paid"] == Decimal("1200.00") and firms["某所"]["costs_paid"] == 0
    assert recovery(session, by="route", filters=Filters(opened_from=date(2026, 2, 1)))[1][
        "costs_paid"] == Decimal("1000.00"), "the filters choose the cases whose costs count"  # fmt: skip
    stages = {(f["route"], f["stage"]): f["cases"] for f in funnel(session)}
    assert stages == {("litigation", "lit_filed"): 1, ("arbitration", "arb_applied"): 1,
                      ("litigation", "closed"): 1}  # fmt: skip
    dwell = {(d["route"], d["stage"]): d for d in dwell_times(session, today=TODAY)}
    assert dwell[("litigation", "demand_letter")]["median_days"] == 9
    filed = dwell[("litigation", "lit_filed")]
    assert (filed["visits"], filed["median_days"], filed["p90_days"]) == (2, 161, 268), (
        "C: 01-20 to 06-30 = 161 days; A: 03-10 to today = 268 days"
    )
    trend = {t["month"]: t for t in monthly_trend(session)}
    assert trend["2026-03"]["opened"] == 1 and trend["2026-06"]["closed"] == 1
    assert trend["2026-06"]["recovered"] == Decimal("4000.00")
    only = kpis(session, today=TODAY, filters=Filters(route="arbitration"))
    assert only.open_cases == 1 and only.recovered_year == 0 and only.deadlines_overdue == 0
    assert kpis(session, today=TODAY, filters=Filters(owner="lead")).open_cases == 1
    assert kpis(session, today=TODAY, filters=Filters(opened_from=date(2026, 6, 1))).open_cases == 1


def test_figures_on_sqlite(session):
    check(session)


@pytest.mark.pg
def test_figures_on_postgresql():
    url = pg_url()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(
            text("DROP SCHEMA IF EXISTS analytics_test CASCADE; CREATE SCHEMA analytics_test")
        )
    engine = create_engine(url, connect_args={"options": "-csearch_path=analytics_test"})
    SQLModel.metadata.create_all(engine)
    try:
        with Session(engine, expire_on_commit=False) as s:
            check(s)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA analytics_test CASCADE"))
        admin.dispose()


def test_report_portfolio_command_json_and_xlsx(env, tmp_path):
    import json

    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from legal_track.cli import app
    from legal_track.cli.common import session

    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    with session() as s:
        portfolio(s)
    made = runner.invoke(app, ["report", "portfolio", "--today", "2026-12-03", "--json",
                               "--xlsx", str(tmp_path / "r.xlsx")])  # fmt: skip
    assert made.exit_code == 0, made.output
    tables = json.loads(made.stdout.split("\n", 1)[1])
    figures = {r["figure"]: r["value"] for r in tables["kpis"]}
    assert figures["open_cases"] == 2 and figures["recovered_year"] == "6800.00"
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["kpis", "funnel", "dwell", "recovery_by_route",
                               "recovery_by_firm", "trend"]  # fmt: skip
    route = [[c.value for c in row] for row in book["recovery_by_route"].iter_rows()]
    assert route[0][:3] == ["route", "cases", "closed"] and route[1][:3] == ["arbitration", 1, 0]
    bad = runner.invoke(app, ["report", "portfolio", "--opened-from", "2026/13/01"])
    assert bad.exit_code == 1 and "--opened-from" in bad.output


def test_recovery_follows_ledger_imports_and_payment_events(session, tmp_path, now):
    from legal_track.analytics.recoveries import refresh_recovery
    from legal_track.cases.events import add_event
    from legal_track.intake import import_file

    loan = make_loan(session, contract_no="HT-REC-1")
    case = make_case(session, loans=[loan], opened_on=date(2026, 3, 1), stage="lit_filed")
    refresh_recovery(session, case_ids=[case.id])
    session.commit()
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("合同编号,日期,类型,金额,流水号\nHT-REC-1,2026-04-02,还款,700.00,R1\n"
                      "HT-REC-1,2026-02-01,还款,100.00,R0\n", encoding="utf-8")  # fmt: skip
    import_file(session, kind="ledger", path=ledger, actor="t", now=now)
    assert case_recovery(session, case_id=case.id)["recovered"] == Decimal("700.00")
    add_event(session, case_id=case.id, kind="payment_received", on=date(2026, 4, 2),
              actor="t", now=now, data={"amount": "700.00"})  # fmt: skip
    assert case_recovery(session, case_id=case.id)["recovered"] == Decimal("700.00"), "matched"
    add_event(session, case_id=case.id, kind="payment_received", on=date(2026, 5, 9),
              actor="t", now=now, data={"amount": "250.00"})  # fmt: skip
    assert case_recovery(session, case_id=case.id)["recovered"] == Decimal("950.00")


def test_mediation_is_a_route_of_the_dashboard(session, now):
    """Issue 14: recovery rate, funnel and dwell by route include mediation, and the cost
    of an accepted mediation proposal carries no court fee."""
    from legal_track.analytics.recoveries import refresh_recovery
    from legal_track.cases.events import add_event
    from legal_track.models import EscalationDecision

    loan = make_loan(session)
    case = make_case(session, loans=[loan], route="litigation", stage="demand_letter",
                     opened_on=date(2026, 9, 1), claim_total="10000.00")  # fmt: skip
    session.add(EscalationDecision(
        loan_id=loan.id, decision="accepted", reason="", route="mediation", case_id=case.id,
        proposed_on=date(2026, 9, 1), rule_version="t", decided_by="t", decided_at=T0,
        proposal={"cost": {"total": "1100.00", "court_fee": "0.00"}}))  # fmt: skip
    session.commit()
    add_event(session, case_id=case.id, kind="mediation_applied", on=date(2026, 9, 3),
              actor="t", now=now, to_stage="med_applied")  # fmt: skip
    add_event(session, case_id=case.id, kind="mediation_agreement", on=date(2026, 9, 20),
              actor="t", now=now, to_stage="med_agreement")  # fmt: skip
    make_ledger(session, loan, amount=Decimal("2500.00"), booked_on=date(2026, 9, 25))
    refresh_recovery(session, case_ids=[case.id])
    session.commit()
    [row] = [r for r in recovery(session, by="route") if r["route"] == "mediation"]
    assert (row["cases"], row["recovered"], row["recovery_rate"]) == (1, Decimal("2500.00"),
                                                                     Decimal("0.2500"))  # fmt: skip
    assert row["expected_cost_per_case"] == Decimal("1100.00")
    stages = {(r["route"], r["stage"]) for r in funnel(session)}
    assert ("mediation", "med_agreement") in stages
    dwell = {(r["route"], r["stage"]): r for r in dwell_times(session, today=TODAY)}
    assert dwell[("mediation", "med_applied")]["median_days"] == 17
