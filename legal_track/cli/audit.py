"""`legal-track audit verify|export`: check the audit chain, export entries."""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    clock,
    command_group,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    session,
)

app = command_group("The audit trail: verify the hash chain, export entries.")


@app.command("verify")
@handle_errors
def verify_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Re-walk the audit chain; name the first broken entry (exit 1) or print the head hash."""
    from legal_track.audit import verify_and_record

    with session() as s:
        report = verify_and_record(s, actor=CLI_ACTOR, now=clock())
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        out_console.print(f"audit chain intact: {report.entries} entries; "
                          f"head seq {report.head_seq}, hash {report.head_hash}")  # fmt: skip
    else:
        p = report.problem
        out_console.print(f"audit chain BROKEN ({p.kind}) at entry "
                          f"{p.entry_id if p.entry_id is not None else '-'}, seq {p.seq}: {p.message}")  # fmt: skip
        out_console.print(f"{report.entries} entries before it are intact")
    if not report.ok:
        raise typer.Exit(1)


@app.command("export")
@handle_errors
def export_command(
    date_from: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, local time)."),
    date_to: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD, inclusive)."),
    out: Path = typer.Option(..., "--out", help="File to write: .csv or .xlsx."),
) -> None:
    """Export the entries of a date range with their hashes (the export is audited)."""
    from legal_track.audit.query import export_entries
    from legal_track.config import get_settings

    first = parse_day(date_from, "--from")
    last = parse_day(date_to, "--to")
    with session() as s:
        report = export_entries(s, path=out, date_from=first, date_to=last, actor=CLI_ACTOR,
                                now=clock(), timezone=get_settings().timezone)  # fmt: skip
    out_console.print(f"wrote {report.rows} entries to {report.path} (sha256 {report.sha256})")
