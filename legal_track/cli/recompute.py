"""`legal-track recompute`: every case's deadlines and every loan's limitation clock."""

from __future__ import annotations

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    clock,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)


@handle_errors
def recompute(
    force: bool = typer.Option(
        False, "--force", help="Recompute and compare every deadline, also of unchanged cases."
    ),
    today: str | None = typer.Option(
        None, "--today", help="Risk levels as of this date YYYY-MM-DD (default: today)."
    ),
    sequential: bool = typer.Option(
        False, "--sequential", help="Do everything in this process (no worker process)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Recompute every case's deadlines and every loan's limitation clock, in one
    transaction (after a rule or calendar change, or nightly for the risk levels)."""
    from legal_track.recompute import recompute_everything

    day = parse_day(today, "--today", default_today=True)
    with session() as s, progress_bar("recompute") as bar:
        report = recompute_everything(
            s, now=clock(), today=day, force=force, actor=CLI_ACTOR, progress=bar,
            parallel=False if sequential else None,
        )  # fmt: skip
    d, c = report.deadlines, report.clocks
    if as_json:
        print_json({
            "today": day,
            "parallel": report.parallel,
            "deadlines": {"cases": d.cases, "skipped_cases": d.skipped_cases,
                          "inserted": d.inserted, "updated": d.updated, "deleted": d.deleted,
                          "unchanged": d.unchanged, "moved": len(d.moved),
                          "errors": d.errors[:20]},
            "clocks": {"loans": c.loans, "inserted": len(c.inserts), "updated": len(c.updates),
                       "deleted": len(c.deletes), "unchanged": c.unchanged},
        })  # fmt: skip
        return
    out_console.print(
        f"deadlines of {d.cases} case(s): {d.inserted} new, {d.updated} changed, "
        f"{d.deleted} removed, {d.unchanged} unchanged, {len(d.moved)} moved, "
        f"{d.skipped_cases} case(s) skipped (nothing changed)"
    )
    out_console.print(
        f"limitation clocks of {c.loans} loan(s): {len(c.inserts)} new, {len(c.updates)} "
        f"changed, {c.unchanged} unchanged (as of {day.isoformat()})"
    )
    for line in d.errors[:20]:
        out_console.print(f"skipped: {line}")
