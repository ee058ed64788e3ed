"""Write one bundle volume: pages, stamps, links, bookmarks, page labels, manifest.

Pages are copied with pypdf (``add_page``) from the exhibits and from the fpdf2
front matter, straightened, stamped (:mod:`legal_track.pdf.stamp`), and the
volume is written with fixed dates and a document ID derived from the inputs, so
the same inputs and options give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from legal_track.pdf.digest import Digester
from legal_track.pdf.manifest import MANIFEST_NAME, dumps
from legal_track.pdf.normalize import Exhibit, straighten
from legal_track.pdf.plan import Layout, Slot, supplement_title, volume_name
from legal_track.pdf.stamp import Stamper, StampFont, StampText
from legal_track.pdf.substitute import FontSubstituter

FIXED_LABELS = {"cover": "封面", "index": "证据目录", "manifest": "校验清单"}


@dataclass
class RenderedFront:
    """The rendered fpdf2 document and where its pages and links are."""

    reader: PdfReader
    page_of: dict[tuple, int]  # slot key -> fpdf2 page index
    links: list[tuple[int, tuple[float, float, float, float], int]]  # fpdf page, rect, exhibit
    font_ref: IndirectObject  # the shared CJK font (in the fpdf2 document)
    stamp_font: StampFont


@dataclass
class VolumeJob:
    """Everything needed to write one volume."""

    volume: int
    volume_count: int
    layout: Layout
    exhibits: Sequence[Exhibit]
    labels: Sequence[str]
    stamp_labels: Sequence[str]  # the labels as the stamp font can draw them
    rows_meta: dict[str, Any]  # manifest parts shared by all volumes
    prefix: str
    font_name: str
    bundle_id: str
    title: str
    case_ref: str
    on_pdf_date: str
    builder: str
    file_names: Sequence[str]
    names: Sequence[str]
    embed_fonts: bool = False  # substitutes for the standard fonts exhibits lack


def stamp_label(slot: Slot, labels: Sequence[str]) -> str:
    if slot.exhibit is not None:
        return labels[slot.exhibit]
    if slot.kind == "index" and slot.section:
        return "补充证据目录"
    return FIXED_LABELS.get(slot.kind, "")


def write_volume(
    job: VolumeJob,
    front: RenderedFront,
    target: Path,
    *,
    tick: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Write the volume to ``target`` (fsynced); returns its embedded manifest."""
    first, last = job.layout.volume_ranges[job.volume - 1]
    slots = job.layout.slots[first - 1 : last]
    total = job.layout.total
    writer = PdfWriter()
    writer.pdf_header = "%PDF-1.7"
    font_ref = front.font_ref.get_object().clone(writer).indirect_reference
    stamper = Stamper(writer, font_ref=font_ref, font=front.stamp_font, name=job.font_name)
    substituter = FontSubstituter(writer) if job.embed_fonts else None
    pages = []
    for slot in slots:
        if slot.kind == "exhibit":
            exhibit = job.exhibits[slot.exhibit]
            page = writer.add_page(exhibit.reader.pages[slot.key[2]])
            straighten(page, writer)
            if substituter is not None and exhibit.missing_fonts:
                substituter.page(page)
        else:
            page = writer.add_page(front.reader.pages[front.page_of[slot.key]])
        text = StampText(
            page=f"第 {slot.number} 页 / 共 {total} 页",
            bates=f"{job.prefix}{slot.number:06d}",
            label=stamp_label(slot, job.stamp_labels),
        )
        stamper.stamp(page, text)
        pages.append(page)
        if tick:
            tick()
    links = _add_links(writer, job, front, slots, first)
    _add_outline(writer, job, slots, first)
    writer.root_object[NameObject("/PageLabels")] = DictionaryObject(
        {
            NameObject("/Nums"): ArrayObject(
                [
                    NumberObject(0),
                    DictionaryObject(
                        {NameObject("/S"): NameObject("/D"), NameObject("/St"): NumberObject(first)}
                    ),
                ]
            )
        }
    )
    digester = Digester()
    records = []
    for slot, page in zip(slots, pages, strict=True):
        content, stamp = digester.page_digests(page, stamp_font=job.font_name)
        record = {
            "n": slot.number,
            "kind": slot.kind,
            "label": stamp_label(slot, job.labels),
            "content": content,
            "stamp": stamp,
        }
        if slot.kind == "exhibit":
            record["exhibit"] = slot.exhibit
            record["exhibit_page"] = slot.key[2] + 1
        records.append(record)
    manifest = dict(job.rows_meta)
    manifest.update(
        # the stamp font draws every stamp: a changed glyph would change every page number
        stamp_font_digest=digester.object_digest(font_ref),
        # every substitute font the volume embeds (legal_track.pdf.substitute), in full
        font_substitutes=sorted(digester.substitutes),
        volume=job.volume,
        volume_count=job.volume_count,
        first_page=first,
        last_page=last,
        pages=records,
        links=links,
    )
    writer.add_attachment(MANIFEST_NAME, dumps(manifest))
    title = job.title if job.volume_count == 1 else f"{job.title} {volume_name(job.volume)}"
    writer.add_metadata(
        {
            "/Title": title,
            "/Subject": job.case_ref,
            "/Creator": job.builder,
            "/Producer": job.builder,
            "/CreationDate": job.on_pdf_date,
            "/ModDate": job.on_pdf_date,
        }
    )
    doc_id = ByteStringObject(
        hashlib.sha256(f"{job.bundle_id}:{job.volume}".encode()).digest()[:16]
    )
    writer._ID = ArrayObject([doc_id, doc_id])  # fixed ID: the same inputs, the same bytes
    with open(target, "wb") as handle:
        writer.write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return manifest


def _add_links(writer, job: VolumeJob, front: RenderedFront, slots, first: int) -> list[dict]:
    """Link annotations on index rows: to the exhibit's first page, in this volume or
    (GoToR) in its sibling volume file. Returns their manifest records."""
    fm_page_to_slot = {}
    for slot in slots:
        if slot.kind == "index":
            fm_page_to_slot[front.page_of[slot.key]] = slot
    records = []
    for fm_page, rect, exhibit in front.links:
        slot = fm_page_to_slot.get(fm_page)
        if slot is None:
            continue
        target_number = job.layout.first_pages[exhibit]
        target_volume = _volume_of_number(job.layout, target_number)
        annot = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in rect]),
                NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            }
        )
        target_first = job.layout.volume_ranges[target_volume - 1][0]
        fit = ArrayObject([NameObject("/Fit")])
        if target_volume == job.volume:
            target_page = writer.pages[target_number - first].indirect_reference
            annot[NameObject("/Dest")] = ArrayObject([target_page, *fit])
        else:
            annot[NameObject("/A")] = DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoToR"),
                    NameObject("/F"): TextStringObject(job.file_names[target_volume - 1]),
                    NameObject("/D"): ArrayObject(
                        [NumberObject(target_number - target_first), *fit]
                    ),
                }
            )
        page = writer.pages[slot.number - first]
        if "/Annots" not in page:
            page[NameObject("/Annots")] = ArrayObject()
        page["/Annots"].get_object().append(writer._add_object(annot))
        records.append(
            {
                "page": slot.number,
                "rect": [round(v, 2) for v in rect],
                "exhibit": exhibit,
                "target": target_number,
                "volume": target_volume,
                "dest_index": target_number - target_first,
            }
        )
    return records


def _volume_of_number(layout: Layout, number: int) -> int:
    for volume, (begin, end) in enumerate(layout.volume_ranges, start=1):
        if begin <= number <= end:
            return volume
    raise ValueError(f"page {number} is in no volume")


def _add_outline(writer: PdfWriter, job: VolumeJob, slots, first: int) -> None:
    """One bookmark per exhibit, plus cover, indexes and manifest."""
    seen: set[tuple] = set()
    for slot in slots:
        index = slot.number - first
        if slot.kind == "cover":
            title = "封面" if job.volume_count == 1 else f"封面（{volume_name(job.volume)}）"
        elif slot.kind == "index":
            mark = ("index", slot.section)
            if mark in seen:
                continue
            seen.add(mark)
            title = "证据目录" if not slot.section else supplement_title(slot.section)
        elif slot.kind == "manifest":
            if ("manifest",) in seen:
                continue
            seen.add(("manifest",))
            title = "校验清单"
        elif slot.kind == "exhibit":
            if slot.key[2] != 0:
                continue
            e = slot.exhibit
            title = f"{job.labels[e]} {job.names[e]}".strip()
        else:
            continue
        writer.add_outline_item(title=title, page_number=index)
