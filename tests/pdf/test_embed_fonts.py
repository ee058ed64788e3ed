"""`--embed-fonts`: the standard fonts an exhibit lacks become embedded substitutes with the
same metrics; the exhibit still verifies against its file, and the substitute is checked."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from legal_track.pdf import substitute
from legal_track.pdf.bundle import (
    BundleError,
    BundleOptions,
    ExhibitInput,
    build_bundle,
    verify_bundle,
)
from legal_track.pdf.manifest import read_manifest
from tests.components import require_binary
from tests.pdf import corpus, samples
from tests.pdf.conftest import pdf_texts

ON = date(2026, 11, 29)
FAMILIES = ("Helvetica", "Times", "Courier")


def fourteen_pdf(path: Path) -> Path:
    """The 12 Latin standard fonts in every style, and Symbol (all fpdf2 core fonts)."""
    pdf = FPDF(unit="pt", format=samples.A4)
    pdf.set_creation_date(samples.FIXED)
    pdf.add_page()
    y = 60
    for family in FAMILIES:
        for style in ("", "B", "I", "BI"):
            pdf.set_font(family, style, 14)
            pdf.text(40, y, f"{family} {style or 'R'}: Zahlung 1.234,56 EUR (àéü ß) #{y}")
            y += 26
    pdf.set_font("Symbol", "", 14)
    pdf.text(40, y, "abgd")
    pdf.output(str(path))
    return path


def _fonts(pdf: Path) -> dict[str, str]:
    """pdffonts: font name -> its emb column, for the fonts that are objects in the file.
    (An annotation without an appearance stream, like pypdf's FreeText, makes poppler
    draw it with a Helvetica of its own: listed with object ID "[none]", not in the file.)"""
    pdffonts = require_binary("pdffonts", "poppler-utils")
    out = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    header, _, *lines = out.splitlines()
    emb = header.index("emb")
    return {
        line.split()[0]: line[emb : emb + 3].strip()
        for line in lines
        if not line.rstrip().endswith("[none]")
    }


def _build(inputs, out: Path, font, *, embed: bool):
    options = BundleOptions("证据", on=ON, prefix="LT-", embed_fonts=embed)
    return build_bundle(inputs, options, out, font=font)


def _lookup(inputs) -> dict[str, Path]:
    return {hashlib.sha256(i.path.read_bytes()).hexdigest(): i.path for i in inputs}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[ExhibitInput]:
    folder = tmp_path_factory.mktemp("fonts")
    base = corpus.fpdf_pages(folder / "base.pdf", ["ONE", "TWO"])
    return [
        ExhibitInput(fourteen_pdf(folder / "fourteen.pdf"), "字体样张"),
        ExhibitInput(corpus.pypdf_annotated(folder / "annotated.pdf", base), "带批注"),
        ExhibitInput(base, "普通"),
    ]


@pytest.fixture(scope="module")
def embedded(inputs, tmp_path_factory, cjk_font, substitute_fonts):
    return _build(inputs, tmp_path_factory.mktemp("emb") / "bundle.pdf", cjk_font, embed=True)


def test_every_standard_latin_font_is_embedded_and_symbol_is_noted(embedded, inputs):
    fonts = _fonts(embedded.volumes[0])
    assert fonts.pop("Symbol") == "no", "Symbol has no free metric-compatible substitute"
    assert set(fonts.values()) == {"yes"}, fonts
    families = {name.split("+", 1)[-1] for name in fonts if "Liberation" in name}
    assert len(families) == 12, sorted(families)
    row = embedded.rows[0]
    assert set(row.fonts_missing) - set(row.fonts_substituted) == {"Symbol"}
    assert "Symbol 的显示效果取决于阅读软件" in row.font_note
    assert "Helvetica -> Liberation Sans" in " ".join(embedded.warnings)
    index = " ".join(pdf_texts(embedded.volumes[0])[1:3])
    assert "已为" in index and "嵌入度量相同的替代字体" in index, "the note is in the 证据目录"


def test_text_and_layout_of_the_exhibit_pages_are_unchanged(embedded, inputs, tmp_path, cjk_font):
    plain = _build(inputs, tmp_path / "plain.pdf", cjk_font, embed=False)
    pages = [r["n"] - 1 for r in read_manifest(plain.volumes[0])["pages"] if r["kind"] == "exhibit"]
    before = pdf_texts(plain.volumes[0], layout=True)
    after = pdf_texts(embedded.volumes[0], layout=True)
    assert [after[n] for n in pages] == [before[n] for n in pages]


def test_an_embedded_bundle_verifies_against_the_files_and_is_reproducible(
    embedded, inputs, tmp_path, cjk_font
):
    report = verify_bundle(embedded.volumes[0], lookup=_lookup(inputs))
    assert report.ok and report.exhibits_checked == 3, report.problems
    again = _build(inputs, tmp_path / "again.pdf", cjk_font, embed=True)
    assert again.volumes[0].read_bytes() == embedded.volumes[0].read_bytes()
    assert read_manifest(embedded.volumes[0])["font_substitutes"], "the substitutes are listed"


def test_a_changed_substitute_font_is_named(embedded, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(embedded.volumes[0]))
    number = embedded.rows[0].first_page
    font = next(
        f for f in writer.pages[number - 1]["/Resources"]["/Font"].values()
        if "/LTOriginal" in f.get_object()
    ).get_object()  # fmt: skip
    program = font["/FontDescriptor"]["/FontFile2"].get_object()
    data = bytearray(program.get_data())
    data[len(data) // 2] ^= 0xFF  # one byte of the glyph outlines
    program.set_data(bytes(data))
    tampered = tmp_path / "tampered.pdf"
    writer.write(tampered)
    problems = verify_bundle(tampered).problems
    assert (problems[0].kind, problems[0].page, problems[0].message) == (
        "page_changed", number, "substitute font differs",
    )  # fmt: skip


def test_without_the_option_nothing_is_replaced(inputs, tmp_path, cjk_font):
    plain = _build(inputs[:1], tmp_path / "plain.pdf", cjk_font, embed=False)
    assert _fonts(plain.volumes[0])["Helvetica"] == "no"
    assert read_manifest(plain.volumes[0])["font_substitutes"] == []
    assert plain.rows[0].fonts_substituted == () and "Helvetica" in plain.rows[0].fonts_missing


def test_missing_substitute_fonts_name_the_install_command(inputs, tmp_path, cjk_font, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no fc-list
    monkeypatch.setattr(substitute, "_FONT_DIRS", (str(tmp_path),))
    substitute.face_path.cache_clear()
    try:
        with pytest.raises(BundleError, match="apt-get install fonts-liberation2"):
            _build(inputs[:1], tmp_path / "b.pdf", cjk_font, embed=True)
    finally:
        substitute.face_path.cache_clear()
    assert not (tmp_path / "b.pdf").exists()
