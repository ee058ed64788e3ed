"""Adding exhibits to an earlier bundle: append sections and the index-row diff.

Append keeps the earlier bundle's sections (each later one behind its own
补充证据目录) and adds one; renumbering starts afresh. Either way :func:`diff_rows`
tells which index rows (matched by file hash) were added, removed, moved or
relabelled, so the app can show which page references changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from legal_track.pdf.model import BundleError, IndexRow, RowChange


def append_sections(manifest: dict, current: Sequence[str], where: Sequence[str]) -> list[int]:
    """Sections for appending to the bundle described by ``manifest``: its own
    sections plus one for the new exhibits. ``current`` are the SHA-256 of all
    exhibits now (the earlier ones first, in their order); ``where`` names them."""
    earlier = [row["sha256"] for row in manifest["rows"]]
    if len(current) <= len(earlier):
        raise BundleError("append: no new exhibits after those of the previous bundle")
    for n, (old, new) in enumerate(zip(earlier, current, strict=False)):
        if old != new:
            raise BundleError(
                f"append: exhibit {n + 1} {where[n]} is not the previous "
                f"bundle's exhibit {n + 1} ({manifest['rows'][n]['label']}); "
                "append keeps the earlier exhibits in their order (use renumber instead)"
            )
    return list(manifest["sections"]) + [len(current) - len(earlier)]


def previous_rows(manifest: dict) -> list[IndexRow]:
    fields = set(IndexRow.__dataclass_fields__)
    rows = []
    for row in manifest["rows"]:
        values = {k: v for k, v in row.items() if k in fields}
        for key in ("fonts_missing", "fonts_substituted"):
            values[key] = tuple(values.get(key, ()))
        rows.append(IndexRow(**values))
    return rows


def diff_rows(old: Sequence[IndexRow], new: Sequence[IndexRow]) -> list[RowChange]:
    """Rows whose label or pages changed, were added or removed (matched by file hash)."""
    remaining: dict[str, list[IndexRow]] = {}
    for row in old:
        remaining.setdefault(row.sha256, []).append(row)
    changes = []
    for row in new:
        match = remaining.get(row.sha256)
        before = match.pop(0) if match else None
        pages = (row.first_page, row.last_page)
        if before is None:
            changes.append(RowChange("added", row.sha256, row.name, row.label, None, pages, None))
            continue
        old_pages = (before.first_page, before.last_page)
        if old_pages != pages or before.label != row.label:
            status = "moved" if old_pages != pages else "relabelled"
            changes.append(
                RowChange(status, row.sha256, row.name, row.label, before.label, pages, old_pages)
            )
    for rows in remaining.values():
        for row in rows:
            old_pages = (row.first_page, row.last_page)
            changes.append(
                RowChange("removed", row.sha256, row.name, None, row.label, None, old_pages)
            )
    return changes
