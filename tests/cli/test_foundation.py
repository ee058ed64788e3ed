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
    assert second.exit_code == 0 and "password" not in second.output
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
