"""The admin page: candidates, the confirmation, the purge; other roles do not see it."""

from __future__ import annotations

from datetime import date

import pytest

from legal_track.config import get_settings
from legal_track.models import Borrower, Case, Role
from tests.retention.conftest import seed_case
from tests.ui import conftest as ui
from tests.ui.test_app import _can_open, table, texts

app, db, user_of = ui.app, ui.db, ui.user_of  # the app's fixtures, on this module
PAGE = "legal_track/ui/pages/retention.py"
TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("role, allowed", [(Role.admin, True), (Role.lead, False),
                                           (Role.staff, False), (Role.viewer, False)], ids=str)  # fmt: skip
def test_only_admins_open_the_page(app, user_of, role, allowed):
    at = app(user_of(role)).run()
    assert _can_open(at, "retention") is allowed


def _page(app, user, lang=None):
    at = app(user, lang=lang).run()
    at.switch_page(PAGE).run()
    at.date_input(key="retention.today").set_value(TODAY).run()
    assert not at.exception, at.exception
    return at


def test_candidates_then_purge_after_confirmation(app, db, user_of):
    seeded = seed_case(db, get_settings())
    admin = user_of(Role.admin)
    at = _page(app, admin)
    rows = table(at)
    assert [r["案件编号"] for r in rows] == [seeded.case.ref], rows
    assert "3 contact-log entries" in rows[0]["所含个人信息"]
    at.button(key="FormSubmitter:retention.form-清除个人信息").click().run()
    assert "请先勾选确认。" in texts(at.warning), "no purge without the confirmation"
    db.expire_all()
    assert db.get(Borrower, seeded.borrower.id).purged_at is None
    at.checkbox(key="retention.confirm").check()
    at.button(key="FormSubmitter:retention.form-清除个人信息").click().run()
    assert not at.exception, at.exception
    assert any("已清除 1 件案件的个人信息" in m for m in texts(at.success)), texts(at.success)
    assert "目前没有到期可清除的案件。" in texts(at.info)
    db.expire_all()
    assert db.get(Case, seeded.case.id).purged_at is not None


def test_page_in_english(app, db, user_of):
    seed_case(db, get_settings())
    at = _page(app, user_of(Role.admin), lang="en")
    assert at.title[0].value == "Personal data purge"
    assert "1 case(s) due for purge" in [m.value for m in at.markdown]
