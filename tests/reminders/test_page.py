from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models.reminder import ReminderPreference
from legal_track.reminders.mail import OutboxMailer
from legal_track.reminders.run import run_pass
from legal_track.ui.context import USER_KEY, UserInfo
from tests.reminders.conftest import factory, make_deadline, make_owned_case, make_team, shanghai

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = "legal_track/ui/pages/reminders.py"
NOW = shanghai(2026, 12, 10, 9, 0)


@pytest.fixture
def seeded(env, smtp):
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        make_deadline(s, case=case, due=date(2026, 12, 10))
        other = make_owned_case(s, team.staff_en)
        make_deadline(s, case=other, due=date(2026, 12, 10))
        s.commit()
    settings = get_settings()
    run_pass(factory(engine), now=NOW, mailer=OutboxMailer(settings.outbox_dir), settings=settings)
    # one failure: the server is down for a moment
    with Session(engine) as s:
        make_deadline(s, case=case, due=date(2026, 12, 11))
        s.commit()
    smtp.stop()
    run_pass(
        factory(engine),
        now=NOW + timedelta(days=1),
        mailer=smtp.mailer(),
        settings=settings,
        digest=False,
    )
    yield engine, team, case
    engine.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


def _open(user, lang="zh") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[USER_KEY] = UserInfo.of(user)
    at.session_state["shell.lang"] = lang
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_lead_sees_the_team_sent_and_failed_messages_and_the_outbox(seeded):
    _, team, case = seeded
    at = _open(team.lead)
    # day 1: two digests and two T-0 alerts went to the outbox; day 2: the SMTP server is
    # down, the first of three alerts failed and the batch stopped (two still pending)
    assert _metrics(at) == {"已发送": "4", "待发送": "2", "发送失败（将自动重试）": "1"}
    sent, pending, failed, outbox = (df.value for df in at.dataframe)
    assert len(sent) == 4 and set(sent["收件人"]) == {team.staff_zh.email, team.staff_en.email}
    assert any(case.ref in subject for subject in sent["主题"])
    assert len(pending) == 2
    assert len(failed) == 1 and "ConnectionRefusedError" in failed["错误"][0]
    assert len(outbox) == 4 and set(outbox["收件人"]) == set(sent["收件人"])


def test_staff_sees_only_their_own_messages_and_a_preview(seeded):
    _, team, case = seeded
    at = _open(team.staff_zh)
    assert _metrics(at) == {"已发送": "2", "待发送": "1", "发送失败（将自动重试）": "1"}
    assert set(at.dataframe[0].value["收件人"]) == {team.staff_zh.email}
    assert set(at.dataframe[3].value["收件人"]) == {team.staff_zh.email}, "own outbox files only"
    preview = at.selectbox(key="reminders.preview")
    label = next(label for label in preview.options if "每日摘要" in label)
    preview.select(int(label.split(" ")[0].lstrip("#"))).run()  # options read "#<id> · ..."
    assert not at.exception, at.exception
    [code] = at.code
    assert case.ref in code.value and "张**" in code.value and "已逾期（0）" in code.value


def test_preferences_are_saved_from_the_form(seeded):
    engine, team, case = seeded
    at = _open(team.staff_en, lang="zh")
    at.toggle(key="reminders.digest_on").set_value(False)
    at.multiselect(key="reminders.severities").set_value(["fatal"])
    at.text_input(key="reminders.muted").set_value(case.ref)
    next(b for b in at.button if b.label == "保存设置").click().run()
    assert not at.exception, at.exception
    assert "已保存。" in [x.value for x in at.success]
    with Session(engine) as s:
        pref = s.exec(
            select(ReminderPreference).where(ReminderPreference.user_id == team.staff_en.id)
        ).one()
    assert (pref.digest_enabled, pref.severities, pref.muted_case_ids) == (
        False,
        ["fatal"],
        [case.id],
    )


def test_unknown_muted_case_is_refused(seeded):
    _, team, _ = seeded
    at = _open(team.staff_zh)
    at.text_input(key="reminders.muted").set_value("LT-1999-000001")
    next(b for b in at.button if b.label == "保存设置").click().run()
    assert [e.value for e in at.error] == ["未找到案件：LT-1999-000001"]


def test_viewer_has_no_access(seeded, env):
    from legal_track.models import Role
    from tests.reminders.conftest import make_person

    engine, _, _ = seeded
    with Session(engine, expire_on_commit=False) as s:
        viewer = make_person(s, role=Role.viewer)
        s.commit()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[USER_KEY] = UserInfo.of(viewer)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)  # not in a viewer's navigation


def test_lead_makes_calendars_and_runs_a_pass(seeded):
    engine, team, _ = seeded
    at = _open(team.lead)
    assert not at.get("download_button") or all(
        b.proto.label != "下载 .ics 文件" for b in at.get("download_button")
    )
    next(b for b in at.button if b.label == "生成全组期限日历").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载 .ics 文件" in labels, labels
    next(b for b in at.button if b.label == "立即检查并发送").click().run()
    assert not at.exception, at.exception
    assert any(x.value.startswith("已发送") for x in at.success), [x.value for x in at.success]
    assert _metrics(at)["待发送"] == "0", "the pending messages went out (to the outbox)"
