"""`legal-track templates list|check|upload|activate|rollback`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from legal_track.cli.common import (
    CLI_ACTOR,
    CliError,
    clock,
    command_group,
    handle_errors,
    out_console,
    print_json,
    session,
)

if TYPE_CHECKING:
    from legal_track.documents.check import CheckReport

app = command_group(
    "Document templates: list, check, upload, activate, roll back.", no_args_is_help=True
)


def template_files(path: Path) -> tuple[Path, Path, Path]:
    """A template's .docx and the <stem>.toml and <stem>.sample.json beside it."""
    docx = path if path.suffix == ".docx" else path.with_suffix(".docx")
    meta, sample = docx.with_suffix(".toml"), docx.with_name(docx.stem + ".sample.json")
    missing = [p.name for p in (docx, meta, sample) if not p.exists()]
    if missing:
        raise CliError(f"{docx.parent}: missing {', '.join(missing)} (a template is <id>.docx + <id>.toml "
                       "+ <id>.sample.json)")  # fmt: skip
    return docx, meta, sample


def check_files(docx: Path) -> CheckReport:
    from legal_track.config import get_settings
    from legal_track.documents.check import check_template
    from legal_track.documents.metadata import read_meta, read_sample

    docx, meta_path, sample_path = template_files(docx)
    meta = read_meta(meta_path.read_text(encoding="utf-8"), where=str(meta_path))
    sample = read_sample(sample_path.read_text(encoding="utf-8"), where=str(sample_path))
    return check_template(docx.read_bytes(), meta, sample, timezone=get_settings().timezone)


@app.command("list")
@handle_errors
def list_(
    all_versions: bool = typer.Option(
        False, "--all", help="Every version, not only the active ones."
    ),
    as_json: bool = typer.Option(False, "--json", help="Output JSON."),
) -> None:
    """Registered templates (the shipped ones are registered on first use)."""
    from legal_track.documents.registry import ensure_builtin, list_templates

    with session() as s:
        ensure_builtin(s, now=clock())
        versions = [v for v in list_templates(s) if all_versions or v.active]
    rows = [{"id": v.id, "version": v.version, "active": v.active, "name_zh": v.meta.name_zh,
             "name_en": v.meta.name_en, "routes": list(v.meta.routes), "source": v.source,
             "sha256": v.sha256, "created_at": v.created_at, "created_by": v.created_by} for v in versions]  # fmt: skip
    if as_json:
        print_json(rows)
        return
    for r in rows:
        mark = "*" if r["active"] else " "
        routes = ",".join(r["routes"]) or "any route"
        out_console.print(
            f"{mark} {r['id']:<28} v{r['version']:<6} {r['name_zh']:<10} {r['source']:<8} {routes}"
        )


@app.command("check")
@handle_errors
def check(path: Path | None = typer.Argument(None, help="A template .docx, or a folder of them; "
                                                         "default: the shipped templates.")) -> None:  # fmt: skip
    """Check templates: syntax (names the broken tag), fields, renders with its sample."""
    from legal_track.documents.registry import BUILTIN_DIR

    folder = path if path is not None and path.is_dir() else None
    targets = sorted((folder or BUILTIN_DIR).glob("*.docx")) if path is None or folder else [path]
    if not targets:
        raise CliError(f"no .docx templates in {folder or BUILTIN_DIR}")
    failed = 0
    for docx in targets:
        report = check_files(docx)
        if report.ok:
            out_console.print(f"ok      {docx.name} ({len(report.fields)} fields)")
        else:
            failed += 1
            out_console.print(f"FAILED  {docx.name}")
            for problem in report.problems:
                out_console.print(f"  {problem}", markup=False)
    if failed:
        raise typer.Exit(1)


@app.command("upload")
@handle_errors
def upload(
    path: Path = typer.Argument(
        ..., help="<id>.docx with <id>.toml and <id>.sample.json beside it."
    ),
    activate: bool = typer.Option(False, "--activate", help="Make the new version active."),
) -> None:
    """Check and register a new template version."""
    from legal_track.documents.registry import TemplateCheckFailed, ensure_builtin, upload_template

    docx, meta, sample = template_files(path)
    with session() as s:
        ensure_builtin(s, now=clock())
        try:
            version = upload_template(s, data=docx.read_bytes(), meta_text=meta.read_text(encoding="utf-8"),
                                      sample_text=sample.read_text(encoding="utf-8"), actor=CLI_ACTOR,
                                      now=clock(), activate=activate)  # fmt: skip
        except TemplateCheckFailed as exc:
            for problem in exc.report.problems:
                out_console.print(f"  {problem}", markup=False)
            raise CliError(
                f"{docx.name} was not registered: {len(exc.report.problems)} problem(s)"
            ) from None
    state = "active" if version.active else "not active (use `templates activate`)"
    out_console.print(f"registered {version.label} ({state}), sha256 {version.sha256}")


@app.command("activate")
@handle_errors
def activate(template_id: str, version: str) -> None:
    """Make VERSION the active version of TEMPLATE_ID."""
    from legal_track.documents.registry import activate_version, ensure_builtin

    with session() as s:
        ensure_builtin(s, now=clock())
        tv = activate_version(
            s, template_id=template_id, version=version, actor=CLI_ACTOR, now=clock()
        )
    out_console.print(f"{tv.label} is active")


@app.command("rollback")
@handle_errors
def rollback_cmd(template_id: str) -> None:
    """Re-activate the version that was active before the current one."""
    from legal_track.documents.registry import rollback

    with session() as s:
        tv = rollback(s, template_id=template_id, actor=CLI_ACTOR, now=clock())
    out_console.print(f"rolled back: {tv.label} is active")
