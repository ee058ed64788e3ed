"""`legal-track users disable|enable|role|reset` (and `users list` showing the result)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import Session, select
from typer.testing import CliRunner

from legal_track.auth import login
from legal_track.cli import app
from legal_track.config import get_settings
from legal_track.db import make_engine
from legal_track.models import AuditEntry

runner = CliRunner()


def invoke(*args: str, **kw):
    return runner.invoke(app, list(args), catch_exceptions=False, **kw)


def users() -> dict[str, dict]:
    return {u["username"]: u for u in json.loads(invoke("users", "list", "--json").stdout)}


def test_disable_enable_role_and_reset(env):
    assert invoke("init").exit_code == 0
    added = invoke("users", "add", "li", "--role", "staff",
                   env={"LEGAL_TRACK_NEW_USER_PASSWORD": "a-long-password"})  # fmt: skip
    assert added.exit_code == 0, added.output

    done = invoke("users", "disable", "li")
    assert done.exit_code == 0 and "disabled li" in done.output
    assert users()["li"]["active"] is False
    assert invoke("users", "enable", "li").exit_code == 0 and users()["li"]["active"] is True

    role = invoke("users", "role", "li", "lead")
    assert role.exit_code == 0 and "li is now lead" in role.output
    assert users()["li"]["role"] == "lead"
    bad = invoke("users", "role", "li", "boss")
    assert bad.exit_code == 2, "typer refuses an unknown role"

    reset = invoke("users", "reset", "li")
    assert reset.exit_code == 0, reset.output
    temporary = reset.output.rsplit(": ", 1)[1].strip()
    assert users()["li"]["must_change_password"] is True
    assert "(must change password)" in invoke("users", "list").output
    engine = make_engine(get_settings().database_url)
    with Session(engine) as s:
        result = login(s, username="li", password=temporary, now=datetime.now(UTC))
        assert result.user is not None and result.must_change_password
        audited = s.exec(select(AuditEntry.action).where(AuditEntry.actor == "cli")).all()
        assert {"user.disable", "user.enable", "user.role", "user.reset"} <= set(audited)
    engine.dispose()


def test_the_last_admin_cannot_be_disabled_and_unknown_users_are_named(env):
    assert invoke("init").exit_code == 0
    last = invoke("users", "disable", "admin")
    assert last.exit_code == 1 and "last active admin" in last.output
    ghost = invoke("users", "reset", "ghost")
    assert ghost.exit_code == 1 and "no user named 'ghost'" in ghost.output
