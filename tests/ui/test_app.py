"""The app through AppTest: sign-in, navigation by role, case list, case page, language."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from legal_track.i18n import t
from legal_track.models import AuditEntry, Role
from legal_track.ui.case_tabs import CASE_TABS
from legal_track.ui.context import USER_KEY, today
from tests.factories import make_borrower, make_case, make_loan
from tests.ui.conftest import PASSWORD
from tests.ui.data import add_deadline


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def table(at, n: int = 0) -> list[dict]:
    return at.dataframe[n].value.to_dict("records")


def sign_in(at, username: str, password: str):
    at.text_input(key="login.username").input(username)
    at.text_input(key="login.password").input(password)
    return at.button(key="login.submit").click().run()


def audit_actions(db, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.exec(select(AuditEntry).where(AuditEntry.action == action)))


# --- sign-in ----------------------------------------------------------------------------


def test_a_wrong_password_is_refused(app, db, user_of):
    user = user_of(Role.staff)
    at = app().run()
    assert texts(at.title) == ["法务催收案件管理"], "the login page comes first"
    at = sign_in(at, user.username, "wrong password!")
    assert not at.exception
    assert "用户名或密码错误" in texts(at.error)[0]
    assert USER_KEY not in at.session_state, "nobody is signed in"
    assert at.text_input(key="login.password").value == "", "the password is not kept"
    assert [e.actor for e in audit_actions(db, "login.failed")] == [user.username]


def test_the_right_password_lands_on_the_case_list(app, db, user_of):
    user = user_of(Role.staff)
    make_case(db, ref="LT-2026-777001")
    db.commit()
    at = sign_in(app().run(), user.username, PASSWORD)
    assert not at.exception
    assert texts(at.title) == ["案件列表"]
    assert [r["案件编号"] for r in table(at)] == ["LT-2026-777001"]
    assert at.session_state[USER_KEY].username == user.username
    assert len(audit_actions(db, "login.ok")) == 1
    at.button(key="shell.logout").click().run()
    assert USER_KEY not in at.session_state and texts(at.title) == ["法务催收案件管理"]


def test_a_disabled_account_loses_its_session(app, db, user_of):
    user = user_of(Role.staff)
    at = app(user).run()
    assert texts(at.title) == ["案件列表"]
    user.active = False
    db.add(user)
    db.commit()
    at.run()
    assert texts(at.title) == ["法务催收案件管理"], "back to the login page"


def test_pages_in_the_menu_follow_the_role(app, user_of):
    def reachable(role):
        at = app(user_of(role)).run()
        return {page for page in ("imports", "users") if _can_open(at, page)}

    assert reachable(Role.admin) == {"imports", "users"}
    assert reachable(Role.staff) == {"imports"}
    assert reachable(Role.viewer) == set()


def _can_open(at, key: str) -> bool:
    try:
        at.switch_page(f"legal_track/ui/pages/{key}.py")
    except ValueError:  # st.navigation did not register the page for this role
        return False
    at.run()
    return not at.exception and at.session_state["shell.page"] == key


# --- case list --------------------------------------------------------------------------


def test_case_list_filters_in_a_form(app, db, user_of):
    a = make_case(db, route="arbitration", stage="arb_award", claim_total="50000.00")
    make_case(db, route="litigation", stage="lit_filed", claim_total="800.00")
    late = make_case(db, route="litigation", stage="lit_judgment", claim_total="3000.00")
    add_deadline(db, late, today() - timedelta(days=3))
    db.commit()
    at = app(user_of(Role.staff)).run()
    assert "共 3 件" in texts(at.caption)[0]

    at.multiselect(key="cases.f_routes").select("arbitration")
    at.button(key="cases.apply").click().run()
    assert [r["案件编号"] for r in table(at)] == [a.ref]
    assert [r["程序"] for r in table(at)] == ["仲裁"] and [r["阶段"] for r in table(at)] == [
        "已裁决"
    ]

    at.multiselect(key="cases.f_routes").unselect("arbitration")
    at.text_input(key="cases.f_min").input("1,000")
    at.button(key="cases.apply").click().run()
    assert sorted(r["案件编号"] for r in table(at)) == sorted([a.ref, late.ref])

    at.text_input(key="cases.f_min").input("")
    at.checkbox(key="cases.f_overdue").check()
    at.button(key="cases.apply").click().run()
    assert [r["案件编号"] for r in table(at)] == [late.ref]
    assert table(at)[0]["最近期限"].startswith("⚠")

    at.text_input(key="cases.f_max").input("abc")
    at.button(key="cases.apply").click().run()
    assert "not an amount" in texts(at.error)[0], "a bad amount is explained"


def test_case_list_search_box(app, db, user_of):
    borrower = make_borrower(db, name="诸葛明")
    loan = make_loan(db, borrower_id=borrower.id, contract_no="HT-SEARCH-42")
    hit = make_case(db, loans=[loan])
    make_case(db)
    db.commit()
    at = app(user_of(Role.viewer)).run()
    for query in ("诸葛", borrower.id_number, "SEARCH-42", hit.ref):
        at.text_input(key="cases.search").input(query).run()
        assert [r["案件编号"] for r in table(at)] == [hit.ref], f"search {query!r}"
    at.text_input(key="cases.search").input("nobody").run()
    assert not at.dataframe and "没有符合条件的案件" in texts(at.info)[0]


def test_case_list_pages_through_sql(app, db, user_of):
    made = [make_case(db, opened_on=date(2025, 1, 1) + timedelta(days=i)) for i in range(30)]
    db.commit()
    at = app(user_of(Role.staff)).run()
    first = [r["案件编号"] for r in table(at)]
    assert len(first) == 25 and "第 1 / 2 页" in texts(at.caption)[0]
    at.get("pagination")[0].set_value(2).run()
    second = [r["案件编号"] for r in table(at)]
    assert len(second) == 5 and "第 2 / 2 页" in texts(at.caption)[0]
    assert set(first) | set(second) == {c.ref for c in made}
    at.selectbox(key="cases.page_size").select(50).run()
    assert len(table(at)) == 30 and "第 1 / 1 页" in texts(at.caption)[0]


def test_a_row_opens_the_case(app, db, user_of):
    case = make_case(db)
    db.commit()
    at = app(user_of(Role.staff)).run()
    at.session_state["cases.table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert at.session_state["shell.page"] == "case"
    assert texts(at.title)[0].startswith(case.ref)


# --- case page --------------------------------------------------------------------------


def open_case(app, user, ref: str):
    at = app(user).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = ref
    return at.run()


def test_case_page_masks_personal_data_for_a_viewer(app, db, user_of):
    borrower = make_borrower(db, phone="13912345678")
    case = make_case(db, loans=[make_loan(db, borrower_id=borrower.id)])
    db.commit()
    at = open_case(app, user_of(Role.viewer), case.ref)
    assert not at.exception
    party = table(at)[0]
    assert party["身份证号"] == borrower.id_number[:6] + "********" + borrower.id_number[-4:]
    assert party["手机号"] == "139****5678"
    assert any("已按您的角色脱敏" in c for c in texts(at.caption))


def test_case_page_shows_everything_to_staff(app, db, user_of):
    borrower = make_borrower(db, phone="13912345678")
    case = make_case(db, loans=[make_loan(db, borrower_id=borrower.id)], claim_total="12000.00")
    db.commit()
    at = open_case(app, user_of(Role.staff), case.ref)
    party = table(at)[0]
    assert (party["身份证号"], party["手机号"]) == (borrower.id_number, "13912345678")
    assert texts(at.title) == [f"{case.ref} · {borrower.name}"]
    assert any("¥12,000" in m for m in texts(at.markdown)), "the claim total"
    labels = [tab.label for tab in at.tabs]
    assert labels[:4] == ["概况", "流水", "催收记录", "事件与期限"]
    assert labels[4:] == [t(tab.title_key, "zh") for tab in CASE_TABS], "then the areas' tabs"


def test_each_visit_to_a_case_is_audited_once(app, db, user_of):
    viewer = user_of(Role.viewer)
    case = make_case(db)
    db.commit()
    at = open_case(app, viewer, case.ref)
    at.session_state["case.tabs"] = "流水"
    at.run()  # a rerun on the same page (another tab) is the same visit
    assert at.metric, "the ledger tab ran"
    entries = audit_actions(db, "case.view")
    assert [(e.actor, e.object_id) for e in entries] == [(viewer.username, case.ref)]
    at.switch_page("legal_track/ui/pages/cases.py").run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = case.ref
    at.run()
    assert len(audit_actions(db, "case.view")) == 2, "coming back is a new visit"


def test_unknown_case_reference_says_so(app, user_of):
    at = open_case(app, user_of(Role.staff), "LT-2026-404404")
    assert "找不到案件 LT-2026-404404" in texts(at.error)[0]


def test_loan_page(app, db, user_of):
    loan = make_loan(db, contract_no="HT-LOANPAGE-1")
    case = make_case(db, loans=[loan])
    db.commit()
    at = app(user_of(Role.staff)).run()
    at.switch_page("legal_track/ui/pages/loan.py")
    at.query_params["contract"] = "HT-LOANPAGE-1"
    at.run()
    assert not at.exception
    assert texts(at.title)[0].startswith("HT-LOANPAGE-1")
    assert case.ref in [link.label.split(" · ")[0] for link in at.get("page_link")]
    assert len(audit_actions(db, "loan.view")) == 1


# --- language ---------------------------------------------------------------------------


def test_language_switch(app, db, user_of):
    make_case(db)
    db.commit()
    at = app(user_of(Role.staff)).run()
    assert texts(at.title) == ["案件列表"]
    at.button_group(key="shell.lang_switch").set_value("en").run()
    assert texts(at.title) == ["Cases"]
    assert "Case" in table(at)[0] and "1 cases" in texts(at.caption)[0]
    # (AppTest keeps a selectbox's first format_func, so no further run here; the browser
    # smoke test switches the language and goes on working.)
    assert at.session_state["shell.lang"] == "en", "kept for the whole browser session"


def test_the_users_own_language_is_the_default(app, user_of):
    at = app(user_of(Role.staff, language="en")).run()
    assert texts(at.title) == ["Cases"]


def test_the_login_page_follows_the_configured_language(app, monkeypatch):
    from legal_track.config import get_settings

    monkeypatch.setenv("LEGAL_TRACK_LANGUAGE", "en")
    get_settings.cache_clear()
    at = app().run()
    assert texts(at.title) == ["Legal escalation tracker"]
    assert at.button(key="login.submit").label == "Sign in"


# --- users admin ------------------------------------------------------------------------


def test_admin_adds_a_user(app, db, user_of):
    admin = user_of(Role.admin)
    at = app(admin).run()
    at.switch_page("legal_track/ui/pages/users.py").run()
    at.text_input(key="users.username").input("newbie")
    at.text_input(key="users.display_name").input("新同事")
    at.selectbox(key="users.role").select(Role.viewer)
    at.text_input(key="users.password").input("short")
    at.button(key="users.create").click().run()
    assert "密码至少需要 10 个字符" in texts(at.error)[0]
    at.text_input(key="users.password").input("a long enough password")
    at.button(key="users.create").click().run()
    assert not at.exception and "已创建用户 newbie" in texts(at.success)[0]
    assert "newbie" in [r["用户名"] for r in table(at)]
    entries = audit_actions(db, "user.create")
    assert [(e.actor, e.detail["role"]) for e in entries] == [(admin.username, "viewer")]
    fresh = sign_in(app().run(), "newbie", "a long enough password")
    assert texts(fresh.title) == ["案件列表"], "the new account can sign in"
