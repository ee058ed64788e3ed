"""`legal-track docs render|preflight|batch|list|diff|sent|delivered`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    err_console,
    find_case,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
    session,
)

if TYPE_CHECKING:
    from legal_track.documents.preflight import PreflightResult

app = command_group(
    "Generate legal documents from templates, one or in batch.", no_args_is_help=True
)


def _print_preflight(result: PreflightResult) -> None:
    status = "ok" if result.ok else "BLOCKED"
    out_console.print(f"{result.case_ref}: {status}")
    for p in result.problems:
        out_console.print(f"  {p.severity}: {p.message}")


@app.command("render")
@handle_errors
def render(
    template_id: str = typer.Argument(
        ..., help="Template id, e.g. demand_letter or civil_complaint."
    ),
    case_ref: str = typer.Argument(..., help="Case reference, e.g. LT-2026-000123."),
    out: Path = typer.Option(..., "--out", help="Where to write the .docx."),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also write a PDF beside it (needs LibreOffice)."
    ),
    cutoff: str | None = typer.Option(None, help="Claim figures up to this date (default today)."),
    payment_days: int = typer.Option(7, help="Demand letters: days to pay after receipt."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Generate one document for one case (preflight first; nothing is written if it fails)."""
    from legal_track.documents.render import render_document

    with session() as s:
        case = find_case(s, case_ref)
        doc = render_document(s, template_id=template_id, case_id=case.id, actor=CLI_ACTOR, now=clock(),
                              out=out, pdf=pdf, cutoff=parse_day(cutoff, "--cutoff"),
                              payment_days=payment_days)  # fmt: skip
    row = {"id": doc.id, "case": case_ref, "template": f"{doc.template_id}@{doc.template_version}",
           "path": doc.path, "sha256": doc.sha256, "context_sha256": doc.context_sha256,
           "pdf": doc.pdf_path, "pdf_sha256": doc.pdf_sha256}  # fmt: skip
    if as_json:
        print_json(row)
        return
    out_console.print(f"document {doc.id}: {doc.path}")
    out_console.print(f"  template {row['template']}  sha256 {doc.sha256}")
    out_console.print(f"  context sha256 {doc.context_sha256}")
    if doc.pdf_path:
        out_console.print(f"  pdf {doc.pdf_path}  sha256 {doc.pdf_sha256}")


@app.command("preflight")
@handle_errors
def preflight_cmd(
    template_id: str = typer.Argument(...),
    case_ref: str = typer.Argument(...),
    cutoff: str | None = typer.Option(None, help="Claim figures up to this date (default today)."),
) -> None:
    """Check one case against a template without generating anything (exit 1 if blocked)."""
    from legal_track.documents.preflight import preflight

    with session() as s:
        case = find_case(s, case_ref)
        result = preflight(s, template_id=template_id, case_id=case.id, now=clock(),
                           cutoff=parse_day(cutoff, "--cutoff"))  # fmt: skip
    _print_preflight(result)
    if not result.ok:
        raise typer.Exit(1)


@app.command("batch")
@handle_errors
def batch(
    template_id: str = typer.Argument(...),
    out: Path = typer.Option(
        ..., "--out", help="The zip to write (a folder per case + report.csv)."
    ),
    stage: str | None = typer.Option(None, help="Only cases in this stage."),
    route: str | None = typer.Option(None, help="Only cases on this route."),
    min_dpd: int | None = typer.Option(
        None, help="Only cases with a loan at least this many days past due."
    ),
    no_demand_letter: bool = typer.Option(
        False, "--no-demand-letter", help="Only cases without a letter yet."
    ),
    cases: str | None = typer.Option(
        None, help="Comma-separated case references (overrides filters)."
    ),
    pdf: bool = typer.Option(False, "--pdf", help="Also PDFs (needs LibreOffice)."),
    cutoff: str | None = typer.Option(None, help="Claim figures up to this date (default today)."),
    workers: int | None = typer.Option(None, help="Worker processes (default: every core)."),
    preflight_only: bool = typer.Option(
        False, "--preflight-only", help="Report only, generate nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Generate a document for every selected case into one zip; failed cases are listed."""
    from legal_track.config import get_settings
    from legal_track.documents.batch import CaseFilter, preflight_batch, run_batch, select_cases
    from legal_track.documents.registry import local_today

    now = clock()
    filters = CaseFilter(stage=stage, route=route, min_dpd=min_dpd, no_demand_letter=no_demand_letter,
                         case_refs=tuple(r for r in (cases or "").split(",") if r.strip()))  # fmt: skip
    day = parse_day(cutoff, "--cutoff")
    with session() as s:
        ids = select_cases(s, filters=filters, today=local_today(now, get_settings()))
        if not ids:
            raise CliError("no case matches the selection")
        with progress_bar("preflight") as bar:
            report = preflight_batch(
                s, template_id=template_id, case_ids=ids, now=now, cutoff=day, progress=bar
            )
        blocked = [r for r in report if not r.ok]
        err_console.print(f"preflight: {len(report) - len(blocked)} ready, {len(blocked)} blocked")
        for r in blocked[:20]:
            err_console.print(f"  {r.case_ref}: {r.reason()}", markup=False)
        if preflight_only:
            if as_json:
                print_json([{"case": r.case_ref, "ok": r.ok, "problems": [p.message for p in r.problems]}
                            for r in report])  # fmt: skip
            return
        with progress_bar("generating") as bar:
            result = run_batch(s, template_id=template_id, case_ids=ids, out=out, actor=CLI_ACTOR, now=now,
                               cutoff=day, pdf=pdf, workers=workers, progress=bar)  # fmt: skip
    if as_json:
        print_json({"batch": result.batch_id, "zip": str(result.zip_path), "ok": result.ok,
                    "failed": result.failed,
                    "rows": [{"case": r.case_ref, "status": r.status, "reason": r.reason} for r in result.rows]})  # fmt: skip
        return
    out_console.print(
        f"batch {result.batch_id}: {result.ok} generated, {result.failed} failed -> {result.zip_path}"
    )
    for r in result.rows:
        if r.status != "ok":
            out_console.print(f"  failed {r.case_ref}: {r.reason}", markup=False)


@app.command("list")
@handle_errors
def list_(
    case_ref: str, as_json: bool = typer.Option(False, "--json", help="Output JSON.")
) -> None:
    """The documents generated for a case, newest first."""
    from legal_track.documents.history import documents_for_case

    with session() as s:
        docs = documents_for_case(s, case_id=find_case(s, case_ref).id)
    rows = [{"id": d.id, "template": f"{d.template_id}@{d.template_version}", "created_at": d.created_at,
             "sha256": d.sha256, "context_sha256": d.context_sha256, "path": d.path, "member": d.zip_member,
             "sent_on": d.sent_on, "delivered_on": d.delivered_on} for d in docs]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    for r in rows:
        sent = f"  sent {r['sent_on']}" if r["sent_on"] else ""
        out_console.print(f"{r['id']:>6}  {r['template']:<28} {r['created_at']:%Y-%m-%d %H:%M}  "
                          f"{r['sha256'][:12]}  ctx {r['context_sha256'][:12]}{sent}")  # fmt: skip


@app.command("diff")
@handle_errors
def diff(document_id: int) -> None:
    """What changed in the context since the previous document of the same template."""
    from legal_track.documents.history import diff_with_previous

    with session() as s:
        before, changes = diff_with_previous(s, document_id=document_id)
    if before is None:
        out_console.print("first document of this template for the case: nothing to compare")
        return
    if not changes:
        out_console.print(
            f"same context as document {before.id} (context sha256 {before.context_sha256[:12]})"
        )
        return
    out_console.print(f"changes since document {before.id}:")
    for c in changes:
        out_console.print(f"  {c.path}: {c.old!r} -> {c.new!r}", markup=False)


@app.command("sent")
@handle_errors
def sent(
    document_id: int,
    on: str = typer.Option(..., help="Date the letter was posted (YYYY-MM-DD)."),
    tracking: str = typer.Option("", help="Postal tracking number."),
) -> None:
    """Record that a generated demand letter was sent (case event demand_letter_sent)."""
    from legal_track.config import get_settings
    from legal_track.documents.letters import mark_sent

    with session() as s:
        event = mark_sent(s, document_id=document_id, on=parse_day(on, "--on"), actor=CLI_ACTOR,
                          now=clock(), tracking_no=tracking, timezone=get_settings().timezone)  # fmt: skip
    out_console.print(f"recorded demand_letter_sent on {event.on} (event {event.id})")


@app.command("delivered")
@handle_errors
def delivered(
    case_ref: str,
    signed_on: str = typer.Option(
        ..., help="Date the borrower signed for the letter (YYYY-MM-DD)."
    ),
    tracking: str = typer.Option("", help="Postal tracking number."),
    payment_days: int = typer.Option(7, help="Days to pay after delivery, as the letter says."),
    document: int | None = typer.Option(None, help="The generated letter's document id."),
) -> None:
    """Record delivery: the payment deadline is created and the limitation clock restarts."""
    from legal_track.config import get_settings
    from legal_track.documents.letters import record_delivery

    with session() as s:
        case = find_case(s, case_ref)
        event = record_delivery(s, case_id=case.id, signed_on=parse_day(signed_on, "--signed-on"), actor=CLI_ACTOR,
                                now=clock(), tracking_no=tracking, payment_days=payment_days,
                                document_id=document, timezone=get_settings().timezone)  # fmt: skip
    out_console.print(f"recorded demand_letter_delivered on {event.on} (event {event.id})")
