"""Check a template before it is used: syntax, fields, sandbox, renders with its sample."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document

from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.env import make_env
from legal_track.documents.errors import DocumentError
from legal_track.documents.fields import referenced_paths, unknown_paths
from legal_track.documents.metadata import TemplateMeta
from legal_track.documents.viewmodel import known_paths


@dataclass
class CheckReport:
    template: str  # "id@version"
    problems: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # field paths the template reads
    unknown: list[str] = field(default_factory=list)  # of those, not in the context

    @property
    def ok(self) -> bool:
        return not self.problems


def template_paths(compiled: CompiledTemplate) -> set[str]:
    paths: set[str] = set()
    for ast in compiled.asts():
        paths |= referenced_paths(ast)
    return paths


def check_template(
    data: bytes, meta: TemplateMeta, sample: dict, *, timezone: str = "Asia/Shanghai"
) -> CheckReport:
    """Everything that can be known about a template without a case. Never raises for a
    bad template: the problems are listed (each names the template)."""
    name = f"{meta.id}@{meta.version}"
    report = CheckReport(template=name)
    try:
        compiled = CompiledTemplate(data, name=name, env=make_env(timezone=timezone))
    except DocumentError as exc:
        report.problems.append(str(exc))
        return report
    paths = template_paths(compiled)
    report.fields = sorted(paths)
    report.unknown = unknown_paths(paths, set(known_paths()))
    if report.unknown:
        report.problems.append(f"template {name}: unknown fields {', '.join(report.unknown)}")
    try:
        rendered = compiled.render(sample)
        Document(io.BytesIO(rendered))
    except DocumentError as exc:
        report.problems.append(f"{exc} (rendering the sample context)")
    except Exception as exc:  # python-docx cannot read what came out
        report.problems.append(f"template {name}: the rendered sample is not a valid .docx ({exc})")
    return report
