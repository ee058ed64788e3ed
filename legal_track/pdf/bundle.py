"""Court-ready evidence bundles from exhibit files: :func:`build_bundle`.

Works on files only (no database): the evidence register turns its items into
:class:`ExhibitInput` and calls this. A bundle is a cover, the 证据目录 (rows
linked to their exhibits), the exhibits (optionally behind divider sheets) and a
校验清单 (manifest) page; every page is stamped with 第 N 页 / 共 M 页, a Bates number
and the exhibit label; bookmarks and page labels match. See docs/bundle.md.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from legal_track import __version__
from legal_track.pdf.assemble import FIXED_LABELS, RenderedFront, VolumeJob, write_volume
from legal_track.pdf.fonts import FontSpec, find_cjk_font
from legal_track.pdf.index import (
    INDEX_TITLE,
    MANIFEST_COLUMNS,
    MANIFEST_TITLE,
    CoverInfo,
    FrontMatter,
    index_columns,
)
from legal_track.pdf.index_export import write_index_docx, write_index_xlsx
from legal_track.pdf.manifest import FORMAT, dumps, options_dict, read_manifest, rows_dict
from legal_track.pdf.model import (
    BundleError,
    BundleOptions,
    BundleResult,
    ExhibitError,
    ExhibitInput,
    IndexRow,
    RowChange,
)
from legal_track.pdf.normalize import Exhibit, describe, open_exhibit
from legal_track.pdf.plan import (
    Layout,
    assign_labels,
    lay_out,
    pack_volumes,
    supplement_title,
)
from legal_track.pdf.revision import append_sections, diff_rows, previous_rows
from legal_track.pdf.stamp import load_stamp_font
from legal_track.pdf.substitute import SUBSTITUTES, face_path, substitute_name
from legal_track.pdf.verify import VerifyProblem, VerifyReport, verify_bundle
from legal_track.workers import gc_paused

__all__ = [
    "BundleError",
    "BundleOptions",
    "BundleResult",
    "ExhibitError",
    "ExhibitInput",
    "IndexRow",
    "RowChange",
    "VerifyProblem",
    "VerifyReport",
    "build_bundle",
    "diff_rows",
    "verify_bundle",
    "write_index_docx",
    "write_index_xlsx",
]

BUILDER = f"legal-track {__version__}"
STAMP_CHARS = "第页共/ 0123456789" + "".join(FIXED_LABELS.values()) + "补充证据目录"
MAX_ATTEMPTS = 5
Progress = Callable[[int, int], None]


def build_bundle(
    exhibits: Sequence[ExhibitInput],
    options: BundleOptions,
    out: Path,
    *,
    progress: Progress | None = None,
    previous: Path | None = None,
    append: bool = False,
    font: FontSpec | None = None,
) -> BundleResult:
    """Build the bundle PDF at ``out`` (``out-vol1.pdf`` … when split into volumes).

    ``previous`` is an earlier bundle of the same case: the result's ``changes``
    lists index rows whose numbers or pages moved. With ``append=True`` the
    exhibits must start with the previous bundle's exhibits (same files, same
    order); the new ones follow behind a 补充证据目录 and every earlier page keeps
    its number. Nothing is written unless the whole bundle succeeds.
    """
    with gc_paused(collect=True):
        return _build_bundle(
            exhibits, options, out, progress=progress, previous=previous, append=append, font=font
        )


def _build_bundle(
    exhibits: Sequence[ExhibitInput],
    options: BundleOptions,
    out: Path,
    *,
    progress: Progress | None = None,
    previous: Path | None = None,
    append: bool = False,
    font: FontSpec | None = None,
) -> BundleResult:
    _check_options(options)
    out = Path(out)
    if not exhibits:
        raise BundleError("a bundle needs at least one exhibit")
    previous_manifest = read_manifest(Path(previous)) if previous else None
    if append and previous_manifest is None:
        raise BundleError("append needs the previous bundle (previous=...)")
    labels = assign_labels(exhibits)
    count = len(exhibits)
    opened: list[Exhibit] = []
    for position, item in enumerate(exhibits):
        opened.append(open_exhibit(item, position=position, label=labels[position]))
        if progress:
            progress(position + 1, 2 * count)  # the real total is known after the layout
    for e in opened:
        _fonts(e, options)  # a missing substitute face fails here, before any rendering
    where = [e.where for e in opened]
    sections = [len(opened)]
    if append:
        sections = append_sections(previous_manifest, [e.sha256 for e in opened], where)
    font = font or find_cjk_font()
    bundle_id = _bundle_id(opened, options, sections)
    limit = options.max_volume_bytes
    sizes = [e.est_bytes + 700 * e.page_count for e in opened]
    overhead = 120_000
    for attempt in range(MAX_ATTEMPTS):
        volume_of = pack_volumes(sizes, limit=limit, overhead=overhead, where=where)
        reporter = _Ticker(progress if attempt == 0 else None, count)
        job = _build(opened, labels, options, sections, volume_of, bundle_id, font, out, reporter)
        temps, volume_files, manifests, layout, rows, warnings = job
        actual = [t.stat().st_size for t in temps]
        if not limit or all(size <= limit for size in actual):
            break
        for temp in temps:
            temp.unlink(missing_ok=True)
        if attempt == MAX_ATTEMPTS - 1:
            raise BundleError(
                f"cannot split the bundle into volumes of at most {limit / 1_000_000:g} MB"
            )
        sizes = _resize(actual, limit, volume_of, sizes)
    digests = []
    for temp, final in zip(temps, volume_files, strict=True):
        digests.append(_sha256_file(temp))
        os.replace(temp, final)
    if progress:
        progress(count + layout.total, count + layout.total)
    changes = diff_rows(previous_rows(previous_manifest), rows) if previous_manifest else []
    return BundleResult(
        volumes=volume_files,
        sha256=digests,
        page_count=layout.total,
        rows=rows,
        changes=changes,
        warnings=warnings,
        bundle_id=bundle_id,
    )


def _build(opened, labels, options, sections, volume_of, bundle_id, font, out, tick):
    """Lay out, render the front matter, write every volume to a temporary file."""
    volume_count = max(volume_of)
    with_volume = volume_count > 1
    fm = FrontMatter(font, options, builder=BUILDER)
    provisional = [
        _row(e, labels, 0, 0, 1, _section_of(sections, e.position), options) for e in opened
    ]
    estimate = sum(e.page_count for e in opened) + 3 * len(opened) + 60 * (len(sections) + 2)
    digits = len(str(estimate))
    by_section = _split(provisional, sections)
    columns = index_columns(with_volume)
    index_pages = [
        len(
            fm.table_pages(
                columns,
                fm.index_cells(rows, with_volume=with_volume, digits=digits),
                notes=_index_notes(options, s),
            )
        )
        for s, rows in enumerate(by_section)
    ]
    manifest_notes = fm.manifest_notes(total="8" * digits, volume_count=volume_count)
    manifest_pages = len(
        fm.table_pages(
            MANIFEST_COLUMNS, fm.manifest_cells(provisional, digits), notes=manifest_notes
        )
    )
    layout = lay_out(
        page_counts=[e.page_count for e in opened],
        sections=sections,
        volume_of=volume_of,
        index_pages=index_pages,
        manifest_pages=manifest_pages,
        dividers=options.dividers,
    )
    rows = [
        _row(
            e,
            labels,
            layout.first_pages[e.position],
            e.page_count,
            volume_of[e.position],
            _section_of(sections, e.position),
            options,
        )
        for e in opened
    ]
    front = _render_front(fm, layout, rows, sections, options, volume_count, with_volume)
    names = _volume_files(out, volume_count)
    tick.start(layout.total)
    warnings = [w for e in opened for w in e.warnings] + _font_warnings(opened, rows)
    if fm.ts.replaced:
        chars = "".join(sorted(fm.ts.replaced))
        warnings.append(f"the CJK font ({fm.ts.family}) has no glyph for {chars!r}: printed as □")
    shared = {
        "format": FORMAT,
        "builder": BUILDER,
        "bundle_id": bundle_id,
        "options": options_dict(options),
        "sections": list(sections),
        "page_count": layout.total,
        "stamp_font": _font_name(bundle_id),
        # sibling names only when split: a single volume does not depend on its file name
        "volume_files": [p.name for p in names] if volume_count > 1 else [],
        "rows": rows_dict(rows),
        "files": [
            {"sha256": e.sha256, "size": e.size, "kind": e.kind, "file_name": e.input.path.name}
            for e in opened
        ],
        "warnings": warnings,
    }
    temps, manifests = [], []
    try:
        for volume in range(1, volume_count + 1):
            job = VolumeJob(
                volume=volume,
                volume_count=volume_count,
                layout=layout,
                exhibits=opened,
                labels=labels,
                stamp_labels=[fm.ts.clean(label) for label in labels],
                rows_meta=shared,
                prefix=fm.ts.clean(options.prefix),
                font_name=_font_name(bundle_id),
                bundle_id=bundle_id,
                title=options.title,
                case_ref=options.case_ref,
                on_pdf_date=options.on.strftime("D:%Y%m%d000000+08'00'"),
                builder=BUILDER,
                file_names=[p.name for p in names],
                names=[e.input.name for e in opened],
                embed_fonts=any(r.fonts_substituted for r in rows),
            )
            target = names[volume - 1]
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temps.append(temp)
            manifests.append(write_volume(job, front, temp, tick=tick))
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    return temps, names, manifests, layout, rows, warnings


def _render_front(fm, layout: Layout, rows, sections, options, volume_count, with_volume):
    """Draw cover(s), indexes, dividers, manifest and the stamp-glyph page."""
    page_of: dict[tuple, int] = {}
    links = []
    by_section = _split(rows, sections)
    offsets = [sum(sections[:s]) for s in range(len(sections))]
    columns = index_columns(with_volume)
    for slot in layout.slots:
        kind = slot.kind
        if kind == "cover":
            begin, end = layout.volume_ranges[slot.volume - 1]
            in_volume = [r.label for r in rows if r.volume == slot.volume]
            page_of[slot.key] = fm.render_cover(
                CoverInfo(
                    volume=slot.volume,
                    volume_count=volume_count,
                    first_page=begin,
                    last_page=end,
                    total_pages=layout.total,
                    first_label=in_volume[0] if in_volume else None,
                    last_label=in_volume[-1] if in_volume else None,
                )
            )
        elif kind == "index" and slot.key[2] == 0:
            s = slot.section
            title = INDEX_TITLE if s == 0 else supplement_title(s)
            cells = fm.index_cells(by_section[s], with_volume=with_volume)
            pages, row_links = fm.render_table(
                title, columns, cells, notes=_index_notes(options, s)
            )
            _expect(len(pages), sum(1 for x in layout.slots if x.key[:2] == ("index", s)), title)
            for n, page in enumerate(pages):
                page_of[("index", s, n)] = page
            links += [(link.page, link.rect, offsets[s] + link.row) for link in row_links]
        elif kind == "divider":
            page_of[slot.key] = fm.render_divider(rows[slot.exhibit])
        elif kind == "manifest" and slot.key[1] == 0:
            notes = fm.manifest_notes(total=str(layout.total), volume_count=volume_count)
            pages, _ = fm.render_table(
                MANIFEST_TITLE, MANIFEST_COLUMNS, fm.manifest_cells(rows), notes=notes
            )
            _expect(len(pages), sum(1 for x in layout.slots if x.kind == "manifest"), "manifest")
            for n, page in enumerate(pages):
                page_of[("manifest", n)] = page
    chars = STAMP_CHARS + fm.ts.clean(options.prefix) + "".join(r.label for r in rows)
    glyph_page = fm.render_glyphs(fm.ts.clean(chars))
    reader = PdfReader(BytesIO(fm.ts.output()))
    font_ref, stamp_font = load_stamp_font(reader, glyph_page, fm.ts.clean(chars), fm.ts.char_width)
    return RenderedFront(
        reader=reader, page_of=page_of, links=links, font_ref=font_ref, stamp_font=stamp_font
    )


def _expect(actual: int, planned: int, what: str) -> None:
    if actual != planned:  # measuring and drawing share one paginator: a bug if reached
        raise BundleError(f"internal: {what} took {actual} pages, {planned} were planned")


def _index_notes(options: BundleOptions, section: int) -> list[str]:
    parts = [options.title]
    if options.case_ref:
        parts.append(options.case_ref)
    return ["　".join(parts)] if section == 0 else []


def _font_warnings(opened: Sequence[Exhibit], rows: Sequence[IndexRow]) -> list[str]:
    out = []
    for e, row in zip(opened, rows, strict=True):
        if not row.fonts_missing:
            continue
        where = describe(e.label, Path(e.input.path.name))  # the name only: into the manifest
        text = f"{where}: fonts not embedded in the exhibit"
        kept = [f for f in row.fonts_missing if f not in row.fonts_substituted]
        if row.fonts_substituted:
            names = ", ".join(f"{f} -> {substitute_name(f)}" for f in row.fonts_substituted)
            text += f"; embedded substitutes: {names}"
        if kept:
            text += " (viewers substitute them): " + ", ".join(kept)
        out.append(text)
    return out


def _fonts(e: Exhibit, options: BundleOptions) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fonts the exhibit lacks, those the bundle embeds a substitute for)."""
    missing = tuple(e.missing_fonts)
    if not options.embed_fonts:
        return missing, ()
    substituted = tuple(f for f in missing if substitute_name(f))
    for name in substituted:
        face_path(*SUBSTITUTES[name])  # BundleError naming the install command if missing
    return missing, substituted


def _row(
    e: Exhibit, labels, first: int, count: int, volume: int, section: int, options: BundleOptions
) -> IndexRow:
    item = e.input
    missing, substituted = _fonts(e, options)
    return IndexRow(
        label=labels[e.position],
        name=item.name,
        source=item.source,
        purpose=item.purpose,
        first_page=first,
        last_page=first + max(count, 1) - 1,
        page_count=count,
        volume=volume,
        sha256=e.sha256,
        section=section,
        group=item.group,
        fonts_missing=missing,
        fonts_substituted=substituted,
    )


def _section_of(sections: Sequence[int], position: int) -> int:
    end = 0
    for s, count in enumerate(sections):
        end += count
        if position < end:
            return s
    raise ValueError(position)


def _split(rows, sections):
    out, start = [], 0
    for count in sections:
        out.append(rows[start : start + count])
        start += count
    return out


def _volume_files(out: Path, count: int) -> list[Path]:
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-vol{n}{out.suffix or '.pdf'}") for n in range(1, count + 1)]


def _font_name(bundle_id: str) -> str:
    return f"/LTS{bundle_id[:8]}"


def _bundle_id(opened: Sequence[Exhibit], options: BundleOptions, sections) -> str:
    data = {
        "builder": BUILDER,
        "options": options_dict(options),
        "sections": list(sections),
        "exhibits": [
            [e.sha256, e.label, e.input.name, e.input.source, e.input.purpose, e.input.group]
            for e in opened
        ],
    }
    return hashlib.sha256(dumps(data)).hexdigest()


def _check_options(options: BundleOptions) -> None:
    if not options.title.strip():
        raise BundleError("the bundle needs a title")
    if any(ord(ch) < 32 for ch in options.prefix) or len(options.prefix) > 40:
        raise BundleError(f"prefix {options.prefix!r}: at most 40 printable characters")
    if options.max_volume_bytes is not None and options.max_volume_bytes < 200_000:
        raise BundleError("max_volume_bytes must be at least 200 kB")


def _resize(actual, limit, volume_of, sizes):
    """Scale the size estimates of over-full volumes by how much they overshot."""
    sizes = list(sizes)
    for volume, size in enumerate(actual, start=1):
        if size > limit:
            factor = size / limit * 1.05
            for e, v in enumerate(volume_of):
                if v == volume:
                    sizes[e] = int(sizes[e] * factor) + 1
    return sizes


class _Ticker:
    """Progress for the page phase: one step per written page, reported every 10."""

    def __init__(self, progress: Progress | None, opened: int) -> None:
        self.progress = progress
        self.done = opened
        self.total = opened

    def start(self, pages: int) -> None:
        self.total = self.done + pages

    def __call__(self) -> None:
        self.done += 1
        if self.progress and (self.done % 10 == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
