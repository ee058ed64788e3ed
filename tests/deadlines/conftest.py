"""Fixtures of the deadlines area: the shipped calendar, a case owner, a test notice."""

from __future__ import annotations

import pytest

from legal_track.calendar import WorkCalendar
from legal_track.models import User
from tests.factories import T0

# Fictional 2027 arrangement for tests ONLY (not the official notice): New Year 1/1-1/3,
# a Spring Festival block 2/6-2/12 and one make-up working Saturday, 2/20.
NOTICE_2027_TOML = """\
# TEST DATA: not the official 2027 arrangement.
year = 2027
title = "测试用2027年节假日安排"

[[holiday]]
name_zh = "元旦"
name_en = "New Year's Day"
from = 2027-01-01
to = 2027-01-03

[[holiday]]
name_zh = "春节"
name_en = "Spring Festival"
from = 2027-02-06
to = 2027-02-12
work = [2027-02-20]
"""

NOTICE_2027_CSV = """\
# title: 测试用2027年节假日安排
date,kind,name_zh,name_en
2027-01-01,off,元旦,New Year's Day
2027-01-02,off,元旦,New Year's Day
2027-01-03,off,元旦,New Year's Day
2027-02-06,off,春节,Spring Festival
2027-02-07,off,春节,Spring Festival
2027-02-08,off,春节,Spring Festival
2027-02-09,off,春节,Spring Festival
2027-02-10,off,春节,Spring Festival
2027-02-11,off,春节,Spring Festival
2027-02-12,off,春节,Spring Festival
2027-02-20,work,春节,Spring Festival
"""


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar.builtin()


@pytest.fixture
def owner(session):
    """A case owner (no real password hash: argon2 would cost a second per test)."""
    user = User(username="owner1", display_name="李律", password_hash="-", created_at=T0)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def notice_2027(tmp_path):
    path = tmp_path / "2027.toml"
    path.write_text(NOTICE_2027_TOML, encoding="utf-8")
    return path
