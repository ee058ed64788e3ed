"""Per-user reminder preferences: digest on or off, severities received, muted cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from legal_track.audit import AuditEvent, record
from legal_track.db import utcnow_from
from legal_track.models import Role, User
from legal_track.models.reminder import ReminderPreference
from legal_track.privacy import CASE_WORKER_ROLES, check_role
from legal_track.reminders.text import DeadlineEntry

ALL_SEVERITIES = ("fatal", "critical", "info")


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    name: str
    email: str
    language: str
    digest_enabled: bool
    severities: frozenset[str]
    muted: frozenset[int]

    def wants(self, entry: DeadlineEntry) -> bool:
        return entry.severity in self.severities and entry.case_id not in self.muted


def preference_for(session: Session, *, user_id: int) -> ReminderPreference:
    """The user's stored preferences, or the defaults (not added to the session)."""
    found = session.execute(
        select(ReminderPreference).where(ReminderPreference.user_id == user_id)
    ).scalar_one_or_none()
    return found or ReminderPreference(
        user_id=user_id, severities=list(ALL_SEVERITIES), muted_case_ids=[],
        updated_at=datetime(1970, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def save_preference(
    session: Session,
    *,
    user_id: int,
    digest_enabled: bool,
    severities: list[str],
    muted_case_ids: list[int],
    actor: str,
    now: datetime,
    role: str | None = None,
) -> ReminderPreference:
    """Store a user's reminder preferences. Audited, commits."""
    check_role(role, CASE_WORKER_ROLES, "change reminder settings")
    bad = [s for s in severities if s not in ALL_SEVERITIES]
    if bad:
        raise ValueError(f"unknown severities {bad}; choose from {list(ALL_SEVERITIES)}")
    if session.get(User, user_id) is None:
        raise LookupError(f"no user with id {user_id}")
    pref = session.execute(
        select(ReminderPreference).where(ReminderPreference.user_id == user_id)
    ).scalar_one_or_none() or ReminderPreference(user_id=user_id, updated_at=utcnow_from(now))
    pref.digest_enabled = digest_enabled
    pref.severities = sorted(set(severities), key=ALL_SEVERITIES.index)
    pref.muted_case_ids = sorted({int(c) for c in muted_case_ids})
    pref.updated_at = utcnow_from(now)
    session.add(pref)
    record(
        session,
        AuditEvent(actor, "reminders.preferences", "user", str(user_id),
                   {"digest": digest_enabled, "severities": pref.severities,
                    "muted": pref.muted_case_ids}),
        now=now,
    )  # fmt: skip
    session.commit()
    return pref


def load_recipients(session: Session) -> tuple[dict[int, Recipient], list[int], dict[int, User]]:
    """Active users with an e-mail address, their preferences, and the team leads."""
    users = {u.id: u for u in session.execute(select(User).where(User.active)).scalars()}
    prefs = {p.user_id: p for p in session.execute(select(ReminderPreference)).scalars()}
    out: dict[int, Recipient] = {}
    for uid, u in users.items():
        if not u.email:
            continue
        p = prefs.get(uid)
        out[uid] = Recipient(
            user_id=uid, name=u.display_name or u.username, email=u.email,
            language=u.language if u.language in ("zh", "en") else "zh",
            digest_enabled=p.digest_enabled if p else True,
            severities=frozenset(p.severities if p else ALL_SEVERITIES),
            muted=frozenset(int(c) for c in (p.muted_case_ids if p else [])),
        )  # fmt: skip
    leads = sorted(uid for uid, u in users.items() if u.role == Role.lead and uid in out)
    return out, leads, users
