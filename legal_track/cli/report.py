"""`legal-track report portfolio`: the dashboard's figures on the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli.common import (
    command_group,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    session,
)

app = command_group("Reports: the portfolio's figures (as on the dashboard).")


@app.command("portfolio")
@handle_errors
def portfolio(
    today: str | None = typer.Option(None, "--today", help="As of this date (default: today)."),
    route: str | None = typer.Option(
        None, "--route", help="litigation, arbitration or payment_order."
    ),
    forum: str | None = typer.Option(None, "--forum", help="Only this court or commission."),
    firm: str | None = typer.Option(None, "--firm", help="Only this outside counsel firm."),
    owner: str | None = typer.Option(None, "--owner", help="Only this owner (username)."),
    opened_from: str | None = typer.Option(None, "--opened-from", help="Opened on or after."),
    opened_to: str | None = typer.Option(None, "--opened-to", help="Opened on or before."),
    as_json: bool = typer.Option(False, "--json", help="Print every table as JSON."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Write every table to this workbook."),
) -> None:
    """KPIs, stage funnel, dwell times, recovery by route and firm, monthly trend."""
    from legal_track.analytics import Filters
    from legal_track.analytics.export import workbook
    from legal_track.analytics.report import portfolio_report

    filters = Filters(route=route, forum=forum, firm=firm, owner=owner,
                      opened_from=parse_day(opened_from, "--opened-from"),
                      opened_to=parse_day(opened_to, "--opened-to"))  # fmt: skip
    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        tables = portfolio_report(s, today=day, filters=filters)
    if xlsx is not None:
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        xlsx.write_bytes(workbook(tables))
        out_console.print(f"wrote {xlsx} ({', '.join(tables)})")
    if as_json:
        print_json(tables)
        return
    if xlsx is None:
        for row in tables["kpis"]:
            out_console.print(f"{row['figure']:<36} {row['value']}")
        for row in tables["recovery_by_route"]:
            out_console.print(f"{row['route']:<14} cases {row['cases']:>6}  claim ¥{row['claim']:>14,}  "
                              f"recovered ¥{row['recovered']:>12,}  rate {row['recovery_rate']:.2%}  "
                              f"cost/case ¥{row['cost_per_case'] or 0:>10,} ({row['cases_with_costs']} costed)")  # fmt: skip
