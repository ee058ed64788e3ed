from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import typer
from icalendar import Calendar
from sqlmodel import Session
from typer.testing import CliRunner

from legal_track.cli import app
from legal_track.cli.common import get_engine
from legal_track.cli.reminders import ics_command
from legal_track.reminders.scheduler import lease_state
from tests.reminders.conftest import make_deadline, make_owned_case, make_team

runner = CliRunner()


def _seed():
    with Session(get_engine(), expire_on_commit=False) as s:
        team = make_team(s)
        case = make_owned_case(s, team.staff_zh)
        deadline = make_deadline(s, case=case, due=date(2026, 12, 1))
        s.commit()
    return team, case, deadline


def test_reminders_run_dry_run_then_for_real_into_the_outbox(env):
    team, case, _ = _seed()
    dry = runner.invoke(
        app, ["reminders", "run", "--now", "2026-12-01T09:00", "--dry-run", "--json"]
    )
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True and {d["kind"] for d in report["decided"]} == {
        "digest",
        "alert",
    }
    assert not (env / "outbox").exists() or not list((env / "outbox").iterdir())

    real = runner.invoke(app, ["reminders", "run", "--now", "2026-12-01T09:00"])
    assert real.exit_code == 0, real.output
    assert "sent: 2" in real.stdout and "outbox:" in real.stdout
    assert len(list((env / "outbox").glob("*.eml"))) == 2

    again = runner.invoke(app, ["reminders", "run", "--now", "2026-12-01T09:15", "--json"])
    assert json.loads(again.stdout)["sent"] == []

    listed = runner.invoke(app, ["reminders", "list", "--json"])
    rows = json.loads(listed.stdout)
    assert {(r["kind"], r["status"], r["recipient"]) for r in rows} == {
        ("digest", "sent", team.staff_zh.email),
        ("alert", "sent", team.staff_zh.email),
    }
    assert case.ref in " ".join(r["subject"] for r in rows)


def test_reminders_run_over_smtp_from_settings(env, monkeypatch, smtp):
    team, _, _ = _seed()
    monkeypatch.setenv("LEGAL_TRACK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LEGAL_TRACK_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("LEGAL_TRACK_SMTP_SECURITY", "none")
    from legal_track.config import get_settings

    get_settings.cache_clear()
    result = runner.invoke(
        app, ["reminders", "run", "--now", "2026-12-01T09:00+08:00", "--no-digest"]
    )
    assert result.exit_code == 0, result.output
    assert [m.rcpt_tos for m in smtp.received] == [[team.staff_zh.email]]
    assert "今日到期" in smtp.received[0].subject


def test_bad_now_is_a_clear_error(env):
    result = runner.invoke(app, ["reminders", "run", "--now", "tomorrow"])
    assert result.exit_code == 1 and "expected an ISO date-time" in result.output


def test_ics_command_writes_a_calendar(env):
    team, _, deadline = _seed()
    cli = typer.Typer()
    cli.command()(ics_command)
    out = env / "cal" / "mine.ics"
    result = runner.invoke(cli, ["--user", team.staff_zh.username, "--out", str(out)])
    assert result.exit_code == 0, result.output
    [event] = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"deadline-{deadline.id}@legal-track"
    assert runner.invoke(cli, ["--team", "--out", str(env / "team.ics")]).exit_code == 0
    missing = runner.invoke(cli, ["--user", "ghost", "--out", str(out)])
    assert missing.exit_code == 1 and "no user named 'ghost'" in missing.output


def test_worker_command_takes_the_lease_and_stops_on_sigterm(env):
    get_engine()  # migrate before the worker starts
    exe = Path(sys.executable).with_name("legal-track")
    proc = subprocess.Popen(
        [str(exe), "worker"], cwd=env, env=os.environ.copy(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=60)
    try:
        assert first and " active;" in first[0], (first, proc.poll())
        holder, _ = lease_state(get_engine())
        assert first[0].startswith(f"worker {holder}:")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped" in out
