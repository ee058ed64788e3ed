from __future__ import annotations

import email
from datetime import date, datetime
from email import policy

from icalendar import Calendar
from sqlmodel import Session, select

from legal_track.config import SmtpSecurity
from legal_track.models import Deadline
from legal_track.models.reminder import CalendarSequence
from legal_track.reminders.ics import CalendarEvent, build_calendar, deadline_uid, export_calendar
from legal_track.reminders.mail import OutboxMailer, SmtpMailer, list_outbox, mailer_from_settings
from legal_track.reminders.run import run_pass
from tests.reminders.conftest import (
    factory,
    make_deadline,
    make_owned_case,
    make_settings,
    make_team,
    shanghai,
)

NOW = shanghai(2026, 12, 1, 9, 0)


def _events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_build_calendar_is_pure_all_day_and_valid():
    events = [
        CalendarEvent(uid="deadline-7@legal-track", on=date(2026, 12, 10), summary="[致命] 上诉期 · LT-1 张**",
                      description="判决书送达之日起十五日内。", url="https://lt.example.com/case?ref=LT-1", sequence=2),
    ]  # fmt: skip
    a = build_calendar(events, name="测试", now=NOW)
    b = build_calendar(events, name="测试", now=NOW)
    assert a == b, "same input, same bytes"
    cal = Calendar.from_ical(a)
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai" and str(cal["VERSION"]) == "2.0"
    [ev] = cal.walk("VEVENT")
    assert ev.decoded("DTSTART") == date(2026, 12, 10) and not isinstance(
        ev.decoded("DTSTART"), datetime
    )
    assert ev.decoded("DTEND") == date(2026, 12, 11)
    assert ev["DTSTART"].params.get("VALUE") == "DATE"
    assert str(ev["SUMMARY"]).startswith("[致命] 上诉期") and int(ev["SEQUENCE"]) == 2
    assert str(ev["UID"]) == "deadline-7@legal-track"


def test_text_is_escaped_and_long_lines_are_folded_without_breaking_characters():
    summary = "[致命] 上诉期; 张**, 李** \\ 王**"
    description = (
        "判决书送达之日起十五日内上诉。" * 8 + "\nhttps://lt.example.com/case?ref=LT-2026-000001"
    )
    data = build_calendar(
        [CalendarEvent(uid="deadline-9@legal-track", on=date(2026, 12, 10), summary=summary, description=description)],
        name="团队期限日历", now=NOW,
    )  # fmt: skip
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "RFC 5545: 75 octets per line"
    data.decode("utf-8")  # folding never splits a UTF-8 sequence
    cal = Calendar.from_ical(data)
    [ev] = cal.walk("VEVENT")
    assert (str(ev["SUMMARY"]), str(ev["DESCRIPTION"])) == (summary, description)
    assert str(cal["X-WR-CALNAME"]) == "团队期限日历"


def test_user_and_team_calendars_keep_uids_and_bump_sequence_on_date_change(file_engine, now):
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        mine = make_deadline(s, case=make_owned_case(s, team.staff_zh), due=date(2026, 12, 10))
        other = make_deadline(s, case=make_owned_case(s, team.staff_en), due=date(2026, 12, 12))
        make_deadline(
            s, case=make_owned_case(s, team.staff_zh), due=date(2026, 12, 1), status="completed"
        )
        s.commit()

    def export(username, team_flag=False):
        with Session(file_engine) as s:
            return export_calendar(s, username=username, team=team_flag, app_url="https://lt.example.com",
                                   timezone="Asia/Shanghai", now=now, actor="t")  # fmt: skip

    first = _events(export(team.staff_zh.username))
    assert set(first) == {deadline_uid(mine.id)}, "only the user's open deadlines"
    assert int(first[deadline_uid(mine.id)]["SEQUENCE"]) == 0
    assert set(_events(export(None, True))) == {deadline_uid(mine.id), deadline_uid(other.id)}
    again = _events(export(team.staff_zh.username))
    assert set(again) == set(first) and int(again[deadline_uid(mine.id)]["SEQUENCE"]) == 0

    with Session(file_engine) as s:
        d = s.get(Deadline, mine.id)
        d.override_due = date(2026, 12, 15)
        s.add(d)
        s.commit()
    moved = _events(export(team.staff_zh.username))[deadline_uid(mine.id)]
    assert moved.decoded("DTSTART") == date(2026, 12, 15) and int(moved["SEQUENCE"]) == 1
    assert int(_events(export(team.staff_zh.username))[deadline_uid(mine.id)]["SEQUENCE"]) == 1
    assert "https://lt.example.com/case?ref=" in str(moved["DESCRIPTION"])


def test_export_calendar_errors(file_engine, now):
    import pytest

    with Session(file_engine) as s, pytest.raises(LookupError, match="no user named 'ghost'"):
        export_calendar(
            s,
            username="ghost",
            team=False,
            app_url="x",
            timezone="Asia/Shanghai",
            now=now,
            actor="t",
        )
    with Session(file_engine) as s, pytest.raises(ValueError, match="--user"):
        export_calendar(
            s, username=None, team=False, app_url="x", timezone="Asia/Shanghai", now=now, actor="t"
        )


def test_outbox_mode_writes_eml_files_that_parse(file_engine, settings, tmp_path):
    assert settings.smtp_host is None
    mailer = mailer_from_settings(settings)
    assert isinstance(mailer, OutboxMailer) and mailer.folder == tmp_path / "outbox"
    with Session(file_engine, expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        make_deadline(s, case=case, due=date(2026, 12, 1))
        s.commit()
    report = run_pass(factory(file_engine), now=NOW, mailer=mailer, settings=settings)
    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == len(report.sent) == 2, files  # a digest and the T-0 alert
    assert all(p.suffix == ".eml" for p in files), "no temporary files left behind"
    for p in files:
        msg = email.message_from_bytes(p.read_bytes(), policy=policy.default)
        assert (
            msg["To"] == team.staff_zh.email and case.ref in msg.get_body(("plain",)).get_content()
        )
        assert "<table>" in msg.get_body(("html",)).get_content()
        [ics] = [a for a in msg.iter_attachments() if a.get_content_type() == "text/calendar"]
        assert Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    listed = list_outbox(tmp_path / "outbox")
    assert {f.subject for f in listed} == {x.subject for x in report.sent}
    assert {f.message_id for f in listed} == {x.message_id for x in report.sent}
    with Session(file_engine) as s:
        assert len(s.exec(select(CalendarSequence)).all()) == 1


def test_mailer_from_settings_picks_smtp_when_a_host_is_set(tmp_path):
    s = make_settings(tmp_path, smtp_host="mail.example.com", smtp_port=465, smtp_security="ssl",
                      smtp_user="lt", smtp_password="pw")  # fmt: skip
    m = mailer_from_settings(s)
    assert isinstance(m, SmtpMailer)
    assert (m.host, m.port, m.security, m.user, m.password) == (
        "mail.example.com",
        465,
        SmtpSecurity.ssl,
        "lt",
        "pw",
    )
