"""The calculator page and the limitation panel / tab, through AppTest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import Role
from legal_track.ui.case_tabs import CASE_TABS, LOAN_PANELS
from legal_track.ui.context import USER_KEY, UserInfo
from legal_track.ui.nav import PAGES
from tests.factories import at as contact_at
from tests.factories import make_case, make_contact, make_creditor, make_loan, make_user

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 30


@pytest.fixture
def db(env):
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def loan(db):
    creditor = make_creditor(db, lender_type="private")
    loan = make_loan(db, creditor_id=creditor.id, contract_no="HT-UI-1", schedule=[],
                     maturity_on=date(2023, 1, 10), disbursed_on=date(2022, 1, 10),
                     overdue_rate=Decimal("0.27"))  # fmt: skip
    make_contact(db, loan, at=contact_at(date(2025, 3, 1)), target="13812345678")
    make_contact(db, loan, at=contact_at(date(2025, 6, 6)), channel="call")
    db.commit()
    return loan


def signed_in(db, role=Role.staff) -> AppTest:
    user = make_user(db, role=role)
    db.commit()
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    app.session_state[USER_KEY] = UserInfo.of(user)
    return app


def test_registrations():
    assert any(p.key == "calculator" and p.path.endswith("pages/calculator.py") for p in PAGES)
    assert [t.key for t in CASE_TABS if t.key == "limitation"] == ["limitation"]
    assert [p.key for p in LOAN_PANELS if p.key == "limitation"] == ["limitation"]


def test_fee_calculator(db):
    app = signed_in(db).run()
    app.switch_page("legal_track/ui/pages/calculator.py").run()
    assert not app.exception
    app.text_input(key="calculator.amount").input("100,000")
    app.selectbox(key="calculator.procedure").select("summary")
    app.button(key="calculator.fee_submit").click().run()
    assert not app.exception
    assert [m.value for m in app.metric] == ["¥1,150.00"], "half of 2,300 for summary procedure"
    rows = app.dataframe[0].value.to_dict("records")
    assert len(rows) == 2


def test_fee_calculator_reports_a_bad_amount(db):
    app = signed_in(db).run()
    app.switch_page("legal_track/ui/pages/calculator.py").run()
    app.text_input(key="calculator.amount").input("lots")
    app.button(key="calculator.fee_submit").click().run()
    assert not app.exception and "not an amount" in app.error[0].value


def test_claim_calculator(db, loan):
    app = signed_in(db).run()
    app.switch_page("legal_track/ui/pages/calculator.py")
    app.query_params["contract"] = loan.contract_no
    app.run()
    assert app.text_input(key="calculator.contract").value == loan.contract_no
    app.date_input(key="calculator.cutoff").set_value(date(2025, 6, 1))
    app.button(key="calculator.claim_submit").click().run()
    assert not app.exception
    lines = app.dataframe[0].value.to_dict("records")
    assert [r["项目"] for r in lines][0] == "借款本金" and lines[-1]["项目"] == "合计"
    cap = [m.value for m in app.markdown if "private" in m.value]
    assert cap == ["private\\_4x\\_lpr · 15\\.2%"], "4 x LPR 3.80 % (2021-12-20)"


def test_claim_calculator_unknown_contract(db):
    app = signed_in(db).run()
    app.switch_page("legal_track/ui/pages/calculator.py").run()
    app.text_input(key="calculator.contract").input("NOPE-1")
    app.button(key="calculator.claim_submit").click().run()
    assert not app.exception and "NOPE-1" in app.error[0].value


def _render_loan(loan_id: int) -> None:
    from legal_track.ui.limitation_panel import render_loan

    render_loan(loan_id)


def _render_case(case_id: int) -> None:
    from legal_track.ui.limitation_panel import render_case

    render_case(case_id)


def test_loan_panel_shows_both_dates_and_masks_the_target(db, loan):
    app = AppTest.from_function(_render_loan, args=(loan.id,), default_timeout=TIMEOUT).run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "2028\\-06\\-06" in text and "2028\\-03\\-01" in text
    assert "13812345678" not in text + app.dataframe[0].value.to_string()
    assert "138****5678" in app.dataframe[0].value.to_string()
    assert "2028-03-01" in app.info[0].value


def test_case_tab_lists_every_loan(db, loan):
    other = make_loan(db, borrower_id=loan.borrower_id, maturity_on=date(2024, 5, 9), schedule=[])
    case = make_case(db, loans=[loan, other])
    db.commit()
    app = AppTest.from_function(_render_case, args=(case.id,), default_timeout=TIMEOUT).run()
    assert not app.exception
    summary = app.dataframe[0].value.to_dict("records")
    assert [r["合同号"] for r in summary] == [other.contract_no, loan.contract_no], (
        "most urgent first"
    )
    assert len(app.expander) == 2
