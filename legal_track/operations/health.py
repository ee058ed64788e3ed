"""`health`: is this installation able to work, and what is its worker doing?

Each check gives `ok`, `warn` (works, but someone should look), `fail` (does not work)
or `skip` (could not be checked because an earlier check failed). The report is healthy
when no check fails; a missing or expired scheduler lease is a warning, not a failure,
so that the app is healthy before its first worker starts.

| check | fails when |
|---|---|
| database | it cannot be reached (latency in ms otherwise) |
| migrations | the database's alembic revision is not the code's head |
| scheduler | never (warns when no worker holds the lease) |
| workers | never (warns when no worker heartbeat is live) |
| worker | (the worker's own endpoint only) its heartbeat is not being written |
| evidence_store | the store folder is missing or not writable |
| mail | the outbox folder is not writable while no SMTP host is set |

The checks only read, except a temporary file written and removed in the evidence store
and outbox: `health` never migrates and never creates a database.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

from legal_track import __version__
from legal_track.config import Settings
from legal_track.db import make_engine, utcnow_from
from legal_track.evidence.store import TEMP_PREFIX
from legal_track.models.reminder import SchedulerLease
from legal_track.operations.heartbeat import HEARTBEAT_PREFIX, error_line
from legal_track.operations.revisions import code_heads, database_heads

LEASE_NAME = "reminders"  # legal_track.reminders.scheduler.LEASE_NAME (tests check)
CONNECT_TIMEOUT_SECONDS = 5
OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WorkerState:
    """The worker of this process, as its health endpoint reports it."""

    holder: str
    active: bool  # runs the scheduler (holds the lease)
    last_beat: datetime | None  # last heartbeat written
    beat_error: str | None
    interval_seconds: float


@dataclass(frozen=True, slots=True)
class HealthReport:
    checked_at: datetime
    checks: list[Check]

    @property
    def healthy(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else OK

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "status": self.status,
            "checked_at": self.checked_at.isoformat(),
            "version": __version__,
            "checks": {
                c.name: {"status": c.status, "detail": c.detail, **c.data} for c in self.checks
            },
        }


def health_engine(url: str) -> Engine:
    """An engine for health checks: a short connect timeout on PostgreSQL, and no SQLite
    file created where there is none (`database` then fails instead)."""
    if url.startswith("postgresql"):
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return create_engine(url)  # plain: no folder made; `database` fails before connecting
    return make_engine(url)


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def _database(engine: Engine) -> Check:
    path = _sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.is_file():
        return Check(
            "database", FAIL, f"database file {path} does not exist (run legal-track init)"
        )
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means unreachable
        return Check("database", FAIL, f"unreachable: {error_line(exc)}")
    ms = round((time.perf_counter() - started) * 1000, 1)
    return Check("database", OK, f"{engine.dialect.name}, {ms} ms", {"kind": engine.dialect.name, "latency_ms": ms})  # fmt: skip


def _migrations(engine: Engine) -> Check:
    heads, current = code_heads(engine), database_heads(engine)
    data = {"code": heads, "database": current}
    if heads == current:
        return Check("migrations", OK, f"at {', '.join(heads)}", data)
    at = ", ".join(current) or "no revision"
    return Check("migrations", FAIL, f"database at {at}, code at {', '.join(heads)}: run legal-track init", data)  # fmt: skip


def _leases(engine: Engine, now: datetime) -> list[Check]:
    t = SchedulerLease.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.name, t.c.holder, t.c.expires_at)).all()
    lease = next((r for r in rows if r.name == LEASE_NAME), None)
    if lease is None:
        scheduler = Check("scheduler", WARN, "no worker has held the scheduler lease yet", {"holder": None, "expires_at": None})  # fmt: skip
    else:
        data = {"holder": lease.holder, "expires_at": lease.expires_at.isoformat()}
        if lease.expires_at > now:
            scheduler = Check("scheduler", OK, f"lease held by {lease.holder} until {lease.expires_at.isoformat()}", data)  # fmt: skip
        else:
            scheduler = Check("scheduler", WARN, f"lease expired at {lease.expires_at.isoformat()}: no worker runs the reminders", data)  # fmt: skip
    live = sorted(
        (r.holder, r.expires_at) for r in rows
        if r.name.startswith(HEARTBEAT_PREFIX) and r.expires_at > now
    )  # fmt: skip
    data = {"live": [{"holder": h, "until": u.isoformat()} for h, u in live]}
    if live:
        workers = Check("workers", OK, f"{len(live)} worker(s) alive: {', '.join(h for h, _ in live)}", data)  # fmt: skip
    else:
        workers = Check("workers", WARN, "no live worker heartbeat (is `legal-track worker` running?)", data)  # fmt: skip
    return [scheduler, workers]


def _own_worker(worker: WorkerState, now: datetime) -> Check:
    data = {"holder": worker.holder, "active": worker.active,
            "last_beat": worker.last_beat.isoformat() if worker.last_beat else None}  # fmt: skip
    role = "active" if worker.active else "standby"
    stale_after = timedelta(seconds=3 * worker.interval_seconds)
    if worker.last_beat is None or now - worker.last_beat > stale_after:
        why = f": {worker.beat_error}" if worker.beat_error else ""
        return Check("worker", FAIL, f"{worker.holder} ({role}): heartbeat not written{why}", data)
    return Check("worker", OK, f"{worker.holder} ({role})", data)


def _writable(folder: Path) -> str | None:
    """None when a file can be created in `folder`, else why not."""
    if not folder.is_dir():
        return f"{folder} does not exist (run legal-track init)"
    try:
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX + "health-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return f"{folder} is not writable ({exc.strerror or exc})"
    return None


def _evidence(settings: Settings) -> Check:
    problem = _writable(settings.evidence_dir)
    data = {"path": str(settings.evidence_dir)}
    if problem:
        return Check("evidence_store", FAIL, problem, data)
    return Check("evidence_store", OK, f"{settings.evidence_dir} writable", data)


def _mail(settings: Settings) -> Check:
    if settings.smtp_host:
        where = f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"
        return Check("mail", OK, f"SMTP {where}", {"via": "smtp", "host": settings.smtp_host, "port": settings.smtp_port})  # fmt: skip
    data = {"via": "outbox", "path": str(settings.outbox_dir)}
    problem = _writable(settings.outbox_dir)
    if problem:
        return Check("mail", FAIL, f"no SMTP host and the outbox is unusable: {problem}", data)
    return Check("mail", WARN, f"no SMTP host: e-mail is written to {settings.outbox_dir}", data)


def health(
    *, engine: Engine, settings: Settings, now: datetime, worker: WorkerState | None = None
) -> HealthReport:
    """Check the installation (and `worker`, this process's worker, when given)."""
    now = utcnow_from(now)
    checks = [_database(engine)]
    if checks[0].status == OK:
        steps = (("migrations", lambda: [_migrations(engine)]), ("scheduler", lambda: _leases(engine, now)))  # fmt: skip
        for name, step in steps:
            try:
                checks.extend(step())
            except Exception as exc:  # a half-migrated schema, a dropped connection
                checks.append(Check(name, FAIL, f"cannot be checked: {error_line(exc)}"))
    else:
        for name in ("migrations", "scheduler", "workers"):
            checks.append(Check(name, SKIP, "database unreachable"))
    if worker is not None:
        checks.append(_own_worker(worker, now))
    checks.append(_evidence(settings))
    checks.append(_mail(settings))
    return HealthReport(now, checks)
