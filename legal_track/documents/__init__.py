"""Legal documents from templates: one strict sandboxed environment, a template registry,
a typed view-model per case, preflight, single and batch generation, optional PDF.

Public services (imported on first use, so that a batch worker process, which only
needs the renderer, starts quickly):

- `render_document(session, *, template_id, case_id, actor, now, out=None, pdf=False, ...)`
- `preflight.preflight(session, *, template_id, case_id, now, cutoff=None)` (module
  `legal_track.documents.preflight`)
- `run_batch(session, *, template_id, case_ids, out, actor, now, ...)`,
  `select_cases(...)`, `preflight_batch(...)`
- `make_env()` - the one Jinja environment factory
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "render_document": "legal_track.documents.render",
    "run_batch": "legal_track.documents.batch",
    "select_cases": "legal_track.documents.batch",
    "preflight_batch": "legal_track.documents.batch",
    "CaseFilter": "legal_track.documents.batch",
    "make_env": "legal_track.documents.env",
    "DocumentError": "legal_track.documents.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
