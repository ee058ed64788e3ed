from __future__ import annotations

import json

from typer.testing import CliRunner

from legal_track.cli import app

runner = CliRunner()


def invoke(*args: str, **kw):
    return runner.invoke(app, list(args), catch_exceptions=False, **kw)


def test_init_is_idempotent_and_creates_admin_once(env, monkeypatch):
    monkeypatch.delenv("LEGAL_TRACK_ADMIN_PASSWORD")
    first = invoke("init")
    assert first.exit_code == 0, first.output
    assert "password (shown once)" in first.output
    second = invoke("init")
    assert second.exit_code == 0 and "(shown once)" not in second.output
    assert "admin account: admin (exists" in second.output
    users = json.loads(invoke("users", "list", "--json").stdout)
    assert [u["username"] for u in users] == ["admin"] and users[0]["role"] == "admin"


def test_users_add_and_duplicate_is_a_clear_error(env):
    assert invoke("init").exit_code == 0
    ok = invoke(
        "users",
        "add",
        "li",
        "--role",
        "lead",
        "--email",
        "li@example.com",
        env={"LEGAL_TRACK_NEW_USER_PASSWORD": "a-long-password"},
    )
    assert ok.exit_code == 0, ok.output
    dup = invoke("users", "add", "li", "--role", "staff")
    assert dup.exit_code == 1
    assert "already exists" in dup.output and "Traceback" not in dup.output
    short = invoke("users", "add", "wang", env={"LEGAL_TRACK_NEW_USER_PASSWORD": "short"})
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    lead_missing = invoke("users", "add", "zhao", "--lead", "nobody")
    assert lead_missing.exit_code == 1 and "no user named 'nobody'" in lead_missing.output


def test_demo_command_fills_once_and_reports_json(env):
    out = invoke("demo", "--cases", "12", "--seed", "5", "--as-of", "2026-11-29", "--json")
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout[out.stdout.index("{") :])
    assert report["cases"] == 12 and report["users"] == 5
    again = invoke("demo", "--if-empty")
    assert again.exit_code == 0 and "nothing to do" in again.output
    refused = invoke("demo")
    assert refused.exit_code == 1 and "already holds loans" in refused.output


def test_bad_database_url_is_a_clear_error(env, monkeypatch):
    from legal_track.cli.common import reset_engine
    from legal_track.config import get_settings

    monkeypatch.setenv("LEGAL_TRACK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    get_settings.cache_clear()
    reset_engine()
    out = invoke("users", "list")
    assert out.exit_code == 1 and "database error" in out.output and "Traceback" not in out.output


def test_init_says_where_the_admin_password_came_from(env, monkeypatch):
    first = invoke("init")
    assert "password: the one in LEGAL_TRACK_ADMIN_PASSWORD" in first.output, first.output
    again = invoke("init")
    assert "admin account: admin (exists" in again.output, again.output
    assert "legal-track users password admin" in again.output


def test_users_password_sets_a_new_one_that_signs_in(env):
    from legal_track.auth import authenticate
    from legal_track.cli.common import clock, session

    assert invoke("init").exit_code == 0
    changed = invoke(
        "users", "password", "admin", env={"LEGAL_TRACK_NEW_USER_PASSWORD": "a-brand-new-pass"}
    )
    assert changed.exit_code == 0 and "password of admin changed" in changed.output
    with session() as s:
        assert authenticate(s, username="admin", password="a-brand-new-pass", now=clock())
        assert authenticate(s, username="admin", password="admin-password-1", now=clock()) is None
    generated = invoke("users", "password", "admin")
    assert "(shown once)" in generated.output
    missing = runner.invoke(app, ["users", "password", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output
