"""The case page's settlement tab: record an agreement, see its instalments and what it
pauses (AppTest)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from legal_track.cases.events import add_event
from legal_track.models import Deadline, Role, Settlement
from tests.factories import make_case

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)


def _open_tab(app, user, ref):
    at = app(user).run()
    at.switch_page("legal_track/ui/pages/case.py")
    at.query_params["ref"] = ref
    at.session_state["case.tabs"] = "和解与分期"
    return at.run()


def test_record_an_agreement_and_see_what_it_pauses(app, db, user_of):
    staff = user_of(Role.staff, username="staff_s")
    case = make_case(db, ref="LT-2026-800001", stage="demand_letter")
    db.commit()
    add_event(db, case_id=case.id, kind="demand_letter_delivered", on=date(2026, 11, 30),
              actor="t", now=NOW)  # fmt: skip
    add_event(db, case_id=case.id, kind="preservation_taken", on=date(2026, 11, 30), actor="t",
              now=NOW, data={"presuit": True})  # fmt: skip
    at = _open_tab(app, staff, case.ref)
    assert not at.exception, at.exception
    assert any("尚无和解" in c.value for c in at.caption)
    at.date_input(key="case.settlement.agreed").set_value(date(2026, 12, 1))
    at.text_area(key="case.settlement.paste").set_value("2026-12-31,600\n2027-01-31,600")
    at.button(key="FormSubmitter:case.settlement.add-记录协议").click().run()
    assert not at.exception, at.exception
    assert any("2 期" in s.value for s in at.success), [e.value for e in at.error]
    agreement = db.exec(select(Settlement)).scalars().one()
    assert str(agreement.total) == "1200.00"
    db.expire_all()
    status = {d.rule_id: d.status for d in db.exec(select(Deadline)).scalars()}
    assert status["demand_letter_payment"] == "paused"
    assert status["presuit_preservation_sue"] == "open"
    at = _open_tab(app, staff, case.ref)
    assert not at.exception, at.exception
    frames = [df.value for df in at.dataframe]
    effects = next(f for f in frames if "和解的影响" in f.columns)
    assert set(effects["和解的影响"]) == {"履行期间暂停", "不能暂停"}
    instalments = next(f for f in frames if "期次" in f.columns)
    assert list(instalments["状态"]) == ["待付", "待付"]


def test_a_bad_plan_is_refused_with_its_line(app, db, user_of):
    staff = user_of(Role.staff, username="staff_t")
    case = make_case(db, ref="LT-2026-800002", stage="demand_letter")
    db.commit()
    at = _open_tab(app, staff, case.ref)
    at.text_area(key="case.settlement.paste").set_value("2026-12-31,abc")
    at.button(key="FormSubmitter:case.settlement.add-记录协议").click().run()
    assert not at.exception, at.exception
    assert any("row 2, column amount" in e.value for e in at.error)
    assert db.exec(select(Settlement)).scalars().all() == []


def test_a_viewer_sees_the_tab_without_the_form(app, db, user_of):
    viewer = user_of(Role.viewer, username="viewer_s")
    case = make_case(db, ref="LT-2026-800003", stage="demand_letter")
    db.commit()
    at = _open_tab(app, viewer, case.ref)
    assert not at.exception, at.exception
    assert not [b for b in at.button if "settlement" in (b.key or "")]
