"""The escalation page, the loan page's open-a-case panel and the case settings tab,
through AppTest on the real app (SQLite file, migrated)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from legal_track.models import Case, EscalationDecision, Role
from tests.factories import make_borrower, make_case, make_contact, make_loan

PAGE = "legal_track/ui/pages/escalation.py"


def _overdue(db, contract: str, **kw):
    loan = make_loan(db, contract_no=contract, overdue_since=date.today() - timedelta(days=200),
                     **kw)  # fmt: skip
    make_contact(db, loan, at=datetime.now(UTC) - timedelta(days=10))
    db.commit()
    return loan


def _open_page(app, user):
    at = app(user).run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_lead_accepts_a_selection_and_rejects_with_a_reason(app, db, user_of):
    lead = user_of(Role.lead, username="lead1")
    user_of(Role.staff, username="staff1")
    _overdue(db, "HT-UI-1")
    _overdue(db, "HT-UI-2")
    at = _open_page(app, lead)
    assert any("共 2 笔借款" in c.value for c in at.caption), [c.value for c in at.caption]
    at.multiselect(key="escalation.selected").set_value(["HT-UI-1"])
    at.button(key="FormSubmitter:escalation.decide-接受所选并立案").click().run()
    assert not at.exception, at.exception
    assert any("已立案 1 件" in s.value for s in at.success), [s.value for s in at.success]
    case = db.exec(select(Case)).scalars().one()
    db.refresh(case)
    assert case.owner_id is not None and case.stage == "demand_letter"
    at.multiselect(key="escalation.selected").set_value(["HT-UI-2"])
    at.text_input(key="escalation.reason").set_value("借款人已申请破产")
    at.button(key="FormSubmitter:escalation.decide-不予升级").click().run()
    decisions = {d.decision: d for d in db.exec(select(EscalationDecision)).scalars()}
    assert decisions["rejected"].reason == "借款人已申请破产"
    assert decisions["rejected"].decided_by == "lead1"


def test_staff_see_the_queue_but_cannot_decide(app, db, user_of):
    _overdue(db, "HT-UI-3")
    at = _open_page(app, user_of(Role.staff))
    assert at.info and "团队负责人" in at.info[0].value
    assert not [b for b in at.button if "接受" in (b.label or "")]


def test_open_a_case_from_the_loan_page(app, db, user_of):
    staff = user_of(Role.staff, username="staff2")
    borrower = make_borrower(db, address="北京市东城区示例路1号")
    _overdue(db, "HT-UI-LOAN", borrower_id=borrower.id)
    at = app(staff).run()
    at.switch_page("legal_track/ui/pages/loan.py")
    at.query_params["contract"] = "HT-UI-LOAN"
    at.run()
    assert not at.exception, at.exception
    assert any(t.label == "立案" for t in at.tabs), [t.label for t in at.tabs]
    at.session_state["loan.tabs"] = "立案"
    at.run()
    assert "符合升级规则" in at.info[0].value, "the loan's own proposal is shown"
    at.selectbox(key="loan.open.route").set_value("litigation")
    at.text_input(key="loan.open.forum").set_value("北京市东城区人民法院")
    at.button(key="FormSubmitter:loan.open.form-立案").click().run()
    assert not at.exception, at.exception
    case = db.exec(select(Case)).scalars().one()
    assert (case.route, case.forum) == ("litigation", "北京市东城区人民法院")


def test_case_settings_change_owner_and_counsel(app, db, user_of):
    lead = user_of(Role.lead, username="lead2")
    staff = user_of(Role.staff, username="staff3")
    case = make_case(db, stage="demand_letter")
    db.commit()
    at = app(lead).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.session_state["case.tabs"] = "案件设置"
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="case.settings.owner").set_value("staff3")
    at.text_input(key="case.settings.counsel").set_value("北京示例律师事务所")
    at.button(key="FormSubmitter:case.settings.form-保存").click().run()
    assert not at.exception, at.exception
    db.refresh(case)
    assert case.owner_id == staff.id and case.counsel_firm == "北京示例律师事务所"


def test_a_stale_settings_form_shows_the_other_change_instead_of_overwriting_it(app, db, user_of):
    from legal_track.escalation import change_case

    lead = user_of(Role.lead, username="lead5")
    user_of(Role.lead, username="demo_lead")
    case = make_case(db, stage="demand_letter", forum="北京市东城区人民法院")
    db.commit()
    at = app(lead).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.session_state["case.tabs"] = "案件设置"
    at.run()
    # meanwhile, on another instance: a new forum
    change_case(db, case_id=case.id, now=datetime.now(UTC), actor="demo_lead", role=Role.lead,
                forum="北京市朝阳区人民法院", expected_version=1)  # fmt: skip
    at.text_input(key="case.settings.counsel").set_value("北京示例律师事务所")
    at.button(key="FormSubmitter:case.settings.form-保存").click().run()
    assert not at.exception, at.exception
    assert any("已由 demo_lead" in w.value for w in at.warning), [w.value for w in at.warning]
    db.expire_all()
    stored = db.get(Case, case.id)
    assert (stored.forum, stored.counsel_firm) == ("北京市朝阳区人民法院", None), (
        "nothing stale saved"
    )
    inputs = {t.label: t for t in at.text_input}  # new inputs (new keys), the fresh values
    assert inputs["法院/仲裁机构"].value == "北京市朝阳区人民法院", "fresh data shown"
    inputs["外部律师事务所"].set_value("北京示例律师事务所")
    at.button(key="FormSubmitter:case.settings.form-保存").click().run()
    assert not at.exception, at.exception
    db.expire_all()
    stored = db.get(Case, case.id)
    assert (stored.forum, stored.counsel_firm) == ("北京市朝阳区人民法院", "北京示例律师事务所")
    assert any("北京示例律师事务所" in s.value for s in at.success), "the saved change is reported"
