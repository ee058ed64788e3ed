"""Cross-area behaviour: what one service records, the others see."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from legal_track.cases.events import add_event, delete_event
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


def test_cli_import_of_the_samples_refreshes_limitation_clocks(env):
    from typer.testing import CliRunner

    from legal_track.cli import app
    from legal_track.cli.common import session as cli_session
    from legal_track.models import Loan
    from legal_track.readme import ROOT

    samples = ROOT / "evidence" / "samples"
    runner = CliRunner()
    for kind, name in (("loans", "loans.csv"), ("ledger", "ledger_gbk.csv"),
                       ("contacts", "contacts.xlsx")):  # fmt: skip
        result = runner.invoke(app, ["import", kind, str(samples / name)])
        assert result.exit_code == 0, result.output
    with cli_session() as s:
        loan = s.exec(select(Loan).where(Loan.contract_no == "SAMPLE-0001")).one()
        clock = s.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
        # every sample contact predates maturity (2025-03-01), so nothing restarts the clock
        assert (clock.start_on, clock.expiry) == (date(2025, 3, 1), date(2028, 3, 1))
        assert len(s.exec(select(LimitationClock)).all()) == 5, "one clock per imported loan"
