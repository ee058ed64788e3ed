"""`legal-track import loans|ledger|contacts|parties|schedules|plans|consents FILE`: the same
import as the app's upload page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    handle_errors,
    out_console,
    print_json,
    progress_bar,
    session,
)

if TYPE_CHECKING:
    from legal_track.intake import ImportReport, Kind

app = command_group(
    "Import loans, ledger entries, contact logs, co-borrowers and guarantors, instalment "
    "schedules, repayment plans or third-party consents from CSV (UTF-8 or GBK) or XLSX."
)

_FILE = typer.Argument(..., help="CSV or XLSX file; first row is the header (Chinese or English).")
_JSON = typer.Option(False, "--json", help="Print the import report as JSON.")


def run_import(kind: Kind, file: Path, as_json: bool) -> ImportReport:
    """Import `file`; on problems print each one to stderr and exit 1 (nothing imported)."""
    from legal_track.i18n import t
    from legal_track.intake import IntakeError, import_file
    from legal_track.limitation.portfolio import refresh_loans

    if not file.is_file():
        raise CliError(f"no such file: {file}")
    changed: list[int] = []
    now = clock()
    try:
        with session() as s, progress_bar(f"{kind} {file.name}") as update:
            report = import_file(
                s,
                kind=kind,
                path=file,
                actor=CLI_ACTOR,
                now=now,
                # total 0 = not known yet (checking pass): keep the bar indeterminate
                progress=lambda done, total: update(done, total or None),
                after_import=lambda _s, loan_ids: changed.extend(loan_ids),
            )
        with session() as s:  # the limitation clocks of the loans the file changed
            refresh_loans(s, loan_ids=changed, now=now, actor=CLI_ACTOR)
    except IntakeError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(t("intake.report.failed", "en", count=len(exc.problems)), err=True)
        raise typer.Exit(1) from None
    if as_json:
        print_json(report)
    else:
        out_console.print(
            t(
                "intake.report.summary",
                "en",
                file=report.file,
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            ),
            markup=False,
        )
        details = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in report.details.items())
        if details:
            out_console.print(details, markup=False)
        out_console.print(f"sha256 {report.sha256}", markup=False)
    return report


@app.command("loans")
@handle_errors
def loans(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Loan tape: creditors, borrowers and loans (by contract number)."""
    run_import("loans", file, as_json)


@app.command("ledger")
@handle_errors
def ledger(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Ledger: disbursements, repayments, fees, write-offs (by contract and reference)."""
    run_import("ledger", file, as_json)


@app.command("contacts")
@handle_errors
def contacts(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Contact log: SMS, calls, letters, visits... (by contract, time, channel, target)."""
    run_import("contacts", file, as_json)


@app.command("parties")
@handle_errors
def parties(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Co-borrowers and guarantors of loans (by contract, ID number and role)."""
    run_import("parties", file, as_json)


@app.command("schedules")
@handle_errors
def schedules(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Instalment schedules: a contract's rows replace its loan's whole schedule."""
    run_import("schedules", file, as_json)


@app.command("plans")
@handle_errors
def plans(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Repayment plans agreed in collections (by contract, plan and instalment number)."""
    run_import("plans", file, as_json)


@app.command("consents")
@handle_errors
def consents(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Lawful-basis records for third parties of the contact log (by contract and phone/address)."""
    run_import("consents", file, as_json)
