"""Maker-checker: filings, demand letters and escalation acceptance wait for another lead
or admin; approved requests are used once by doing the action again; all audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from legal_track.approvals import (
    ApprovalError,
    ApprovalNeeded,
    Status,
    approve,
    gate,
    list_requests,
    reject,
    required_actions,
    withdraw,
)
from legal_track.cases.events import add_event
from legal_track.documents.letters import mark_sent
from legal_track.escalation import accept
from legal_track.models import (
    ApprovalRequest,
    AuditEntry,
    Case,
    CaseEvent,
    GeneratedDocument,
    Role,
)
from tests.factories import make_case, make_contact, make_loan, make_user

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
FILED = date(2026, 12, 2)


@pytest.fixture
def approvals_on(monkeypatch):
    from legal_track.config import get_settings

    monkeypatch.setenv(
        "LEGAL_TRACK_APPROVAL_ACTIONS", '["filing", "escalation_accept", "demand_letter"]'
    )
    get_settings.cache_clear()


def audit(session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def file_complaint(session, case, actor="staff1", **kw):
    return add_event(session, case_id=case.id, kind="complaint_filed", on=FILED, actor=actor,
                     now=NOW, to_stage="lit_filed", **kw)  # fmt: skip


def test_the_default_needs_approval_for_filing_and_escalation(monkeypatch):
    from legal_track.config import Settings

    monkeypatch.delenv("LEGAL_TRACK_APPROVAL_ACTIONS")
    assert set(Settings().approval_actions) == {"filing", "escalation_accept"}
    with pytest.raises(ApprovalError, match="unknown action"):
        required_actions(["filing", "teleport"])


def test_a_filing_waits_for_approval_then_goes_through_once(session, approvals_on):
    case = make_case(session, stage="demand_letter", route="litigation")
    session.commit()
    with pytest.raises(ApprovalNeeded, match=r"needs approval: request #1 pending") as asked:
        file_complaint(session, case, note="first try")
    assert asked.value.created and asked.value.request_id == 1
    assert session.exec(select(CaseEvent)).all() == [], "nothing filed yet"
    session.refresh(case)
    assert case.stage == "demand_letter"
    with pytest.raises(ApprovalNeeded, match="#1 pending") as again:
        file_complaint(session, case, note="a different note is the same filing")
    assert not again.value.created, "asking again finds the pending request"

    with pytest.raises(ApprovalError, match="their own request"):
        approve(session, request_id=1, actor="staff1", now=NOW, role=Role.lead)
    with pytest.raises(ApprovalError, match="may not decide"):
        approve(session, request_id=1, actor="staff2", now=NOW, role=Role.staff)
    done = approve(session, request_id=1, actor="lead1", now=NOW, role=Role.lead, reason="证据齐全")
    assert done.status == Status.approved.value and done.decided_by == "lead1"

    event = file_complaint(session, case)
    assert event.kind == "complaint_filed"
    session.refresh(case)
    assert case.stage == "lit_filed"
    request = session.get(ApprovalRequest, 1)
    assert (request.status, request.used_by) == ("used", "staff1")

    other = make_case(session, stage="demand_letter", route="litigation")
    session.commit()
    with pytest.raises(ApprovalNeeded, match="#2 pending"):
        file_complaint(session, other)  # the approval was for the first case only

    refs = {e.action: e.object_id for e in session.exec(select(AuditEntry)).all()
            if e.action.startswith("approval.")}  # fmt: skip
    assert set(refs) == {"approval.request", "approval.approve", "approval.use"}
    assert refs["approval.approve"] == case.ref, "audited on the case"
    (approved,) = audit(session, "approval.approve")
    assert approved.detail["reason"] == "证据齐全" and approved.detail["requested_by"] == "staff1"


def test_a_changed_filing_needs_its_own_approval(session, approvals_on):
    case = make_case(session, stage="demand_letter", route="litigation")
    session.commit()
    with pytest.raises(ApprovalNeeded):
        file_complaint(session, case)
    approve(session, request_id=1, actor="lead1", now=NOW)
    with pytest.raises(ApprovalNeeded, match="#2 pending"):
        add_event(session, case_id=case.id, kind="complaint_filed", on=FILED - timedelta(days=1),
                  actor="staff1", now=NOW, to_stage="lit_filed")  # fmt: skip


def test_a_rejected_request_stays_rejected(session, approvals_on):
    case = make_case(session, stage="demand_letter", route="litigation")
    session.commit()
    with pytest.raises(ApprovalNeeded):
        file_complaint(session, case)
    with pytest.raises(ApprovalError, match="needs a reason"):
        reject(session, request_id=1, actor="lead1", now=NOW, reason=" ")
    reject(session, request_id=1, actor="lead1", now=NOW, reason="先补充证据")
    with pytest.raises(ApprovalError, match="is rejected, not pending"):
        approve(session, request_id=1, actor="lead2", now=NOW)
    with pytest.raises(ApprovalNeeded, match="#2 pending"):
        file_complaint(session, case)  # asking again is a new request
    assert [r.request.status for r in list_requests(session)] == ["pending", "rejected"]


def test_other_events_need_no_approval(session, approvals_on):
    case = make_case(session, stage="lit_filed")
    session.commit()
    event = add_event(session, case_id=case.id, kind="case_accepted", on=FILED, actor="s", now=NOW)
    assert event.id is not None and session.exec(select(ApprovalRequest)).all() == []


def test_nothing_is_asked_when_approvals_are_off(session):
    case = make_case(session, stage="demand_letter", route="litigation")
    session.commit()
    assert file_complaint(session, case).kind == "complaint_filed"
    assert session.exec(select(ApprovalRequest)).all() == []


def test_withdraw_by_the_requester_only(session):
    case = make_case(session)
    session.commit()
    with pytest.raises(ApprovalNeeded):
        gate(session, action="filing", case_id=case.id, payload={"x": 1}, actor="a", now=NOW,
             required=["filing"])  # fmt: skip
    with pytest.raises(ApprovalError, match="a's to withdraw"):
        withdraw(session, request_id=1, actor="b", now=NOW)
    assert withdraw(session, request_id=1, actor="a", now=NOW).status == "withdrawn"
    assert audit(session, "approval.withdraw")[0].object_id == case.ref


def test_an_approval_is_used_once_only(session):
    case = make_case(session)
    session.commit()
    kw = dict(action="filing", case_id=case.id, payload={"x": 1}, actor="a", now=NOW,
              required=["filing"])  # fmt: skip
    with pytest.raises(ApprovalNeeded):
        gate(session, **kw)
    approve(session, request_id=1, actor="lead", now=NOW)
    assert gate(session, **kw).id == 1
    session.commit()
    with pytest.raises(ApprovalNeeded, match="#2 pending"):
        gate(session, **kw)


def test_a_failed_action_keeps_its_approval(session):
    """The approval is used in the action's transaction: a rollback keeps it approved."""
    case = make_case(session)
    session.commit()
    kw = dict(action="filing", case_id=case.id, payload={"x": 1}, actor="a", now=NOW,
              required=["filing"])  # fmt: skip
    with pytest.raises(ApprovalNeeded):
        gate(session, **kw)
    approve(session, request_id=1, actor="lead", now=NOW)
    gate(session, **kw)
    session.rollback()
    assert session.get(ApprovalRequest, 1).status == "approved"


def _letter(session, case) -> GeneratedDocument:
    doc = GeneratedDocument(case_id=case.id, template_id="demand_letter", template_version="1",
                            template_sha256="0" * 64, context_sha256="0" * 64, context={},
                            cutoff=date(2026, 12, 1), sha256="a" * 64, path="x.docx",
                            actor="staff1", created_at=NOW - timedelta(days=2))  # fmt: skip
    session.add(doc)
    session.commit()
    return doc


def test_sending_a_demand_letter_waits_when_configured(session, approvals_on):
    case = make_case(session, stage="demand_letter", route="litigation")
    doc = _letter(session, case)
    with pytest.raises(ApprovalNeeded, match="#1 pending"):
        mark_sent(
            session, document_id=doc.id, on=FILED, actor="staff1", now=NOW, tracking_no="EMS1"
        )
    session.refresh(doc)
    assert doc.sent_on is None, "not marked sent before the approval"
    approve(session, request_id=1, actor="lead1", now=NOW)
    event = mark_sent(session, document_id=doc.id, on=FILED, actor="staff1", now=NOW,
                      tracking_no="EMS1")  # fmt: skip
    assert event.kind == "demand_letter_sent"
    session.refresh(doc)
    assert doc.sent_on == FILED
    assert session.get(ApprovalRequest, 1).payload == {"document_id": doc.id, "on": "2026-12-02",
                                                       "tracking_no": "EMS1"}  # fmt: skip


def test_accepting_escalations_waits_for_a_second_lead(session, approvals_on):
    make_user(session, username="staff1", role=Role.staff, password_hash="-")
    for n in (1, 2):
        loan = make_loan(session, overdue_since=date(2026, 6, 1), contract_no=f"HT-AP{n}")
        make_contact(session, loan, at=datetime(2026, 11, 20, 2, tzinfo=UTC))
    session.commit()
    today = date(2026, 12, 3)
    with pytest.raises(ApprovalNeeded, match="#1 pending") as asked:
        accept(session, contracts=None, today=today, now=NOW, actor="lead1", role=Role.lead)
    assert "accept 2 proposals on 2026-12-03: HT-AP1, HT-AP2" in str(asked.value)
    assert session.exec(select(Case)).all() == []
    approve(session, request_id=1, actor="lead2", now=NOW, role=Role.lead)
    report = accept(session, contracts=["HT-AP2", "HT-AP1"], today=today, now=NOW, actor="lead1",
                    role=Role.lead)  # fmt: skip
    assert report.loans == 2 and session.get(ApprovalRequest, 1).status == "used"
    (asked_entry,) = audit(session, "approval.request")
    assert asked_entry.object_type == "approval" and asked_entry.object_id == "1"
