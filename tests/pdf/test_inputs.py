"""Inputs: refused files with a clear message and nothing written; embedded fonts."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from legal_track.pdf.bundle import (
    BundleError,
    BundleOptions,
    ExhibitError,
    ExhibitInput,
    build_bundle,
    verify_bundle,
)
from tests.components import require_binary
from tests.pdf import samples
from tests.pdf.conftest import pdf_texts

ON = date(2026, 11, 29)
OPTIONS = BundleOptions("证据", on=ON)


@pytest.fixture
def good(tmp_path) -> ExhibitInput:
    return ExhibitInput(samples.shapes_pdf(tmp_path / "good.pdf", 1), "正常文件")


def _refused(tmp_path, good, bad: ExhibitInput, font, pattern: str):
    out = tmp_path / "out" / "bundle.pdf"
    with pytest.raises(ExhibitError, match=pattern) as caught:
        build_bundle([good, bad], OPTIONS, out, font=font)
    assert "证据2" in str(caught.value) and str(bad.path) in str(caught.value)
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    return caught.value


def test_missing_file(tmp_path, good, cjk_font):
    _refused(tmp_path, good, ExhibitInput(tmp_path / "nope.pdf", "x"), cjk_font, "file not found")


def test_empty_file(tmp_path, good, cjk_font):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    _refused(tmp_path, good, ExhibitInput(empty, "x"), cjk_font, "the file is empty")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", "借款说明".encode()),
        ("mail.eml", b"From: a@b\n\nhi"),
        ("x.docx", b"PK\x03\x04"),
    ],
)
def test_unsupported_types_are_sniffed_not_guessed(tmp_path, good, cjk_font, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    error = _refused(tmp_path, good, ExhibitInput(path, "x"), cjk_font, "unsupported file type")
    assert "PDF, JPEG, PNG, TIFF" in str(error)


def test_a_pdf_named_jpg_is_still_a_pdf(tmp_path, good, cjk_font):
    disguised = tmp_path / "scan.jpg"
    disguised.write_bytes(good.path.read_bytes())
    result = build_bundle(
        [good, ExhibitInput(disguised, "x")], OPTIONS, tmp_path / "b.pdf", font=cjk_font
    )
    assert result.rows[1].page_count == 1


def test_encrypted_pdf_needs_a_password(tmp_path, good, cjk_font):
    locked = samples.encrypted_pdf(tmp_path / "locked.pdf", good.path)
    _refused(tmp_path, good, ExhibitInput(locked, "x"), cjk_font, "encrypted and needs a password")


def test_encrypted_pdf_with_an_empty_password_opens(tmp_path, good, cjk_font):
    opened = samples.encrypted_pdf(tmp_path / "open.pdf", good.path, password="")
    result = build_bundle([ExhibitInput(opened, "x")], OPTIONS, tmp_path / "b.pdf", font=cjk_font)
    assert verify_bundle(result.volumes[0]).ok


def test_damaged_pdf(tmp_path, good, cjk_font):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n")
    _refused(tmp_path, good, ExhibitInput(broken, "x"), cjk_font, "damaged PDF")


def test_decompression_bomb(tmp_path, good, cjk_font):
    bomb = samples.png_bomb(tmp_path / "bomb.png")
    _refused(tmp_path, good, ExhibitInput(bomb, "x"), cjk_font, "image too large")


def test_a_file_changed_since_it_was_registered(tmp_path, good, cjk_font):
    registered = ExhibitInput(good.path, "x", sha256="0" * 64)
    _refused(tmp_path, good, registered, cjk_font, "has changed since it was registered")
    right = hashlib.sha256(good.path.read_bytes()).hexdigest()
    ok = build_bundle(
        [ExhibitInput(good.path, "x", sha256=right)], OPTIONS, tmp_path / "b.pdf", font=cjk_font
    )
    assert ok.rows[0].sha256 == right


def test_options_and_empty_lists_are_checked(tmp_path, good, cjk_font):
    with pytest.raises(BundleError, match="at least one exhibit"):
        build_bundle([], OPTIONS, tmp_path / "b.pdf", font=cjk_font)
    with pytest.raises(BundleError, match="needs a title"):
        build_bundle([good], BundleOptions(" ", on=ON), tmp_path / "b.pdf", font=cjk_font)
    with pytest.raises(BundleError, match="prefix"):
        build_bundle([good], BundleOptions("证据", on=ON, prefix="A\nB"), tmp_path / "b.pdf")


def test_every_font_is_embedded_when_the_exhibits_embed_theirs(tmp_path, cjk_font):
    pdffonts = require_binary("pdffonts", "poppler-utils")
    items = [
        ExhibitInput(samples.cjk_pdf(tmp_path / "letter.pdf", cjk_font, ["律师函：请于七日内还款"]), "律师函"),
        ExhibitInput(samples.shapes_pdf(tmp_path / "chart.pdf", 2), "图表"),
        ExhibitInput(samples.image(tmp_path / "photo.jpg", (500, 700), fmt="JPEG"), "照片"),
    ]  # fmt: skip
    result = build_bundle(items, BundleOptions("证据", on=ON), tmp_path / "b.pdf", font=cjk_font)
    out = subprocess.run([pdffonts, str(result.volumes[0])], capture_output=True, text=True)
    lines = out.stdout.splitlines()[2:]
    assert len(lines) == 2, out.stdout  # the bundle's CJK subset and the letter's own
    for line in lines:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line
    assert result.warnings == []
    assert "律师函：请于七日内还款" in pdf_texts(result.volumes[0])[result.rows[0].first_page - 1]


def test_characters_the_font_lacks_are_replaced_and_reported(tmp_path, good, cjk_font):
    item = ExhibitInput(good.path, "聊天记录😀截图", purpose="证明", label="证据A😀")
    result = build_bundle([item], OPTIONS, tmp_path / "b.pdf", font=cjk_font)
    assert any("😀" in w and "□" in w for w in result.warnings), result.warnings
    texts = pdf_texts(result.volumes[0])
    assert "聊天记录□截图" in texts[1]
    assert texts[result.rows[0].first_page - 1].startswith("证据A□")  # the stamp
    assert result.rows[0].label == "证据A😀"


def test_a_page_without_resources_or_content_is_stamped(tmp_path, cjk_font):
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    del writer.pages[0]["/Resources"]
    blank = tmp_path / "blank.pdf"
    writer.write(blank)
    result = build_bundle(
        [ExhibitInput(blank, "空白页")], OPTIONS, tmp_path / "b.pdf", font=cjk_font
    )
    page = result.rows[0].first_page
    text = "".join(pdf_texts(result.volumes[0])[page - 1].split())
    assert f"第{page}页/共{result.page_count}页" in text and f"{page:06d}" in text
    assert verify_bundle(result.volumes[0]).ok
    assert PdfReader(result.volumes[0]).pages[page - 1].mediabox.width == 300


def test_bad_output_folder_leaves_nothing(tmp_path, good, cjk_font):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        build_bundle([good], OPTIONS, blocker / "b.pdf", font=cjk_font)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "good.pdf"]


def test_output_path_is_replaced_atomically(tmp_path, good, cjk_font):
    out = tmp_path / "b.pdf"
    out.write_bytes(b"old")
    result = build_bundle([good], OPTIONS, out, font=cjk_font)
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert Path(result.volumes[0]) == out


def _word_box(pdf: Path, page: int, word: str) -> tuple[float, ...]:
    """Where a word is shown on a page (pdftotext -bbox: display coordinates)."""
    import re

    tool = require_binary("pdftotext", "poppler-utils")
    html = subprocess.run(
        [tool, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.search(
        rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">{word}</word>',
        html,
    )
    assert found, html
    return tuple(round(float(v)) for v in found.groups())


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_pages_look_the_same_after_straightening(tmp_path, cjk_font, rotate):
    source = samples.text_pdf(tmp_path / "r.pdf", ["TURNED page"], rotate=rotate)
    result = build_bundle([ExhibitInput(source, "r")], OPTIONS, tmp_path / "b.pdf", font=cjk_font)
    page = result.rows[0].first_page
    straight = PdfReader(result.volumes[0]).pages[page - 1]
    assert straight.get("/Rotate", 0) == 0
    assert _word_box(result.volumes[0], page, "TURNED") == _word_box(source, 1, "TURNED")
    assert verify_bundle(result.volumes[0], lookup={result.rows[0].sha256: source}).ok


def test_an_invalid_rotation_is_ignored(tmp_path, cjk_font):
    source = samples.text_pdf(tmp_path / "odd.pdf", ["ODD"])
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(45)
    writer.write(source)
    result = build_bundle([ExhibitInput(source, "odd")], OPTIONS, tmp_path / "b.pdf", font=cjk_font)
    page = PdfReader(result.volumes[0]).pages[result.rows[0].first_page - 1]
    assert page.get("/Rotate", 0) == 0 and round(float(page.mediabox.width)) == 595
