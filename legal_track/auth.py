"""Local accounts: argon2id password hashes, creation, authentication."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.models.user import Role, User

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


class AuthError(ValueError):
    pass


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
) -> User:
    """Create an account. Refuses duplicate names and short passwords."""
    username = username.strip()
    if not username:
        raise AuthError("user name is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if language not in ("zh", "en"):
        raise AuthError(f"language must be zh or en, not {language!r}")
    if user_by_username(session, username) is not None:
        raise AuthError(f"user {username!r} already exists")
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


def authenticate(session: Session, *, username: str, password: str, now: datetime) -> User | None:
    """The user if name and password match an active account; the attempt is audited."""
    user = user_by_username(session, username)
    ok = False
    if user is not None and user.active:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if ok and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    record(
        session,
        AuditEvent(username.strip() or "?", "login.ok" if ok else "login.failed", "user"),
        now=now,
    )
    session.commit()
    return user if ok else None


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


def set_password(
    session: Session, *, username: str, password: str | None, actor: str, now: datetime
) -> str | None:
    """Give `username` a new password (generated when None; returned to print once).
    Audited; the account's other sessions stay valid until they sign out."""
    user = user_by_username(session, username)
    if user is None:
        raise AuthError(f"no user named {username!r}")
    generated = None
    if password is None:
        password = generated = generate_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = hash_password(password)
    session.add(user)
    record(session, AuditEvent(actor, "user.password", "user", str(user.id), {}), now=now)
    session.commit()
    return generated
