"""Maker-checker in the app: the escalation page asks, another lead approves on the
approvals page, the requester carries it out; nobody approves their own request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from legal_track.config import get_settings
from legal_track.models import ApprovalRequest, Case, Role
from tests.factories import make_contact, make_loan
from tests.ui.test_app import _can_open, table, texts

PAGE = "legal_track/ui/pages/approvals.py"


@pytest.mark.parametrize(
    "role, allowed",
    [(Role.admin, True), (Role.lead, True), (Role.staff, True), (Role.viewer, False),
     (Role.counsel, False)],
    ids=str,
)  # fmt: skip
def test_who_opens_the_approvals_page(app, user_of, role, allowed):
    at = app(user_of(role)).run()
    assert _can_open(at, "approvals") is allowed


@pytest.fixture
def approvals_on(db, monkeypatch):
    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", '["filing", "escalation_accept"]')
    get_settings.cache_clear()


def _page(app, user):
    at = app(user).run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def test_request_approve_and_carry_out(app, db, user_of, approvals_on):
    lead1 = user_of(Role.lead, username="lead1")
    lead2 = user_of(Role.lead, username="lead2")
    user_of(Role.staff, username="staff1")
    loan = make_loan(db, contract_no="HT-MC-1", overdue_since=date.today() - timedelta(days=200))
    make_contact(db, loan, at=datetime.now(UTC) - timedelta(days=10))
    db.commit()

    at = app(lead1).run()
    at.switch_page("legal_track/ui/pages/escalation.py").run()
    at.multiselect(key="escalation.selected").set_value(["HT-MC-1"])
    at.button(key="FormSubmitter:escalation.decide-接受所选并立案").click().run()
    assert not at.exception, at.exception
    assert any("已提交申请 #1" in i.value for i in at.info), texts(at.info)
    assert db.exec(select(Case)).scalars().all() == [], "no case before the approval"

    mine = _page(app, lead1)
    assert "filing" not in texts(mine.caption)[1] and "接受升级建议" in texts(mine.caption)[1]
    assert [r["编号"] for r in table(mine, 0)] == ["#1"], "pending, shown to every decider"
    mine.button(key="approvals.approve").click().run()
    assert "nobody approves or rejects their own request" in texts(mine.error)[0]

    other = _page(app, lead2)
    other.text_input(key="approvals.reason").input("同意立案")
    other.button(key="approvals.approve").click().run()
    assert not other.exception and "已批准申请 #1" in texts(other.success)[0]
    request = db.exec(select(ApprovalRequest)).scalars().one()
    db.refresh(request)
    assert (request.status, request.decided_by, request.reason) == ("approved", "lead2", "同意立案")

    mine = _page(app, lead1)
    mine.button(key="approvals.run").click().run()
    assert not mine.exception, mine.exception
    case = db.exec(select(Case)).scalars().one()
    assert f"已执行：立案 {case.ref}" in texts(mine.success)[0]
    db.refresh(request)
    assert request.status == "used" and request.used_by == "lead1"


def test_staff_withdraw_their_own_request(app, db, user_of, approvals_on):
    from legal_track.approvals import ApprovalNeeded, gate
    from tests.factories import make_case

    staff = user_of(Role.staff, username="staff9")
    case = make_case(db)
    db.commit()
    with pytest.raises(ApprovalNeeded):
        gate(db, action="filing", case_id=case.id, payload={"kind": "complaint_filed"},
             actor=staff.username, now=datetime.now(UTC))  # fmt: skip
    at = _page(app, staff)
    assert not [b for b in at.button if b.key == "approvals.approve"], "staff do not decide"
    assert at.button(key="approvals.run").disabled, "pending: nothing to carry out yet"
    at.button(key="approvals.withdraw").click().run()
    assert "已撤回申请 #1" in texts(at.success)[0]
