"""Accounts: sign-in lockout per account and per client, the admin's changes (disable,
enable, role, reset with a forced change), the user's own password change; all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from legal_track.auth import (
    AuthError,
    LoginPolicy,
    Outcome,
    account_locked_until,
    account_state,
    change_own_password,
    change_role,
    disable_user,
    enable_user,
    login,
    reset_password,
    set_password,
)
from legal_track.models import AuditEntry, LoginAttempt, Role
from tests.factories import make_user

PASSWORD = "correct horse battery"
T = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
POLICY = LoginPolicy(max_failures=3, client_max_failures=5, window=timedelta(minutes=15))


def actions(session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def attempt(session, username: str, password: str, *, at: datetime, client: str = ""):
    return login(session, username=username, password=password, now=at, client=client,
                 policy=POLICY)  # fmt: skip


@pytest.fixture
def staff(session):
    user = make_user(session, role=Role.staff)
    session.commit()
    return user


@pytest.fixture
def admin(session):
    user = make_user(session, role=Role.admin, username="root")
    session.commit()
    return user


def test_the_account_locks_after_n_failures_within_the_window(session, staff):
    for i in range(3):
        assert (
            attempt(session, staff.username, "wrong", at=T + timedelta(minutes=i)).outcome
            is Outcome.failed
        )
    locked = attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=3))
    assert locked.outcome is Outcome.locked and locked.user is None, "even the right password"
    assert locked.locked_until == T + timedelta(minutes=15), "the first of the 3 leaves the window"
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=15, seconds=1)).user
    (entry,) = actions(session, "login.locked")
    assert entry.actor == staff.username and entry.detail["scope"] == "account"
    assert [e.actor for e in actions(session, "login.failed")] == [staff.username] * 3


def test_attempts_while_locked_do_not_prolong_the_lock(session, staff):
    for i in range(3):
        attempt(session, staff.username, "wrong", at=T + timedelta(minutes=i))
    for i in range(5):
        attempt(session, staff.username, "wrong", at=T + timedelta(minutes=5 + i))
    assert account_locked_until(session, username=staff.username, now=T + timedelta(minutes=16),
                                policy=POLICY) is None  # fmt: skip


def test_failures_spread_beyond_the_window_do_not_lock(session, staff):
    for i in range(6):
        attempt(session, staff.username, "wrong", at=T + timedelta(minutes=10 * i))
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=55)).user


def test_a_successful_sign_in_resets_the_account_count(session, staff):
    attempt(session, staff.username, "wrong", at=T)
    attempt(session, staff.username, "wrong", at=T + timedelta(minutes=1))
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=2)).user
    attempt(session, staff.username, "wrong", at=T + timedelta(minutes=3))
    attempt(session, staff.username, "wrong", at=T + timedelta(minutes=4))
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=5)).user


def test_an_unknown_name_locks_like_a_real_one(session):
    """The lockout does not tell an attacker which names exist."""
    for i in range(3):
        attempt(session, "nobody", "x", at=T + timedelta(seconds=i))
    assert attempt(session, "nobody", "x", at=T + timedelta(seconds=5)).outcome is Outcome.locked


def test_one_client_is_locked_across_accounts(session, staff):
    names = ["a1", "a2", "a3", "a4", "a5"]
    for i, name in enumerate(names):
        attempt(session, name, "x", at=T + timedelta(seconds=i), client="10.0.0.9")
    blocked = attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=1),
                      client="10.0.0.9")  # fmt: skip
    assert blocked.outcome is Outcome.client_locked
    other = attempt(
        session, staff.username, PASSWORD, at=T + timedelta(minutes=1), client="10.0.0.7"
    )
    assert other.user is not None, "another client is not affected"
    rows = session.exec(select(LoginAttempt.client, LoginAttempt.outcome)).all()
    assert ("10.0.0.9", "client_locked") in rows
    (entry,) = actions(session, "login.locked")
    assert entry.detail == {"client": "10.0.0.9", "scope": "client",
                            "until": (T + timedelta(minutes=15)).isoformat()}  # fmt: skip


def test_enable_lifts_a_lockout(session, staff, admin):
    for i in range(3):
        attempt(session, staff.username, "wrong", at=T + timedelta(seconds=i))
    assert (
        attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=1)).outcome
        is Outcome.locked
    )
    enable_user(session, username=staff.username, actor=admin.username, now=T + timedelta(minutes=2),
                role=Role.admin)  # fmt: skip
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(minutes=3)).user
    (entry,) = actions(session, "user.enable")
    assert entry.detail == {"username": staff.username, "was_active": True}


def test_a_disabled_account_cannot_sign_in(session, staff, admin):
    disable_user(session, username=staff.username, actor=admin.username, now=T, role=Role.admin)
    result = attempt(session, staff.username, PASSWORD, at=T)
    assert result.outcome is Outcome.failed, "refused like a wrong password"
    assert account_state(session, user_id=staff.id).active is False
    enable_user(session, username=staff.username, actor=admin.username, now=T, role=Role.admin)
    assert attempt(session, staff.username, PASSWORD, at=T + timedelta(seconds=1)).user
    assert [e.detail["was_active"] for e in actions(session, "user.disable")] == [True]


def test_admin_rules_own_account_last_admin_and_role(session, staff, admin):
    with pytest.raises(AuthError, match="your own account") as own:
        disable_user(session, username=admin.username, actor=admin.username, now=T, role=Role.admin)
    assert own.value.key == "accounts.error.self"
    with pytest.raises(AuthError, match="last active admin"):
        disable_user(session, username=admin.username, actor="cli", now=T)
    with pytest.raises(AuthError, match="last active admin"):
        change_role(session, username=admin.username, new_role="lead", actor="cli", now=T)
    with pytest.raises(AuthError, match="may not manage accounts"):
        disable_user(session, username=staff.username, actor="x", now=T, role=Role.lead)
    with pytest.raises(AuthError, match="no role named"):
        change_role(session, username=staff.username, new_role="boss", actor="cli", now=T)
    with pytest.raises(AuthError, match="no user named"):
        enable_user(session, username="ghost", actor="cli", now=T)
    assert actions(session, "user.disable") == [] and actions(session, "user.role") == []


def test_change_role_applies_and_is_audited(session, staff, admin):
    change_role(session, username=staff.username, new_role=Role.lead, actor=admin.username, now=T,
                role=Role.admin)  # fmt: skip
    assert account_state(session, user_id=staff.id).role is Role.lead
    (entry,) = actions(session, "user.role")
    assert (entry.actor, entry.detail["from"], entry.detail["to"]) == (
        admin.username,
        "staff",
        "lead",
    )
    change_role(session, username=staff.username, new_role=Role.lead, actor=admin.username, now=T)
    assert len(actions(session, "user.role")) == 1, "no change, nothing recorded"


def test_reset_forces_a_change_at_the_next_sign_in(session, staff, admin):
    temporary = reset_password(session, username=staff.username, actor=admin.username, now=T,
                               role=Role.admin)  # fmt: skip
    assert len(temporary) >= 10
    assert attempt(session, staff.username, PASSWORD, at=T).user is None, "the old one is gone"
    result = attempt(session, staff.username, temporary, at=T + timedelta(seconds=1))
    assert result.user is not None and result.must_change_password
    state = account_state(session, user_id=staff.id)
    assert state.must_change_password and state.password_changed_at == T
    with pytest.raises(AuthError, match="current password is wrong"):
        change_own_password(session, user_id=staff.id, current="guess", new="a new password 1",
                            now=T)  # fmt: skip
    with pytest.raises(AuthError, match="must differ"):
        change_own_password(session, user_id=staff.id, current=temporary, new=temporary, now=T)
    with pytest.raises(AuthError, match="at least 10"):
        change_own_password(session, user_id=staff.id, current=temporary, new="short", now=T)
    later = T + timedelta(minutes=1)
    change_own_password(session, user_id=staff.id, current=temporary, new="a new password 1",
                        now=later)  # fmt: skip
    state = account_state(session, user_id=staff.id)
    assert not state.must_change_password and state.password_changed_at == later
    assert attempt(session, staff.username, "a new password 1", at=later).user
    (reset,) = actions(session, "user.reset")
    assert temporary not in str(reset.detail), "the password is never in the audit trail"
    (change,) = actions(session, "user.password_change")
    assert change.actor == staff.username and change.detail == {"forced": True}


def test_set_password_ends_open_sessions(session, staff):
    set_password(session, username=staff.username, password="another long one", actor="cli", now=T)
    assert account_state(session, user_id=staff.id).password_changed_at == T
    assert not account_state(session, user_id=staff.id).must_change_password
