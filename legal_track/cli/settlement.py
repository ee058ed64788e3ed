"""`legal-track settlement ...`: instalment agreements on a case and the daily check."""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli import common as c

app = c.command_group("Settlement and instalment agreements: record, show, check.")
KINDS = ("pre_litigation", "litigation", "enforcement")


@app.command("add")
@c.handle_errors
def add(
    case_ref: str = typer.Argument(..., help="Case reference, e.g. LT-2026-000123."),
    file: Path = typer.Option(..., "--file", help="Instalment plan CSV: due_on, amount (no)."),
    agreed_on: str = typer.Option(..., "--agreed-on", help="Date the agreement was made."),
    kind: str = typer.Option("pre_litigation", "--kind", help=", ".join(KINDS) + "."),
    grace_days: int | None = typer.Option(
        None, "--grace-days", help="Days after a due date before it counts as missed."
    ),
    note: str = typer.Option("", "--note"),
) -> None:
    """Record an agreement with its instalment plan (pauses the case's internal deadlines)."""
    from legal_track.settlements import read_plan, record_agreement

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = file.read_text(encoding="gbk")
    plan = read_plan(text, source=file.name)
    on = c.parse_day(agreed_on, "--agreed-on")
    with c.session() as s:
        case = c.find_case(s, case_ref)
        agreement = record_agreement(s, case_id=case.id, kind=kind, agreed_on=on,
                                     instalments=plan, grace_days=grace_days, note=note,
                                     actor=c.CLI_ACTOR, now=c.clock())  # fmt: skip
        c.out_console.print(f"{case.ref}: agreement {agreement.id}, {len(plan)} instalments, "
                            f"total {agreement.total}")  # fmt: skip


@app.command("show")
@c.handle_errors
def show(
    case_ref: str = typer.Argument(..., help="Case reference."),
    today: str | None = typer.Option(None, "--today", help="As of this day (default today)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The case's agreements: each instalment's state and what is paused."""
    from legal_track.settlements import case_settlements

    day = c.parse_day(today, "--today", default_today=True)
    with c.session() as s:
        case = c.find_case(s, case_ref)
        views = case_settlements(s, case_id=case.id, today=day)
        rows = [{
            "id": v.agreement.id, "kind": v.agreement.kind, "agreed_on": v.agreement.agreed_on,
            "status": v.agreement.status, "total": v.agreement.total, "paid": v.paid,
            "grace_days": v.agreement.grace_days,
            "instalments": [{"no": i.no, "due_on": i.due_on, "amount": i.amount, "paid": i.paid,
                             "state": i.state.value} for i in v.instalments],
            "deadlines": [{"rule": e.rule_id, "due": e.due, "status": e.status,
                           "settlement": e.mode, "why": e.why_en} for e in v.effects],
            "next_step": v.rule.next_en,
        } for v in views]  # fmt: skip
    if as_json:
        c.print_json(rows)
        return
    if not rows:
        c.out_console.print(f"{case_ref}: no agreements")
    for r in rows:
        c.out_console.print(f"agreement {r['id']} ({r['kind']}, {r['agreed_on']}): {r['status']}, "
                            f"paid {r['paid']} of {r['total']}")  # fmt: skip
        for i in r["instalments"]:
            c.out_console.print(f"  {i['no']:>3}  {i['due_on']}  {i['amount']:>12}  "
                                f"paid {i['paid']:>12}  {i['state']}")  # fmt: skip
        for d in r["deadlines"]:
            c.out_console.print(f"  {d['rule']}: {d['status']} {d['due']} [{d['settlement']}]")


@app.command("check")
@c.handle_errors
def check(
    today: str | None = typer.Option(None, "--today", help="As of this day (default today)."),
) -> None:
    """Record missed instalments (once) and completed plans; tells the case owners."""
    from legal_track.settlements import check_settlements

    day = c.parse_day(today, "--today", default_today=True)
    with c.session() as s:
        report = check_settlements(s, today=day, now=c.clock(), actor=c.CLI_ACTOR)
    c.out_console.print(f"checked {report.checked} agreements: {len(report.missed)} missed, "
                        f"{len(report.completed)} completed")  # fmt: skip
    for line in report.missed:
        c.out_console.print(f"  missed: {line}")
