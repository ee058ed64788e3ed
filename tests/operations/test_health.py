"""The health report, its HTTP endpoint and the worker's heartbeat, for real: a migrated
SQLite file, a PostgreSQL port nobody listens on, the endpoint on a free port read with
urllib, and `legal-track health-server` / `legal-track worker --health-port` started as
processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from legal_track.config import Settings
from legal_track.db import make_engine, migrate
from legal_track.operations import WorkerState, health, health_engine
from legal_track.operations.endpoint import HealthServer
from legal_track.operations.heartbeat import Heartbeat, beat, clear, heartbeat_name
from legal_track.reminders.scheduler import LEASE_NAME, acquire_lease
from tests.operations.conftest import Installation, environment, free_port, invoke

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)


@pytest.fixture
def inst(tmp_path) -> Installation:
    inst = Installation(tmp_path, f"sqlite:///{tmp_path / 'lt.db'}")
    for folder in (inst.store, tmp_path / "outbox"):
        folder.mkdir()
    engine = make_engine(inst.url)
    migrate(engine)
    engine.dispose()
    return inst


@pytest.fixture
def settings(inst) -> Settings:
    return Settings(database_url=inst.url, evidence_dir=inst.store, outbox_dir=inst.root / "outbox")


@pytest.fixture
def engine(inst):
    eng = health_engine(inst.url)
    yield eng
    eng.dispose()


def put_migrations_behind(inst: Installation) -> None:
    conn = sqlite3.connect(inst.root / "lt.db")
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.close()


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def statuses(report) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def test_the_lease_name_is_the_schedulers():
    from legal_track.operations.health import LEASE_NAME as read_by_health

    assert read_by_health == LEASE_NAME


def test_a_fresh_installation_is_healthy_with_warnings(engine, settings):
    report = health(engine=engine, settings=settings, now=NOW)
    assert report.healthy and report.status == "warn"
    assert statuses(report) == {"database": "ok", "migrations": "ok", "scheduler": "warn",
                                "workers": "warn", "evidence_store": "ok", "mail": "warn"}  # fmt: skip
    assert report.check("database").data["latency_ms"] >= 0
    body = report.as_dict()
    assert body["checks"]["migrations"]["code"] == body["checks"]["migrations"]["database"]


def test_lease_heartbeats_and_smtp_show(engine, settings):
    assert acquire_lease(engine, name=LEASE_NAME, holder="host:1:a", now=NOW, seconds=60)
    beat(engine, holder="host:1:a", now=NOW, seconds=60)
    beat(engine, holder="host:2:b", now=NOW - timedelta(days=2), seconds=60)  # long dead
    smtp = settings.model_copy(update={"smtp_host": "relay.example.cn"})
    report = health(engine=engine, settings=smtp, now=NOW + timedelta(seconds=10))
    assert report.status == "ok", report.as_dict()
    assert report.check("scheduler").data["holder"] == "host:1:a"
    assert [w["holder"] for w in report.check("workers").data["live"]] == ["host:1:a"]
    assert "relay.example.cn:587" in report.check("mail").detail
    beat(engine, holder="host:1:a", now=NOW + timedelta(seconds=20), seconds=60)
    with engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM schedulerlease")}
    assert names == {LEASE_NAME, heartbeat_name("host:1:a")}, "a day-old heartbeat is swept"
    clear(engine, holder="host:1:a")
    later = health(engine=engine, settings=settings, now=NOW + timedelta(minutes=5))
    assert statuses(later)["scheduler"] == "warn" and statuses(later)["workers"] == "warn"


def test_migrations_behind_a_missing_store_and_a_missing_database_fail(engine, settings, inst, tmp_path):  # fmt: skip
    put_migrations_behind(inst)
    report = health(engine=engine, settings=settings, now=NOW)
    assert not report.healthy and report.check("migrations").status == "fail"
    assert "database at 0001" in report.check("migrations").detail
    gone = settings.model_copy(update={"evidence_dir": tmp_path / "nowhere"})
    assert health(engine=engine, settings=gone, now=NOW).check("evidence_store").status == "fail"
    missing = tmp_path / "other" / "none.db"
    eng = health_engine(f"sqlite:///{missing}")
    report = health(engine=eng, settings=settings, now=NOW)
    eng.dispose()
    assert report.check("database").status == "fail" and "does not exist" in report.check("database").detail  # fmt: skip
    assert not missing.exists() and not missing.parent.exists(), (
        "a health check creates no database"
    )


def test_an_unreachable_postgresql_fails_quickly(settings):
    eng = health_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/x")
    started = time.monotonic()
    report = health(engine=eng, settings=settings, now=NOW)
    eng.dispose()
    assert time.monotonic() - started < 10
    assert statuses(report)["database"] == "fail" and statuses(report)["migrations"] == "skip"
    assert "unreachable" in report.check("database").detail


def test_the_endpoint_answers_200_then_503(engine, settings, inst):
    server = HealthServer(probe=lambda: health(engine=engine, settings=settings, now=NOW), port=0).start()  # fmt: skip
    try:
        code, body = get(server.url)
        assert code == 200 and body["healthy"] is True, body
        assert body["checks"]["database"]["status"] == "ok"
        code, body = get(server.url.replace("/health", "/nope"))
        assert code == 404
        put_migrations_behind(inst)
        code, body = get(server.url)
        assert code == 503 and body["checks"]["migrations"]["status"] == "fail", body
    finally:
        server.stop()


def test_the_worker_check_fails_when_its_heartbeat_stops(engine, settings):
    hb = Heartbeat(engine=engine, holder="w1", lease_seconds=30, clock=lambda: NOW)
    assert hb.beat_once() and hb.last_beat == NOW and hb.interval == 10

    state = WorkerState("w1", False, hb.last_beat, hb.last_error, hb.interval)
    fresh = health(engine=engine, settings=settings, now=NOW, worker=state)
    assert fresh.check("worker").status == "ok" and "standby" in fresh.check("worker").detail
    stale = health(engine=engine, settings=settings, now=NOW + timedelta(minutes=5), worker=state)  # fmt: skip
    assert stale.check("worker").status == "fail" and not stale.healthy
    hb.stop()  # removes its row
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM schedulerlease").scalar_one() == 0


def test_health_command_exit_status(use, inst):
    use(inst)
    ok = invoke("health", "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["healthy"] is True, ok.output
    put_migrations_behind(inst)
    bad = invoke("health")
    assert bad.exit_code == 1 and "UNHEALTHY" in bad.output and "migrations" in bad.output


def start(args: list[str], inst: Installation) -> subprocess.Popen:
    env = {**os.environ, **environment(inst), "PYTHONUNBUFFERED": "1"}
    env = {k: v for k, v in env.items() if not (k.startswith("LEGAL_TRACK_") and k not in environment(inst))}  # fmt: skip
    code = "from legal_track.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=inst.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip


def wait_for(
    url: str, proc: subprocess.Popen, timeout: float = 60, until=lambda code, body: True
) -> tuple[int, dict]:
    """The first answer of `url` for which `until(code, body)` holds."""
    deadline = time.monotonic() + timeout
    answer = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {proc.stdout.read()}")
        try:
            answer = get(url)
        except (urllib.error.URLError, ConnectionError):
            answer = None
        if answer is not None and until(*answer):
            return answer
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer as expected within {timeout} s: {answer}")


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"did not stop on SIGTERM: {out}") from None
    return out


def test_health_server_process(inst):
    port = free_port()
    proc = start(["health-server", "--port", str(port)], inst)
    try:
        code, body = wait_for(f"http://127.0.0.1:{port}/health", proc)
        assert code == 200 and body["healthy"], body
        put_migrations_behind(inst)
        code, body = get(f"http://127.0.0.1:{port}/health")
        assert code == 503 and body["checks"]["migrations"]["status"] == "fail", body
    finally:
        out = stop(proc)
    assert proc.returncode == 0 and "health endpoint: http://127.0.0.1:" in out, out


def test_worker_with_health_port(inst, engine, settings):
    port = free_port()
    proc = start(["worker", "--health-port", str(port)], inst)
    try:
        # the endpoint is up before the scheduler thread has taken the lease: until then the
        # worker honestly reports itself on standby
        code, body = wait_for(f"http://127.0.0.1:{port}/health", proc,
                              until=lambda c, b: b["checks"]["worker"]["active"])  # fmt: skip
        assert code == 200, body
        worker = body["checks"]["worker"]
        assert worker["status"] == "ok" and worker["active"] is True, body
        assert body["checks"]["scheduler"]["holder"] == worker["holder"]
        # the app's health (any other process) sees the worker's heartbeat
        seen = health(engine=engine, settings=settings, now=datetime.now(UTC))
        assert [w["holder"] for w in seen.check("workers").data["live"]] == [worker["holder"]]
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    after = health(engine=engine, settings=settings, now=datetime.now(UTC))
    assert after.check("workers").data["live"] == [], "a stopped worker removes its heartbeat"
