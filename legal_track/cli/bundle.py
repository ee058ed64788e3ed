"""`legal-track bundle make|verify`: evidence bundles from files, no database needed.

``bundle build CASE_REF`` (from the evidence register) is added to this group by
the evidence module.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from legal_track.cli.common import (
    CliError,
    command_group,
    err_console,
    handle_errors,
    out_console,
    parse_day,
    print_json,
    progress_bar,
)

app = command_group("Evidence bundles: court-ready PDFs with index, stamps and manifest.")

ITEM_HELP = (
    "Exhibit files in bundle order: PATH or PATH::NAME::PURPOSE (optionally ::SOURCE). "
    "PDF, JPEG, PNG or TIFF go in as they are; CSV (UTF-8 or GBK), XLSX and .eml files "
    "become A4 table printouts (打印件) carrying the original file's SHA-256."
)


def parse_item(text: str):
    """``PATH[::NAME[::PURPOSE[::SOURCE]]]`` -> ExhibitInput (name defaults to the file stem)."""
    from legal_track.pdf.bundle import ExhibitInput

    parts = text.split("::")
    if len(parts) > 4 or not parts[0].strip():
        raise CliError(f"exhibit {text!r}: expected PATH or PATH::NAME::PURPOSE[::SOURCE]")
    path = Path(parts[0]).expanduser()
    name = parts[1].strip() if len(parts) > 1 and parts[1].strip() else path.stem
    purpose = parts[2].strip() if len(parts) > 2 else ""
    source = parts[3].strip() if len(parts) > 3 else ""
    return ExhibitInput(path=path, name=name, purpose=purpose, source=source)


def with_printouts(exhibits: list, out_dir: Path, day) -> list:
    """CSV, XLSX and e-mail files rendered as A4 table printouts (打印件), the way the
    register renders its data exhibits; PDFs and images stay as they are. Only a file that
    is neither PDF nor image loads the evidence layer (a plain bundle starts faster)."""
    from dataclasses import replace

    from legal_track.pdf.normalize import sniff as pdf_kind

    result, font = [], None
    for exhibit in exhibits:
        try:
            with exhibit.path.open("rb") as fh:
                head = fh.read(1024)
        except OSError:
            result.append(exhibit)  # the engine reports the missing file with its position
            continue
        if pdf_kind(head) is not None:
            result.append(exhibit)
            continue
        from legal_track.evidence.exhibits import file_printout
        from legal_track.pdf.fonts import find_cjk_font

        font = font or find_cjk_font()
        printout = file_printout(exhibit.path, out_dir=out_dir, font=font, today=day)
        if printout is None:
            result.append(exhibit)
            continue
        source = exhibit.source or "电子数据打印件"
        result.append(replace(exhibit, path=printout, source=source))
    return result


@app.command("make")
@handle_errors
def make(
    items: list[str] = typer.Argument(..., help=ITEM_HELP, show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="The bundle PDF to write."),
    title: str = typer.Option("证据材料", "--title", help="Title on the cover."),
    case_ref: str = typer.Option("", "--case-ref", help="Case reference (案号)."),
    party: list[str] = typer.Option(
        [], "--party", help="A party line, e.g. 原告：某公司 (repeat)."
    ),
    forum: str = typer.Option("", "--forum", help="Court or arbitration commission."),
    on: str | None = typer.Option(None, "--date", help="Bundle date YYYY-MM-DD (default today)."),
    prefix: str = typer.Option("", "--prefix", help="Bates prefix, e.g. LT-2026-000123-."),
    dividers: bool = typer.Option(False, "--dividers", help="A divider sheet before each exhibit."),
    max_volume_mb: float | None = typer.Option(
        None, "--max-volume-mb", help="Split into volumes (卷一, 卷二 …) of at most N MB."
    ),
    previous: Path | None = typer.Option(
        None, "--previous", help="An earlier bundle: list the index rows that changed."
    ),
    append: bool = typer.Option(
        False, "--append", help="With --previous: add the new exhibits behind the old ones."
    ),
    index_docx: Path | None = typer.Option(None, "--index-docx", help="Also write the index."),
    index_xlsx: Path | None = typer.Option(None, "--index-xlsx", help="Also write the index."),
    embed_fonts: bool = typer.Option(
        False,
        "--embed-fonts",
        help="Embed metric-compatible substitutes (Liberation) for the standard fonts "
        "(Helvetica, Times, Courier) exhibits use without embedding, for e-filing checks.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Build a bundle PDF from exhibit files."""
    from legal_track.pdf.bundle import (
        BundleOptions,
        build_bundle,
        write_index_docx,
        write_index_xlsx,
    )

    exhibits = [parse_item(item) for item in items]
    day = parse_day(on, "--date", default_today=True)
    printouts = tempfile.TemporaryDirectory(prefix="legal-track-printouts-")
    exhibits = with_printouts(exhibits, Path(printouts.name), day)
    options = BundleOptions(
        title,
        case_ref=case_ref,
        parties=tuple(party),
        forum=forum,
        on=day,
        prefix=prefix,
        dividers=dividers,
        max_volume_bytes=int(max_volume_mb * 1_000_000) if max_volume_mb else None,
        embed_fonts=embed_fonts,
    )
    from legal_track.workers import collector_off

    # one bundle, then the command ends: the final collection would only cost time
    with printouts, progress_bar("bundle") as progress, collector_off():
        result = build_bundle(
            exhibits, options, out, progress=progress, previous=previous, append=append
        )
    subtitle = "　".join(x for x in (title, case_ref) if x)
    if index_docx:
        write_index_docx(result.rows, index_docx, subtitle=subtitle)
    if index_xlsx:
        write_index_xlsx(result.rows, index_xlsx)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if as_json:
        print_json(result)
        return
    for path, digest in zip(result.volumes, result.sha256, strict=True):
        out_console.print(f"wrote {path}  sha256 {digest}")
    out_console.print(f"{result.page_count} pages, {len(result.rows)} exhibits")
    for row in result.rows:
        volume = f"  (vol. {row.volume})" if len(result.volumes) > 1 else ""
        out_console.print(f"  {row.label}  {row.name}  p. {row.pages_text}{volume}")
        if row.font_note:
            out_console.print(f"      {row.font_note}", highlight=False)
    for change in result.changes:
        old = "-".join(map(str, change.old_pages)) if change.old_pages else "—"
        new = "-".join(map(str, change.pages)) if change.pages else "—"
        label = change.label or change.old_label
        out_console.print(f"  changed: {label} {change.name}: {change.status} p. {old} -> {new}")


@app.command("verify")
@handle_errors
def verify(
    files: list[Path] = typer.Argument(
        ..., help="Bundle PDF file(s) (each volume).", show_default=False
    ),
    source: list[Path] = typer.Option(
        [], "--source", help="Original exhibit files or folders to check the exhibits against."
    ),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Check bundles against their manifest and, with --source, the original files.

    Exits with status 1 when anything differs, naming the first page or exhibit.
    """
    from legal_track.config import get_settings
    from legal_track.pdf.verify import verify_bundle

    lookup = _hash_files(source) if source else None
    reports = []
    for path in files:
        if not path.is_file():
            raise CliError(f"{path}: file not found")
        reports.append(verify_bundle(path, lookup=lookup))
    if as_json:
        print_json([_report_json(r) for r in reports])
    else:
        lang = get_settings().language
        for report in reports:
            if report.ok:
                checked = f"{report.pages_checked} pages"
                if lookup is not None:
                    checked += f", {report.exhibits_checked} exhibits against their files"
                out_console.print(f"OK  {report.path}  ({checked})")
                continue
            out_console.print(f"FAILED  {report.path}: {report.first.text(lang)}")
            for problem in report.problems[1:]:
                out_console.print(f"  also: {problem.text(lang)}")
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


def _report_json(report) -> dict:
    return {
        "path": str(report.path),
        "ok": report.ok,
        "bundle_id": report.bundle_id,
        "volume": report.volume,
        "volume_count": report.volume_count,
        "pages_checked": report.pages_checked,
        "exhibits_checked": report.exhibits_checked,
        "problems": [
            {"kind": p.kind, "page": p.page, "exhibit": p.exhibit, "message": p.message}
            for p in report.problems
        ],
    }


def _hash_files(sources: list[Path]) -> dict[str, Path]:
    """SHA-256 -> file for every file given or inside the folders given."""
    found: dict[str, Path] = {}
    for source in sources:
        if not source.exists():
            raise CliError(f"--source {source}: not found")
        paths = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for path in paths:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(chunk)
            found.setdefault(digest.hexdigest(), path)
    return found


def _zone() -> ZoneInfo:
    from legal_track.config import get_settings

    return ZoneInfo(get_settings().timezone)
