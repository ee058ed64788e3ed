"""Lockout and account changes on the migrated schema, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from legal_track.audit import verify_chain
from legal_track.auth import LoginPolicy, Outcome, enable_user, login, reset_password
from legal_track.models import Role
from tests.factories import make_user

T = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
POLICY = LoginPolicy(max_failures=2, client_max_failures=10, window=timedelta(minutes=10))


def test_lockout_reset_and_the_chain(db):
    user = make_user(db, role=Role.staff)
    db.commit()
    for i in range(2):
        login(db, username=user.username, password="x", now=T + timedelta(seconds=i),
              client="192.0.2.1", policy=POLICY)  # fmt: skip
    locked = login(db, username=user.username, password="correct horse battery",
                   now=T + timedelta(seconds=5), policy=POLICY)  # fmt: skip
    assert locked.outcome is Outcome.locked and locked.locked_until == T + timedelta(minutes=10)
    temporary = reset_password(
        db, username=user.username, actor="cli", now=T + timedelta(minutes=1)
    )
    again = login(db, username=user.username, password=temporary, now=T + timedelta(minutes=2),
                  policy=POLICY)  # fmt: skip
    assert again.user is not None and again.must_change_password
    enable_user(db, username=user.username, actor="cli", now=T + timedelta(minutes=3))
    report = verify_chain(db)
    assert report.ok and report.entries == 6
