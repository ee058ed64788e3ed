"""`legal-track escalate propose|accept|reject` and `legal-track case open|set`."""

from __future__ import annotations

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    find_case,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)

app = command_group("Escalation: the queue of loans proposed for the legal route.")
case_app = command_group("Open a case by hand; change its owner, route, forum or counsel.")

ROUTE_HELP = "litigation, arbitration, payment_order or mediation."


def _zone() -> str:
    from legal_track.config import get_settings

    return get_settings().timezone


def _line(p) -> str:
    reasons = "、".join(r.name_zh for r in p.reasons)
    expiry = "—" if p.days_to_expiry is None else str(p.days_to_expiry)
    return (f"{p.contract_no:<20} {p.borrower_name:<6} DPD {p.dpd:>5}  ¥{p.claim:>12,.2f}  "
            f"{p.route:<13} {p.forum}  cost ¥{p.cost.total:,.2f} ({p.cost_ratio:.1%})  "
            f"expiry in {expiry} d  · {reasons}")  # fmt: skip


@app.command("propose")
@handle_errors
def propose_command(
    today: str | None = typer.Option(None, "--today", help="As of this date (default: today)."),
    route: str | None = typer.Option(None, "--route", help="Only this route: " + ROUTE_HELP),
    limit: int = typer.Option(0, "--limit", min=0, help="At most N rows (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (every reason and figure)."),
) -> None:
    """Every loan that meets the escalation rules, most urgent first, with its reasons."""
    from legal_track.escalation import propose

    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        proposals = propose(s, today=day, timezone=_zone())
    if route:
        proposals = [p for p in proposals if p.route == route]
    if limit:
        proposals = proposals[:limit]
    if as_json:
        print_json([p.as_dict() for p in proposals])
        return
    for p in proposals:
        out_console.print(_line(p))
    out_console.print(f"{len(proposals)} loans proposed on {day}")


@app.command("accept")
@handle_errors
def accept_command(
    contracts: list[str] | None = typer.Argument(None, help="Contract numbers to accept."),
    all_: bool = typer.Option(False, "--all", help="Accept every proposal of the day."),
    owner: str | None = typer.Option(None, "--owner", help="Username owning the new cases."),
    today: str | None = typer.Option(None, "--today", help="As of this date (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Accept proposals: open one case per borrower and route, compute deadlines and clocks."""
    from legal_track.escalation import accept

    if bool(contracts) == all_:
        raise CliError("name the contracts to accept, or --all (not both)")
    day = parse_day(today, "--today", default_today=True)
    with session() as s, progress_bar("accept") as progress:
        report = accept(s, contracts=None if all_ else list(contracts or []), today=day,
                        now=clock(), actor=CLI_ACTOR, owner=owner, timezone=_zone(),
                        progress=progress)  # fmt: skip
    if as_json:
        print_json(report)
        return
    for c in report.cases:
        out_console.print(f"opened {c.ref}  {c.route:<13} {c.forum}  owner {c.owner}  "
                          f"¥{c.claim:,.2f}  {', '.join(c.contracts)}")  # fmt: skip
    out_console.print(f"{len(report.cases)} cases for {report.loans} loans; "
                      f"{report.deadlines} deadlines, {report.clocks} limitation clocks")  # fmt: skip


@app.command("reject")
@handle_errors
def reject_command(
    contracts: list[str] = typer.Argument(..., help="Contract numbers to reject."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the decision)."),
    today: str | None = typer.Option(None, "--today", help="As of this date (default: today)."),
) -> None:
    """Reject proposals with a reason: they leave the queue for the pack's reconsider days."""
    from legal_track.escalation import reject

    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        n = reject(s, contracts=contracts, reason=reason, today=day, now=clock(),
                   actor=CLI_ACTOR, timezone=_zone())  # fmt: skip
    out_console.print(f"rejected {n} proposals")


@case_app.command("open")
@handle_errors
def open_command(
    contracts: list[str] = typer.Argument(..., help="Contract numbers (loans of one borrower)."),
    route: str = typer.Option(..., "--route", help=ROUTE_HELP),
    forum: str | None = typer.Option(None, "--forum", help="Court or commission."),
    owner: str | None = typer.Option(None, "--owner", help="Username owning the case."),
    today: str | None = typer.Option(None, "--today", help="Opening date (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open a case by hand for loans of one borrower (rules or not)."""
    from legal_track.escalation import open_case

    day = parse_day(today, "--today", default_today=True)
    with session() as s:
        opened = open_case(s, contracts=contracts, route=route, forum=forum, owner=owner,
                           today=day, now=clock(), actor=CLI_ACTOR)  # fmt: skip
    if as_json:
        print_json(opened)
        return
    out_console.print(f"opened {opened.ref}  {opened.route}  {opened.forum}  owner {opened.owner}")


@case_app.command("set")
@handle_errors
def set_command(
    case_ref: str = typer.Argument(..., help="Case reference, e.g. LT-2026-000123."),
    owner: str | None = typer.Option(None, "--owner", help="Username ('-': unassigned)."),
    route: str | None = typer.Option(None, "--route", help=ROUTE_HELP + " Before filing only."),
    forum: str | None = typer.Option(None, "--forum", help="Court or commission."),
    counsel: str | None = typer.Option(None, "--counsel", help="Outside counsel firm ('-': none)."),
) -> None:
    """Change a case's owner, route, forum or outside counsel (audited)."""
    from legal_track.escalation import change_case

    changes: dict = {}
    if owner is not None:
        changes["owner"] = None if owner == "-" else owner
    if forum is not None:
        changes["forum"] = forum
    if counsel is not None:
        changes["counsel_firm"] = None if counsel == "-" else counsel
    if not changes and route is None:
        raise CliError("nothing to change: give --owner, --route, --forum or --counsel")
    with session() as s:
        case = find_case(s, case_ref)
        done = change_case(s, case_id=case.id, route=route, now=clock(), actor=CLI_ACTOR,
                           **changes)  # fmt: skip
    if not done:
        out_console.print(f"{case_ref}: nothing changed")
    for name, (before, after) in done.items():
        out_console.print(f"{case_ref}: {name} {before or '—'} -> {after or '—'}")
