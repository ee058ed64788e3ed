"""Accounts in the app: lockout message, idle expiry, the forced password change, the
admin's account changes on the users page, role changes reaching open sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from legal_track.auth import change_role, reset_password
from legal_track.config import get_settings
from legal_track.models import Role, User
from legal_track.ui.context import SEEN_KEY, USER_KEY, now
from tests.ui.conftest import PASSWORD
from tests.ui.test_app import _can_open, audit_actions, sign_in, table, texts

ROLES = [Role.admin, Role.lead, Role.staff, Role.viewer, Role.counsel]


@pytest.mark.parametrize(
    "page, allowed",
    [("users", {Role.admin}), ("password", set(ROLES)), ("audit", {Role.admin, Role.lead})],
)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_role_page_matrix(app, user_of, page, allowed, role):
    at = app(user_of(role)).run()
    assert _can_open(at, page) is (role in allowed), f"{role} on {page}"


def test_the_login_page_says_when_the_account_is_locked(app, user_of, monkeypatch):
    monkeypatch.setenv("LEGAL_TRACK_LOGIN_MAX_FAILURES", "2")
    get_settings.cache_clear()
    user = user_of(Role.staff)
    at = app().run()
    for _ in range(2):
        at = sign_in(at, user.username, "wrong password!")
    assert "用户名或密码错误" in texts(at.error)[0]
    at = sign_in(at, user.username, PASSWORD)
    assert USER_KEY not in at.session_state, "locked: the right password is refused too"
    assert "该账号已暂时锁定" in texts(at.error)[0]


def test_an_idle_session_expires(app, user_of):
    at = app(user_of(Role.staff)).run()
    assert texts(at.title) == ["案件列表"]
    at.session_state[SEEN_KEY] = now() - timedelta(minutes=get_settings().session_idle_minutes + 1)
    at.run()
    assert USER_KEY not in at.session_state
    assert "已长时间未操作" in texts(at.info)[0]


def test_an_active_session_stays(app, user_of):
    at = app(user_of(Role.staff)).run()
    at.session_state[SEEN_KEY] = now() - timedelta(minutes=get_settings().session_idle_minutes - 1)
    at.run()
    assert texts(at.title) == ["案件列表"]


def test_a_reset_forces_a_new_password_before_anything_else(app, db, user_of):
    user = user_of(Role.staff)
    temporary = reset_password(db, username=user.username, actor="admin", now=now())
    at = sign_in(app().run(), user.username, temporary)
    assert texts(at.title) == ["修改密码"] and "管理员已重置您的密码" in texts(at.warning)[0]
    with pytest.raises(ValueError):
        at.switch_page("legal_track/ui/pages/cases.py")  # not in the navigation until done
    at.text_input(key="password.current").input(temporary)
    at.text_input(key="password.new").input("my own new password")
    at.text_input(key="password.again").input("my own new password!")
    at.button(key="password.submit").click().run()
    assert "两次输入的新密码不一致" in texts(at.error)[0]
    at.text_input(key="password.again").input("my own new password")
    at.button(key="password.submit").click().run()
    assert not at.exception and "密码已修改" in texts(at.success)[0]
    assert at.session_state[USER_KEY].username == user.username, "still signed in"
    at.switch_page("legal_track/ui/pages/cases.py").run()
    assert texts(at.title) == ["案件列表"]
    assert [e.detail for e in audit_actions(db, "user.password_change")] == [{"forced": True}]
    fresh = sign_in(app().run(), user.username, "my own new password")
    assert texts(fresh.title) == ["案件列表"], "no forced change any more"


def test_a_reset_ends_the_open_sessions(app, db, user_of):
    user = user_of(Role.staff)
    at = app(user).run()
    assert texts(at.title) == ["案件列表"]
    reset_password(db, username=user.username, actor="admin", now=now() + timedelta(seconds=1))
    at.run()
    assert USER_KEY not in at.session_state


def test_a_role_change_reaches_the_open_session(app, db, user_of):
    user = user_of(Role.staff)
    at = app(user).run()
    assert _can_open(at, "imports")
    change_role(db, username=user.username, new_role=Role.viewer, actor="admin", now=now())
    at.run()
    assert at.session_state[USER_KEY].role is Role.viewer
    assert not _can_open(at, "imports")


def _users_page(app, admin):
    at = app(admin).run()
    at.switch_page("legal_track/ui/pages/users.py")
    return at.run()


def _status(at, username: str) -> str:
    return next(r["状态"] for r in table(at) if r["用户名"] == username)


def test_admin_disables_enables_changes_role_and_resets(app, db, user_of):
    admin = user_of(Role.admin)
    staff = user_of(Role.staff)
    at = _users_page(app, admin)
    assert _status(at, staff.username) == "正常"

    at.selectbox(key="users.manage_user").select(staff.username).run()
    at.button(key="users.disable").click().run()
    assert not at.exception and f"已停用 {staff.username}" in texts(at.success)[0]
    assert _status(at, staff.username) == "已停用"

    at.button(key="users.enable").click().run()
    assert _status(at, staff.username) == "正常"

    at.selectbox(key="users.manage_role").select(Role.lead)
    at.button(key="users.change_role").click().run()
    assert f"{staff.username} 的角色已改为组长" in texts(at.success)[0]
    db.expire_all()
    assert db.get(User, staff.id).role == Role.lead

    at.button(key="users.reset").click().run()
    (temporary,) = [c.value for c in at.code]
    assert len(temporary) >= 10 and "仅显示这一次" in texts(at.success)[0]
    assert _status(at, staff.username) == "待改密码"
    at.run()
    assert not at.code, "the temporary password is shown once"
    assert {e.action for e in audit_actions(db, "user.reset")} == {"user.reset"}
    assert [e.actor for e in audit_actions(db, "user.disable")] == [admin.username]


def test_admin_cannot_disable_themselves(app, user_of):
    admin = user_of(Role.admin)
    user_of(Role.admin)  # another admin exists: the refusal is about the own account
    at = _users_page(app, admin)
    at.selectbox(key="users.manage_user").select(admin.username).run()
    at.button(key="users.disable").click().run()
    assert "不能对自己的账号执行此操作" in texts(at.error)[0]
