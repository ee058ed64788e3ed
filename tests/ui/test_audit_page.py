"""The audit page through AppTest: who may open it, filters, paging, verify."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from legal_track.audit import AuditEvent, record
from legal_track.models import AuditEntry, Role
from tests.audit.tamper import raw_sql
from tests.factories import make_case
from tests.ui.test_app import _can_open, audit_actions, table, texts

PAGE = "legal_track/ui/pages/audit.py"
T = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.admin, True), (Role.lead, True), (Role.staff, False), (Role.viewer, False),
     (Role.counsel, False)],
    ids=lambda v: str(v),
)  # fmt: skip
def test_who_opens_the_audit_page(app, user_of, role, allowed):
    at = app(user_of(role)).run()
    assert _can_open(at, "audit") is allowed


def open_audit(app, user):
    at = app(user).run()
    at.switch_page(PAGE)
    return at.run()


def _seed(db, n: int = 3):
    case = make_case(db)
    db.commit()
    for i in range(n):
        record(db, AuditEvent("li" if i % 2 else "wang", "case.view", "case", case.ref, {"i": i}),
               now=T + timedelta(days=i))  # fmt: skip
    record(db, AuditEvent("wang", "document.generate", "case", str(case.id), {}), now=T)
    record(db, AuditEvent("wang", "login.ok", "user"), now=T)
    db.commit()
    return case


def test_filters_by_user_case_action_and_dates(app, db, user_of):
    case = _seed(db)
    at = open_audit(app, user_of(Role.lead))
    assert not at.exception
    first_total = texts(at.caption)[1]
    assert "共 5 条" in first_total, (
        "the seeded entries (the signing in of the test user is not audited)"
    )

    at.selectbox(key="audit.f_actor").select("li")
    at.button(key="audit.apply").click().run()
    assert [r["用户"] for r in table(at)] == ["li"]

    at.selectbox(key="audit.f_actor").select("")
    at.text_input(key="audit.f_object").input(case.ref)
    at.button(key="audit.apply").click().run()
    assert sorted(r["操作"] for r in table(at)) == ["case.view"] * 3 + ["document.generate"], (
        "a case reference also finds the entries that name the case by its id"
    )

    at.text_input(key="audit.f_object").input("")
    at.selectbox(key="audit.f_action").select("login.ok")
    at.button(key="audit.apply").click().run()
    assert [r["操作"] for r in table(at)] == ["login.ok"]

    at.selectbox(key="audit.f_action").select("case.view")
    at.date_input(key="audit.f_from").set_value(date(2026, 11, 21))
    at.date_input(key="audit.f_to").set_value(date(2026, 11, 21))
    at.button(key="audit.apply").click().run()
    assert [r["序号"] for r in table(at)] == [2]


def test_pages_in_sql(app, db, user_of):
    for i in range(30):
        record(db, AuditEvent("bulk", f"bulk.{i}"), now=T)
    db.commit()
    at = open_audit(app, user_of(Role.admin))
    assert len(table(at)) == 25 and table(at)[0]["序号"] == 30, "newest first"
    at.get("pagination")[0].set_value(2).run()
    assert [r["序号"] for r in table(at)] == [5, 4, 3, 2, 1]


def test_verify_button_reports_intact_then_broken(app, db, user_of):
    _seed(db)
    admin = user_of(Role.admin)
    at = open_audit(app, admin)
    at.button(key="audit.verify").click().run()
    assert "哈希链完整：共 5 条记录" in texts(at.success)[0]
    assert [e.actor for e in audit_actions(db, "audit.verify")] == [admin.username]
    from legal_track.config import get_settings

    raw_sql(get_settings().database_url, "UPDATE auditentry SET actor = 'x' WHERE seq = 2")
    at.button(key="audit.verify").click().run()
    error = texts(at.error)[0]
    assert "哈希链已被破坏（内容被修改）" in error and "序号 2" in error, error
    assert db.get(AuditEntry, 1) is not None
