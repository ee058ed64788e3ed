"""Determinism and verification: a changed page, stamp, file or forged manifest is found."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from legal_track.pdf.bundle import BundleOptions, ExhibitInput, build_bundle, verify_bundle
from legal_track.pdf.digest import Digester
from legal_track.pdf.manifest import MANIFEST_NAME, dumps, read_manifest
from tests.components import require_binary
from tests.pdf import samples

ON = date(2026, 11, 29)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[ExhibitInput]:
    folder = tmp_path_factory.mktemp("in")
    return [
        ExhibitInput(samples.text_pdf(folder / "a.pdf", ["ALPHA 1", "ALPHA 2"]), "合同", purpose="证明"),
        ExhibitInput(samples.image(folder / "b.png", (400, 300), fmt="PNG"), "截图"),
        ExhibitInput(samples.tiff(folder / "c.tif", 2), "扫描"),
    ]  # fmt: skip


def _build(inputs, out: Path, font, **options):
    opts = BundleOptions("证据", on=ON, prefix="LT-", **options)
    return build_bundle(inputs, opts, out, font=font)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, inputs, cjk_font):
    """Built once; tests write their altered copies elsewhere."""
    return _build(inputs, tmp_path_factory.mktemp("bundle") / "bundle.pdf", cjk_font)


def _lookup(inputs) -> dict[str, Path]:
    return {hashlib.sha256(i.path.read_bytes()).hexdigest(): i.path for i in inputs}


def test_same_inputs_and_options_give_the_same_bytes(tmp_path, inputs, cjk_font, bundle):
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    copies = [
        ExhibitInput(Path(shutil.copy(i.path, moved)), i.name, purpose=i.purpose) for i in inputs
    ]
    again = _build(copies, tmp_path / "other" / "renamed.pdf", cjk_font)
    assert again.volumes[0].read_bytes() == bundle.volumes[0].read_bytes()
    assert again.sha256 == bundle.sha256
    other = _build(inputs, tmp_path / "third.pdf", cjk_font, dividers=True)
    assert other.sha256 != bundle.sha256
    meta = PdfReader(bundle.volumes[0]).metadata
    assert meta.creation_date.date() == ON and meta.modification_date.date() == ON


def test_a_fresh_bundle_verifies_alone_and_against_its_files(bundle, inputs):
    report = verify_bundle(bundle.volumes[0])
    assert report.ok, report.problems
    assert report.pages_checked == bundle.page_count
    full = verify_bundle(bundle.volumes[0], lookup=_lookup(inputs))
    assert full.ok and full.exhibits_checked == 3, full.problems


def test_rewriting_the_file_keeps_it_verifiable(bundle, tmp_path):
    rewritten = tmp_path / "rewritten.pdf"
    PdfWriter(clone_from=PdfReader(bundle.volumes[0])).write(rewritten)
    assert verify_bundle(rewritten).ok
    qpdf = require_binary("qpdf", "qpdf")
    packed = tmp_path / "packed.pdf"
    subprocess.run(
        [qpdf, "--object-streams=generate", str(bundle.volumes[0]), str(packed)], check=True
    )
    assert verify_bundle(packed).ok, verify_bundle(packed).problems


def _page_with(bundle, label: str, offset: int = 0) -> int:
    row = next(r for r in bundle.rows if r.label == label)
    return row.first_page + offset


def _edit(src: Path, dst: Path, number: int, change) -> PdfWriter:
    writer = PdfWriter(clone_from=PdfReader(src))
    change(writer.pages[number - 1])
    writer.write(dst)
    return writer


def test_a_changed_exhibit_page_is_named(bundle, tmp_path):
    number = _page_with(bundle, "证据1", 1)

    def change(page):
        parts = page["/Contents"]
        original = parts[1].get_object()
        original.set_data(original.get_data().replace(b"ALPHA 2", b"ALPHA 9"))

    tampered = tmp_path / "tampered.pdf"
    _edit(bundle.volumes[0], tampered, number, change)
    report = verify_bundle(tampered)
    assert not report.ok
    assert (report.first.kind, report.first.page, report.first.exhibit) == (
        "page_changed",
        number,
        "证据1",
    )
    assert len(report.problems) == 1
    assert f"第 {number} 页（证据1）" in report.first.text("zh")
    assert f"Page {number} (证据1)" in report.first.text("en")


def test_a_changed_stamp_is_named(bundle, tmp_path):
    number = _page_with(bundle, "证据2")

    def change(page):
        stamp = page["/Contents"][-1].get_object()
        stamp.set_data(stamp.get_data().replace(b" 0 0 1 ", b" 0 0 1.5 ", 1))

    tampered = tmp_path / "stamp.pdf"
    _edit(bundle.volumes[0], tampered, number, change)
    report = verify_bundle(tampered)
    assert [(p.kind, p.page) for p in report.problems] == [("stamp_changed", number)]


def test_a_changed_stamp_font_is_named_on_every_page(bundle, tmp_path):
    """Glyphs swapped in the shared stamp font would change every printed page number."""
    reader = PdfReader(bundle.volumes[0])
    name = read_manifest(reader)["stamp_font"]
    writer = PdfWriter(clone_from=reader)
    font = writer.pages[0]["/Resources"]["/Font"][name]
    font["/DescendantFonts"][0].get_object()[NameObject("/DW")] = NumberObject(500)
    tampered = tmp_path / "font.pdf"
    writer.write(tampered)
    problems = verify_bundle(tampered).problems
    assert len(problems) == bundle.page_count, "every page draws its stamp with that font"
    # the front matter is set in the same font: its own content changed too
    exhibit_pages = [p for p in problems if re.fullmatch(r"证据\d+", p.exhibit or "")]
    assert exhibit_pages and {(p.kind, p.message) for p in exhibit_pages} == {
        ("stamp_changed", "stamp font differs")
    }


def test_a_removed_page_changes_the_count(bundle, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(bundle.volumes[0]))
    writer.remove_page(len(writer.pages) - 1)
    shorter = tmp_path / "short.pdf"
    writer.write(shorter)
    kinds = {p.kind for p in verify_bundle(shorter).problems}
    assert "page_count" in kinds


def test_register_files_missing_changed_or_unknown(bundle, inputs, tmp_path):
    lookup = _lookup(inputs)
    shas = list(lookup)
    lookup[shas[0]] = tmp_path / "gone.pdf"
    changed = tmp_path / "changed.png"
    changed.write_bytes(inputs[1].path.read_bytes() + b"\0")
    lookup[shas[1]] = changed
    del lookup[shas[2]]
    report = verify_bundle(bundle.volumes[0], lookup=lookup)
    found = {(p.kind, p.exhibit) for p in report.problems}
    assert found == {
        ("file_missing", "证据1"),
        ("file_changed", "证据2"),
        ("not_registered", "证据3"),
    }
    assert report.first.exhibit == "证据1"  # ordered by page


def test_a_forged_manifest_is_caught_by_the_register(bundle, inputs, tmp_path):
    """Swap an exhibit page AND recompute the manifest: only the register check sees it."""
    number = _page_with(bundle, "证据1")
    reader = PdfReader(bundle.volumes[0])
    manifest = read_manifest(reader)
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[number - 1]
    original = page["/Contents"][1].get_object()
    original.set_data(original.get_data().replace(b"ALPHA 1", b"OMEGA 1"))
    content, stamp = Digester().page_digests(page, stamp_font=manifest["stamp_font"])
    manifest["pages"][number - 1].update(content=content, stamp=stamp)
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == MANIFEST_NAME
    names[1].get_object()["/EF"]["/F"].get_object().set_data(dumps(manifest))
    forged = tmp_path / "forged.pdf"
    writer.write(forged)
    assert verify_bundle(forged).ok, "the forgery is consistent with its own manifest"
    report = verify_bundle(forged, lookup=_lookup(inputs))
    assert [(p.kind, p.page, p.exhibit) for p in report.problems] == [
        ("exhibit_differs", number, "证据1")
    ]


def test_a_retargeted_index_link_is_named(bundle, tmp_path):
    def change(page):
        annot = page["/Annots"][0].get_object()
        dest = annot["/Dest"]
        dest[0] = page.indirect_reference  # now points at the index itself

    tampered = tmp_path / "link.pdf"
    _edit(bundle.volumes[0], tampered, 2, change)
    kinds = [(p.kind, p.exhibit) for p in verify_bundle(tampered).problems]
    assert ("link_changed", "证据1") in kinds


def test_a_plain_pdf_is_not_a_bundle(inputs):
    report = verify_bundle(inputs[0].path)
    assert [p.kind for p in report.problems] == ["no_manifest"]
    garbage = inputs[0].path.with_name("garbage.pdf")
    garbage.write_bytes(b"%PDF-1.4 nonsense")
    assert [p.kind for p in verify_bundle(garbage).problems] in (["unreadable"], ["no_manifest"])


def test_embedded_manifest_is_canonical_json(bundle):
    data = PdfReader(bundle.volumes[0]).attachments[MANIFEST_NAME][0]
    assert json.loads(data)["format"] == "legal-track-bundle/1"
    assert dumps(json.loads(data)) == data
    page = PdfReader(bundle.volumes[0]).pages[0]
    assert NameObject(read_manifest(bundle.volumes[0])["stamp_font"]) in page["/Resources"]["/Font"]
