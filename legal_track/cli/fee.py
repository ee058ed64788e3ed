"""`legal-track fee` (court, enforcement, preservation fees) and `legal-track claim`."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

import typer

from legal_track.cli.common import (
    find_loan,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    session,
)


def _steps(result) -> list[dict]:
    from legal_track.money import quantize

    return [
        {
            "above": str(quantize(s.above)),
            "upto": str(quantize(s.upto)) if s.upto is not None else None,
            "base": str(quantize(s.base)),
            "rate": str(s.rate) if s.rate is not None else None,
            "amount": str(quantize(s.amount)),
        }
        for s in result.steps
    ]


# The values of claims.fees.FeeKind and Procedure (tests/claims/test_cli.py checks they
# match): importing the fee module here would load the database layer for every --help.
FEE_KINDS = ("court", "enforcement", "preservation")
PROCEDURES = ("ordinary", "summary", "mediation", "withdrawal", "payment_order", "pre_mediation")
FeeKindName = StrEnum("FeeKindName", {v: v for v in FEE_KINDS})
ProcedureName = StrEnum("ProcedureName", {v: v for v in PROCEDURES})


@handle_errors
def fee(
    kind: FeeKindName = typer.Argument(..., help="court, enforcement or preservation."),
    amount: str = typer.Argument(..., help="Amount in yuan (e.g. 100000 or 12,345.60)."),
    procedure: ProcedureName = typer.Option(
        ProcedureName.ordinary,
        "--procedure",
        help="Court fee only: ordinary, summary, mediation, withdrawal or payment_order.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Court acceptance, enforcement or preservation fee (诉讼费用交纳办法)."""
    from legal_track.claims.fees import FeeKind, Procedure
    from legal_track.claims.fees import fee as compute_fee
    from legal_track.config import get_settings
    from legal_track.i18n import t
    from legal_track.money import format_yuan, parse_amount

    result = compute_fee(FeeKind(kind.value), parse_amount(amount), Procedure(procedure.value))
    if as_json:
        print_json({
            "kind": result.kind, "amount": str(result.amount), "procedure": result.procedure,
            "fee": str(result.fee), "full_fee": str(result.full_fee), "factor": result.factor,
            "basis": result.basis, "basis_zh": result.basis_zh, "steps": _steps(result),
            "rule_version": result.rule_version,
        })  # fmt: skip
        return
    lang = get_settings().language
    out_console.print(f"{t(f'claims.fee.{result.kind}', lang)}: {format_yuan(result.fee)}")
    for step in _steps(result):
        rate = f"x {step['rate']}" if step["rate"] else t("claims.fee.flat", lang)
        upto = step["upto"] or "∞"
        out_console.print(f"  {step['above']} - {upto}: {step['base']} {rate} = {step['amount']}")
    if result.factor != "1":
        out_console.print(f"  x {result.factor} ({result.procedure}) = {format_yuan(result.fee)}")
    out_console.print(result.basis_zh if lang == "zh" else result.basis)


@handle_errors
def claim(
    contract_no: str = typer.Argument(..., help="Contract number of the loan."),
    cutoff: str = typer.Option(..., "--cutoff", help="Cut-off date YYYY-MM-DD."),
    province: str | None = typer.Option(
        None, "--province", help="Province of the court (default: from the borrower's ID)."
    ),
    include_excess: bool = typer.Option(
        False, "--include-excess", help="Keep the part above the cap in the claim."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Claim figures of a loan at a cut-off date, checked against the interest cap."""
    from legal_track.claims.figures import claim_for_contract
    from legal_track.config import get_settings
    from legal_track.i18n import t
    from legal_track.money import format_yuan

    day = parse_day(cutoff, "--cutoff", default_today=True)
    with session() as s:
        figures = claim_for_contract(s, contract_no=find_loan(s, contract_no).contract_no,
                                     cutoff=day, province=province,
                                     include_excess=include_excess or None)  # fmt: skip
    if as_json:
        data = dataclasses.asdict(figures)
        data["contract_no"] = contract_no
        print_json(data)
        return
    lang = get_settings().language
    out_console.print(f"{contract_no} @ {day}")
    for line in figures.lines:
        label = line.label_zh if lang == "zh" else line.label_en
        out_console.print(f"  {label}: {format_yuan(line.amount)}")
    out_console.print(f"  {t('claims.cli.cap', lang)}: {figures.cap_rule} - {figures.cap_basis}")
    if figures.small_claims is not None:
        out_console.print(f"  {t('claims.cli.small_claims', lang)}: "
                          f"{t(f'claims.small.{figures.small_claims.track.value}', lang)}")  # fmt: skip
    if figures.court_fee is not None:
        out_console.print(f"  {t('claims.fee.court', lang)}: {format_yuan(figures.court_fee.fee)}")
    if figures.delayed is not None:
        out_console.print(f"  {t('claims.cli.delayed', lang)}: {format_yuan(figures.delayed.amount)}"
                          f" ({figures.delayed.days} d)")  # fmt: skip
    for note in figures.notes:
        out_console.print(f"  ! {note}")
