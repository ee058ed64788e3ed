"""`legal-track demo`: the deterministic demo portfolio."""

from __future__ import annotations

from datetime import date

import typer

from legal_track.cli.common import (
    clock,
    get_engine,
    handle_errors,
    out_console,
    print_json,
    progress_bar,
)
from legal_track.config import get_settings
from legal_track.demo import DEMO_PASSWORD, generate, is_empty


@handle_errors
def demo(
    cases: int = typer.Option(60, min=1, help="Number of cases (loans: max(2N, N+140))."),
    seed: int = typer.Option(7, help="Random seed; the same seed and --as-of give the same data."),
    as_of: str | None = typer.Option(None, help="Anchor date YYYY-MM-DD (default: today)."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when data exists."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Generate a fictional demo portfolio into an empty database."""
    engine = get_engine()
    if if_empty and not is_empty(engine):
        out_console.print("demo: the database already has data; nothing to do")
        return
    now = clock()
    anchor = (
        date.fromisoformat(as_of)
        if as_of
        else now.astimezone(__import__("zoneinfo").ZoneInfo(get_settings().timezone)).date()
    )
    with progress_bar("demo") as progress:
        report = generate(engine, cases=cases, seed=seed, as_of=anchor, now=now, progress=progress)
    if as_json:
        print_json(report)
        return
    out_console.print(
        f"demo portfolio: {report.loans} loans, {report.cases} cases, {report.events} events, "
        f"{report.contacts} contacts, {report.ledger_entries} ledger entries"
    )
    out_console.print(
        f"demo team: demo_lead, demo_staff1..3, demo_viewer (password: {DEMO_PASSWORD})"
    )
