"""Local accounts: argon2id password hashes, creation, sign-in with lockout, and the
admin's account changes (disable, enable, role, password reset with a forced change).

Every change and every sign-in attempt is audited. The admin services take the acting
user's `role` (None: the operator of the command line, trusted) and refuse an admin's
own account and the last active admin where a change would lock everybody out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.models.user import LoginAttempt, Role, User

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class AuthError(ValueError):
    """A refused account operation. `key` and `params` name the catalog text
    (legal_track/locale/accounts.toml) the app shows; the message is the English text."""

    def __init__(self, message: str, key: str = "", **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    now: datetime,
    actor: str,
    display_name: str = "",
    email: str | None = None,
    language: str = "zh",
    lead_id: int | None = None,
    actor_role: Role | str | None = None,
) -> User:
    """Create an account. Refuses duplicate names and short passwords. `actor_role` is the
    acting user's role (`role` is the new account's): only an admin creates accounts;
    None is the operator of the command line (trusted)."""
    _check_admin(actor_role)
    username = username.strip()
    if not username:
        raise AuthError("user name is empty", "accounts.error.empty_name")
    _check_length(password)
    if language not in ("zh", "en"):
        raise AuthError(f"language must be zh or en, not {language!r}", "accounts.error.language",
                        language=language)  # fmt: skip
    if user_by_username(session, username) is not None:
        raise AuthError(f"user {username!r} already exists", "accounts.error.exists",
                        username=username)  # fmt: skip
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        role=Role(role),
        language=language,
        password_hash=hash_password(password),
        lead_id=lead_id,
        created_at=utcnow_from(now),
    )
    session.add(user)
    session.flush()
    record(session, AuditEvent(actor, "user.create", "user", str(user.id), {"role": role}), now=now)
    session.commit()
    return user


def user_by_username(session: Session, username: str) -> User | None:
    """The account named `username` (surrounding blanks ignored), active or not."""
    return session.exec(select(User).where(User.username == username.strip())).first()


def is_active(session: Session, *, user_id: int) -> bool:
    """Whether the account still exists and is active (a disabled account loses its
    open app sessions at once)."""
    return bool(session.exec(select(User.active).where(User.id == user_id)).first())


@dataclass(frozen=True, slots=True)
class AccountState:
    """What an open app session re-reads on every run (legal_track/ui/shell.py)."""

    active: bool
    role: Role
    must_change_password: bool
    password_changed_at: datetime | None


def account_state(session: Session, *, user_id: int) -> AccountState | None:
    """The account's current state; None when it no longer exists."""
    user = session.get(User, user_id)
    if user is None:
        return None
    session.refresh(user)
    return AccountState(bool(user.active), Role(user.role), bool(user.must_change_password),
                        user.password_changed_at)  # fmt: skip


# --- sign-in and lockout ----------------------------------------------------------------


class Outcome(StrEnum):
    ok = "ok"
    failed = "failed"  # wrong name or password, or a disabled account (not told apart)
    locked = "locked"  # too many failures for this account within the window
    client_locked = "client_locked"  # too many failures from this client within the window


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Lockout limits (settings login_max_failures, login_client_max_failures,
    login_window_minutes)."""

    max_failures: int = 5
    client_max_failures: int = 20
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings) -> LoginPolicy:
        return cls(settings.login_max_failures, settings.login_client_max_failures,
                   timedelta(minutes=settings.login_window_minutes))  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User | None
    outcome: Outcome
    locked_until: datetime | None = None  # when a lockout ends (UTC)

    @property
    def must_change_password(self) -> bool:
        return self.user is not None and bool(self.user.must_change_password)


def _lock_end(session: Session, where: list, since: datetime, limit: int,
              window: timedelta) -> datetime | None:  # fmt: skip
    """When the lockout ends if at least `limit` failures match `where` since `since`:
    once the `limit`-th newest of them leaves the window."""
    query = (
        select(LoginAttempt.at)
        .where(*where, LoginAttempt.outcome == Outcome.failed.value, LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    nth = session.exec(query).first()
    return None if nth is None else nth + window


def account_locked_until(session: Session, *, username: str, now: datetime,
                         policy: LoginPolicy = LoginPolicy()) -> datetime | None:  # fmt: skip
    """When the account's lockout ends, or None when it is not locked. Failures count
    within the window and after the account's last successful sign-in and its last
    enable or password reset by an admin."""
    now = utcnow_from(now)
    name = username.strip()
    since = now - policy.window
    last_ok = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == name, LoginAttempt.outcome == Outcome.ok.value
        )
    ).first()
    unlocked = session.exec(select(User.unlocked_at).where(User.username == name)).first()
    for mark in (last_ok, unlocked):
        if mark is not None and mark > since:
            since = mark
    until = _lock_end(session, [LoginAttempt.username == name], since, policy.max_failures,
                      policy.window)  # fmt: skip
    return until if until is not None and until > now else None


def client_locked_until(session: Session, *, client: str, now: datetime,
                        policy: LoginPolicy = LoginPolicy()) -> datetime | None:  # fmt: skip
    """When the client address may sign in again, or None (no address: never locked)."""
    if not client:
        return None
    now = utcnow_from(now)
    until = _lock_end(session, [LoginAttempt.client == client], now - policy.window,
                      policy.client_max_failures, policy.window)  # fmt: skip
    return until if until is not None and until > now else None


def login(session: Session, *, username: str, password: str, now: datetime, client: str = "",
          policy: LoginPolicy = LoginPolicy()) -> LoginResult:  # fmt: skip
    """One sign-in attempt: refused while the client or the account is locked out
    (without checking the password), else the password is checked. Recorded as a
    LoginAttempt and in the audit trail (login.ok, login.failed, login.locked); one commit."""
    now = utcnow_from(now)
    name = username.strip()
    client = (client or "")[:64]
    user, outcome, until = None, Outcome.failed, None
    until = client_locked_until(session, client=client, now=now, policy=policy)
    if until is not None:
        outcome = Outcome.client_locked
    else:
        until = account_locked_until(session, username=name, now=now, policy=policy)
        if until is not None:
            outcome = Outcome.locked
    if until is None:
        found = user_by_username(session, name) if name else None
        ok = False
        if found is not None and found.active:
            try:
                ok = _hasher.verify(found.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
            if ok and _hasher.check_needs_rehash(found.password_hash):
                found.password_hash = hash_password(password)
        outcome = Outcome.ok if ok else Outcome.failed
        user = found if ok else None
    session.add(LoginAttempt(at=now, username=name[:64], client=client, outcome=outcome.value))
    action = {Outcome.ok: "login.ok", Outcome.failed: "login.failed"}.get(outcome, "login.locked")
    detail: dict = {"client": client} if client else {}
    if until is not None:
        detail |= {"scope": "client" if outcome is Outcome.client_locked else "account",
                   "until": until.isoformat()}  # fmt: skip
    record(session, AuditEvent(name or "?", action, "user", str(user.id) if user else "", detail),
           now=now)  # fmt: skip
    session.commit()
    return LoginResult(user, outcome, until)


def authenticate(session: Session, *, username: str, password: str, now: datetime,
                 client: str = "", policy: LoginPolicy = LoginPolicy()) -> User | None:  # fmt: skip
    """The user if name and password match an active, not locked-out account; the
    attempt is audited (see `login` for the reason of a refusal)."""
    return login(session, username=username, password=password, now=now, client=client,
                 policy=policy).user  # fmt: skip


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))


@dataclass(frozen=True, slots=True)
class AdminAccount:
    """What `legal-track init` says about the first admin account and its password."""

    username: str
    created: bool
    password_source: str  # "generated" | "environment" | "existing"
    generated_password: str | None = None


def ensure_admin(session: Session, *, password: str | None, now: datetime) -> AdminAccount:
    """Create `admin` if no admin exists, with `password` (LEGAL_TRACK_ADMIN_PASSWORD) or a
    generated one (to print once). Says where the password came from either way."""
    existing = session.exec(select(User).where(User.role == Role.admin)).first()
    if existing is not None:
        return AdminAccount(existing.username, created=False, password_source="existing")
    generated = None
    if not password:
        password = generated = generate_password()
    create_user(
        session, username="admin", password=password, role=Role.admin, now=now, actor="system"
    )
    source = "generated" if generated else "environment"
    return AdminAccount("admin", created=True, password_source=source, generated_password=generated)


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must have at least {MIN_PASSWORD_LENGTH} characters",
                        "accounts.error.short", n=MIN_PASSWORD_LENGTH)  # fmt: skip


def _account(session: Session, username: str) -> User:
    user = user_by_username(session, username)
    if user is None:
        raise AuthError(f"no user named {username!r}", "accounts.error.unknown",
                        username=username.strip())  # fmt: skip
    return user


def set_password(
    session: Session, *, username: str, password: str | None, actor: str, now: datetime
) -> str | None:
    """Give `username` a new password (generated when None; returned to print once).
    Audited; the account's open app sessions end."""
    user = _account(session, username)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_length(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow_from(now)
    session.add(user)
    record(session, AuditEvent(actor, "user.password", "user", str(user.id), {}), now=now)
    session.commit()
    return generated


# --- admin changes to an account --------------------------------------------------------


def _check_admin(role: Role | str | None) -> None:
    """`role` None: the operator of the command line (trusted). Otherwise only an admin."""
    if role is not None and str(role) != Role.admin.value:
        raise AuthError(f"a {role} account may not manage accounts", "accounts.error.not_admin")


def _other_active_admins(session: Session, user: User) -> int:
    query = (
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin, User.active, User.id != user.id)
    )
    return int(session.exec(query).one())


def _not_self(user: User, actor: str, what: str) -> None:
    if user.username == actor:
        raise AuthError(f"you cannot {what} your own account", "accounts.error.self")


def _keeps_an_admin(session: Session, user: User, what: str) -> None:
    if Role(user.role) is Role.admin and user.active and not _other_active_admins(session, user):
        raise AuthError(f"cannot {what} {user.username!r}: it is the last active admin",
                        "accounts.error.last_admin", username=user.username)  # fmt: skip


def disable_user(session: Session, *, username: str, actor: str, now: datetime,
                 role: Role | str | None = None) -> User:  # fmt: skip
    """Disable an account: it cannot sign in and its open sessions end at once. Audited."""
    _check_admin(role)
    user = _account(session, username)
    _not_self(user, actor, "disable")
    _keeps_an_admin(session, user, "disable")
    was = bool(user.active)
    user.active = False
    session.add(user)
    record(session, AuditEvent(actor, "user.disable", "user", str(user.id),
                               {"username": user.username, "was_active": was}), now=now)  # fmt: skip
    session.commit()
    return user


def enable_user(session: Session, *, username: str, actor: str, now: datetime,
                role: Role | str | None = None) -> User:  # fmt: skip
    """Re-enable an account; also lifts a sign-in lockout (failures before now no longer
    count). Audited."""
    _check_admin(role)
    user = _account(session, username)
    was = bool(user.active)
    user.active = True
    user.unlocked_at = utcnow_from(now)
    session.add(user)
    record(session, AuditEvent(actor, "user.enable", "user", str(user.id),
                               {"username": user.username, "was_active": was}), now=now)  # fmt: skip
    session.commit()
    return user


def change_role(session: Session, *, username: str, new_role: Role | str, actor: str,
                now: datetime, role: Role | str | None = None) -> User:  # fmt: skip
    """Give an account another role; its open sessions follow at their next run. Audited."""
    _check_admin(role)
    try:
        target = Role(str(new_role))
    except ValueError:
        raise AuthError(f"no role named {new_role!r}", "accounts.error.role",
                        role=str(new_role)) from None  # fmt: skip
    user = _account(session, username)
    before = Role(user.role)
    if before is target:
        return user
    _not_self(user, actor, "change the role of")
    if before is Role.admin:
        _keeps_an_admin(session, user, "change the role of")
    user.role = target
    session.add(user)
    record(session, AuditEvent(actor, "user.role", "user", str(user.id),
                               {"username": user.username, "from": before.value,
                                "to": target.value}), now=now)  # fmt: skip
    session.commit()
    return user


def reset_password(session: Session, *, username: str, actor: str, now: datetime,
                   role: Role | str | None = None, password: str | None = None) -> str:  # fmt: skip
    """Give the account a temporary password (generated unless given; returned to hand
    over once) that must be changed at the next sign-in. Open sessions end; a lockout is
    lifted. Audited (never the password)."""
    _check_admin(role)
    user = _account(session, username)
    password = password or generate_password()
    _check_length(password)
    at = utcnow_from(now)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_changed_at = at
    user.unlocked_at = at
    session.add(user)
    record(session, AuditEvent(actor, "user.reset", "user", str(user.id),
                               {"username": user.username}), now=now)  # fmt: skip
    session.commit()
    return password


def change_own_password(session: Session, *, user_id: int, current: str, new: str,
                        now: datetime) -> User:  # fmt: skip
    """The signed-in user chooses a new password (after a reset: required). The current
    (or temporary) password must be given; the new one must differ. Audited."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthError("the account is disabled", "accounts.error.disabled")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AuthError("the current password is wrong", "accounts.error.current") from None
    _check_length(new)
    if new == current:
        raise AuthError("the new password must differ from the current one", "accounts.error.same")
    user.password_hash = hash_password(new)
    forced = bool(user.must_change_password)
    user.must_change_password = False
    user.password_changed_at = utcnow_from(now)
    session.add(user)
    record(session, AuditEvent(user.username, "user.password_change", "user", str(user.id),
                               {"forced": forced}), now=now)  # fmt: skip
    session.commit()
    return user
