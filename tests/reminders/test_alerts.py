from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from legal_track.models import Severity
from legal_track.models.reminder import ReminderLog
from legal_track.reminders.run import run_pass
from legal_track.reminders.stages import alert_stage, rule_offsets
from tests.reminders.conftest import (
    factory,
    make_deadline,
    make_owned_case,
    make_settings,
    make_team,
    shanghai,
)

DUE = date(2026, 12, 10)


def _day(day: date, hour: int = 10):
    return shanghai(day.year, day.month, day.day, hour)


@pytest.fixture
def world(file_engine):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        deadline = make_deadline(s, case=case, due=DUE)
        s.commit()
    return team, case, deadline


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (DUE, date(2026, 12, 6), None),
        (DUE, date(2026, 12, 7), 3),
        (DUE, date(2026, 12, 8), 3),
        (DUE, date(2026, 12, 9), 1),
        (DUE, date(2026, 12, 10), 0),
        (DUE, date(2026, 12, 11), -1),
        (DUE, date(2027, 1, 30), -1),
    ],
    ids=["T-4", "T-3", "T-2", "T-1", "T-0", "overdue", "long-overdue"],
)
def test_alert_stage(due, today, expected):
    stage = alert_stage(due, today, (3, 1, 0))
    assert (stage[0] if stage else None) == expected


def test_fatal_deadline_alerts_at_t3_t1_t0_overdue_then_escalates_to_the_lead(
    file_engine, settings, smtp, world
):
    team, case, deadline = world
    f = factory(file_engine)
    seen: dict[date, list[tuple[str, str]]] = {}
    day = date(2026, 12, 1)
    while day <= date(2026, 12, 16):
        before = len(smtp.received)
        for hour in (0, 10, 23):  # several checks a day change nothing
            run_pass(f, now=_day(day, hour), mailer=smtp.mailer(), settings=settings, digest=False)
        seen[day] = [(m.rcpt_tos[0], m.subject) for m in smtp.received[before:]]
        day += timedelta(days=1)
    li, lead = team.staff_zh.email, team.lead.email
    got = {d: [(to, s.split("：", 1)[1]) for to, s in msgs] for d, msgs in seen.items() if msgs}
    assert got == {  # appeal_judgment's offsets in the rule pack: 7, 3, 1, 0
        date(2026, 12, 3): [(li, "7 天后到期（2026-12-10）")],
        date(2026, 12, 7): [(li, "3 天后到期（2026-12-10）")],
        date(2026, 12, 9): [(li, "1 天后到期（2026-12-10）")],
        date(2026, 12, 10): [(li, "今日到期（2026-12-10）")],
        date(2026, 12, 11): [(li, "已逾期 1 天（2026-12-10）")],
        date(2026, 12, 13): [(lead, "已逾期 3 天（负责人：李律）")],
    }, got
    alert = smtp.to(li)[0]
    assert alert.subject.startswith(f"【致命期限】{case.ref}")
    assert deadline.explanation_zh in alert.body() and f"/case?ref={case.ref}" in alert.body()
    escalation = smtp.to(lead)[0]
    assert "负责人为 李律" in escalation.body()
    with Session(file_engine) as s:
        rows = s.exec(select(ReminderLog.kind, ReminderLog.offset_days, ReminderLog.status)).all()
    assert sorted((str(k), o, str(st)) for k, o, st in rows) == sorted(
        [("alert", 7, "sent"), ("alert", 3, "sent"), ("alert", 1, "sent"), ("alert", 0, "sent"), ("alert", -1, "sent"),
         ("escalation", 3, "sent")]
    )  # fmt: skip


def test_only_the_current_stage_is_sent_when_first_seen_late(file_engine, settings, smtp, world):
    team, _, _ = world
    run_pass(
        factory(file_engine),
        now=_day(date(2026, 12, 9)),
        mailer=smtp.mailer(),
        settings=settings,
        digest=False,
    )
    assert [m.subject.split("：", 1)[1] for m in smtp.received] == ["1 天后到期（2026-12-10）"]


def test_english_owner_gets_english_alert(file_engine, settings, smtp):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_en)
        make_deadline(s, case=case, due=DUE)
        s.commit()
    run_pass(
        factory(file_engine),
        now=_day(date(2026, 12, 10)),
        mailer=smtp.mailer(),
        settings=settings,
        digest=False,
    )
    [m] = smtp.received
    assert m.subject == f"[Fatal deadline] {case.ref} {m.subject.split(case.ref + ' ')[1]}"
    assert m.subject.endswith(": due today (2026-12-10)") and "Appeal within 15 days" in m.body()


def test_severity_rules_catchup_and_completed(file_engine, settings, smtp):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        make_deadline(s, case=case, due=DUE, severity=Severity.critical)  # no alert, escalation
        make_deadline(s, case=case, due=DUE, severity=Severity.info)  # nothing
        make_deadline(s, case=case, due=date(2026, 11, 20))  # 20 days overdue: beyond catch-up
        make_deadline(s, case=case, due=DUE, status="completed")
        s.commit()
    f = factory(file_engine)
    for d in (date(2026, 12, 9), date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 13)):
        run_pass(f, now=_day(d), mailer=smtp.mailer(), settings=settings, digest=False)
    assert [(m.rcpt_tos[0], "逾期升级" in m.subject) for m in smtp.received] == [
        (team.lead.email, True)
    ], [m.subject for m in smtp.received]


def test_unassigned_cases_go_to_leads_and_owner_without_address_is_reported(
    file_engine, settings, smtp
):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        unassigned = make_owned_case(s, None)
        make_deadline(s, case=unassigned, due=DUE)
        silent = make_owned_case(s, team.no_mail)
        make_deadline(s, case=silent, due=DUE)
        s.commit()
    f = factory(file_engine)
    report = run_pass(f, now=_day(DUE), mailer=smtp.mailer(), settings=settings, digest=False)
    assert [m.rcpt_tos for m in smtp.received] == [[team.lead.email]]
    assert unassigned.ref in smtp.received[0].subject
    assert any(team.no_mail.username in note for note in report.skipped), report.skipped
    run_pass(
        f, now=_day(DUE + timedelta(days=3)), mailer=smtp.mailer(), settings=settings, digest=False
    )
    escalated = [m.subject for m in smtp.received if "逾期升级" in m.subject]
    assert any(silent.ref in x and "无邮箱" in x for x in escalated), escalated


def test_offsets_come_from_settings_for_rules_without_their_own(file_engine, tmp_path, smtp):
    settings = make_settings(tmp_path, alert_offsets=[7, 0])
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        make_deadline(
            s, case=make_owned_case(s, team.staff_zh), due=DUE, rule_id="commission_defence"
        )
        s.commit()
    f = factory(file_engine)
    for d in (date(2026, 12, 3), date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10)):
        run_pass(f, now=_day(d), mailer=smtp.mailer(), settings=settings, digest=False)
    assert [m.subject.split("：", 1)[1] for m in smtp.received] == [
        "7 天后到期（2026-12-10）",
        "今日到期（2026-12-10）",
    ]


@pytest.mark.parametrize(
    ("rule_id", "version", "expected"),
    [
        ("appeal_judgment", "2022-01-01", (7, 3, 1, 0)),
        ("appeal_judgment", "1999-01-01", (7, 3, 1, 0)),  # unknown version: the latest
        ("enforcement_application", "2022-01-01", (90, 30, 14, 7, 3, 1, 0)),
        ("commission_defence", "", (3, 1, 0)),  # not in the pack: settings
    ],
)
def test_rule_offsets_come_from_the_rule_pack(rule_id, version, expected):
    assert rule_offsets(rule_id, version, (3, 1, 0)) == expected


def test_a_moved_due_date_gets_its_own_alerts(file_engine, settings, smtp, world):
    _, _, deadline = world
    f = factory(file_engine)
    run_pass(f, now=_day(date(2026, 12, 9)), mailer=smtp.mailer(), settings=settings, digest=False)
    with Session(file_engine) as s:
        d = s.get(type(deadline), deadline.id)
        d.override_due = date(2026, 12, 14)
        d.override_reason = "法院通知延期"
        s.add(d)
        s.commit()
    run_pass(f, now=_day(date(2026, 12, 11)), mailer=smtp.mailer(), settings=settings, digest=False)
    assert [m.subject.split("：", 1)[1] for m in smtp.received] == [
        "1 天后到期（2026-12-10）",
        "3 天后到期（2026-12-14）",
    ]


def test_muted_case_gets_no_alert_but_still_escalates(file_engine, settings, smtp, world, now):
    from legal_track.reminders.prefs import save_preference

    team, case, _ = world
    with Session(file_engine) as s:
        save_preference(s, user_id=team.staff_zh.id, digest_enabled=True,
                        severities=["fatal", "critical", "info"], muted_case_ids=[case.id], actor="t", now=now)  # fmt: skip
    f = factory(file_engine)
    for d in (date(2026, 12, 10), date(2026, 12, 13)):
        run_pass(f, now=_day(d), mailer=smtp.mailer(), settings=settings, digest=False)
    assert [m.rcpt_tos[0] for m in smtp.received] == [team.lead.email]


def test_cases_of_an_inactive_owner_go_to_the_leads(file_engine, settings, smtp):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        make_deadline(s, case=case, due=DUE)
        team.staff_zh.active = False
        s.add(team.staff_zh)
        s.commit()
    run_pass(factory(file_engine), now=_day(DUE), mailer=smtp.mailer(), settings=settings)
    assert smtp.to(team.staff_zh.email) == [], "an inactive account receives nothing"
    subjects = [m.subject for m in smtp.to(team.lead.email)]
    assert len(subjects) == 2 and any("每日摘要" in x for x in subjects), subjects
    assert any(case.ref in x and "今日到期" in x for x in subjects), subjects
