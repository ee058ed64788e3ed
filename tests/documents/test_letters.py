"""Demand letters: sent -> case event; delivered -> payment deadline and limitation restart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from legal_track.documents.errors import DocumentError
from legal_track.documents.letters import mark_sent, record_delivery
from legal_track.documents.render import render_document
from legal_track.models import CaseEvent, CaseLoan, Deadline, LimitationClock
from tests.documents.conftest import full_case


@pytest.fixture
def letter(session, now, settings, tmp_path):
    case = full_case(session)
    return render_document(session, template_id="demand_letter", case_id=case.id, actor="alice", now=now,
                           out=tmp_path / "letter.docx", settings=settings)  # fmt: skip


def test_sending_records_the_event(session, now, letter):
    event = mark_sent(session, document_id=letter.id, on=date(2026, 11, 30), actor="alice",
                      now=now + timedelta(days=1), tracking_no="EMS123")  # fmt: skip
    assert (event.kind, event.on, event.data) == (
        "demand_letter_sent",
        date(2026, 11, 30),
        {"tracking_no": "EMS123"},
    )
    assert f"document {letter.id}" in event.note
    session.refresh(letter)
    assert letter.sent_on == date(2026, 11, 30) and letter.tracking_no == "EMS123"
    with pytest.raises(DocumentError, match="already recorded as sent"):
        mark_sent(session, document_id=letter.id, on=date(2026, 12, 1), actor="a", now=now)


def test_only_demand_letters_are_sent(session, now, settings, tmp_path):
    case = full_case(session)
    poa = render_document(session, template_id="power_of_attorney", case_id=case.id, actor="a", now=now,
                          out=tmp_path / "p.docx", settings=settings)  # fmt: skip
    with pytest.raises(DocumentError, match="is a power_of_attorney, not a demand letter"):
        mark_sent(session, document_id=poa.id, on=date(2026, 11, 29), actor="a", now=now)


def test_delivery_creates_the_payment_deadline_and_restarts_limitation(session, now, letter):
    mark_sent(
        session,
        document_id=letter.id,
        on=date(2026, 11, 30),
        actor="a",
        now=now + timedelta(days=1),
    )
    later = now + timedelta(days=10)
    event = record_delivery(session, case_id=letter.case_id, signed_on=date(2026, 12, 3), actor="a", now=later,
                            tracking_no="EMS123", payment_days=10, document_id=letter.id)  # fmt: skip
    assert event.kind == "demand_letter_delivered" and event.data["payment_days"] == 10
    session.refresh(letter)
    assert letter.delivered_on == date(2026, 12, 3)
    deadline = session.exec(select(Deadline).where(Deadline.case_id == letter.case_id,
                                                   Deadline.rule_id == "demand_letter_payment")).one()  # fmt: skip
    assert deadline.trigger_date == date(2026, 12, 3) and deadline.raw_due == date(2026, 12, 13)
    loan_id = session.exec(select(CaseLoan.loan_id).where(CaseLoan.case_id == letter.case_id)).one()
    clock = session.exec(select(LimitationClock).where(LimitationClock.loan_id == loan_id)).one()
    assert clock.last_event_on == date(2026, 12, 3)
    assert clock.expiry >= date(2029, 12, 3), "a delivered demand restarts the three years"
    kinds = [
        e.kind for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == letter.case_id))
    ]
    assert kinds == ["demand_letter_sent", "demand_letter_delivered"]


def test_delivery_dates_are_checked(session, now, letter):
    mark_sent(
        session,
        document_id=letter.id,
        on=date(2026, 11, 30),
        actor="a",
        now=now + timedelta(days=1),
    )
    with pytest.raises(DocumentError, match="before the letter was sent"):
        record_delivery(session, case_id=letter.case_id, signed_on=date(2026, 11, 29), actor="a",
                        now=now + timedelta(days=2), document_id=letter.id)  # fmt: skip
    with pytest.raises(DocumentError, match="in the future"):
        record_delivery(
            session, case_id=letter.case_id, signed_on=date(2027, 1, 1), actor="a", now=now
        )
