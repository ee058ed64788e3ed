"""Limitation clock scenarios: what restarts the three years, what does not, and why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from legal_track.limitation import (
    Risk,
    clock_for_contract,
    clock_for_loan,
    clocks_for_case,
    risk_for,
)
from legal_track.models import CaseEvent
from tests.factories import at, make_case, make_contact, make_ledger, make_loan

TODAY = date(2026, 11, 29)
MATURITY = date(2023, 1, 10)  # + 3 years = 2026-01-10, a Saturday -> Monday 2026-01-12
NO_EVENT_EXPIRY = date(2026, 1, 12)


@pytest.fixture
def loan(session):
    return make_loan(session, maturity_on=MATURITY, schedule=[])


def clock(session, loan, calendar, today=TODAY):
    session.commit()
    return clock_for_loan(session, loan_id=loan.id, today=today, calendar=calendar)


def add_event(session, case, kind, on, **data):
    ev = CaseEvent(case_id=case.id, kind=kind, on=on, actor="tester", data=data,
                   created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    session.add(ev)
    session.flush()
    return ev


def test_without_events_the_clock_runs_three_years_from_maturity_and_rolls_off_a_weekend(
    session, loan, calendar
):
    result = clock(session, loan, calendar)
    assert result.start == MATURITY and not result.start_from_schedule
    assert result.expiry == NO_EVENT_EXPIRY, (
        "2026-01-10 is a Saturday: the last day moves to Monday"
    )
    assert result.conservative_expiry == NO_EVENT_EXPIRY
    assert result.last_event is None
    assert result.risk is Risk.expired and result.days_left < 0
    assert "2026-01-10" in result.explanation_zh and "第二百零三条" in result.explanation_zh
    assert "Civil Code art. 203" in result.explanation_en


def test_last_instalment_due_date_starts_the_clock(session, calendar):
    schedule = [
        {"due_on": "2023-02-02", "principal": "500.00", "interest": "10.00"},
        {"due_on": "2023-03-02", "principal": "500.00", "interest": "10.00"},
    ]
    loan = make_loan(session, maturity_on=date(2023, 1, 10), schedule=schedule)
    result = clock(session, loan, calendar)
    assert result.start == date(2023, 3, 2) and result.start_from_schedule
    assert result.expiry == date(2026, 3, 2), "the last instalment, not maturity, starts it"
    assert "最后一期还款到期日" in result.explanation_zh and "art. 189" in result.explanation_en


def test_failed_sms_does_not_restart(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 6, 6)), delivery_status="failed")
    result = clock(session, loan, calendar)
    assert result.expiry == NO_EVENT_EXPIRY, "a failed delivery never interrupts"
    assert result.events == [] and result.ignored == {"failed": 1}
    assert "送达失败1条" in result.explanation_zh
    assert "1 failed" in result.explanation_en


def test_unknown_delivery_does_not_restart_and_the_explanation_says_so(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 6, 6)), delivery_status="unknown")
    result = clock(session, loan, calendar)
    assert result.expiry == NO_EVENT_EXPIRY
    assert result.ignored == {"unknown": 1}
    assert "送达状态不明1条" in result.explanation_zh and "1 unconfirmed" in result.explanation_en


@pytest.mark.parametrize("channel", ["sms", "email", "app", "letter", "visit"])
def test_delivered_demand_restarts_the_full_three_years(session, loan, calendar, channel):
    row = make_contact(session, loan, at=at(date(2025, 6, 6)), channel=channel,
                       target="13812345678")  # fmt: skip
    result = clock(session, loan, calendar)
    assert result.expiry == date(2028, 6, 6) and result.conservative_expiry == date(2028, 6, 6)
    last = result.last_event
    assert (last.kind, last.source, last.source_id, last.certain) == (
        "demand",
        "contact_log",
        str(row.id),
        True,
    )
    assert "138****5678" in last.proof and "13812345678" not in last.proof, "target is masked"
    assert "art. 8" in last.basis and result.risk is Risk.ok
    assert result.provisional, "2028 has no loaded holiday notice"


def test_inbound_message_is_not_a_demand(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 6, 6)), direction="inbound")
    assert clock(session, loan, calendar).expiry == NO_EVENT_EXPIRY


def test_contact_date_is_the_shanghai_day(session, loan, calendar):
    # 2023-10-01 01:00 in Shanghai is still 2023-09-30 in UTC
    make_contact(session, loan, at=at(date(2023, 10, 1), hour=1))
    result = clock(session, loan, calendar)
    assert result.last_event.on == date(2023, 10, 1)
    assert result.expiry == date(2026, 10, 8), "2026-10-01 is National Day: rolls to 10-08"
    assert not result.provisional


def test_repayment_restarts(session, loan, calendar):
    make_ledger(session, loan, kind="repayment", booked_on=date(2025, 3, 1), reference="HK-1")
    make_ledger(session, loan, kind="fee", booked_on=date(2025, 6, 6), reference="FY-1")
    result = clock(session, loan, calendar)
    assert result.expiry == date(2028, 3, 1), "the fee entry is not an act of the debtor"
    assert (result.last_event.kind, result.last_event.source_id) == ("repayment", "HK-1")
    assert "ledger HK-1" in result.last_event.proof


def test_promise_restarts_in_both_dates(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 3, 1)), channel="call",
                 promise_date=date(2025, 3, 8), promise_amount=Decimal("500.00"))  # fmt: skip
    result = clock(session, loan, calendar)
    assert result.expiry == result.conservative_expiry == date(2028, 3, 1)
    assert result.last_event.kind == "promise" and result.last_event.certain


def test_promise_on_a_failed_contact_does_not_count(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 3, 1)), channel="call",
                 delivery_status="failed", promise_date=date(2025, 3, 8))  # fmt: skip
    assert clock(session, loan, calendar).expiry == NO_EVENT_EXPIRY


@pytest.mark.parametrize(
    "kind, expected_kind",
    [
        ("complaint_filed", "filing"),
        ("arbitration_applied", "filing"),
        ("payment_order_applied", "filing"),
        ("preservation_applied", "filing"),
        ("enforcement_applied", "filing"),
        ("demand_letter_delivered", "demand_letter"),
        ("settlement", "promise"),
    ],
)
def test_case_events_restart(session, loan, calendar, kind, expected_kind):
    case = make_case(session, loans=[loan])
    ev = add_event(session, case, kind, date(2025, 3, 1))
    result = clock(session, loan, calendar)
    assert result.expiry == date(2028, 3, 1)
    last = result.last_event
    assert (last.kind, last.source, last.source_id) == (expected_kind, "case_event", str(ev.id))
    assert case.ref in last.proof


def test_filing_explanation_says_the_date_is_conservative(session, loan, calendar):
    add_event(session, make_case(session, loans=[loan]), "complaint_filed", date(2025, 3, 1))
    result = clock(session, loan, calendar)
    assert "程序终结" in result.explanation_zh and "proceedings end" in result.explanation_en


@pytest.mark.parametrize("kind", ["demand_letter_sent", "case_accepted", "hearing_scheduled"])
def test_other_case_events_do_not_restart(session, loan, calendar, kind):
    add_event(session, make_case(session, loans=[loan]), kind, date(2025, 3, 1))
    assert clock(session, loan, calendar).expiry == NO_EVENT_EXPIRY


def test_connected_calls_count_only_in_the_main_date(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 3, 1)), channel="sms")
    call = make_contact(session, loan, at=at(date(2025, 6, 6)), channel="call")
    result = clock(session, loan, calendar)
    assert result.expiry == date(2028, 6, 6), "the main date counts the connected call"
    assert result.conservative_expiry == date(2028, 3, 1), "the conservative date ignores it"
    assert result.last_event.kind == "call" and not result.last_event.certain
    assert result.last_event.source_id == str(call.id)
    assert result.conservative_last_event.kind == "demand"
    assert "2028-03-01" in result.explanation_zh and "evidence-dependent" in result.explanation_en


def test_a_failed_call_counts_nowhere(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 6, 6)), channel="call", delivery_status="failed")
    result = clock(session, loan, calendar)
    assert result.expiry == result.conservative_expiry == NO_EVENT_EXPIRY


def test_event_after_expiry_revives_nothing(session, loan, calendar):
    make_ledger(session, loan, kind="repayment", booked_on=date(2026, 3, 1), reference="HK-LATE")
    result = clock(session, loan, calendar)
    assert result.expiry == NO_EVENT_EXPIRY and result.risk is Risk.expired
    assert [e.source_id for e in result.late_events] == ["HK-LATE"]
    assert "第一百九十二条" in result.explanation_zh, "a late payment may waive the defence"


def test_chain_of_interruptions_keeps_restarting(session, loan, calendar):
    make_contact(session, loan, at=at(date(2025, 3, 1)))
    make_ledger(session, loan, kind="repayment", booked_on=date(2023, 6, 1), reference="HK-A")
    result = clock(session, loan, calendar)
    assert result.expiry == date(2028, 3, 1)
    assert [e.on for e in result.events] == [date(2023, 6, 1), date(2025, 3, 1)]


def test_twenty_year_longstop_is_never_interrupted(session, calendar):
    loan = make_loan(session, disbursed_on=date(2003, 1, 10), maturity_on=date(2004, 1, 10),
                     schedule=[])  # fmt: skip
    for year in range(2006, 2026, 2):  # a repayment every two years keeps the chain alive
        make_ledger(session, loan, kind="repayment", booked_on=date(year, 6, 1),
                    reference=f"HK{year}")  # fmt: skip
    result = clock(session, loan, calendar)
    assert result.longstop == date(2024, 1, 10)
    assert result.expiry == result.conservative_expiry == date(2024, 1, 10)
    assert result.risk is Risk.expired
    assert "20年" in result.explanation_zh and "longstop" in result.explanation_en


@pytest.mark.parametrize(
    "days_left, risk",
    [(400, Risk.ok), (180, Risk.ok), (179, Risk.lt180), (90, Risk.lt180), (89, Risk.lt90),
     (0, Risk.lt90), (-1, Risk.expired)],
    ids=["400d-ok", "180d-ok", "179d-lt180", "90d-lt180", "89d-lt90", "0d-lt90", "past-expired"],
)  # fmt: skip
def test_risk_levels(days_left, risk):
    expiry = date(2027, 6, 1)
    assert risk_for(expiry, date.fromordinal(expiry.toordinal() - days_left)) == (risk, days_left)


def test_risk_is_measured_against_the_conservative_date(session, loan, calendar):
    make_contact(session, loan, at=at(date(2024, 3, 1)))  # conservative: 2027-03-01
    make_contact(session, loan, at=at(date(2025, 6, 6)), channel="call")  # main: 2028-06-06
    result = clock(session, loan, calendar, today=date(2026, 12, 15))
    assert result.conservative_expiry == date(2027, 3, 1)
    assert result.risk is Risk.lt90 and result.days_left == 76


def test_clock_by_contract_and_for_a_case(session, calendar):
    first = make_loan(session, maturity_on=MATURITY, schedule=[])
    second = make_loan(session, borrower_id=first.borrower_id, maturity_on=date(2024, 5, 9))
    case = make_case(session, loans=[first, second])
    session.commit()
    by_no = clock_for_contract(session, contract_no=first.contract_no, today=TODAY,
                               calendar=calendar)  # fmt: skip
    assert by_no.loan_id == first.id
    results = clocks_for_case(session, case_id=case.id, today=TODAY, calendar=calendar)
    assert [r.loan_id for r in results] == [first.id, second.id]
    assert results[1].expiry == date(2027, 5, 10), "2027-05-09 is a Sunday"


def test_unknown_contract_is_a_lookup_error(session, calendar):
    with pytest.raises(LookupError, match="NOPE"):
        clock_for_contract(session, contract_no="NOPE", today=TODAY, calendar=calendar)


def test_calendar_defaults_to_the_database_calendar(session, loan):
    session.commit()
    result = clock_for_loan(session, loan_id=loan.id, today=TODAY)
    assert result.expiry == NO_EVENT_EXPIRY
