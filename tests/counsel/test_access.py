"""A counsel account of firm A reaches nothing of firm B's cases: not by the case list
(search included), a case reference, a guessed id, the loan page, the deadline board, or
a page URL; the lender's staff see everything."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from legal_track.cases.detail import NotFoundError, case_detail, loan_detail
from legal_track.cases.listing import CaseFilters, case_id_for_ref, list_cases
from legal_track.counsel import add_firm, assign_case, link_account
from legal_track.deadlines.board import board_counts, board_page
from legal_track.models import Deadline, Role
from tests.factories import make_case, make_loan, make_user

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
TODAY = date(2026, 12, 3)


def two_firms(session):
    a = add_firm(session, name="甲律师事务所", actor="t", now=NOW)
    b = add_firm(session, name="乙律师事务所", actor="t", now=NOW)
    loan_a, loan_b = make_loan(session, contract_no="HT-A"), make_loan(session, contract_no="HT-B")
    case_a = make_case(session, ref="LT-2026-100001", loans=[loan_a])
    case_b = make_case(session, ref="LT-2026-100002", loans=[loan_b])
    for case, firm in ((case_a, a), (case_b, b)):
        assign_case(session, case_id=case.id, firm_id=firm.id, on=date(2026, 11, 1), actor="t",
                    now=NOW)  # fmt: skip
        session.add(Deadline(case_id=case.id, rule_id="r", rule_version="1", trigger_date=TODAY,
                             raw_due=TODAY, due=TODAY, severity="critical", computed_at=NOW))  # fmt: skip
    session.commit()
    return a, b, case_a, case_b, loan_a, loan_b


def test_counsel_of_a_firm_see_only_their_cases_in_every_service(session):
    a, _b, case_a, case_b, loan_a, loan_b = two_firms(session)
    mine = list_cases(session, filters=CaseFilters(), page=1, page_size=50, today=TODAY,
                      role="counsel", firm_id=a.id)  # fmt: skip
    assert [r.ref for r in mine.rows] == ["LT-2026-100001"]
    search = list_cases(session, filters=CaseFilters(search="LT-2026-100002"), page=1,
                        page_size=50, today=TODAY, role="counsel", firm_id=a.id)  # fmt: skip
    assert search.total == 0, "searching for another firm's case finds nothing"
    assert case_id_for_ref(session, "LT-2026-100002", role="counsel", firm_id=a.id) is None
    with pytest.raises(NotFoundError):
        case_detail(session, case_id=case_b.id, role=Role.counsel, actor="x", now=NOW, firm_id=a.id)
    with pytest.raises(NotFoundError):
        loan_detail(session, loan_id=loan_b.id, role=Role.counsel, actor="x", now=NOW, firm_id=a.id)
    own = loan_detail(
        session, loan_id=loan_a.id, role=Role.counsel, actor="x", now=NOW, firm_id=a.id
    )
    assert [c.ref for c in own.cases] == ["LT-2026-100001"]
    counts = board_counts(session, today=TODAY, role="counsel", firm_id=a.id)
    assert counts["today"] == 1
    rows = board_page(session, today=TODAY, bucket="today", role="counsel", firm_id=a.id)
    assert [r.case_ref for r in rows] == ["LT-2026-100001"]
    # an account not tied to a firm sees nothing at all
    assert list_cases(session, filters=CaseFilters(), page=1, page_size=50, today=TODAY,
                      role="counsel", firm_id=None).total == 0  # fmt: skip
    # staff see both
    assert list_cases(session, filters=CaseFilters(), page=1, page_size=50, today=TODAY,
                      role="staff").total == 2  # fmt: skip


def test_reassignment_keeps_the_history_and_moves_the_access(session):
    from legal_track.counsel import assignments_of

    a, b, case_a, *_ = two_firms(session)
    assign_case(session, case_id=case_a.id, firm_id=b.id, on=date(2026, 12, 1), actor="lead",
                now=NOW, includes_filing=False)  # fmt: skip
    history = assignments_of(session, case_id=case_a.id)
    assert [(h.firm, h.assigned_on, h.ended_on) for h in history] == [
        ("甲律师事务所", date(2026, 11, 1), date(2026, 12, 1)),
        ("乙律师事务所", date(2026, 12, 1), None),
    ]
    assert case_id_for_ref(session, case_a.ref, role="counsel", firm_id=a.id) is None
    assert case_id_for_ref(session, case_a.ref, role="counsel", firm_id=b.id) == case_a.id
    session.refresh(case_a)
    assert case_a.counsel_firm == "乙律师事务所"


def test_only_a_counsel_account_joins_a_firm(session):
    from legal_track.counsel import CounselError

    a = add_firm(session, name="丙律师事务所", actor="t", now=NOW)
    staff = make_user(session, role=Role.staff, password_hash="-")
    with pytest.raises(CounselError, match="only a counsel account"):
        link_account(session, user_id=staff.id, firm_id=a.id, actor="t", now=NOW)
    with pytest.raises(CounselError, match="may not manage"):
        add_firm(session, name="丁", actor="t", now=NOW, role="staff")
    with pytest.raises(CounselError, match="unified social credit code"):
        add_firm(session, name="戊", actor="t", now=NOW, uscc="123")


def test_counsel_pages_and_direct_urls(app, db, user_of):
    a, _b, case_a, case_b, _la, _lb = two_firms(db)
    counsel = user_of(Role.counsel, username="lawyer_a")
    link_account(db, user_id=counsel.id, firm_id=a.id, actor="t", now=NOW)
    at = app(counsel).run()
    assert not at.exception, at.exception
    at.switch_page("legal_track/ui/pages/cases.py").run()
    frame = at.dataframe[0].value
    assert list(frame.iloc[:, 0]) == ["LT-2026-100001"], "the case list shows the firm's case only"
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case_b.ref
    at.run()
    assert at.error and "LT-2026-100002" in at.error[0].value, "another firm's case: not found"
    at.query_params["ref"] = case_a.ref
    at.run()
    assert not at.error and at.title[0].value.startswith(case_a.ref)
    at.switch_page("legal_track/ui/pages/loan.py")
    at.query_params["contract"] = "HT-B"
    at.run()
    assert at.error, "another firm's loan: not found"


def test_the_counsel_tab_assigns_and_the_firm_reports_progress(app, db, user_of):
    from sqlalchemy import select

    from legal_track.models import CaseEvent

    lead = user_of(Role.lead, username="lead_c")
    firm = add_firm(db, name="庚律师事务所", actor="t", now=NOW)
    case = make_case(db, ref="LT-2026-400001", stage="demand_letter")
    db.commit()
    at = app(lead).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.session_state["case.tabs"] = "外部律师"
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="case.counsel.firm").set_value(firm.id)
    at.button(key="FormSubmitter:case.counsel.assign-委托").click().run()
    assert not at.exception and any("庚律师事务所" in s.value for s in at.success)
    counsel = user_of(Role.counsel, username="lawyer_g")
    link_account(db, user_id=counsel.id, firm_id=firm.id, actor="t", now=NOW)
    at = app(counsel).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.session_state["case.tabs"] = "外部律师"
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="case.counsel.kind").set_value("complaint_filed")
    at.button(key="FormSubmitter:case.counsel.report-提交").click().run()
    assert not at.exception, at.exception
    assert any("已记录" in s.value for s in at.success), [e.value for e in at.error]
    event = db.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).scalars().one()
    assert (event.kind, event.actor) == ("complaint_filed", "lawyer_g")


def test_counsel_read_evidence_of_their_cases_and_id_scans_only_when_filing(session, tmp_path):
    from legal_track.config import Settings
    from legal_track.evidence.intake import IntakeTools
    from legal_track.evidence.register import add_item, read_item
    from tests.pdf import samples

    settings = Settings(_env_file=None, database_url="sqlite://", evidence_dir=tmp_path / "store")
    tools = IntakeTools(qpdf=None, soffice=None)
    a, _b, case_a, case_b, loan_a, _lb = two_firms(session)
    contract = samples.text_pdf(tmp_path / "c.pdf", ["CONTRACT"])
    scan = samples.image(tmp_path / "id.png", (300, 200), fmt="PNG")
    mine = add_item(session, data=contract, original_name="c.pdf", category="loan_contract",
                    source="s", purpose="p", captured_at=None, actor="t", now=NOW,
                    case_ids=[case_a.id], settings=settings, tools=tools)  # fmt: skip
    theirs = add_item(session, data=samples.text_pdf(tmp_path / "d.pdf", ["OTHER"]),
                      original_name="d.pdf", category="loan_contract", source="s", purpose="p",
                      captured_at=None, actor="t", now=NOW, case_ids=[case_b.id],
                      settings=settings, tools=tools)  # fmt: skip
    id_scan = add_item(session, data=scan, original_name="id.png", category="id_document",
                       source="s", purpose="p", captured_at=None, actor="t", now=NOW,
                       loan_ids=[loan_a.id], settings=settings, tools=tools)  # fmt: skip
    read = dict(role="counsel", firm_id=a.id, actor="lawyer", now=NOW, settings=settings)
    assert read_item(session, item_id=mine.id, **read).startswith(b"%PDF")
    with pytest.raises(LookupError, match="no evidence item"):
        read_item(session, item_id=theirs.id, **read)
    assert read_item(session, item_id=id_scan.id, **read), "the firm files: it gets the ID scan"
    assign_case(session, case_id=case_a.id, firm_id=a.id, on=date(2026, 12, 2), actor="t",
                now=NOW, includes_filing=False)  # fmt: skip
    with pytest.raises(LookupError, match="ID documents go only to a firm that files"):
        read_item(session, item_id=id_scan.id, **read)


def test_counsel_calendar_and_documents_are_their_firms_only(session):
    from legal_track.cases.access import AccessDenied
    from legal_track.documents.history import documents_for_case
    from legal_track.reminders.ics import export_calendar

    a, _b, case_a, case_b, _la, _lb = two_firms(session)
    counsel = make_user(session, username="lawyer_ics", role=Role.counsel, password_hash="-")
    link_account(session, user_id=counsel.id, firm_id=a.id, actor="t", now=NOW)
    feed = export_calendar(session, username="lawyer_ics", team=False, app_url="http://x",
                           timezone="Asia/Shanghai", now=NOW, actor="lawyer_ics").decode()  # fmt: skip
    assert case_a.ref in feed and case_b.ref not in feed
    with pytest.raises(ValueError, match="no team calendar"):
        export_calendar(session, username="lawyer_ics", team=True, app_url="http://x",
                        timezone="Asia/Shanghai", now=NOW, actor="lawyer_ics")  # fmt: skip
    assert documents_for_case(session, case_id=case_a.id, role="counsel", firm_id=a.id) == []
    with pytest.raises(AccessDenied):
        documents_for_case(session, case_id=case_b.id, role="counsel", firm_id=a.id)


def test_every_page_a_counsel_account_can_open_shows_only_its_firm(app, db, user_of):
    """The role x page matrix for counsel: pages outside the role's menu cannot be opened;
    the ones inside show nothing of firm B, by menu or by URL."""
    from legal_track.ui.nav import PAGES, pages_for

    a, _b, _case_a, case_b, _la, _lb = two_firms(db)
    counsel = user_of(Role.counsel, username="lawyer_m")
    link_account(db, user_id=counsel.id, firm_id=a.id, actor="t", now=NOW)
    allowed = {p.key for p in pages_for(Role.counsel)}
    assert not allowed & {"escalation", "firms", "dashboard", "imports", "users", "audit",
                          "templates", "documents_batch", "reminders", "calendar_admin"}  # fmt: skip
    for page in PAGES:
        at = app(counsel).run()
        try:
            at.switch_page(page.path)
        except ValueError:
            assert page.key not in allowed, f"{page.key} is in the menu but cannot be opened"
            continue
        if page.key == "case":
            at.query_params["ref"] = case_b.ref
        if page.key == "loan":
            at.query_params["contract"] = "HT-B"
        at.run()
        assert not at.exception, f"{page.key}: {at.exception}"
        shown = " ".join(str(e.value) for e in at.markdown) + " ".join(
            str(t.value) for t in at.title) + " ".join(
            str(d.value.to_string()) for d in at.dataframe)  # fmt: skip
        assert case_b.ref not in shown or page.key == "case", f"{page.key} shows firm B's case"
        if page.key in ("case", "loan"):
            assert at.error, f"{page.key}: firm B's record must be 'not found'"


def test_the_law_firms_page_shows_each_firm(app, db, user_of):
    two_firms(db)
    at = app(user_of(Role.lead, username="lead_f")).run()
    at.switch_page("legal_track/ui/pages/firms.py").run()
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    assert sorted(frame.iloc[:, 0]) == sorted(["甲律师事务所", "乙律师事务所"])
    assert list(frame.iloc[:, 1]) == [1, 1], "one open case each"
