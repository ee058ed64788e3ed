"""`legal-track limitation`: the limitation clock of one loan, or recompute the portfolio."""

from __future__ import annotations

import dataclasses

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    find_loan,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)


@handle_errors
def limitation(
    contract_no: str | None = typer.Argument(None, help="Contract number of the loan."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    today: str | None = typer.Option(None, "--today", help="As of this date (default: today)."),
    all_loans: bool = typer.Option(
        False, "--all", help="Recompute and store the clock of every loan."
    ),
) -> None:
    """The limitation clock (诉讼时效) of a loan: expiry, what restarted it, risk, why."""
    from legal_track.config import get_settings
    from legal_track.i18n import t
    from legal_track.limitation import clock_for_loan, recompute_portfolio, risk_label

    day = parse_day(today, "--today", default_today=True)
    if all_loans:
        with session() as s, progress_bar("limitation") as bar:
            n = recompute_portfolio(s, today=day, now=clock(), progress=bar, actor=CLI_ACTOR)
        if as_json:
            print_json({"recomputed": n, "today": day})
        else:
            out_console.print(f"recomputed the limitation clock of {n} loans")
        return
    if not contract_no:
        raise CliError("give a CONTRACT_NO, or --all to recompute every loan")
    with session() as s:
        result = clock_for_loan(s, loan_id=find_loan(s, contract_no).id, today=day)
    if as_json:
        print_json(dataclasses.asdict(result))
        return
    lang = get_settings().language
    last = result.last_event
    rows = [
        (t("claims.cli.contract", lang), result.contract_no),
        (t("claims.cli.start", lang), result.start.isoformat()),
        (t("claims.cli.expiry", lang), result.expiry.isoformat()),
        (t("claims.cli.conservative", lang), result.conservative_expiry.isoformat()),
        (t("claims.cli.longstop", lang), result.longstop.isoformat()),
        (t("claims.cli.risk", lang), f"{risk_label(result.risk, lang)} ({result.days_left})"),
        (t("claims.cli.last", lang), f"{last.on} {last.kind} {last.proof}" if last else "-"),
    ]
    for label, value in rows:
        out_console.print(f"{label}: {value}")
    if result.provisional:
        out_console.print(t("claims.limit.provisional", lang))
    out_console.print(result.explanation_zh if lang == "zh" else result.explanation_en)
