"""Settlement agreements: ledger payments allocated to instalments; an agreement pauses
the case's internal deadlines and not the statutory ones; a missed instalment is
recorded once, resumes the paused deadlines with the days left and proposes the next
step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from legal_track.cases.events import add_event
from legal_track.models import CaseEvent, Deadline, DeadlineNotice, Settlement
from legal_track.settlements import (
    InstalmentState,
    PlanError,
    PlannedInstalment,
    allocate,
    case_settlements,
    check_settlements,
    read_plan,
    record_agreement,
)
from tests.factories import make_case, make_ledger, make_loan

D = date.fromisoformat
Y = Decimal


def _deadlines(session, case_id):
    session.expire_all()
    return {d.rule_id: d for d in session.exec(select(Deadline).where(Deadline.case_id == case_id))}


def _plan(*items):
    return [PlannedInstalment(i + 1, D(d), Y(a)) for i, (d, a) in enumerate(items)]


def test_payments_fill_the_instalments_in_due_order():
    inst = [(1, D("2026-06-30"), Y("500.00")), (2, D("2026-07-31"), Y("500.00")),
            (3, D("2026-08-31"), Y("500.00"))]  # fmt: skip
    pays = [(D("2026-06-20"), 30000), (D("2026-07-02"), 40000), (D("2026-09-30"), 99999)]
    views = allocate(inst, pays, grace_days=3, today=D("2026-08-10"))
    assert [(v.paid, v.state) for v in views] == [
        (Y("500.00"), InstalmentState.paid),  # completed 07-02, within 06-30 + 3 days
        (Y("200.00"), InstalmentState.missed),
        (Y("0.00"), InstalmentState.due),  # the 09-30 payment is after `today`
    ]
    views = allocate(inst, pays[:1] + [(D("2026-07-03"), 20000)], grace_days=3,
                     today=D("2026-07-03"))  # fmt: skip
    assert [v.state for v in views] == [InstalmentState.paid, InstalmentState.due,
                                        InstalmentState.due]  # fmt: skip
    views = allocate(inst, [(D("2026-07-05"), 10000)], grace_days=3, today=D("2026-07-05"))
    assert views[0].state is InstalmentState.missed and views[0].paid == Y("100.00")
    views = allocate(inst[1:], [(D("2026-07-05"), 10000)], grace_days=3, today=D("2026-07-05"))
    assert views[0].state is InstalmentState.partly


def test_plan_file_errors_name_row_and_column():
    with pytest.raises(PlanError) as err:
        read_plan("due_on,amount\n2026-06-30,500\n2026-13-01,500\n2026-08-31,abc\n",
                  source="plan.csv")  # fmt: skip
    assert "plan.csv row 3, column due_on" in str(err.value)
    assert "plan.csv row 4, column amount" in str(err.value)
    with pytest.raises(PlanError, match="not after"):
        read_plan("应付日,金额\n2026-07-30,500\n2026-06-30,500\n")
    assert [i.amount for i in read_plan('due_on,amount\n2026-06-30,"1,500.50"\n')] == [Y("1500.50")]


@pytest.fixture
def letter_case(session, owner):
    loan = make_loan(session)
    case = make_case(session, loans=[loan], owner_id=owner.id, stage="demand_letter",
                     opened_on=D("2026-05-20"))  # fmt: skip
    session.commit()
    return case, loan


def test_agreement_pauses_internal_deadlines_and_not_statutory_ones(session, now, letter_case):
    _pause_track_resume(session, now, *letter_case)


def test_pause_track_resume_on_postgresql(now):
    import os

    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from legal_track.db import make_engine, migrate
    from tests.components import pg_url
    from tests.factories import make_user

    url = make_url(pg_url())
    name = f"lt_settle_{os.getpid()}"
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        migrate(engine)
        with Session(engine) as s:
            owner = make_user(s, username="pg_owner")
            loan = make_loan(s)
            case = make_case(s, loans=[loan], owner_id=owner.id, stage="demand_letter",
                             opened_on=D("2026-05-20"))  # fmt: skip
            s.commit()
            _pause_track_resume(s, now, case, loan)
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _pause_track_resume(session, now, case, loan):
    add_event(session, case_id=case.id, kind="demand_letter_delivered", on=D("2026-06-01"),
              actor="li", now=now)  # 7 days: 06-08 (Monday)  # fmt: skip
    add_event(session, case_id=case.id, kind="preservation_taken", on=D("2026-06-02"),
              actor="li", now=now, data={"presuit": True})  # sue within 30 days: 07-02  # fmt: skip
    record_agreement(session, case_id=case.id, kind="pre_litigation", agreed_on=D("2026-06-03"),
                     instalments=_plan(("2026-06-30", "500"), ("2026-07-31", "500")),
                     grace_days=3, actor="li", now=now)  # fmt: skip
    dl = _deadlines(session, case.id)
    letter, sue = dl["demand_letter_payment"], dl["presuit_preservation_sue"]
    assert letter.status == "paused", letter.explanation_zh
    assert "剩余5日" in letter.explanation_zh and "非法定期间" in letter.explanation_zh
    assert (sue.status, sue.due) == ("open", D("2026-07-02"))
    [view] = case_settlements(session, case_id=case.id, today=D("2026-06-10"))
    effects = {e.rule_id: e for e in view.effects}
    assert effects["demand_letter_payment"].mode == "pause"
    assert effects["presuit_preservation_sue"].mode == "none"
    assert "第八十六条" in effects["presuit_preservation_sue"].why_zh
    assert view.agreement.total == Y("1000.00")

    # instalment 1 paid on time from the ledger; instalment 2 never paid
    make_ledger(session, loan, amount=Y("500.00"), booked_on=D("2026-06-29"))
    session.commit()
    assert check_settlements(session, today=D("2026-08-03"), now=now).missed == []  # grace
    report = check_settlements(session, today=D("2026-08-04"), now=now)
    assert report.missed == [f"{case.ref}: instalment 2 due 2026-07-31"]
    [view] = case_settlements(session, case_id=case.id, today=D("2026-08-04"))
    assert [i.state for i in view.instalments] == [InstalmentState.paid, InstalmentState.missed]
    letter = _deadlines(session, case.id)["demand_letter_payment"]
    # resumes on 08-05 for the 5 days left: 08-09 is a Sunday, so 08-10
    assert (letter.status, letter.raw_due, letter.due) == ("open", D("2026-08-09"),
                                                          D("2026-08-10")), letter.explanation_zh  # fmt: skip
    assert "恢复计算剩余5日" in letter.explanation_zh
    assert "resumes the next day for the 5 days left" in letter.explanation_en
    # the check is idempotent: one missed event, one notice to the owner
    check_settlements(session, today=D("2026-08-20"), now=now)
    missed = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                  CaseEvent.kind == "instalment_missed")).all()  # fmt: skip
    assert [(e.on, e.data["instalment_no"], e.data["unpaid"]) for e in missed] == [
        (D("2026-08-04"), 2, "500.00")
    ]
    [notice] = session.exec(select(DeadlineNotice).where(DeadlineNotice.case_id == case.id)).all()
    assert notice.owner_id == case.owner_id and "起诉" in notice.message_zh
    from legal_track.reminders.sources import notice_entries

    assert [o for o, e in notice_entries(session) if "第2期" in e.message_zh] == [case.owner_id]
    assert session.get(Settlement, view.agreement.id).status == "missed"


def test_a_plan_paid_in_full_is_completed_once(session, now, letter_case):
    case, loan = letter_case
    record_agreement(session, case_id=case.id, kind="pre_litigation", agreed_on=D("2026-06-03"),
                     instalments=_plan(("2026-06-30", "300"), ("2026-07-31", "300")),
                     actor="li", now=now)  # fmt: skip
    make_ledger(session, loan, amount=Y("600.00"), booked_on=D("2026-06-28"))
    make_ledger(session, loan, amount=Y("999.00"), booked_on=D("2026-06-01"))  # before: ignored
    session.commit()
    assert check_settlements(session, today=D("2026-07-01"), now=now).completed == [case.ref]
    assert check_settlements(session, today=D("2026-07-02"), now=now).checked == 0
    done = session.exec(select(CaseEvent).where(CaseEvent.kind == "settlement_completed")).all()
    assert [(e.on, e.data["amount"]) for e in done] == [(D("2026-06-28"), "600.00")]


def test_enforcement_settlement_restarts_the_period_to_resume(session, now, owner):
    case = make_case(session, owner_id=owner.id, stage="enf_accepted")
    session.commit()
    record_agreement(session, case_id=case.id, kind="enforcement", agreed_on=D("2026-03-02"),
                     instalments=_plan(("2026-06-30", "800"), ("2026-12-31", "800")),
                     actor="li", now=now)  # fmt: skip
    d = _deadlines(session, case.id)["enforcement_resume_application"]
    # two years from the last performance date agreed (CPL Interpretation art. 466)
    assert d.raw_due == D("2028-12-31") and "第四百六十六条" in d.basis, d.explanation_zh


def test_bad_agreements_write_nothing(session, now, letter_case):
    case, _ = letter_case
    with pytest.raises(PlanError, match="before the agreement"):
        record_agreement(session, case_id=case.id, kind="pre_litigation",
                         agreed_on=D("2026-07-01"), instalments=_plan(("2026-06-30", "1")),
                         actor="li", now=now)  # fmt: skip
    with pytest.raises(PlanError, match="kind"):
        record_agreement(session, case_id=case.id, kind="handshake", agreed_on=D("2026-06-01"),
                         instalments=_plan(("2026-06-30", "1")), actor="li", now=now)  # fmt: skip
    session.rollback()
    assert session.exec(select(Settlement)).all() == []


def test_only_the_team_records_an_agreement(session, now, letter_case):
    case, _ = letter_case
    for role in ("viewer", "counsel"):
        with pytest.raises(PermissionError, match=role):
            record_agreement(session, case_id=case.id, kind="pre_litigation",
                             agreed_on=D("2026-06-01"), instalments=_plan(("2026-06-30", "1")),
                             actor="x", now=now, role=role)  # fmt: skip
    record_agreement(session, case_id=case.id, kind="pre_litigation", agreed_on=D("2026-06-01"),
                     instalments=_plan(("2026-06-30", "1")), actor="x", now=now, role="staff")  # fmt: skip
