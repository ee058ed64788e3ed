"""`legal-track evidence add|list|verify|checklist` and the `bundle build` command.

`build_command` is registered by the lead as ``legal-track bundle build`` (the bundle
helper owns ``cli/bundle.py``).
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    err_console,
    find_case,
    find_loan,
    handle_errors,
    out_console,
    print_json,
    progress_bar,
    session,
)

if TYPE_CHECKING:
    from legal_track.models import EvidenceItem

app = command_group("Evidence register: add, list, verify, checklist.")

# The values of models.EvidenceCategory (tests check they match), without the models.
CATEGORIES = ("loan_contract", "id_document", "disbursement_proof", "repayment_record",
              "contact_log", "delivery_proof", "demand_letter", "court_document", "other")  # fmt: skip
_CATEGORIES = ", ".join(CATEGORIES)


def parse_captured(text: str | None) -> datetime | None:
    """YYYY-MM-DD (midnight in the configured time zone) or an ISO timestamp."""
    from legal_track.config import get_settings

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--captured-at {text!r}: use YYYY-MM-DD or an ISO timestamp") from None
    zone = ZoneInfo(get_settings().timezone)
    if len(text) <= 10:
        return datetime.combine(value.date(), time(0, 0), tzinfo=zone)
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _item_row(item: EvidenceItem) -> dict:
    return {
        "id": item.id,
        "category": str(item.category),
        "name": item.original_name,
        "kind": str(item.kind),
        "size": item.size,
        "pages": item.page_count,
        "sha256": item.sha256,
        "rendition_sha256": item.rendition_sha256,
        "repaired": item.repaired,
        "bundleable": item.bundleable,
        "not_bundleable_reason": item.not_bundleable_reason,
        "source": item.source,
        "purpose": item.purpose,
        "added_by": item.added_by,
        "added_at": item.added_at,
        "captured_at": item.captured_at,
    }


@app.command("add")
@handle_errors
def add(
    files: list[Path] = typer.Argument(
        ..., help="Files to register (PDF, images, CSV, XLSX, .eml, DOCX)."
    ),
    case: str | None = typer.Option(None, "--case", help="Case reference, e.g. LT-2026-000123."),
    loan: str | None = typer.Option(None, "--loan", help="Loan contract number."),
    category: str = typer.Option(..., "--category", help=f"One of: {_CATEGORIES}."),
    purpose: str = typer.Option(..., "--purpose", help="What the item proves (证明目的)."),
    source: str = typer.Option("", "--source", help="Where it comes from (来源)."),
    captured_at: str | None = typer.Option(
        None, "--captured-at", help="When it was captured: YYYY-MM-DD or ISO time."
    ),
    actor: str = typer.Option(CLI_ACTOR, "--actor", help="Who adds it (custody log)."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Register evidence files for a case and/or a loan. Refused files are named with the
    reason and nothing of them is stored; the exit status is 1 when any was refused."""
    from legal_track.evidence.register import EvidenceRefused, intake

    if not case and not loan:
        raise CliError("give --case REF and/or --loan CONTRACT_NO")
    when = parse_captured(captured_at)
    results, refused = [], []
    with session() as s:
        case_ids = [find_case(s, case).id] if case else []
        loan_ids = [find_loan(s, loan).id] if loan else []
        for path in files:
            if not path.is_file():
                refused.append(
                    {"file": str(path), "reason": "not_found", "message": f"{path}: no such file"}
                )
                continue
            try:
                res = intake(
                    s, data=path, original_name=path.name, category=category, source=source,
                    purpose=purpose, captured_at=when, actor=actor, now=clock(),
                    case_ids=case_ids, loan_ids=loan_ids,
                )  # fmt: skip
            except EvidenceRefused as exc:
                s.rollback()
                refused.append({"file": str(path), "reason": exc.reason.value, "message": str(exc)})
                continue
            results.append(_item_row(res.item) | {"duplicate": res.duplicate, "file": str(path)})
    if as_json:
        print_json({"added": results, "refused": refused})
    else:
        for r in results:
            note = " (already registered: linked)" if r["duplicate"] else ""
            extra = "" if r["bundleable"] else f"  [not for bundles: {r['not_bundleable_reason']}]"
            if r["repaired"]:
                extra += "  [damaged PDF repaired; original kept]"
            out_console.print(
                f"#{r['id']} {r['category']} {r['name']} sha256={r['sha256']}{note}{extra}"
            )
        for r in refused:
            err_console.print(f"refused: {r['message']}", highlight=False, markup=False)
    if refused:
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_(
    case: str = typer.Option(..., "--case", help="Case reference."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """List the evidence of a case (items linked to it or to its loans)."""
    from legal_track.evidence.register import items_for_case

    with session() as s:
        items = items_for_case(s, case_id=find_case(s, case).id)
        rows = [_item_row(i) for i in items]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out_console.print("no evidence registered for this case")
    for r in rows:
        flag = "" if r["bundleable"] else "  (attachment only)"
        out_console.print(
            f"#{r['id']:<5} {r['category']:<18} {r['kind']:<5} {r['size']:>10,} B  "
            f"{r['sha256']}  {r['name']}{flag}"
        )


@app.command("verify")
@handle_errors
def verify(
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
    actor: str = typer.Option(CLI_ACTOR, "--actor", help="Who runs the check (audit)."),
) -> None:
    """Re-hash every stored evidence file; report missing and altered ones (exit 1 if any)."""
    from legal_track.evidence.register import verify_store

    with session() as s:
        if as_json:
            report = verify_store(s, actor=actor, now=clock())
        else:
            with progress_bar("verifying") as bar:
                report = verify_store(s, actor=actor, now=clock(), progress=bar)
    problems = [
        {
            "item_id": p.item_id,
            "generated_id": p.generated_id,
            "sha256": p.sha256,
            "role": p.role,
            "state": p.state.value,
            "name": p.name,
        }
        for p in report.problems
    ]
    purged = [{"item_id": p.item_id, "generated_id": p.generated_id, "sha256": p.sha256,
               "role": p.role, "still_stored": p.still_stored} for p in report.purged]  # fmt: skip
    if as_json:
        print_json({"checked": report.checked, "ok": report.ok, "problems": problems,
                    "orphans": report.orphans, "purged": purged})  # fmt: skip
    else:
        for p in problems:
            what = (
                f"item #{p['item_id']}" if p["item_id"] else f"generated file #{p['generated_id']}"
            )
            out_console.print(
                f"{p['state'].upper()}: {what} {p['name']} ({p['role']}) {p['sha256']}"
            )
        out_console.print(f"checked {report.checked} stored files: {len(problems)} problem(s)")
        if purged:
            waiting = sum(1 for p in purged if p["still_stored"])
            out_console.print(f"purged (retention): {len(purged)} file(s), not checked"
                              + (f"; {waiting} still in the store: run `legal-track retention "
                                 "purge` to finish deleting them" if waiting else ""))  # fmt: skip
    if not report.ok:
        raise typer.Exit(1)


@app.command("checklist")
@handle_errors
def checklist_(
    case: str = typer.Option(..., "--case", help="Case reference."),
    document: str | None = typer.Option(
        None,
        "--document",
        help="complaint, arbitration_application, payment_order_application, "
        "enforcement_application or demand_letter; default from the case's route and stage.",
    ),  # fmt: skip
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """The evidence required before filing a document, and what is missing."""
    from legal_track.evidence.register import checklist
    from legal_track.evidence.rules import default_document, load_rules

    with session() as s:
        found = find_case(s, case)
        doc = document or default_document(found.route, found.stage)
        rows = checklist(s, case_id=found.id, document=doc)
    rule = load_rules().document(doc)
    data = [
        {"key": r.key, "name": r.requirement.name_zh, "contract_no": r.contract_no,
         "satisfied": r.satisfied, "items": list(r.by_items), "data": list(r.by_data)}
        for r in rows
    ]  # fmt: skip
    if as_json:
        print_json({"document": doc, "basis": rule.basis, "rows": data})
        return
    out_console.print(f"{rule.name_zh} ({doc}) — {rule.basis}")
    for r in data:
        mark = "ok " if r["satisfied"] else "MISSING"
        by = ", ".join([f"#{i}" for i in r["items"]] + r["data"])
        out_console.print(f"  [{mark}] {r['name']} {r['contract_no'] or ''} {by}".rstrip())


@handle_errors
def build_command(
    case_ref: str = typer.Argument(..., help="Case reference, e.g. LT-2026-000123."),
    out: Path = typer.Option(..., "--out", help="Bundle PDF to write."),
    title: str = typer.Option("证据材料", "--title", help="Cover title."),
    prefix: str | None = typer.Option(
        None, "--prefix", help="Bates prefix; default the case reference."
    ),
    dividers: bool = typer.Option(False, "--dividers", help="A divider sheet before each exhibit."),
    max_volume_mb: float | None = typer.Option(
        None, "--max-volume-mb", help="Split into volumes of at most this size."
    ),
    order: list[str] | None = typer.Option(
        None,
        "--exhibit",
        help="Exhibit key in order (item:ID, ledger:LOAN_ID, contacts:LOAN_ID, "
        "interruptions:LOAN_ID); repeat. Default: every exhibit in the route's order.",
    ),  # fmt: skip
    actor: str = typer.Option(CLI_ACTOR, "--actor", help="Who builds it (custody log)."),
    embed_fonts: bool = typer.Option(
        False, "--embed-fonts", help="Embed substitutes for unembedded standard fonts."
    ),
    index_docx: Path | None = typer.Option(None, "--index-docx", help="Also write the index."),
    index_xlsx: Path | None = typer.Option(None, "--index-xlsx", help="Also write the index."),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Build the evidence bundle of a case (cover, 证据目录, exhibits, stamps, manifest)."""
    from legal_track.config import get_settings
    from legal_track.evidence.register import build_case_bundle, default_bundle_options

    now = clock()
    on = now.astimezone(ZoneInfo(get_settings().timezone)).date()
    with session() as s:
        found = find_case(s, case_ref)
        overrides: dict = {"title": title, "dividers": dividers, "embed_fonts": embed_fonts}
        if prefix is not None:
            overrides["prefix"] = prefix
        if max_volume_mb:
            overrides["max_volume_bytes"] = int(max_volume_mb * 1024 * 1024)
        options = default_bundle_options(s, case_id=found.id, on=on, **overrides)
        if as_json:
            result = build_case_bundle(s, case_id=found.id, out=out, options=options, actor=actor,
                                       now=now, order=order or None)  # fmt: skip
        else:
            with progress_bar("building bundle") as bar:
                result = build_case_bundle(s, case_id=found.id, out=out, options=options,
                                           actor=actor, now=now, progress=bar, order=order or None)  # fmt: skip
    if index_docx or index_xlsx:
        from legal_track.pdf.bundle import write_index_docx, write_index_xlsx

        if index_docx:
            write_index_docx(result.rows, index_docx, subtitle=f"{title}　{case_ref}")
        if index_xlsx:
            write_index_xlsx(result.rows, index_xlsx)
    summary = {
        "volumes": [str(v) for v in result.volumes],
        "sha256": list(result.sha256),
        "pages": result.page_count,
        "exhibits": [
            {"label": r.label, "name": r.name, "pages": r.pages_text, "font_note": r.font_note}
            for r in result.rows
        ],
    }
    if as_json:
        print_json(summary)
        return
    for row in summary["exhibits"]:
        out_console.print(f"{row['label']:<8} {row['pages']:<10} {row['name']}")
        if row["font_note"]:
            out_console.print(f"         {row['font_note']}", highlight=False)
    for volume, sha in zip(summary["volumes"], summary["sha256"], strict=True):
        out_console.print(f"wrote {volume} ({result.page_count} pages) sha256={sha}")
