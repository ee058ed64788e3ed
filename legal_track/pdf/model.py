"""The data of an evidence bundle: inputs, options, index rows, results, errors.

:mod:`legal_track.pdf.bundle` re-exports every name here; import them from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from pathlib import Path

EXHIBIT_FORMAT_VERSION = "1"


@dataclass(frozen=True, slots=True)
class ExhibitData:
    kind: str  # ledger | contacts | interruptions | table
    title: str
    subtitle: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # first cell: the source id
    notes: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()  # relative column widths

    def canonical(self) -> dict:
        return {
            "format": EXHIBIT_FORMAT_VERSION,
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "notes": list(self.notes),
        }

    @property
    def data_sha256(self) -> str:
        return canonical_sha256(self.canonical())


def canonical_json(payload: object) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same data always gives the same bytes."""
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


def canonical_sha256(payload: object) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


class BundleError(ValueError):
    """A bundle cannot be built as asked; the message says what and where."""


class ExhibitError(BundleError):
    """One exhibit cannot go into a bundle (missing, unsupported, encrypted, damaged …)."""


@dataclass(frozen=True)
class ExhibitInput:
    """One exhibit: a PDF or image file with what the index says about it.

    ``label`` overrides the automatic number (证据1, 证据2 …). Exhibits sharing a
    ``group`` (adjacent in the list) are numbered 证据1-1, 证据1-2 … ``sha256`` is the
    hash the register recorded; the file must still match it.
    """

    path: Path
    name: str
    source: str = ""
    purpose: str = ""
    label: str | None = None
    sha256: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class BundleOptions:
    """How the bundle looks. ``on`` is the bundle date (cover, PDF dates)."""

    title: str
    _: KW_ONLY
    case_ref: str = ""
    parties: tuple[str, ...] = ()
    forum: str = ""
    on: date
    prefix: str = ""
    dividers: bool = False
    max_volume_bytes: int | None = None
    # replace the standard fonts an exhibit uses without embedding them by embedded
    # metric-compatible substitutes (legal_track.pdf.substitute), for e-filing checks
    embed_fonts: bool = False


@dataclass(frozen=True)
class IndexRow:
    """One row of the 证据目录. Page numbers are the bundle's continuous numbers."""

    label: str
    name: str
    source: str
    purpose: str
    first_page: int
    last_page: int
    page_count: int
    volume: int
    sha256: str
    section: int = 0
    group: str | None = None
    fonts_missing: tuple[str, ...] = ()  # fonts the exhibit file uses without embedding
    fonts_substituted: tuple[str, ...] = ()  # of those, embedded by the bundle as substitutes

    @property
    def font_note(self) -> str:
        """The index row's note on the exhibit's fonts (empty when all are embedded)."""
        if not self.fonts_missing:
            return ""
        note = f"注：原件未嵌入字体 {'、'.join(self.fonts_missing)}"
        kept = [f for f in self.fonts_missing if f not in self.fonts_substituted]
        if not kept:
            return note + "；本证据材料已嵌入度量相同的替代字体"
        if self.fonts_substituted:
            note += f"；已为 {'、'.join(self.fonts_substituted)} 嵌入度量相同的替代字体"
        return note + f"；{'、'.join(kept)} 的显示效果取决于阅读软件"

    @property
    def purpose_text(self) -> str:
        """The 证明目的 cell: the purpose, then the font note on a line of its own."""
        return "\n".join(x for x in (self.purpose, self.font_note) if x)

    @property
    def pages_text(self) -> str:
        """The 页码 column: ``5`` or ``5-9``."""
        if self.first_page == self.last_page:
            return str(self.first_page)
        return f"{self.first_page}-{self.last_page}"


@dataclass(frozen=True)
class RowChange:
    """How one exhibit's index row differs from the previous bundle.

    ``status`` is ``added``, ``removed``, ``moved`` (page range changed) or
    ``relabelled`` (same pages, new number).
    """

    status: str
    sha256: str
    name: str
    label: str | None
    old_label: str | None
    pages: tuple[int, int] | None
    old_pages: tuple[int, int] | None


@dataclass(frozen=True)
class BundleResult:
    """What :func:`~legal_track.pdf.bundle.build_bundle` produced."""

    volumes: list[Path]
    sha256: list[str]
    page_count: int
    rows: list[IndexRow]
    changes: list[RowChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bundle_id: str = ""
