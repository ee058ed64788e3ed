"""What a batch worker process runs: render (and convert) a chunk of contexts.

Workers never touch the database: the main process builds the contexts and sends
(template path, SHA-256, contexts); each worker compiles the template once (cached
per process) and returns the .docx bytes, or the reason a case failed. A failing
case fails alone. With PDF, a worker converts its whole chunk in one LibreOffice
run, in a profile slot it locks for itself.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from legal_track.documents.compiled import CompiledTemplate
from legal_track.documents.convert import convert_files, profile_slot
from legal_track.documents.env import make_env
from legal_track.documents.errors import DocumentError


@dataclass(frozen=True, slots=True)
class Job:
    template_path: str
    template_sha256: str
    label: str  # "id@version", for messages
    timezone: str
    pdf: bool = False
    soffice: str | None = None
    profiles: str | None = None  # folder holding the LibreOffice profile slots


@dataclass(frozen=True, slots=True)
class Rendered:
    key: int  # the case id
    docx: bytes | None
    pdf: bytes | None = None
    error: str = ""


@lru_cache(maxsize=4)
def compiled_template(path: str, sha256: str, label: str, timezone: str) -> CompiledTemplate:
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DocumentError(f"template {label}: {path} changed on disk (SHA-256 differs)")
    return CompiledTemplate(data, name=label, env=make_env(timezone=timezone))


def render_chunk(job: Job, items: list[tuple[int, dict]]) -> list[Rendered]:
    """Render every (case id, context); failures are returned, never raised."""
    try:
        template = compiled_template(
            job.template_path, job.template_sha256, job.label, job.timezone
        )
    except DocumentError as exc:
        return [Rendered(key, None, error=str(exc)) for key, _ in items]
    out: list[Rendered] = []
    for key, context in items:
        try:
            out.append(Rendered(key, template.render(context)))
        except DocumentError as exc:
            out.append(Rendered(key, None, error=str(exc)))
    if job.pdf:
        out = _convert(job, out)
    return out


def _convert(job: Job, rendered: list[Rendered]) -> list[Rendered]:
    ok = [r for r in rendered if r.docx is not None]
    if not ok:
        return rendered
    with tempfile.TemporaryDirectory(prefix="lt-batch-") as tmp:
        folder = Path(tmp)
        paths = []
        for r in ok:
            path = folder / f"case{r.key}.docx"
            path.write_bytes(r.docx)
            paths.append(path)
        errors: dict[int, str] = {}
        with profile_slot(Path(job.profiles)) as profile:
            try:
                convert_files(paths, folder / "pdf", soffice=Path(job.soffice), profile=profile)
            except DocumentError:  # find the culprit(s): one file at a time
                for r, path in zip(ok, paths, strict=True):
                    try:
                        convert_files(
                            [path], folder / "pdf", soffice=Path(job.soffice), profile=profile
                        )
                    except DocumentError as exc:
                        errors[r.key] = f"PDF conversion failed: {exc}"
        pdfs = {
            r.key: (folder / "pdf" / f"case{r.key}.pdf").read_bytes()
            for r in ok
            if r.key not in errors
        }
    rendered = [
        Rendered(r.key, None, error=errors[r.key]) if r.key in errors else r for r in rendered
    ]
    return [Rendered(r.key, r.docx, pdfs.get(r.key), r.error) for r in rendered]
