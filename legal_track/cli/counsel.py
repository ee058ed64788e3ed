"""`legal-track counsel ...`: law firms, assignments, case packages, status updates."""

from __future__ import annotations

from pathlib import Path

import typer

from legal_track.cli import common as c

app = c.command_group("Outside counsel: firms, assignments, case packages, status updates.")
firm_app = c.command_group("Law firms.")
app.add_typer(firm_app, name="firm")


@firm_app.command("add")
@c.handle_errors
def firm_add(
    name: str = typer.Argument(..., help="Registered name of the firm."),
    uscc: str | None = typer.Option(None, "--uscc", help="Unified social credit code."),
    contact: str = typer.Option("", "--contact", help="Contact person."),
    phone: str = typer.Option("", "--phone"),
    email: str = typer.Option("", "--email"),
    fee_rate: str | None = typer.Option(None, "--fee-rate", help="Share of recovery, e.g. 0.08."),
    stage_fee: list[str] = typer.Option(
        [], "--stage-fee", help="STAGE=AMOUNT, e.g. lit_filed=1500 (repeat)."
    ),
) -> None:
    """Register a law firm and its fee arrangement."""
    from decimal import Decimal, InvalidOperation

    from legal_track.counsel import add_firm
    from legal_track.money import parse_amount

    try:
        rate = Decimal(fee_rate) if fee_rate else None
    except InvalidOperation:
        raise c.CliError(f"--fee-rate {fee_rate!r}: not a number such as 0.08") from None

    fees = {}
    for item in stage_fee:
        stage, sep, amount = item.partition("=")
        if not sep:
            raise c.CliError(f"--stage-fee {item!r}: expected STAGE=AMOUNT")
        fees[stage.strip()] = parse_amount(amount)
    with c.session() as s:
        firm = add_firm(s, name=name, uscc=uscc, contact=contact, phone=phone, email=email,
                        fee_per_stage=fees, fee_rate=rate,
                        actor=c.CLI_ACTOR, now=c.clock())  # fmt: skip
    c.out_console.print(f"firm {firm.id}: {firm.name}")


@firm_app.command("list")
@c.handle_errors
def firm_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """The firms with their open assignments."""
    from legal_track.counsel import list_firms
    from legal_track.counsel.firms import firm_case_count

    with c.session() as s:
        rows = [{"id": f.id, "name": f.name, "uscc": f.uscc, "fee_rate": f.fee_rate,
                 "fee_per_stage": f.fee_per_stage, "open_cases": firm_case_count(s, firm_id=f.id)}
                for f in list_firms(s)]  # fmt: skip
    if as_json:
        c.print_json(rows)
        return
    for r in rows:
        c.out_console.print(f"{r['id']:>4} {r['name']}  open cases {r['open_cases']}")


@app.command("lawyer")
@c.handle_errors
def lawyer(
    firm: str = typer.Argument(..., help="Firm name."),
    name: str = typer.Argument(..., help="Lawyer's name."),
    license_no: str = typer.Option("", "--license", help="Practising licence number (执业证号)."),
) -> None:
    """Add a lawyer to a firm."""
    from legal_track.counsel import add_lawyer, firm_named

    with c.session() as s:
        made = add_lawyer(s, firm_id=firm_named(s, firm).id, name=name, license_no=license_no,
                          actor=c.CLI_ACTOR, now=c.clock())  # fmt: skip
    c.out_console.print(f"lawyer {made.id}: {made.name}")


@app.command("account")
@c.handle_errors
def account(
    username: str = typer.Argument(..., help="A counsel user account."),
    firm: str = typer.Argument(..., help="Its firm."),
) -> None:
    """Tie a counsel account to its firm (it then sees that firm's cases only)."""
    from legal_track.auth import user_by_username
    from legal_track.counsel import firm_named, link_account

    with c.session() as s:
        user = user_by_username(s, username)
        if user is None:
            raise c.CliError(f"no user named {username!r}")
        link_account(s, user_id=user.id, firm_id=firm_named(s, firm).id, actor=c.CLI_ACTOR,
                     now=c.clock())  # fmt: skip
    c.out_console.print(f"{username} now works for {firm}")


@app.command("assign")
@c.handle_errors
def assign(
    case_refs: list[str] = typer.Argument(..., help="Case references."),
    firm: str = typer.Option(..., "--firm", help="Firm name ('-': take the cases back)."),
    lawyer: str | None = typer.Option(None, "--lawyer", help="Lawyer of the firm."),
    no_filing: bool = typer.Option(
        False, "--no-filing", help="The firm does not file (masked data)."
    ),
    on: str | None = typer.Option(None, "--on", help="From this date (default: today)."),
) -> None:
    """Assign cases to a firm (the current assignment ends; the history stays)."""
    from sqlalchemy import select

    from legal_track.counsel import assign_case, firm_named
    from legal_track.models import Lawyer

    day = c.parse_day(on, "--on", default_today=True)
    with c.session() as s:
        target = None if firm == "-" else firm_named(s, firm)
        lawyer_id = None
        if lawyer and target is not None:
            found = (
                s.exec(select(Lawyer).where(Lawyer.firm_id == target.id, Lawyer.name == lawyer))
                .scalars()
                .first()
            )
            if found is None:
                raise c.CliError(f"no lawyer {lawyer!r} at {firm}")
            lawyer_id = found.id
        for ref in case_refs:
            case = c.find_case(s, ref)
            assign_case(s, case_id=case.id, firm_id=target.id if target else None, on=day,
                        lawyer_id=lawyer_id, includes_filing=not no_filing, actor=c.CLI_ACTOR,
                        now=c.clock())  # fmt: skip
            c.out_console.print(
                f"{ref}: {'taken back' if target is None else f'assigned to {firm}'} from {day}"
            )


@app.command("export")
@c.handle_errors
def export(
    case_refs: list[str] = typer.Argument(..., help="Case references."),
    out: Path = typer.Option(..., "--out", help="The package zip to write."),
    cutoff: str | None = typer.Option(
        None, "--cutoff", help="Claim figures at this date (default today)."
    ),
    no_bundle: bool = typer.Option(False, "--no-bundle", help="Leave out the evidence bundles."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A case package for counsel: bundle, documents, summary, manifest.json."""
    from legal_track.counsel.package import export_packages

    with c.session() as s:
        report = export_packages(s, case_refs=case_refs, out=out, actor=c.CLI_ACTOR, now=c.clock(),
                                 cutoff=c.parse_day(cutoff, "--cutoff", default_today=True),
                                 with_bundle=not no_bundle)  # fmt: skip
    if as_json:
        c.print_json(report)
        return
    c.out_console.print(f"wrote {report.path}  sha256 {report.sha256}  ({report.files} files)")
    for note in report.notes:
        c.err_console.print(f"note: {note}")


@app.command("verify")
@c.handle_errors
def verify(
    package: Path = typer.Argument(..., help="A package zip."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check a package against its manifest; exit 1 and name what differs."""
    from legal_track.counsel.package import verify_package

    report = verify_package(package)
    if as_json:
        c.print_json(report)
    else:
        c.out_console.print(f"{package}: {'OK' if report.ok else 'DIFFERS'} ({report.files} files)")
        for problem in report.problems:
            c.out_console.print(f"  {problem}")
    if not report.ok:
        raise typer.Exit(1)


@app.command("updates")
@c.handle_errors
def updates(
    file: Path = typer.Argument(..., help="CSV (UTF-8 or GBK) or XLSX from counsel."),
    firm: str | None = typer.Option(
        None, "--firm", help="The reporting firm (checks every case is theirs)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Apply counsel's status updates, all or nothing; problems are named by row."""
    from legal_track.counsel import firm_named
    from legal_track.counsel.updates import UpdateError, import_updates

    with c.session() as s:
        firm_id = firm_named(s, firm).id if firm else None
        try:
            report = import_updates(s, data=file.read_bytes(), filename=file.name,
                                    actor=c.CLI_ACTOR, now=c.clock(), today=c.local_today(),
                                    firm_id=firm_id)  # fmt: skip
        except UpdateError as exc:
            for problem in exc.problems:
                c.err_console.print(problem, highlight=False, markup=False)
            c.err_console.print(f"{len(exc.problems)} problem(s); nothing was recorded")
            raise typer.Exit(1) from None
    if as_json:
        c.print_json(report)
        return
    c.out_console.print(f"{report.events} events recorded on {', '.join(report.cases)}")
