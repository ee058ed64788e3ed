"""`legal-track escalate accept` waits for approval; `approvals list|approve|reject`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import Session
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.config import get_settings
from legal_track.db import make_engine, migrate
from legal_track.models import Role
from tests.factories import make_contact, make_loan, make_user

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _seed() -> None:
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    with Session(engine) as s:
        make_user(s, username="lead1", role=Role.lead, password_hash="-")
        make_user(s, username="lead2", role=Role.lead, password_hash="-")
        make_user(s, username="staff1", role=Role.staff, password_hash="-")
        loan = make_loan(s, overdue_since=date(2026, 6, 1), contract_no="HT-CLI1")
        make_contact(s, loan, at=datetime(2026, 11, 20, 2, tzinfo=UTC))
        s.commit()
    engine.dispose()


def test_accept_needs_approval_then_goes_through(env, monkeypatch):
    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", '["escalation_accept"]')
    get_settings.cache_clear()
    _seed()
    args = ("escalate", "accept", "HT-CLI1", "--today", "2026-12-03")
    first = invoke(*args)
    assert first.exit_code == 1 and "needs approval: request #1 pending" in first.output
    listed = json.loads(invoke("approvals", "list", "--json").stdout)
    assert [(r["id"], r["status"], r["action"]) for r in listed] == [
        (1, "pending", "escalation_accept")
    ]
    assert listed[0]["payload"]["contracts"] == ["HT-CLI1"]

    staff = invoke("approvals", "approve", "1", "--by", "staff1")
    assert staff.exit_code == 1 and "a staff account may not decide" in staff.output
    ghost = invoke("approvals", "approve", "1", "--by", "nobody")
    assert ghost.exit_code == 1 and "no active user named 'nobody'" in ghost.output
    ok = invoke("approvals", "approve", "1", "--by", "lead2", "--reason", "同意")
    assert ok.exit_code == 0 and "approved request #1" in ok.output

    done = invoke(*args)
    assert done.exit_code == 0, done.output
    assert "1 cases for 1 loans" in done.output
    assert "used" in invoke("approvals", "list", "--status", "all").output


def test_reject_needs_a_reason(env, monkeypatch):
    monkeypatch.setenv("LEGAL_TRACK_APPROVAL_ACTIONS", '["escalation_accept"]')
    get_settings.cache_clear()
    _seed()
    invoke("escalate", "accept", "HT-CLI1", "--today", "2026-12-03")
    empty = invoke("approvals", "reject", "1", "--by", "lead1", "--reason", "")
    assert empty.exit_code == 1 and "needs a reason" in empty.output
    ok = invoke("approvals", "reject", "1", "--by", "lead1", "--reason", "金额太小")
    assert ok.exit_code == 0 and "rejected request #1" in ok.output
    again = invoke("escalate", "accept", "HT-CLI1", "--today", "2026-12-03")
    assert "request #2 pending" in again.output
