"""`legal-track backup|restore|health|health-server`, and the worker's heartbeat and
health endpoint (`legal-track worker --health-port N`).

None of these migrates the database on its way in: a backup copies the schema as it is,
a restore migrates forward itself once the backup is back, and a health check reports a
database behind the code instead of fixing it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    clock,
    err_console,
    handle_errors,
    out_console,
    print_json,
    progress_bar,
    reset_engine,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from legal_track.config import Settings
    from legal_track.operations import HealthReport
    from legal_track.reminders.scheduler import Worker

MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root `legal-track` command."""
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("health")(health)
    app.command("health-server")(health_server)


@handle_errors
def backup(
    out: Path = typer.Option(..., "--out", help="Archive to write (.tar; .tar.gz compresses)."),
    actor: str = typer.Option(CLI_ACTOR, "--actor", help="Who makes the backup (audit)."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Back up the database, every evidence file and the templates into one archive."""
    from legal_track.config import get_settings
    from legal_track.db import make_engine
    from legal_track.operations import create_backup
    from legal_track.operations.manifest import manifest_summary

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        if as_json:
            report = create_backup(engine=engine, settings=settings, out=out, now=clock(), actor=actor)  # fmt: skip
        else:
            with progress_bar("backup") as bar:
                report = create_backup(engine=engine, settings=settings, out=out, now=clock(),
                                       actor=actor, progress=bar)  # fmt: skip
    finally:
        engine.dispose()
    summary = manifest_summary(report.manifest)
    if as_json:
        print_json({"archive": report.archive, "sha256": report.sha256, "size": report.size,
                    **summary, "row_counts": report.manifest.row_counts,
                    "altered_blobs": report.altered_blobs, "audited": report.audited})  # fmt: skip
    else:
        out_console.print(
            f"wrote {report.archive} ({report.size:,} bytes, sha256 {report.sha256}): "
            f"{summary['database']} database at {', '.join(summary['alembic_revision']) or '-'}, "
            f"{summary['evidence_blobs']} evidence files, {summary['template_files']} template files"
        )
    for sha in report.altered_blobs:
        err_console.print(
            f"warning: evidence blob {sha} no longer matches its hash; backed up as it is "
            f"(see legal-track evidence verify)", highlight=False, markup=False,
        )  # fmt: skip


@handle_errors
def restore(
    archive: Path = typer.Argument(..., help="Archive written by legal-track backup."),
    force: bool = typer.Option(
        False, "--force", help="Replace an installation that already holds data."
    ),
    actor: str = typer.Option(CLI_ACTOR, "--actor", help="Who restores (audit)."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Restore a backup into the configured database and evidence store, then migrate.
    Every file is checked against the manifest first: a damaged archive changes nothing."""
    from legal_track.config import get_settings
    from legal_track.db import make_engine
    from legal_track.operations import restore_backup
    from legal_track.operations.manifest import manifest_summary

    settings = get_settings()
    reset_engine()
    engine = make_engine(settings.database_url)
    try:
        if as_json:
            report = restore_backup(engine=engine, settings=settings, archive=archive,
                                    now=clock(), actor=actor, force=force)  # fmt: skip
        else:
            with progress_bar("restore") as bar:
                report = restore_backup(engine=engine, settings=settings, archive=archive,
                                        now=clock(), actor=actor, force=force, progress=bar)  # fmt: skip
    finally:
        engine.dispose()
    for folder in (settings.outbox_dir, settings.output_dir):
        folder.mkdir(parents=True, exist_ok=True)
    summary = manifest_summary(report.manifest)
    mismatches = {t: {"manifest": a, "restored": b} for t, (a, b) in report.count_mismatches.items()}  # fmt: skip
    if as_json:
        print_json({"archive": report.archive, **summary, "blobs_written": report.blobs_written,
                    "blobs_present": report.blobs_present, "template_files": report.template_files,
                    "row_counts": report.row_counts, "count_mismatches": mismatches,
                    "dropped_tables": report.dropped_tables, "revision": report.revision,
                    "replaced": report.replaced, "ok": report.ok})  # fmt: skip
    else:
        out_console.print(
            f"restored {report.archive} (made {summary['created_at']} by legal-track "
            f"{summary['tool_version']}): {report.blobs_written} evidence files written, "
            f"{report.blobs_present} already present, {report.template_files} template files; "
            f"database migrated to {', '.join(report.revision)}"
        )
        if report.replaced:
            out_console.print("replaced: " + ", ".join(f"{n} {t}" for t, n in report.replaced.items()))  # fmt: skip
        for table in report.dropped_tables:
            out_console.print(f"dropped table {table} (not in the backup)")
        for table, m in mismatches.items():
            err_console.print(f"row count of {table}: manifest {m['manifest']}, restored {m['restored']}",
                              highlight=False, markup=False)  # fmt: skip
    if not report.ok:
        raise typer.Exit(1)


def print_report(report: HealthReport) -> None:
    word = "healthy" if report.healthy else "UNHEALTHY"
    out_console.print(f"{word} ({report.status}) at {report.checked_at.isoformat()}")
    for c in report.checks:
        out_console.print(f"  {MARK.get(c.status, c.status)}  {c.name:<15} {c.detail}",
                          highlight=False, markup=False)  # fmt: skip


def _get(url: str) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310  (an operator's URL)
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@handle_errors
def health(
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
    url: str | None = typer.Option(
        None,
        "--url",
        help="Instead, GET this health endpoint (e.g. http://127.0.0.1:8081/health)"
        " and exit 1 unless it answers 200 (container health checks without curl).",
    ),  # fmt: skip
) -> None:
    """Check the database, migrations, scheduler lease, workers, evidence store and mail;
    exit 1 when unhealthy."""
    if url:
        try:
            code, body = _get(url)
        except OSError as exc:
            err_console.print(f"{url}: no answer ({exc})", highlight=False, markup=False)
            raise typer.Exit(1) from None
        (out_console.print if code == 200 else err_console.print)(
            f"{url}: {code} {body.strip()[:2000]}", highlight=False, markup=False
        )
        if code != 200:
            raise typer.Exit(1)
        return
    from legal_track.config import get_settings
    from legal_track.operations import health as check
    from legal_track.operations import health_engine

    settings = get_settings()
    engine = health_engine(settings.database_url)
    try:
        report = check(engine=engine, settings=settings, now=clock())
    finally:
        engine.dispose()
    if as_json:
        print_json(report.as_dict())
    else:
        print_report(report)
    if not report.healthy:
        raise typer.Exit(1)


def _wait_for_signal() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass


@handle_errors
def health_server(
    port: int = typer.Option(8080, "--port", help="Port of the health endpoint."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address to bind."),
) -> None:
    """Serve the health report as JSON (GET /health: 200 healthy, 503 not) until stopped."""
    from legal_track.config import get_settings
    from legal_track.operations import health as check
    from legal_track.operations import health_engine
    from legal_track.operations.endpoint import HealthServer

    settings = get_settings()
    engine = health_engine(settings.database_url)
    server = HealthServer(
        probe=lambda: check(engine=engine, settings=settings, now=clock()), port=port,
        address=address,
    ).start()  # fmt: skip
    out_console.print(f"health endpoint: {server.url}", highlight=False)
    try:
        _wait_for_signal()
    finally:
        server.stop()
        engine.dispose()


def start_worker_health(*, worker: Worker, engine: Engine, settings: Settings,
                        port: int | None, address: str) -> Callable[[], None]:  # fmt: skip
    """The worker's heartbeat (always) and health endpoint (with a port); returns `stop`."""
    from legal_track.operations import WorkerState, health_engine
    from legal_track.operations import health as check
    from legal_track.operations.endpoint import HealthServer
    from legal_track.operations.heartbeat import Heartbeat

    beat = Heartbeat(engine=engine, holder=worker.holder, lease_seconds=settings.lease_seconds,
                     clock=clock).start()  # fmt: skip
    server: HealthServer | None = None
    probe_engine: Engine | None = None
    if port is not None:
        probe_engine = health_engine(settings.database_url)

        def probe() -> HealthReport:
            state = WorkerState(worker.holder, worker.active, beat.last_beat, beat.last_error,
                                beat.interval)  # fmt: skip
            return check(engine=probe_engine, settings=settings, now=clock(), worker=state)

        server = HealthServer(probe=probe, port=port, address=address).start()
        out_console.print(f"worker health endpoint: {server.url}", highlight=False)

    def stop() -> None:
        if server is not None:
            server.stop()
        beat.stop()
        if probe_engine is not None:
            probe_engine.dispose()

    return stop
