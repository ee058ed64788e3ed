"""The machine-readable manifest embedded in every bundle volume.

An embedded file ``legal-track-manifest.json`` (a standard PDF attachment: any
viewer lists it, ``qpdf --show-attachment`` extracts it) holds the options, the
builder version, every exhibit's SHA-256 and page range, and for each page of
the volume the digest of its content and of its stamp (:mod:`legal_track.pdf.digest`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from legal_track.pdf.model import BundleError, BundleOptions, IndexRow

MANIFEST_NAME = "legal-track-manifest.json"
FORMAT = "legal-track-bundle/1"


def options_dict(options: BundleOptions) -> dict[str, Any]:
    data = asdict(options)
    data["on"] = options.on.isoformat()
    data["parties"] = list(options.parties)
    return data


def rows_dict(rows: list[IndexRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def dumps(manifest: dict[str, Any]) -> bytes:
    """Canonical JSON (sorted keys, no spaces): the same manifest, the same bytes."""
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def read_manifest(source: Path | PdfReader) -> dict[str, Any]:
    """The embedded manifest of a bundle volume; :class:`BundleError` if it has none."""
    reader = source if isinstance(source, PdfReader) else PdfReader(source)
    try:
        attachments = reader.attachments
        payloads = attachments.get(MANIFEST_NAME)
    except Exception as exc:  # noqa: BLE001  (a damaged name tree: no manifest)
        raise BundleError(f"{source}: cannot read the attachments ({exc})") from None
    if not payloads:
        raise BundleError(f"{source}: not a legal-track bundle (no {MANIFEST_NAME} inside)")
    try:
        data = json.loads(payloads[0])
    except ValueError as exc:
        raise BundleError(f"{source}: the embedded manifest is not valid JSON ({exc})") from None
    if data.get("format") != FORMAT:
        raise BundleError(f"{source}: unknown manifest format {data.get('format')!r}")
    return data
