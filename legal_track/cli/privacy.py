"""`legal-track privacy flags|review|mark|unmark|consents`: third parties reached from the
contact log, the lawful-basis records that cover them and the reviewers' marks."""

from __future__ import annotations

import typer

from legal_track.cli.common import (
    CliError,
    active_user,
    clock,
    command_group,
    find_case,
    find_loan,
    handle_errors,
    out_console,
    print_json,
    progress_bar,
    session,
)

app = command_group(
    "Privacy: contacts with third parties (relatives, employers) and their lawful basis."
)

STATUS_ZH = {"covered": "已有合法性记录", "flagged": "未记录合法性基础（已标记）",
             "uncovered": "第三方来电（未列入证据）", "included": "经审核列入证据",
             "excluded": "经审核排除"}  # fmt: skip


def _timezone() -> str:
    from legal_track.config import get_settings

    return get_settings().timezone


def _row(r) -> dict:
    return {
        "contact_id": r.contact_id, "contract_no": r.contract_no, "day": r.day.isoformat(),
        "channel": r.channel, "direction": r.direction, "target": r.shown_target(None),
        "status": r.status, "in_bundle": r.in_bundle,
        "basis": r.consent.basis if r.consent else None,
        "mark_reason": r.mark.reason if r.mark else None,
        "marked_by": r.mark.marked_by if r.mark else None,
    }  # fmt: skip


def _print(r) -> None:
    why = (f"  [{r.consent.basis}: {r.consent.name or r.consent.relation}]" if r.consent
           else f"  [{r.mark.marked_by}: {r.mark.reason}]" if r.mark else "")  # fmt: skip
    out_console.print(f"#{r.contact_id}  {r.contract_no}  {r.day}  {r.channel}/{r.direction}  "
                      f"{r.target}  {STATUS_ZH[r.status]}{why}", highlight=False, markup=False)  # fmt: skip


@app.command("flags")
@handle_errors
def flags_command(
    case_ref: str | None = typer.Argument(None, help="Case reference; default every open case."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Contact-log rows that reached a third party with no lawful-basis record and no mark."""
    from legal_track.privacy.consents import open_case_flags

    with session() as s, progress_bar("reviewing contact logs") as bar:
        case_id = find_case(s, case_ref).id if case_ref else None
        found = open_case_flags(s, tz=_timezone(), role=None, case_id=case_id, progress=bar)
    if as_json:
        print_json({c.case_ref: [_row(r) for r in c.flags] for c in found})
        return
    total = 0
    for c in found:
        for r in c.flags:
            out_console.print(f"{c.case_ref}  ", end="")
            _print(r)
            total += 1
    scope = case_ref or "the open cases"
    out_console.print(f"{total} flagged third-party contact(s) in {scope}; mark each with "
                      "`legal-track privacy mark ID --include|--exclude --reason ...`")  # fmt: skip


@app.command("review")
@handle_errors
def review_command(
    case_ref: str = typer.Argument(..., help="Case reference."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every third-party row of a case with its status and whether bundles show it."""
    from legal_track.privacy.consents import case_review

    with session() as s:
        case = find_case(s, case_ref)
        reviews = case_review(s, case_id=case.id, tz=_timezone(), role=None)
    if as_json:
        print_json([_row(r) for r in reviews])
        return
    for r in reviews:
        _print(r)
    out_console.print(f"{len(reviews)} third-party contact(s) in {case_ref}, "
                      f"{sum(r.in_bundle for r in reviews)} in the bundles")  # fmt: skip


@app.command("mark")
@handle_errors
def mark_command(
    contact_id: int = typer.Argument(..., help="Contact-log row id (`privacy flags` lists them)."),
    include: bool = typer.Option(
        ..., "--include/--exclude", help="Into the bundles, or kept out."
    ),  # fmt: skip
    reason: str = typer.Option(..., "--reason", help="Why (kept with the mark and audited)."),
    by: str = typer.Option(..., "--by", help="The lead or admin account that decides (audit)."),
) -> None:
    """Mark a third-party contact into the bundles or out of them (lead/admin)."""
    from legal_track.privacy.consents import mark_contact

    with session() as s:
        user = active_user(s, by)
        mark = mark_contact(s, contact_id=contact_id, include=include, reason=reason,
                            actor=user.username, role=user.role, now=clock())  # fmt: skip
    out_console.print(f"contact #{contact_id} marked {'into' if mark.include else 'out of'} "
                      f"the bundles by {mark.marked_by}")  # fmt: skip


@app.command("unmark")
@handle_errors
def unmark_command(
    contact_id: int = typer.Argument(..., help="Contact-log row id."),
    by: str = typer.Option(..., "--by", help="The lead or admin account (audit)."),
) -> None:
    """Take a mark back: the records decide again."""
    from legal_track.privacy.consents import unmark_contact

    with session() as s:
        user = active_user(s, by)
        done = unmark_contact(s, contact_id=contact_id, actor=user.username, role=user.role,
                              now=clock())  # fmt: skip
    if not done:
        raise CliError(f"contact #{contact_id} has no mark")
    out_console.print(f"contact #{contact_id}: mark taken back")


@app.command("consents")
@handle_errors
def consents_command(
    contract_no: str = typer.Argument(..., help="Contract number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The lawful-basis records of a loan's third parties."""
    from legal_track.privacy.consents import consents_of

    with session() as s:
        loan = find_loan(s, contract_no)
        found = consents_of(s, loan_ids=[loan.id], role=None)
    rows = [{"target": c.target, "name": c.name, "relation": c.relation, "basis": c.basis,
             "since": c.since.isoformat(), "until": c.until.isoformat() if c.until else None,
             "proof_ref": c.proof_ref, "recorded_by": c.recorded_by} for c in found]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out_console.print(f"{r['target']}  {r['name']}  {r['relation']}  {r['basis']}  "
                          f"{r['since']} – {r['until'] or '…'}  {r['proof_ref']}", highlight=False)  # fmt: skip
    out_console.print(f"{len(rows)} record(s) for {contract_no}")
