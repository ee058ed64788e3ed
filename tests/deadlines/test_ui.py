"""The deadline board, the calendar admin page and the case timeline tab (AppTest)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import (
    CalendarYear,
    CaseEvent,
    Deadline,
    DeadlineNotice,
    DeadlineStatus,
    NoticeKind,
    Role,
    User,
)
from legal_track.ui.context import USER_KEY, UserInfo, today
from tests.calendar.notices import NOTICE_2027_TOML
from tests.factories import T0, deadline_values, make_case

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60
_n = itertools.count(1)


@pytest.fixture
def db(env) -> Iterator[Session]:
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def _user(db, role: Role) -> User:
    n = next(_n)
    user = User(username=f"ui{n}", display_name=f"用户{n}", role=role, password_hash="-",
                created_at=T0)  # fmt: skip
    db.add(user)
    db.commit()
    return user


def _app(user: User, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state[USER_KEY] = UserInfo.of(user)
    at.run()
    if page:
        at.switch_page(f"legal_track/ui/pages/{page}.py")
        at.run()
    assert not at.exception, at.exception
    return at


def _deadline(db, case, due: date, **kw) -> Deadline:
    values = dict(case_id=case.id, rule_id="appeal_judgment", rule_version="2022-01-01",
                  trigger_date=due - timedelta(days=15), raw_due=due, due=due, basis="b",
                  explanation_zh=f"说明 {due}", explanation_en=f"explained {due}",
                  severity="fatal", computed_at=T0)  # fmt: skip
    d = Deadline(**deadline_values(db, values | kw))
    db.add(d)
    db.commit()
    return d


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_board_buckets_owner_filter_and_complete(db):
    staff = _user(db, Role.staff)
    mine = make_case(db, owner_id=staff.id)
    other = make_case(db)
    db.commit()
    day = today()
    late = _deadline(db, mine, day - timedelta(days=3))
    _deadline(db, mine, day)
    _deadline(db, mine, day + timedelta(days=3))
    _deadline(db, other, day + timedelta(days=40))
    at = _app(staff, "deadlines")
    assert _texts(at.title) == ["期限看板"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"已逾期": "1", "今日到期": "1", "本周（7日内）": "1", "以后": "0"}, (
        "staff see their own cases by default"
    )
    rows = at.dataframe[0].value.to_dict("records")
    assert [r["案件编号"] for r in rows] == [mine.ref] and rows[0]["剩余天数"] == -3
    at.selectbox(key="deadlines.owner").set_value(0).run()  # all owners
    assert {m.label: m.value for m in at.metric}["以后"] == "1"

    at.selectbox(key="deadlines.target").set_value(late.id)
    at.radio(key="deadlines.action").set_value("complete")
    at.text_input(key="deadlines.note").input("已提交上诉状")
    at.button(key="deadlines.submit").click().run()
    assert not at.exception
    assert f"期限 {late.id} 已完成。" in _texts(at.success)
    db.expire_all()
    done = db.get(Deadline, late.id)
    assert (done.status, done.done_by, done.done_note) == (
        DeadlineStatus.completed,
        staff.username,
        "已提交上诉状",
    )


def test_board_refuses_waive_without_reason_and_shows_notices(db):
    staff = _user(db, Role.staff)
    case = make_case(db, owner_id=staff.id)
    db.commit()
    d = _deadline(db, case, today() - timedelta(days=1))
    db.add(DeadlineNotice(deadline_id=d.id, case_id=case.id, owner_id=staff.id,
                          kind=NoticeKind.calendar_moved, rule_id="appeal_judgment",
                          old_due=d.due, new_due=d.due, message_zh="期限变动了",
                          message_en="moved", created_at=T0))  # fmt: skip
    db.commit()
    at = _app(staff, "deadlines")
    assert "期限变动了" in _texts(at.warning)
    at.radio(key="deadlines.action").set_value("waive")
    at.button(key="deadlines.submit").click().run()
    assert "waiving needs a reason" in _texts(at.error)[0]
    at.button(key="deadlines.notices_seen").click().run()
    db.expire_all()
    assert db.exec(select(DeadlineNotice)).one().seen_at is not None
    assert "期限变动了" not in _texts(at.warning)


def test_viewer_sees_the_board_without_actions(db):
    viewer = _user(db, Role.viewer)
    case = make_case(db)
    db.commit()
    _deadline(db, case, today())
    at = _app(viewer, "deadlines")
    assert not at.exception
    assert len(at.get("radio")) == 0, "no action form for a viewer"


def test_calendar_admin_loads_a_notice_and_shows_a_year(db):
    admin = _user(db, Role.admin)
    at = _app(admin, "calendar_admin")
    assert _texts(at.title) == ["节假日日历"]
    at.number_input(key="calendar_admin.year").set_value(2027).run()
    assert {m.label: m.value for m in at.metric}["状态"] == "暂定"
    at.get("file_uploader")[0].upload("2027.toml", NOTICE_2027_TOML.encode("utf-8"))
    at.run()
    assert not at.exception, at.exception
    assert any("休息日 10 天，调休上班日 1 天" in m for m in _texts(at.markdown))
    at.button(key="calendar_admin.confirm").click().run()
    assert any("已载入2027年安排" in m for m in _texts(at.success))
    db.expire_all()
    assert db.get(CalendarYear, 2027).loaded_by == admin.username
    assert {m.label: m.value for m in at.metric}["状态"] == "正式安排"


def test_calendar_admin_is_for_admins_only(db):
    staff = _user(db, Role.staff)
    at = _app(staff)
    with pytest.raises(ValueError):
        at.switch_page("legal_track/ui/pages/calendar_admin.py")


def _timeline(db, role: Role, stage: str = "lit_served"):
    user = _user(db, role)
    case = make_case(db, owner_id=user.id, stage=stage)
    db.commit()
    at = _app(user, "case")
    at.query_params["ref"] = case.ref
    at.run()
    at.session_state["case.tabs"] = "时间线"
    at.run()
    assert not at.exception, at.exception
    return at, case


def test_timeline_previews_then_saves_an_event(db):
    at, case = _timeline(db, Role.staff)
    at.selectbox(key="timeline.kind").set_value("judgment_served").run()
    at.date_input(key="timeline.on").set_value(date(2026, 9, 21)).run()
    assert at.selectbox(key="timeline.to_stage.judgment_served").value == "lit_judgment", (
        "implied stage offered"
    )
    preview = " ".join(_texts(at.markdown) + _texts(at.caption))
    assert "上诉期** — 2026-10-08" in preview
    assert "顺延至 2026-10-08" in preview
    db.expire_all()
    assert db.exec(select(CaseEvent)).all() == [], "the preview writes nothing"
    at.button(key="timeline.save").click().run()
    assert not at.exception, at.exception
    db.expire_all()
    event = db.exec(select(CaseEvent)).one()
    assert (event.kind, event.on) == ("judgment_served", date(2026, 9, 21))
    assert db.exec(select(Deadline)).one().due == date(2026, 10, 8)
    rows = at.dataframe[-1].value.to_dict("records") if at.dataframe else []
    assert any(r["日期"] == "2026-10-08" for r in rows)


def test_timeline_reports_bad_data_and_edits_and_deletes(db):
    at, case = _timeline(db, Role.staff)
    at.selectbox(key="timeline.kind").set_value("evidence_notice").run()
    at.text_input(key="timeline.data.evidence_notice.days").input("abc").run()
    assert any("data field 'days': expected a whole number" in e for e in _texts(at.error))
    at.text_input(key="timeline.data.evidence_notice.days").input("20").run()
    at.date_input(key="timeline.on").set_value(date(2026, 3, 2)).run()
    at.selectbox(key="timeline.to_stage.evidence_notice").set_value("__keep__")
    at.button(key="timeline.save").click().run()
    db.expire_all()
    event = db.exec(select(CaseEvent)).one()
    assert db.exec(select(Deadline)).one().due == date(2026, 3, 23)

    prefix = f"timeline.edit.{event.id}."
    at.date_input(key=prefix + "on").set_value(date(2026, 3, 3)).run()
    at.button(key=prefix + "update").click().run()
    db.expire_all()
    assert db.exec(select(Deadline)).one().due == date(2026, 3, 23), "03-23 is a Monday"
    assert db.get(CaseEvent, event.id).on == date(2026, 3, 3)
    at.checkbox(key=prefix + "sure").check().run()
    at.button(key=prefix + "delete").click().run()
    db.expire_all()
    assert db.exec(select(CaseEvent)).all() == [] and db.exec(select(Deadline)).all() == []


def test_timeline_is_read_only_for_a_viewer(db):
    at, _ = _timeline(db, Role.viewer)
    assert "只读：您的角色不能登记事件。" in _texts(at.caption)
    assert not at.get("selectbox") or all(
        not str(sb.key or "").startswith("timeline.") for sb in at.selectbox
    )


def test_calendar_admin_recomputes_every_deadline_and_clock(db):
    from legal_track.models import AuditEntry, CaseEvent, LimitationClock
    from tests.factories import make_loan

    admin = _user(db, Role.admin)
    loan = make_loan(db, maturity_on=date(2024, 1, 10), schedule=[])
    case = make_case(db, loans=[loan], stage="lit_served")
    db.add(CaseEvent(case_id=case.id, kind="judgment_served", on=date(2026, 9, 21), actor="t",
                     created_at=T0))  # fmt: skip
    db.commit()
    at = _app(admin, "calendar_admin")
    assert "重新计算全部期限与诉讼时效" in _texts(at.subheader)
    at.button(key="calendar_admin.recompute").click().run()
    assert not at.exception, at.exception
    done = _texts(at.success)
    assert any("1 个案件的期限" in m and "1 笔借款的诉讼时效" in m for m in done), done
    db.expire_all()
    rules = {d.rule_id for d in db.exec(select(Deadline).where(Deadline.case_id == case.id))}
    assert "appeal_judgment" in rules
    clock = db.exec(select(LimitationClock).where(LimitationClock.loan_id == loan.id)).one()
    assert clock.expiry == date(2027, 1, 11), "3 years from maturity, rolled off a Sunday"
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.actor == admin.username)).all()
    assert {"deadline.recompute_all", "limitation.recompute"} <= set(actions)


def test_a_stage_move_chosen_on_a_stale_timeline_is_refused(db):
    """The form offered the moves of lit_served; meanwhile another instance recorded the
    judgment: the move is refused, the page shows the new stage, nothing is recorded."""
    from legal_track.cases.events import add_event

    at, case = _timeline(db, Role.staff)
    at.selectbox(key="timeline.kind").set_value("judgment_served").run()
    add_event(db, case_id=case.id, kind="judgment_served", on=date(2026, 9, 20), actor="demo_lead",
              now=datetime(2026, 9, 20, 6, 2, tzinfo=UTC), to_stage="lit_judgment")  # fmt: skip
    at.button(key="timeline.save").click().run()
    assert not at.exception, at.exception
    assert any("已由 demo_lead 于 14:02 修改" in w.value for w in at.warning), "the conflict"
    db.expire_all()
    assert [e.actor for e in db.exec(select(CaseEvent)).all()] == ["demo_lead"], "nothing stale"
    assert any("上诉" in m.value or "lit_judgment" in m.value or "判决" in m.value
               for m in at.markdown), "the page shows the new stage"  # fmt: skip
