"""`legal-track demo`: the deterministic demo portfolio."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, datetime
from pathlib import Path

import typer

from legal_track.cli.common import (
    clock,
    get_engine,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)


@handle_errors
def demo(
    cases: int = typer.Option(60, min=1, help="Number of cases (loans: N + max(140, N/5))."),
    seed: int = typer.Option(7, help="Random seed; the same seed and --as-of give the same data."),
    as_of: str | None = typer.Option(None, help="Anchor date YYYY-MM-DD (default: today)."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when data exists."),
    archived_case: bool = typer.Option(
        True,
        "--archived-case/--no-archived-case",
        help="Also one case closed six years ago, due for `legal-track retention purge`.",
    ),  # fmt: skip
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Generate a fictional demo portfolio into an empty database."""
    from legal_track.demo.portfolio import DEMO_PASSWORD, generate, is_empty

    engine = get_engine()
    if if_empty and not is_empty(engine):
        out_console.print("demo: the database already has data; nothing to do")
        return
    now = clock()
    anchor = parse_day(as_of, "--as-of", default_today=True)
    with progress_bar("demo") as progress:
        report = generate(engine, cases=cases, seed=seed, as_of=anchor, now=now, progress=progress,
                          archived_case=archived_case)  # fmt: skip
    case_ids = list(range(1, min(cases, EVIDENCE_CASES) + 1))
    if report.archived_case_id is not None:
        case_ids.append(report.archived_case_id)
    follow_up = _follow_up(engine, as_of=anchor, now=now, case_ids=case_ids)
    if as_json:
        print_json({**dataclasses.asdict(report), **follow_up})
        return
    out_console.print(
        f"demo portfolio: {report.loans} loans, {report.cases} cases, {report.events} events, "
        f"{report.contacts} contacts, {report.ledger_entries} ledger entries"
    )
    out_console.print(
        f"deadlines: {follow_up['deadlines']}; limitation clocks: {follow_up['limitation_clocks']}; "
        f"evidence items: {follow_up['evidence_items']}"
    )
    if report.archived_case_id is not None:
        out_console.print(
            "plus one case closed six years ago, due for purge: see `legal-track retention "
            "report` (the demo does not purge it)"
        )
    out_console.print(
        f"demo team: demo_lead, demo_staff1..3, demo_viewer, demo_counsel (outside counsel)"
        f" (password: {DEMO_PASSWORD})"
    )


# Demo cases that get evidence files (contract, ID card, receipt, ruling): all of the
# default portfolio; a benchmark-sized one keeps its evidence tab examples only.
EVIDENCE_CASES = 200


def _follow_up(engine, *, as_of: date, now: datetime, case_ids: list[int]) -> dict:
    """Derive what the services derive for real data: deadlines, limitation clocks,
    and a contract and an ID image for the first few cases' evidence tabs."""
    from legal_track.demo.evidence import attach_demo_evidence
    from legal_track.recompute import recompute_everything

    with session() as s:
        with progress_bar("deadlines and limitation clocks") as progress:
            report = recompute_everything(s, now=now, today=as_of, actor="demo",
                                          progress=progress)  # fmt: skip
        deadlines, clocks = report.deadlines, report.loans
        with tempfile.TemporaryDirectory() as tmp, progress_bar("demo evidence") as progress:
            items = attach_demo_evidence(
                s, case_ids=case_ids, workdir=Path(tmp), now=now,
                progress=progress,
            )  # fmt: skip
    return {
        "deadlines": deadlines.inserted + deadlines.updated + deadlines.unchanged,
        "limitation_clocks": clocks,
        "evidence_items": items,
    }
