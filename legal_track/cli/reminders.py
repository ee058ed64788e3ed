"""`legal-track reminders run|list`, `legal-track worker` and the calendar export command."""

from __future__ import annotations

import signal
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    err_console,
    get_engine,
    handle_errors,
    out_console,
    print_json,
    session,
)

app = command_group("Deadline reminders: digests, alerts, escalations.")


def _parse_now(value: str | None) -> datetime:
    from legal_track.config import get_settings

    if not value:
        return clock()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"--now {value!r}: expected an ISO date-time like 2026-12-01T08:30"
        ) from None
    if parsed.tzinfo is None:  # read in the configured time zone
        parsed = parsed.replace(tzinfo=ZoneInfo(get_settings().timezone))
    return parsed


@app.command("run")
@handle_errors
def run(
    now: str | None = typer.Option(
        None, "--now", help="Pretend it is this ISO date-time (no offset: settings.timezone)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would be sent; send nothing."
    ),
    digest: bool | None = typer.Option(
        None, "--digest/--no-digest", help="Force or skip the digest (default: if due)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """One reminder pass: the same code the scheduler runs."""
    from legal_track.config import get_settings
    from legal_track.reminders.mail import mailer_from_settings
    from legal_track.reminders.run import run_pass

    settings = get_settings()
    mailer = mailer_from_settings(settings)
    get_engine()
    report = run_pass(
        session,
        now=_parse_now(now),
        mailer=mailer,
        dry_run=dry_run,
        settings=settings,
        digest=digest,
    )
    if as_json:
        print_json(report)
        return
    verb = "would send" if dry_run else "decided"
    out_console.print(f"{verb}: {len(report.decided)}  sent: {len(report.sent)}  "
                      f"failed: {len(report.failed)}  waiting: {report.waiting}  via {mailer.name}")  # fmt: skip
    for d in report.decided if dry_run else []:
        out_console.print(f"  {d.kind:<10} {d.recipient:<32} {d.subject}")
    for x in report.sent:
        out_console.print(f"  sent     {x.kind:<10} {x.recipient:<32} {x.subject}")
    for x in report.failed:
        out_console.print(f"  FAILED   {x.kind:<10} {x.recipient:<32} {x.error}")
    for note in report.skipped:
        err_console.print(f"note: {note}")
    if report.stopped:
        err_console.print(f"stopped early: {report.stopped}; the rest is retried later")


@app.command("list")
@handle_errors
def list_(
    status: str | None = typer.Option(None, help="pending, sending, sent or failed."),
    limit: int = typer.Option(50, min=1, help="Newest N rows."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Recorded reminders, newest first."""
    from legal_track.models.reminder import ReminderStatus
    from legal_track.reminders.delivery import log_page

    if status is not None and status not in {str(v) for v in ReminderStatus}:
        raise CliError(f"--status {status!r}: use pending, sending, sent or failed")
    statuses = [status] if status is not None else list(ReminderStatus)
    with session() as s:
        rows = log_page(s, statuses=statuses, limit=limit)
    data = [
        {
            "id": r.id, "kind": str(r.kind), "status": str(r.status), "recipient": r.recipient,
            "subject": r.subject, "date_key": r.date_key, "offset_days": r.offset_days,
            "attempts": r.attempts, "sent_at": r.sent_at, "next_attempt_at": r.next_attempt_at,
            "last_error": r.last_error, "message_id": r.message_id,
        }
        for r in rows
    ]  # fmt: skip
    if as_json:
        print_json(data)
        return
    for r in data:
        out_console.print(
            f"{r['id']:>6} {r['status']:<8} {r['kind']:<10} {r['recipient']:<32} {r['subject']}"
            + (f"  [{r['last_error']}]" if r["last_error"] else "")
        )


@handle_errors
def worker(
    health_port: int | None = typer.Option(
        None, "--health-port", help="Serve the health report on this port (GET /health: 200/503)."
    ),
    health_address: str = typer.Option(
        "127.0.0.1", "--health-address", help="Address of the health endpoint."
    ),
) -> None:
    """Run the reminder scheduler until stopped (Ctrl-C or SIGTERM). SIGUSR1 runs the
    check for alerts now (on the worker holding the lease; a standby one ignores it)."""
    from legal_track.cli.operations import start_worker_health
    from legal_track.config import get_settings
    from legal_track.reminders.mail import mailer_from_settings
    from legal_track.reminders.scheduler import Worker, lease_state

    settings = get_settings()
    engine = get_engine()
    w = Worker(engine=engine, settings=settings, mailer=mailer_from_settings(settings), clock=clock)
    signal.signal(signal.SIGTERM, lambda *_: w.request_stop())
    if hasattr(signal, "SIGUSR1"):  # not on Windows
        signal.signal(signal.SIGUSR1, lambda *_: w.request_check())
    stop_health = start_worker_health(worker=w, engine=engine, settings=settings,
                                      port=health_port, address=health_address)  # fmt: skip
    w.start()
    state = lease_state(engine)
    role = "active" if w.active else f"standby (lease held by {state[0] if state else '?'})"
    out_console.print(f"worker {w.holder}: {role}; digest {settings.digest_time if settings.digest_enabled else 'off'}, "
                      f"checks every {settings.alert_interval_minutes} min", highlight=False)  # fmt: skip
    try:
        w.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_health()
        w.stop()
    out_console.print(f"worker {w.holder}: stopped")


@handle_errors
def ics_command(
    user: str | None = typer.Option(
        None, "--user", help="User name whose open deadlines to export."
    ),
    out: Path = typer.Option(..., "--out", help="The .ics file to write."),
    team: bool = typer.Option(False, "--team", help="Every open deadline of the team."),
) -> None:
    """Write an iCalendar file of open deadlines (stable UIDs: re-importing updates events)."""
    from legal_track.config import get_settings
    from legal_track.reminders.ics import export_calendar

    settings = get_settings()
    with session() as s:
        data = export_calendar(
            s, username=user, team=team, app_url=settings.app_url, timezone=settings.timezone,
            now=clock(), actor=CLI_ACTOR,
        )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    out_console.print(f"wrote {out} ({data.count(b'BEGIN:VEVENT')} events)")
