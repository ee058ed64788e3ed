"""The working-day calendar: shipped tables, the database copy, notices, provisional years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlmodel import select

from legal_track.calendar.notices import (
    NoticeError,
    parse_notice,
    seed_builtin,
    year_summary,
)
from legal_track.calendar.workdays import WorkCalendar, load_calendar
from legal_track.db import make_engine, migrate
from legal_track.models import AuditEntry, CalendarDay, CalendarYear
from legal_track.rules import RULES_DIR
from tests.calendar.notices import NOTICE_2027_CSV, NOTICE_2027_TOML

D = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param("2026-10-01", False, id="national_day"),
        pytest.param("2026-10-07", False, id="national_day_weekday_in_block"),
        pytest.param("2026-10-10", True, id="makeup_saturday_oct_10"),
        pytest.param("2026-09-20", True, id="makeup_sunday_sep_20"),
        pytest.param("2026-02-14", True, id="makeup_saturday_feb_14"),
        pytest.param("2026-02-28", True, id="makeup_saturday_feb_28"),
        pytest.param("2026-02-17", False, id="spring_festival"),
        pytest.param("2026-03-07", False, id="ordinary_saturday"),
        pytest.param("2026-03-09", True, id="ordinary_monday"),
    ],
)
def test_builtin_2026(calendar, day, working):
    assert calendar.is_working_day(D(day)) is working


def test_builtin_agrees_with_chinese_calendar_for_every_day():
    cal = WorkCalendar.builtin()
    d = date(2004, 1, 1)
    while d <= date(2026, 12, 31):
        assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)
    assert cal.known_years == frozenset(range(2004, 2027))


def test_roll_forward_over_national_day(calendar):
    roll = calendar.roll_forward(D("2026-10-06"))
    assert roll.date == D("2026-10-08") and not roll.provisional
    assert roll.skipped == [D("2026-10-06"), D("2026-10-07")]


def test_roll_backward_over_spring_festival_to_makeup_saturday(calendar):
    assert calendar.roll_backward(D("2026-02-21")).date == D("2026-02-14")


def test_provisional_year_uses_weekends_and_fixed_statutory_dates(calendar):
    assert not calendar.is_known_year(2027)
    assert not calendar.is_working_day(D("2027-10-01"))  # National Day (fixed date)
    assert not calendar.is_working_day(D("2027-05-02"))  # Labour Day 2nd day since 2025
    assert calendar.is_working_day(D("2027-02-08"))  # lunar holidays are unknown
    roll = calendar.roll_forward(D("2027-01-01"))
    assert roll.date == D("2027-01-04") and roll.provisional
    assert calendar.roll_forward(D("2027-01-05")).provisional, "any day of 2027 is provisional"


def test_fixed_labour_day_two_only_from_2025():
    cal = WorkCalendar({}, (), fixed=None)
    assert cal.is_working_day(D("2003-05-02")) is True  # Friday, rule not yet in force
    assert cal.is_working_day(D("2030-05-02")) is False


def test_migration_seeds_2004_to_2026(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(eng)
    from sqlmodel import Session

    with Session(eng) as s:
        years = s.exec(select(CalendarYear.year)).all()
        assert sorted(years) == list(range(2004, 2027))
        off = s.exec(select(CalendarDay).where(CalendarDay.day == D("2026-10-06"))).one()
        assert (off.working, off.name_zh) == (False, "国庆节")
        work = s.get(CalendarDay, D("2026-02-14"))
        assert work.working is True and work.name_zh == "春节调休"
        cal = load_calendar(s)
        assert cal.sources[2026].startswith("builtin")
        assert cal.roll_forward(D("2026-10-06")).date == D("2026-10-08")
    eng.dispose()


def test_seed_builtin_is_idempotent_and_audited(session, now):
    assert seed_builtin(session, now=now) == list(range(2004, 2027))
    assert seed_builtin(session, now=now) == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "calendar.seed")).one()


def test_database_year_overrides_builtin(session, now):
    seed_builtin(session, now=now)
    row = session.get(CalendarDay, D("2026-10-07"))
    row.working = True  # an (imaginary) correction stored in the database
    session.add(row)
    session.commit()
    assert load_calendar(session).is_working_day(D("2026-10-07"))
    assert not WorkCalendar.builtin().is_working_day(D("2026-10-07"))


def test_shipped_2026_notice_equals_the_builtin_tables():
    path = RULES_DIR / "calendar_notices" / "2026.toml"
    notice = parse_notice(path.read_bytes(), file_name=path.name)
    builtin = {d: e for d, e in WorkCalendar.builtin().exceptions().items() if d.year == 2026}
    assert notice.year == 2026
    assert notice.days == builtin


@pytest.mark.parametrize(
    ("name", "text"),
    [pytest.param("2027.toml", NOTICE_2027_TOML, id="toml"),
     pytest.param("2027.csv", NOTICE_2027_CSV, id="csv")],
)  # fmt: skip
def test_notice_formats_parse_the_same(name, text):
    notice = parse_notice(text.encode("utf-8"), file_name=name)
    assert notice.year == 2027 and notice.title == "测试用2027年节假日安排"
    assert notice.work_days == [D("2027-02-20")]
    assert len(notice.off_days) == 10


def test_csv_notice_in_gbk_is_read():
    notice = parse_notice(NOTICE_2027_CSV.encode("gbk"), file_name="2027.csv")
    assert notice.days[D("2027-02-06")].name_zh == "春节"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param("n.csv", "date,kind,name_zh\n2027-13-01,off,x\n",
                     "n.csv row 2, column date: '2027-13-01' is not a date", id="bad_date"),
        pytest.param("n.csv", "date,kind,name_zh\n2027-01-01,holiday,x\n",
                     "n.csv row 2, column kind: 'holiday' is not off or work", id="bad_kind"),
        pytest.param("n.csv", "date,kind,name_zh\n2027-02-08,work,春节\n",
                     "2027-02-08 is a weekday; a make-up working day", id="weekday_makeup"),
        pytest.param("n.csv", "date,kind,name_zh\n2027-01-01,off,a\n2028-01-01,off,b\n",
                     "n.csv row 3: 2028-01-01 is not in 2027", id="two_years"),
        pytest.param("n.csv", "day,kind\n", "missing column 'date'", id="bad_header"),
        pytest.param("n.toml", "year = 2027\n[[holiday]]\nname_zh = 'x'\nfrom = 2027-01-03\nto = 2027-01-01\n",
                     "n.toml: holiday[0] (x).to: 2027-01-01 is before from", id="to_before_from"),
        pytest.param("n.toml", "year = 2027\n[[holiday]]\nname_zh = 'x'\nfrom = 2027-01-01\nto = 2027-01-02\nwork = [2027-01-02]\n",
                     "2027-01-02 is listed twice", id="off_and_work"),
        pytest.param("n.toml", "year = 2027\n[[holiday]]\nname = 'x'\n",
                     "n.toml: holiday[0].name: unknown key", id="typo_key"),
        pytest.param("n.toml", "year = 2027\n", "nothing to load", id="no_holidays"),
        pytest.param("n.toml", "year = \n", "n.toml: invalid TOML", id="syntax"),
        pytest.param("n.txt", "", "expected a .toml or .csv file", id="extension"),
    ],
)  # fmt: skip
def test_bad_notice_files_name_file_and_place(name, text, message):
    with pytest.raises(NoticeError) as err:
        parse_notice(text.encode("utf-8"), file_name=name)
    assert message in str(err.value), f"expected {message!r} in {str(err.value)!r}"


def test_year_summary_known_and_provisional(session, now):
    seed_builtin(session, now=now)
    known = year_summary(session, 2026)
    assert known["provisional"] is False and known["stored_rows"] == 39
    assert known["working_days"] == 248  # 261 weekdays - 19 holidays + 6 make-up days
    later = year_summary(session, 2027)
    assert later["provisional"] is True and later["stored_rows"] == 0
    assert [d.day for d in later["exceptions"]][0] == D("2027-01-01")
