"""`legal-track calendar ...`: the working-day calendar (official holiday notices).

Other areas add commands to this group (`app.command()(...)`), e.g. an .ics export.
"""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    handle_errors,
    out_console,
    print_json,
    session,
)

app = command_group("Working-day calendar: load a year's holiday notice, show a year.")


@app.command()
@handle_errors
def load(
    file: Path = typer.Argument(
        ..., help="Notice file (.toml or .csv) with off days and make-up working days of one year."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Load a State Council holiday notice; recompute the deadlines it affects."""
    from legal_track.deadlines.holidays import load_notice

    if not file.is_file():
        raise CliError(f"{file}: no such file")
    with session() as s:
        result = load_notice(s, raw=file.read_bytes(), file_name=file.name, actor=CLI_ACTOR,
                             now=clock())  # fmt: skip
    if as_json:
        print_json(result)
        return
    verb = "replaced" if result.replaced else "loaded"
    out_console.print(
        f"{result.year} {verb}: {result.title} — {result.off_days} off day(s), "
        f"{result.work_days} make-up working day(s); {result.recomputed_cases} case(s) "
        f"recomputed, {len(result.moved)} deadline(s) moved"
    )
    for m in result.moved:
        out_console.print(f"  moved: {m.case_ref} {m.rule_id} {m.old_due} -> {m.new_due}")


@app.command()
@handle_errors
def show(
    year: int = typer.Argument(..., help="The year, e.g. 2026."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print a year: its source (or provisional), off days and make-up working days."""
    from rich.table import Table

    from legal_track.calendar.notices import year_summary

    with session() as s:
        info = year_summary(s, year)
    if as_json:
        print_json(info)
        return
    state = "provisional (no notice loaded)" if info["provisional"] else "official"
    out_console.print(f"{year}: {state} · source: {info['source']}")
    out_console.print(f"working days {info['working_days']}, rest days {info['rest_days']}")
    table = Table()
    for col in ("date", "weekday", "kind", "name"):
        table.add_column(col)
    for d in info["exceptions"]:
        kind = "make-up working day" if d.working else "off"
        table.add_row(d.day.isoformat(), d.day.strftime("%a"), kind, f"{d.name_zh} {d.name_en}")
    out_console.print(table)
    if info["provisional"]:
        out_console.print(
            "Only weekends and the fixed statutory dates are known; dates in this year are "
            "provisional until the State Council notice is loaded (`legal-track calendar load`)."
        )


@app.command()
@handle_errors
def seed() -> None:
    """Store the official years shipped with chinesecalendar that the database lacks."""
    from legal_track.calendar.notices import seed_builtin

    with session() as s:
        added = seed_builtin(s, now=clock(), actor=CLI_ACTOR)
    out_console.print(f"added years: {', '.join(map(str, added)) or 'none (already seeded)'}")
