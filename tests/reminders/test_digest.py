from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from legal_track.models import DeadlineStatus, LimitationClock, Severity
from legal_track.models.reminder import ReminderLog
from legal_track.reminders.run import run_pass
from legal_track.reminders.text import rule_name
from tests.reminders.conftest import (
    factory,
    make_deadline,
    make_owned_case,
    make_team,
    shanghai,
)

TODAY = date(2026, 12, 1)
NOW = shanghai(2026, 12, 1, 9, 0)


@pytest.fixture
def portfolio(file_engine):
    from sqlmodel import Session

    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case_a = make_owned_case(s, team.staff_zh, borrower_name="张三丰")
        case_b = make_owned_case(s, team.staff_en, borrower_name="欧阳锋")
        d = {
            "overdue": make_deadline(s, case=case_a, due=date(2026, 11, 25)),
            "today": make_deadline(s, case=case_a, due=TODAY, rule_id="answer_defence", severity=Severity.critical),
            "soon": make_deadline(s, case=case_a, due=date(2026, 12, 5)),
            "far": make_deadline(s, case=case_a, due=date(2026, 12, 20)),
            "done": make_deadline(s, case=case_a, due=date(2026, 12, 2), status=DeadlineStatus.completed),
            "en": make_deadline(s, case=case_b, due=date(2026, 12, 4), severity=Severity.info, rule_id="trial_limit_ordinary"),
        }  # fmt: skip
        loan_id = s.exec(__import__("sqlmodel").select(__import__("legal_track.models", fromlist=["CaseLoan"]).CaseLoan.loan_id).where(
            __import__("legal_track.models", fromlist=["CaseLoan"]).CaseLoan.case_id == case_a.id)).one()  # fmt: skip
        s.add(LimitationClock(
            loan_id=loan_id, start_on=date(2024, 1, 10), expiry=date(2027, 1, 20),
            conservative_expiry=date(2027, 1, 10), longstop=date(2044, 1, 10), risk="lt90",
            computed_at=datetime(2026, 11, 30, tzinfo=UTC),
        ))  # fmt: skip
        s.commit()
    return team, case_a, case_b, d


def test_zh_digest_lists_overdue_today_next_week_and_limitation(
    file_engine, settings, smtp, portfolio
):
    team, case_a, _, d = portfolio
    report = run_pass(
        factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False
    )
    assert not report.failed, report.failed
    digests = [m for m in smtp.to(team.staff_zh.email) if "每日摘要" in m.subject]
    assert len(digests) == 1, f"one zh digest expected, got {[m.subject for m in smtp.received]}"
    m = digests[0]
    assert "2026-12-01" in m.subject and "逾期 1" in m.subject and "今日到期 1" in m.subject
    text = m.body("plain")
    html = m.body("html")
    link = f"https://lt.example.com/case?ref={case_a.ref}"
    for expected in (case_a.ref, "张**", rule_name("appeal_judgment", "zh"), "2026-11-25",
                     "2026-12-05", d["soon"].explanation_zh, link, "已逾期 6 天", "今日到期",
                     "诉讼时效风险（1）", "2027-01-10"):  # fmt: skip
        assert expected in text, f"{expected!r} missing from the zh digest:\n{text}"
    assert "张三丰" not in text and "张三丰" not in html, "borrower names are masked"
    assert "2026-12-20" not in text, "a deadline beyond the 7-day horizon is not listed"
    assert "2026-12-02" not in text, "a completed deadline is not listed"
    assert f'href="{link}"' in html and "<table>" in html
    assert (
        text.index("已逾期（1）") < text.index("今日到期（1）") < text.index("未来 7 日内到期（1）")
    )
    cal = Calendar.from_ical(m.attachment("deadlines.ics"))
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {f"deadline-{d[k].id}@legal-track" for k in ("overdue", "today", "soon")}


def test_en_digest_is_in_english(file_engine, settings, smtp, portfolio):
    team, _, case_b, d = portfolio
    run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False)
    [m] = smtp.to(team.staff_en.email)
    assert m.subject.startswith("[legal-track] Digest 2026-12-01"), m.subject
    text = m.body("plain")
    for expected in ("Due in the next 7 days (1)", case_b.ref, "欧**", d["en"].explanation_en,
                     "due in 3 days", rule_name("trial_limit_ordinary", "en")):  # fmt: skip
        assert expected in text, f"{expected!r} missing from the en digest:\n{text}"
    assert "Overdue (0)" in text and "None." in text


def test_no_digest_for_nothing_no_address_or_before_digest_time(
    file_engine, settings, smtp, portfolio
):
    team, *_ = portfolio
    early = shanghai(2026, 12, 1, 8, 0)
    report = run_pass(
        factory(file_engine), now=early, mailer=smtp.mailer(), settings=settings, alerts=False
    )
    assert not report.digest_checked and smtp.received == [], "no digest before 08:30"
    run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False)
    recipients = {r for m in smtp.received for r in m.rcpt_tos}
    assert team.lead.email not in recipients, "the lead owns nothing: an empty digest is not sent"
    assert recipients == {team.staff_zh.email, team.staff_en.email}


def test_digest_is_sent_once_a_day_and_again_the_next_day(file_engine, settings, smtp, portfolio):
    team, *_ = portfolio
    f = factory(file_engine)
    for minutes in (0, 15, 30):
        run_pass(
            f,
            now=shanghai(2026, 12, 1, 9, minutes),
            mailer=smtp.mailer(),
            settings=settings,
            alerts=False,
        )
    assert len(smtp.to(team.staff_zh.email)) == 1, "one digest per user per day"
    run_pass(
        f, now=shanghai(2026, 12, 2, 8, 45), mailer=smtp.mailer(), settings=settings, alerts=False
    )
    assert len(smtp.to(team.staff_zh.email)) == 2, "the next day brings the next digest"


def test_missed_digest_is_caught_up_once_after_downtime(file_engine, settings, smtp, portfolio):
    """Nothing ran on 12-01 and 12-02; the first pass on 12-03 (after 08:30) sends the
    digest of 12-03 once, not the missed ones."""
    team, *_ = portfolio
    f = factory(file_engine)
    run_pass(
        f, now=shanghai(2026, 12, 3, 14, 5), mailer=smtp.mailer(), settings=settings, alerts=False
    )
    run_pass(
        f, now=shanghai(2026, 12, 3, 14, 20), mailer=smtp.mailer(), settings=settings, alerts=False
    )
    mails = smtp.to(team.staff_zh.email)
    assert len(mails) == 1 and "2026-12-03" in mails[0].subject
    with __import__("sqlmodel").Session(file_engine) as s:
        keys = s.exec(
            __import__("sqlmodel").select(ReminderLog.date_key).where(ReminderLog.kind == "digest")
        ).all()
    assert set(keys) == {date(2026, 12, 3)}


def test_preferences_digest_off_severities_and_muted_cases(
    file_engine, settings, smtp, portfolio, now
):
    from sqlmodel import Session

    from legal_track.reminders.prefs import save_preference

    team, case_a, _, d = portfolio
    with Session(file_engine) as s:
        save_preference(s, user_id=team.staff_en.id, digest_enabled=False, severities=["fatal", "critical", "info"],
                        muted_case_ids=[], actor="t", now=now)  # fmt: skip
        save_preference(s, user_id=team.staff_zh.id, digest_enabled=True, severities=["fatal"],
                        muted_case_ids=[], actor="t", now=now)  # fmt: skip
    run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False)
    assert smtp.to(team.staff_en.email) == [], "digest switched off"
    [m] = smtp.to(team.staff_zh.email)
    text = m.body()
    assert "今日到期（0）" in text, "the critical deadline is filtered out by severity"
    assert "2026-12-05" in text
    with Session(file_engine) as s:
        save_preference(s, user_id=team.staff_zh.id, digest_enabled=True, severities=["fatal"],
                        muted_case_ids=[case_a.id], actor="t", now=now)  # fmt: skip
    run_pass(
        factory(file_engine),
        now=shanghai(2026, 12, 2, 9),
        mailer=smtp.mailer(),
        settings=settings,
        alerts=False,
    )
    latest = smtp.to(team.staff_zh.email)[-1]
    assert case_a.ref not in latest.body().split("诉讼时效风险")[0], (
        "muted case left out of deadline sections"
    )


def test_digest_caps_long_sections(file_engine, tmp_path, smtp):
    from sqlmodel import Session

    from tests.reminders.conftest import make_settings

    settings = make_settings(tmp_path, digest_max_lines=3)
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        for i in range(5):
            case = make_owned_case(s, team.staff_en, borrower_name=f"王{i}")
            make_deadline(s, case=case, due=date(2026, 12, 3))
        s.commit()
    run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False)
    [m] = smtp.to(team.staff_en.email)
    text = m.body()
    assert "Due in the next 7 days (5)" in text and "2 more not listed" in text
    assert text.count("/case?ref=") == 3


def test_digest_lists_moved_deadlines_until_acknowledged(file_engine, settings, smtp, portfolio):
    from sqlmodel import Session

    from legal_track.models import DeadlineNotice

    team, case_a, _, d = portfolio
    with Session(file_engine) as s:
        s.add(DeadlineNotice(
            deadline_id=d["soon"].id, case_id=case_a.id, owner_id=team.staff_zh.id,
            kind="calendar_moved", rule_id="appeal_judgment", old_due=date(2026, 12, 4),
            new_due=date(2026, 12, 5), message_zh="2026 年放假通知公布，到期日顺延。",
            message_en="Holiday notice published; the due date moved.",
            created_at=datetime(2026, 11, 30, tzinfo=UTC),
        ))  # fmt: skip
        s.add(DeadlineNotice(
            case_id=case_a.id, owner_id=team.staff_zh.id, kind="calendar_moved",
            rule_id="appeal_judgment", new_due=date(2026, 12, 6), message_zh="已确认", message_en="seen",
            created_at=datetime(2026, 11, 30, tzinfo=UTC), seen_at=datetime(2026, 11, 30, 2, tzinfo=UTC),
        ))  # fmt: skip
        s.commit()
    run_pass(factory(file_engine), now=NOW, mailer=smtp.mailer(), settings=settings, alerts=False)
    [m] = smtp.to(team.staff_zh.email)
    text = m.body()
    assert "期限变动，请在期限看板确认（1）" in text
    assert "2026-12-04 → 2026-12-05 · 2026 年放假通知公布，到期日顺延。" in text
    assert "已确认" not in text, "acknowledged notices are not repeated"
