"""Claim figures at a cut-off date: accrual, repayment allocation, caps, small claims."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from legal_track.claims.fees import SmallClaimsTrack
from legal_track.claims.figures import (
    ClaimError,
    cap_for,
    claim_for_case,
    claim_for_contract,
    claim_for_loan,
    lpr_on,
)
from legal_track.models import CaseEvent
from tests.factories import make_borrower, make_case, make_creditor, make_ledger, make_loan

D = Decimal
CUTOFF = date(2025, 6, 1)


def monthly_schedule():
    """12 instalments of 1,000 due on the 1st, 2025-02-01 .. 2026-01-01."""
    months = [date(2025, m, 1) for m in range(2, 13)] + [date(2026, 1, 1)]
    return [{"due_on": d.isoformat(), "principal": "1000.00", "interest": "0"} for d in months]


def worked_loan(session, lender_type="licensed", **kw):
    """Two instalments paid; overdue since 2025-04-01; a fee and a repayment after that."""
    creditor = make_creditor(session, lender_type=lender_type)
    values = dict(
        creditor_id=creditor.id, principal=D("12000.00"), outstanding_principal=D("10000.00"),
        annual_rate=D("0.18"), overdue_rate=D("0.27"), disbursed_on=date(2025, 1, 1),
        maturity_on=date(2026, 1, 1), overdue_since=date(2025, 4, 1), schedule=monthly_schedule(),
    )  # fmt: skip
    loan = make_loan(session, **(values | kw))
    make_ledger(session, loan, kind="repayment", amount=D("1000.00"), booked_on=date(2025, 2, 1))
    make_ledger(session, loan, kind="repayment", amount=D("1000.00"), booked_on=date(2025, 3, 1))
    make_ledger(session, loan, kind="fee", amount=D("50.00"), booked_on=date(2025, 4, 20))
    make_ledger(session, loan, kind="repayment", amount=D("100.00"), booked_on=date(2025, 5, 10))
    session.commit()
    return loan


def line(claim, key):
    return next(x for x in claim.lines if x.key == key).amount


def test_licensed_claim_below_the_cap(session):
    loan = worked_loan(session)
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=CUTOFF)
    # interest from 2025-03-01 (last paid instalment): 92 days, principal falls overdue
    # 1,000 on 04-01 and 2,000 on 05-01; overdue principal bears 27 % instead of 18 %.
    assert claim.interest_from == date(2025, 3, 1)
    assert claim.gross == {"interest": D("414.00"), "overdue_interest": D("69.00"),
                           "fees": D("50.00")}  # fmt: skip
    assert claim.cap_rule == "licensed_24pct" and claim.cap_allowed == D("613.33")
    assert claim.excess == D("0.00")
    # the 100 repaid after overdue_since pays the fee first, then overdue interest (art. 561)
    assert (claim.fees, claim.overdue_interest, claim.interest) == (D("0"), D("19.00"), D("414.00"))
    assert claim.repaid_to_charges == D("100.00")
    assert claim.total == D("10433.00") == line(claim, "total")
    assert line(claim, "repaid") == D("-100.00")


def test_private_lender_cap_cuts_the_excess_and_leaves_it_out(session):
    loan = worked_loan(session, lender_type="private")
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=CUTOFF)
    # contract date 2025-01-01: LPR 3.10 % (published 2024-12-20) -> cap 12.4 % all-in
    assert claim.cap_rule == "private_4x_lpr" and claim.cap_rate == D("0.124")
    assert claim.cap_allowed == D("316.89")
    assert claim.excess == D("216.11"), "533.00 charged - 316.89 allowed"
    assert (claim.fees, claim.overdue_interest, claim.interest) == (D(0), D(0), D("216.89"))
    assert claim.total == D("10216.89")
    assert line(claim, "excess") == D("-216.11")
    assert "4 x one-year LPR" in claim.cap_basis and "3.1%" in claim.cap_basis


def test_excess_can_be_kept_on_request(session):
    loan = worked_loan(session, lender_type="private")
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=CUTOFF, include_excess=True)
    assert claim.excess == D("216.11") and claim.total == D("10433.00")
    assert line(claim, "excess") == D("0")


def test_without_overdue_rate_all_principal_bears_the_contract_rate(session):
    loan = worked_loan(session, overdue_rate=None)
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=CUTOFF)
    assert claim.gross["interest"] == D("460.00"), "10,000 x 18 % / 360 x 92 days"
    assert claim.gross["overdue_interest"] == D("0.00")


def test_after_maturity_all_outstanding_principal_is_overdue(session):
    loan = worked_loan(session, overdue_rate=D("0.36"))
    claim = claim_for_loan(session, loan_id=loan.id, cutoff=date(2026, 1, 31))
    # from 2026-01-01 to 01-31: 30 days on the whole 10,000 at 36 %: 300.00 of the total
    before = claim_for_loan(session, loan_id=loan.id, cutoff=date(2026, 1, 1))
    assert claim.gross["overdue_interest"] - before.gross["overdue_interest"] == D("300.00")
    assert claim.gross["interest"] == before.gross["interest"]


def test_cutoff_before_disbursement_is_refused(session):
    loan = worked_loan(session)
    with pytest.raises(ClaimError, match="before the disbursement"):
        claim_for_loan(session, loan_id=loan.id, cutoff=date(2024, 12, 31))


def test_lpr_lookup():
    assert lpr_on(date(2025, 5, 20))[0] == D("0.03")
    assert lpr_on(date(2025, 5, 19))[0] == D("0.031")
    assert lpr_on(date(2019, 8, 20))[0] == D("0.0425")
    with pytest.raises(ClaimError, match="predates the LPR reform"):
        lpr_on(date(2019, 8, 19))
    assert lpr_on(date(2025, 10, 25))[2] == ""
    assert "append" in lpr_on(date(2027, 1, 1))[2], "a date long after the table is flagged"


@pytest.mark.parametrize(
    "lender_type, contract_on, rule_id, rate",
    [("private", date(2024, 1, 10), "private_4x_lpr", D("0.138")),
     ("private", date(2025, 6, 1), "private_4x_lpr", D("0.12")),
     ("private", date(2019, 12, 1), "private_24pct_2015", D("0.24")),
     ("licensed", date(2025, 6, 1), "licensed_24pct", D("0.24"))],
    ids=["private-2024", "private-2025", "private-before-2020-08-20", "licensed"],
)  # fmt: skip
def test_cap_rule_by_lender_type_and_contract_date(lender_type, contract_on, rule_id, rate):
    rule = cap_for(lender_type, contract_on)
    assert (rule.id, rule.rate) == (rule_id, rate)


def test_case_claim_adds_loans_and_checks_small_claims(session):
    borrower = make_borrower(session, id_number="330106199001011237")
    first = worked_loan(session, borrower_id=borrower.id)
    second = worked_loan(session, borrower_id=borrower.id, overdue_rate=None)
    case = make_case(session, loans=[first, second])
    session.commit()
    figures = claim_for_case(session, case_id=case.id, cutoff=CUTOFF)
    assert [c.loan_id for c in figures.loans] == [first.id, second.id]
    assert figures.principal == D("20000.00")
    assert figures.total == sum(c.total for c in figures.loans)
    assert figures.total == line(figures, "total")
    assert figures.small_claims.province == "浙江省" and figures.small_claims.year == 2025
    assert figures.small_claims.track is SmallClaimsTrack.unknown, "only Zhejiang 2022 ships"
    assert figures.court_fee is not None and figures.court_fee.fee > 0
    assert figures.delayed is None


def test_small_claims_track_with_the_shipped_threshold(session):
    loan = make_loan(session, creditor_id=make_creditor(session, lender_type="licensed").id,
                     disbursed_on=date(2021, 6, 1), maturity_on=date(2022, 6, 1), schedule=[],
                     overdue_since=date(2022, 1, 1))  # fmt: skip
    session.commit()
    figures = claim_for_contract(session, contract_no=loan.contract_no, cutoff=date(2022, 7, 1),
                                 province="浙江省")  # fmt: skip
    assert figures.total < D("54323")
    assert figures.small_claims.track is SmallClaimsTrack.mandatory
    assert figures.small_claims.mandatory_upto == D("54323")


def test_delayed_performance_after_an_effective_judgment(session):
    loan = worked_loan(session)
    case = make_case(session, loans=[loan])
    session.add(CaseEvent(case_id=case.id, kind="judgment_effective", on=date(2025, 5, 1),
                          actor="t", data={"performance_end": "2025-05-11"},
                          created_at=datetime(2025, 5, 1, tzinfo=UTC)))  # fmt: skip
    session.commit()
    figures = claim_for_case(session, case_id=case.id, cutoff=CUTOFF)
    assert figures.delayed.days == 21 and figures.delayed.amount == D("36.75"), (
        "10,000 x 0.0175 % x 21 days (2025-05-12 .. 2025-06-01)"
    )


def test_unknown_loan_and_contract(session):
    with pytest.raises(LookupError):
        claim_for_loan(session, loan_id=999, cutoff=CUTOFF)
    with pytest.raises(LookupError, match="X-1"):
        claim_for_contract(session, contract_no="X-1", cutoff=CUTOFF)
