"""The mediation route (诉前调解): its transitions, its deadlines counted on the holiday
calendar, and the limitation clock's view of a mediation application."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from legal_track.cases.events import add_event
from legal_track.cases.lifecycle import ROUTE_STAGES, Route, TransitionError, check_transition
from legal_track.limitation.clock import case_event
from legal_track.models import Case, Deadline
from tests.factories import make_case

D = date.fromisoformat


def _deadlines(session, case_id):
    session.expire_all()
    return {d.rule_id: d for d in session.exec(select(Deadline).where(Deadline.case_id == case_id))}


@pytest.fixture
def letter_case(session, owner):
    case = make_case(session, owner_id=owner.id, stage="demand_letter")
    session.commit()
    return case


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        ("demand_letter", "med_applied", True),
        ("med_applied", "med_agreement", True),
        ("med_applied", "lit_filed", True),
        ("med_agreement", "med_confirmed", True),
        ("med_agreement", "lit_filed", True),
        ("med_confirmed", "enf_applied", True),
        ("med_applied", "enf_applied", False),
        ("med_confirmed", "lit_filed", False),
        ("lit_filed", "med_applied", False),
    ],
    ids=lambda v: str(v),
)
def test_mediation_transitions(current, target, ok):
    if ok:
        check_transition(current, target)
    else:
        with pytest.raises(TransitionError, match="allowed next"):
            check_transition(current, target)


def test_mediation_route_lists_its_stages():
    stages = [s.value for s in ROUTE_STAGES[Route.mediation]]
    assert stages[:4] == ["demand_letter", "med_applied", "med_agreement", "med_confirmed"]
    assert "enf_applied" in stages


def test_a_mediation_from_application_to_enforcement(session, now, letter_case):
    cid = letter_case.id
    add_event(session, case_id=cid, kind="mediation_applied", on=D("2026-09-01"), actor="li",
              now=now, to_stage="med_applied", data={"mediator": "东城区人民调解委员会"})  # fmt: skip
    case = session.get(Case, cid)
    assert (case.route, case.stage) == ("mediation", "med_applied")
    d = _deadlines(session, cid)["mediation_period"]
    # 30 days from 09-01 end on 10-01, inside the National Day holiday (10/1-10/7)
    assert (d.raw_due, d.due) == (D("2026-10-01"), D("2026-10-08")), d.explanation_zh
    assert "委派调解" in d.basis and "顺延至 2026-10-08" in d.explanation_zh

    add_event(session, case_id=cid, kind="mediation_agreement", on=D("2026-09-10"), actor="li",
              now=now, to_stage="med_agreement", data={"effective_on": "2026-09-10"})  # fmt: skip
    dl = _deadlines(session, cid)
    assert dl["mediation_period"].status == "completed"
    c = dl["confirmation_application"]
    # 30 days from 09-10: 10-10, a make-up working Saturday: it does not move
    assert (c.raw_due, c.due) == (D("2026-10-10"), D("2026-10-10")), c.explanation_zh
    assert "第二百零五条" in c.basis and "人民调解法第三十三条" in c.basis

    add_event(session, case_id=cid, kind="mediation_confirmed", on=D("2026-09-25"), actor="li",
              now=now, to_stage="med_confirmed", data={"performance_end": "2026-12-31"})  # fmt: skip
    dl = _deadlines(session, cid)
    assert dl["confirmation_application"].status == "completed"
    e = dl["enforcement_application"]
    assert e.raw_due == D("2028-12-31") and e.provisional, e.explanation_zh
    add_event(session, case_id=cid, kind="enforcement_applied", on=D("2027-01-05"), actor="li",
              now=now, to_stage="enf_applied")  # fmt: skip
    assert session.get(Case, cid).stage == "enf_applied"


def test_a_failed_mediation_is_filed_as_litigation(session, now, letter_case):
    cid = letter_case.id
    add_event(session, case_id=cid, kind="mediation_applied", on=D("2026-09-01"), actor="li",
              now=now, to_stage="med_applied", data={"period_days": 45})  # fmt: skip
    d = _deadlines(session, cid)["mediation_period"]
    # extended by agreement to 45 days: 10-16 (a Friday), noted as beyond the usual 30
    assert d.due == D("2026-10-16") and "经当事人同意延长" in d.explanation_zh
    add_event(session, case_id=cid, kind="mediation_failed", on=D("2026-10-09"), actor="li",
              now=now, to_stage="lit_filed")  # fmt: skip
    case = session.get(Case, cid)
    assert (case.route, case.stage) == ("litigation", "lit_filed")
    assert _deadlines(session, cid)["mediation_period"].status == "completed"


def test_mediation_application_interrupts_limitation():
    ev = case_event(7, "mediation_applied", D("2026-09-01"), "LT-2026-000001")
    assert ev is not None and ev.kind == "filing"
    assert "第十二条" in ev.basis_zh
    agreed = case_event(8, "settlement_agreed", D("2026-09-01"))
    assert agreed is not None and "第一百九十五条第（二）项" in agreed.basis_zh
