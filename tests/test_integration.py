"""Cross-area behaviour: what one service records, the others see."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from legal_track.events import add_event, delete_event
from legal_track.models import LimitationClock
from tests.factories import make_case, make_loan


def _clock(session, loan_id):
    session.expire_all()
    return session.exec(select(LimitationClock).where(LimitationClock.loan_id == loan_id)).one()


def test_a_filing_event_restarts_the_stored_limitation_clock(session, now):
    loan = make_loan(session, maturity_on=date(2025, 1, 10), schedule=[])
    case = make_case(session, loans=[loan], stage="demand_letter", route="litigation")
    session.commit()
    event = add_event(session, case_id=case.id, kind="complaint_filed", on=date(2026, 3, 2),
                      actor="t", now=now, to_stage="lit_filed")  # fmt: skip
    clock = _clock(session, loan.id)
    assert clock.last_event_kind and clock.last_event_on == date(2026, 3, 2)
    assert clock.expiry == date(2029, 3, 2), "3 years from the filing date"
    delete_event(session, event_id=event.id, actor="t", now=now)
    clock = _clock(session, loan.id)
    assert clock.last_event_on is None, "deleting the filing takes its restart away"
    assert clock.expiry == date(2028, 1, 10)
