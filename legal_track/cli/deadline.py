"""`legal-track deadline ...`: compute a deadline without a case, list the rules,
list and act on stored deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

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

app = command_group("Deadlines: compute, list the rules, list and act on open deadlines.")


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--param {pair!r}: expected KEY=VALUE, e.g. days=20")
        out[key.strip()] = value.strip()
    return out


def _today() -> date:
    from legal_track.config import get_settings

    return clock().astimezone(ZoneInfo(get_settings().timezone)).date()


@app.command()
@handle_errors
def calc(
    rule_id: str = typer.Argument(
        ..., help="Rule id, e.g. appeal_judgment (see `deadline rules`)."
    ),
    trigger_date: str = typer.Argument(..., help="Date of the triggering event, YYYY-MM-DD."),
    param: list[str] = typer.Option(
        [],
        "--param",
        "-p",
        help="Event data KEY=VALUE: days=20, payment_days=10, "
        "performance_end=2026-05-20 (repeatable).",
    ),
    party: str | None = typer.Option(None, help="The party served (shown in the explanation)."),
    use_db: bool = typer.Option(
        False,
        "--db",
        help="Use the calendar stored in the database (with loaded notices) "
        "instead of the shipped tables.",
    ),
    lang: str = typer.Option("zh", help="Language of `basis`/`explanation` in JSON: zh or en."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Compute one deadline, no case needed: due date, provisional flag, basis, explanation."""
    from legal_track.calendar.workdays import WorkCalendar, load_calendar
    from legal_track.deadlines import compute

    trigger = parse_day(trigger_date, "TRIGGER_DATE")
    if use_db:
        with session() as s:
            calendar = load_calendar(s)
    else:
        calendar = WorkCalendar.builtin()
    result = compute(rule_id, trigger, calendar=calendar, party=party, params=_params(param))
    if as_json:
        print_json(result.as_dict("en" if lang == "en" else "zh"))
        return
    rows = [
        ("rule", f"{result.rule_id} · {result.name_zh} / {result.name_en} "
                 f"(version {result.rule_version})"),
        ("trigger", result.trigger.isoformat()),
        ("last day", result.raw_due.isoformat()),
        ("due", result.due.isoformat()),
        ("provisional", "yes — the year's holiday notice is not loaded" if result.provisional
         else "no"),
        ("severity", result.severity.value),
        ("basis", f"{result.basis} / {result.basis_en}"),
    ]  # fmt: skip
    for label, value in rows:
        out_console.print(f"{label:<12} {value}")
    out_console.print(result.explanation_zh)
    out_console.print(result.explanation_en)


@app.command()
@handle_errors
def rules(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the deadline rules (every version) with period, trigger and legal basis."""
    from legal_track.deadlines import default_rules

    book = default_rules()
    items = []
    for rule in book.all_versions():
        if rule.period is not None:
            period = f"{rule.period.amount} {rule.period.unit.value}"
            if rule.period.param:
                period += f" (event data {rule.period.param})"
        else:
            assert rule.offset is not None
            period = f"{rule.offset.days} days before {rule.offset.rule}"
        items.append({
            "id": rule.id, "version": rule.version, "name_zh": rule.name_zh,
            "name_en": rule.name_en, "trigger": list(rule.triggers), "period": period,
            "effective_from": rule.effective_from, "effective_to": rule.effective_to,
            "routes": sorted(rule.routes), "parties": sorted(rule.parties),
            "when": {k: list(v) for k, v in rule.when}, "basis": rule.basis,
            "basis_en": rule.basis_en, "severity": rule.severity.value,
            "reminders": list(rule.reminders), "roll": rule.roll,
        })  # fmt: skip
    if as_json:
        print_json({"review": book.review, "rules": items})
        return
    out_console.print(book.review)
    for i, rule in zip(items, book.all_versions(), strict=True):
        out_console.print(
            f"{i['id']}  v{i['version']} [{rule.effective_text}]  {i['name_zh']} / {i['name_en']}"
        )
        trigger = ", ".join(i["trigger"]) or "—"
        out_console.print(
            f"    {trigger} · {i['period']} · {i['severity']} · {i['basis_en']}",
        )


def _owner_id(s, username: str | None) -> int | None:
    from legal_track.auth import user_by_username

    if username is None:
        return None
    user = user_by_username(s, username)
    if user is None:
        raise CliError(f"--owner {username!r}: no such user")
    return user.id


@app.command("list")
@handle_errors
def list_(
    owner: str | None = typer.Option(None, help="Only cases of this user (username)."),
    overdue: bool = typer.Option(False, "--overdue", help="Only deadlines already past."),
    until: str | None = typer.Option(None, help="Only deadlines due on or before this date."),
    case: str | None = typer.Option(None, help="Only this case (reference, e.g. LT-2026-000001)."),
    limit: int = typer.Option(200, help="At most this many rows."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List open deadlines, most urgent first (effective date = override when set)."""
    from rich.table import Table

    from legal_track.deadlines import open_deadlines

    today = _today()
    with session() as s:
        upto = today - timedelta(days=1) if overdue else None
        if until is not None:
            limit_day = parse_day(until, "--until")
            upto = min(upto, limit_day) if upto else limit_day
        items = open_deadlines(
            s, owner_id=_owner_id(s, owner), until=upto,
            case_id=find_case(s, case).id if case else None, limit=limit,
        )  # fmt: skip
    if as_json:
        print_json([
            {"id": i.id, "case": i.case_ref, "owner": i.owner_name, "rule": i.rule_id,
             "name": i.name_zh, "party": i.party, "trigger": i.trigger_date, "due": i.due,
             "computed_due": i.computed_due, "overridden": i.overridden,
             "moved_under_override": i.moved_under_override, "provisional": i.provisional,
             "severity": i.severity, "days_left": (i.due - today).days,
             "basis": i.basis, "explanation": i.explanation_zh}
            for i in items
        ])  # fmt: skip
        return
    table = Table()
    for col in ("id", "case", "owner", "rule", "due", "days", "severity", "flags"):
        table.add_column(col)
    for i in items:
        flags = " ".join(
            f for f, on in (("provisional", i.provisional), ("override", i.overridden),
                            ("moved!", i.moved_under_override)) if on
        )  # fmt: skip
        table.add_row(
            str(i.id), i.case_ref, i.owner_name or "—", f"{i.rule_id} {i.name_zh}",
            i.due.isoformat(), str((i.due - today).days), i.severity, flags,
        )  # fmt: skip
    out_console.print(table)
    out_console.print(f"{len(items)} open deadline(s)")


@app.command()
@handle_errors
def recompute(
    case: str | None = typer.Option(None, help="Only this case (reference); default all cases."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Recompute every case, also those whose events, rules and calendar did not change.",
    ),
) -> None:
    """Recompute stored deadlines from the case events (after a rule pack change)."""
    from legal_track.deadlines import recompute_all, recompute_case

    with session() as s:
        if case:
            report = recompute_case(s, case_id=find_case(s, case).id, now=clock(), actor=CLI_ACTOR)
        else:
            with progress_bar("recompute") as bar:
                report = recompute_all(s, now=clock(), actor=CLI_ACTOR, progress=bar, force=force)
    out_console.print(
        f"cases {report.cases}: {report.inserted} new, {report.updated} changed, "
        f"{report.deleted} removed, {report.unchanged} unchanged, {len(report.moved)} moved, "
        f"{report.skipped_cases} case(s) skipped (nothing changed)"
    )
    for line in report.errors[:20]:
        out_console.print(f"skipped: {line}")


@app.command()
@handle_errors
def complete(
    deadline_id: int = typer.Argument(..., help="Deadline id (see `deadline list`)."),
    note: str = typer.Option("", help="What was done (filed, paid...)."),
) -> None:
    """Mark a deadline as done."""
    from legal_track.deadlines import complete_deadline

    with session() as s:
        d = complete_deadline(s, deadline_id=deadline_id, actor=CLI_ACTOR, now=clock(), note=note)
    out_console.print(f"deadline {d.id} completed")


@app.command()
@handle_errors
def waive(
    deadline_id: int = typer.Argument(..., help="Deadline id."),
    reason: str = typer.Option(..., help="Why no action is taken."),
) -> None:
    """Waive a deadline (no action will be taken), with a reason."""
    from legal_track.deadlines import waive_deadline

    with session() as s:
        d = waive_deadline(s, deadline_id=deadline_id, actor=CLI_ACTOR, now=clock(), note=reason)
    out_console.print(f"deadline {d.id} waived")


@app.command()
@handle_errors
def override(
    deadline_id: int = typer.Argument(..., help="Deadline id."),
    due: str = typer.Argument(..., help="The date to use instead, YYYY-MM-DD."),
    reason: str = typer.Option(..., help="Why (e.g. the court's notice says so)."),
) -> None:
    """Set a manual due date; it survives recomputation."""
    from legal_track.deadlines import override_deadline

    with session() as s:
        d = override_deadline(
            s, deadline_id=deadline_id, due=parse_day(due, "DUE"), reason=reason, actor=CLI_ACTOR,
            now=clock(),
        )  # fmt: skip
    out_console.print(f"deadline {d.id}: due {d.override_due} (computed {d.due})")
