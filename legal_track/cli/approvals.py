"""`legal-track approvals list|approve|reject`: the maker-checker requests."""

from __future__ import annotations

import typer

from legal_track.cli.common import (
    active_user,
    clock,
    command_group,
    handle_errors,
    out_console,
    print_json,
    session,
)

app = command_group(
    "Maker-checker: approve or reject requests for actions that need a second person."
)

BY_HELP = "User name of the approving lead or admin (not the requester)."


@app.command("list")
@handle_errors
def list_command(
    status: str = typer.Option(
        "pending", help="pending, approved, rejected, withdrawn, used or all."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List approval requests, newest first."""
    from legal_track.approvals import list_requests

    with session() as s:
        rows = list_requests(s, statuses=() if status == "all" else (status,))
    data = [
        {"id": r.request.id, "action": r.request.action, "case": r.case_ref, "status": r.request.status,
         "subject": r.request.subject, "requested_by": r.request.requested_by,
         "requested_at": r.request.requested_at, "decided_by": r.request.decided_by,
         "reason": r.request.reason, "payload": r.request.payload}
        for r in rows
    ]  # fmt: skip
    if as_json:
        print_json(data)
        return
    for d in data:
        out_console.print(f"#{d['id']:<5} {d['status']:<9} {d['action']:<18} {d['case'] or '-':<15} "
                          f"by {d['requested_by']:<12} {d['subject']}")  # fmt: skip
    out_console.print(f"{len(data)} requests")


@app.command("approve")
@handle_errors
def approve_command(
    request_id: int = typer.Argument(..., help="Request number (#N)."),
    by: str = typer.Option(..., "--by", help=BY_HELP),
    reason: str = typer.Option("", "--reason", help="Why (optional for an approval)."),
) -> None:
    """Approve a pending request; the requester then carries the action out (again)."""
    from legal_track.approvals import approve

    with session() as s:
        user = active_user(s, by)
        done = approve(s, request_id=request_id, actor=user.username, role=user.role, now=clock(),
                       reason=reason)  # fmt: skip
    out_console.print(f"approved request #{done.id} ({done.action}: {done.subject})")


@app.command("reject")
@handle_errors
def reject_command(
    request_id: int = typer.Argument(..., help="Request number (#N)."),
    by: str = typer.Option(..., "--by", help=BY_HELP),
    reason: str = typer.Option(..., "--reason", help="Why (required)."),
) -> None:
    """Reject a pending request with a reason."""
    from legal_track.approvals import reject

    with session() as s:
        user = active_user(s, by)
        done = reject(s, request_id=request_id, actor=user.username, role=user.role, now=clock(),
                      reason=reason)  # fmt: skip
    out_console.print(f"rejected request #{done.id} ({done.action}: {done.subject})")
