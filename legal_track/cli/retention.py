"""`legal-track retention report|purge`: closed cases whose personal data is due for purge."""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    active_user,
    clock,
    command_group,
    err_console,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)

app = command_group("Retention: closed cases whose personal data is due for purge.")

TODAY_HELP = "As of this date, YYYY-MM-DD (default: today)."
OUT_HELP = "Also write the report to this file: .csv or .xlsx."


def _check_out(out: Path | None) -> None:
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        raise CliError(f"--out {out}: write .csv or .xlsx")


def _show(found) -> None:
    for c in found:
        out_console.print(f"{c.ref}  closed {c.closed_on}  due since {c.due_on} "
                          f"({c.days_due} days)  holds: {c.holdings.describe()}")  # fmt: skip


@app.command("report")
@handle_errors
def report_command(
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Dry run: the closed cases a purge would clear, and what personal data each holds."""
    from legal_track.retention import candidates
    from legal_track.retention.candidates import retention_years
    from legal_track.retention.report import CANDIDATE_COLUMNS, candidate_rows, write_report

    _check_out(out)
    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        found = candidates(s, today=day)
        rows = candidate_rows(found)
        if out is not None:
            digest = write_report(s, path=out, kind="candidates", header=CANDIDATE_COLUMNS,
                                  rows=rows, actor=CLI_ACTOR, now=clock(), today=day)  # fmt: skip
    if as_json:
        print_json([dict(zip(CANDIDATE_COLUMNS, r, strict=True)) for r in rows])
    else:
        _show(found)
        out_console.print(f"{len(found)} case(s) due for purge on {day} "
                          f"(retention {retention_years()} years after closing)")  # fmt: skip
    if out is not None:
        err_console.print(f"wrote {out} (sha256 {digest})")


@app.command("purge")
@handle_errors
def purge_command(
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
    case: list[str] = typer.Option(
        [], "--case", help="Only this case (reference; repeatable). Default: every candidate."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    by: str = typer.Option("admin", "--by", help="The admin account that purges (audit)."),
    out: Path | None = typer.Option(None, "--out", help="Write the purge report: .csv or .xlsx."),
) -> None:
    """Purge the personal data of the due cases (admin only; cannot be undone)."""
    from legal_track.config import get_settings
    from legal_track.retention import candidates, purge, remove_purged_files
    from legal_track.retention.report import PURGED_COLUMNS, purged_rows, write_report

    _check_out(out)
    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        user = active_user(s, by)
        found = candidates(s, today=day)
        if case:
            wanted = {ref.strip() for ref in case}
            unknown = sorted(wanted - {c.ref for c in found})
            if unknown:
                raise CliError(f"not due for purge on {day}: {', '.join(unknown)} "
                               "(see `legal-track retention report`)")  # fmt: skip
            found = [c for c in found if c.ref in wanted]
        if not found:
            sweep = remove_purged_files(s)  # files an interrupted earlier run left behind
            out_console.print(f"nothing is due for purge on {day}"
                              + (f"; deleted {sweep.removed} file(s) left by an earlier purge"
                                 if sweep.removed else ""))  # fmt: skip
            for failed in sweep.failed:
                err_console.print(f"[bold red]not deleted:[/] {failed}", highlight=False)
            if sweep.failed:
                raise typer.Exit(1)
            return
        _show(found)
        if not yes and not typer.confirm(
            f"Purge the personal data of {len(found)} case(s)? This cannot be undone", err=True
        ):
            raise typer.Abort()
        with progress_bar("purging") as bar:
            report = purge(s, case_ids=[c.case_id for c in found], actor=user.username,
                           role=user.role, now=clock(), today=day, progress=bar)  # fmt: skip
        rows = purged_rows(report, timezone=get_settings().timezone)
        if out is not None:
            digest = write_report(s, path=out, kind="purge", header=PURGED_COLUMNS, rows=rows,
                                  actor=user.username, now=clock(), today=day)  # fmt: skip
    for p in report.cases:
        kept = f"; still in batch zips: {', '.join(p.kept_in_batches)}" if p.kept_in_batches else ""
        out_console.print(f"purged {p.ref}: {p.people} people, {p.contacts} contacts, "
                          f"{p.evidence} evidence files, {p.documents} documents{kept}")  # fmt: skip
    out_console.print(f"purged {len(report.cases)} case(s); files deleted: {report.files.removed}")
    if out is not None:
        out_console.print(f"wrote {out} (sha256 {digest})")
    for failed in report.files.failed:
        err_console.print(f"[bold red]not deleted:[/] {failed}", highlight=False)
    if report.files.failed:
        err_console.print("run `legal-track retention purge` again to delete what is left")
        raise typer.Exit(1)
