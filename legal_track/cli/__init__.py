"""The `legal-track` command: a thin layer over the same services the app uses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from legal_track import __version__
from legal_track.cli import approvals, audit, users
from legal_track.cli import bundle as bundle_cli
from legal_track.cli import calendar as calendar_cli
from legal_track.cli import counsel as counsel_cli
from legal_track.cli import deadline as deadline_cli
from legal_track.cli import demo as demo_cli
from legal_track.cli import docs as docs_cli
from legal_track.cli import escalate as escalate_cli
from legal_track.cli import evidence as evidence_cli
from legal_track.cli import fee as fee_cli
from legal_track.cli import intake as intake_cli
from legal_track.cli import limitation as limitation_cli
from legal_track.cli import operations as operations_cli
from legal_track.cli import privacy as privacy_cli
from legal_track.cli import recompute as recompute_cli
from legal_track.cli import reminders as reminders_cli
from legal_track.cli import report as report_cli
from legal_track.cli import retention as retention_cli
from legal_track.cli import settlement as settlement_cli
from legal_track.cli import templates as templates_cli
from legal_track.cli.common import (
    clock,
    command_group,
    get_engine,
    handle_errors,
    out_console,
    session,
)

app = command_group(
    "Legal-escalation document and case tracker.",
    name="legal-track",
    pretty_exceptions_enable=False,
)
app.add_typer(users.app, name="users")
# sub-command groups: keep one line per module, alphabetical
app.add_typer(approvals.app, name="approvals")
app.add_typer(audit.app, name="audit")
app.add_typer(bundle_cli.app, name="bundle")
app.add_typer(escalate_cli.case_app, name="case")
app.add_typer(calendar_cli.app, name="calendar")
app.add_typer(counsel_cli.app, name="counsel")
app.command("claim")(fee_cli.claim)
app.add_typer(deadline_cli.app, name="deadline")
app.command("demo")(demo_cli.demo)
app.add_typer(docs_cli.app, name="docs")
app.add_typer(escalate_cli.app, name="escalate")
app.add_typer(evidence_cli.app, name="evidence")
app.command("fee")(fee_cli.fee)
app.add_typer(intake_cli.app, name="import")
app.command("limitation")(limitation_cli.limitation)
app.command("recompute")(recompute_cli.recompute)
app.add_typer(reminders_cli.app, name="reminders")
app.add_typer(report_cli.app, name="report")
app.add_typer(settlement_cli.app, name="settlement")
app.add_typer(retention_cli.app, name="retention")
app.add_typer(privacy_cli.app, name="privacy")
app.add_typer(templates_cli.app, name="templates")
app.command("worker")(reminders_cli.worker)
operations_cli.register(app)  # backup, restore, health, health-server
# commands that live with their service area but join another group
bundle_cli.app.command("build")(evidence_cli.build_command)
calendar_cli.app.command("ics")(reminders_cli.ics_command)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        out_console.print(__version__)
        raise typer.Exit()


@app.command()
@handle_errors
def init() -> None:
    """Create or migrate the database and the first admin account (idempotent)."""
    from legal_track.auth import ensure_admin
    from legal_track.config import get_settings

    settings = get_settings()
    get_engine()
    for folder in (settings.evidence_dir, settings.outbox_dir, settings.output_dir):
        folder.mkdir(parents=True, exist_ok=True)
    pw = settings.admin_password.get_secret_value() if settings.admin_password else None
    with session() as s:
        admin = ensure_admin(s, password=pw, now=clock())
    out_console.print(f"database ready: {settings.database_url}")
    if admin.password_source == "generated":
        out_console.print(f"created user admin; password (shown once): {admin.generated_password}")
    elif admin.password_source == "environment":
        out_console.print("created user admin; password: the one in LEGAL_TRACK_ADMIN_PASSWORD")
    else:
        out_console.print(
            f"admin account: {admin.username} (exists; its password was printed when it was "
            f"created, or came from LEGAL_TRACK_ADMIN_PASSWORD; a new one: "
            f"legal-track users password {admin.username})"
        )


@app.command()
@handle_errors
def serve(
    port: int = typer.Option(8501, help="Port to listen on."),
    address: str = typer.Option("127.0.0.1", help="Address to bind."),
) -> None:
    """Start the web app (Streamlit)."""
    from legal_track.config import get_settings

    root = Path(__file__).resolve().parents[2]
    app_py = root / "app.py"
    if not app_py.exists():
        raise FileNotFoundError(f"app.py not found at {app_py}")
    # Streamlit reads .streamlit/config.toml from its working directory: run from the
    # project root, with the settings resolved against the caller's directory.
    settings = get_settings()
    os.environ["LEGAL_TRACK_DATABASE_URL"] = settings.database_url
    for name in ("evidence_dir", "outbox_dir", "output_dir", "templates_dir"):
        value = getattr(settings, name, None)
        if value is not None:
            os.environ[f"LEGAL_TRACK_{name.upper()}"] = str(value)
    os.chdir(root)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_py), "--server.headless", "true",
           "--server.address", address, "--server.port", str(port),
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    os.execv(sys.executable, cmd)


def main() -> None:
    app()
