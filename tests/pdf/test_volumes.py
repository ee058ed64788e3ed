"""Volumes with continuous numbering; adding exhibits later (append or renumber)."""

from __future__ import annotations

import random
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from legal_track.pdf.bundle import (
    BundleError,
    BundleOptions,
    ExhibitInput,
    build_bundle,
    verify_bundle,
)
from legal_track.pdf.manifest import read_manifest
from tests.pdf import samples
from tests.pdf.conftest import pdf_texts

ON = date(2026, 11, 29)


def noise_jpeg(path: Path, seed: int, size=(420, 420)) -> Path:
    """An incompressible picture (~100 kB), so volume sizes are predictable."""
    data = random.Random(seed).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, data).save(path, format="JPEG", quality=85)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> list[ExhibitInput]:
    folder = tmp_path_factory.mktemp("photos")
    return [ExhibitInput(noise_jpeg(folder / f"p{n}.jpg", n), f"现场照片{n + 1}") for n in range(8)]


def test_volumes_split_by_size_with_continuous_numbers(tmp_path, photos, cjk_font):
    size = photos[0].path.stat().st_size
    limit = 400_000
    options = BundleOptions("证据", on=ON, prefix="LT-", max_volume_bytes=limit)
    result = build_bundle(photos, options, tmp_path / "case.pdf", font=cjk_font)
    assert size > 80_000
    assert len(result.volumes) >= 3
    assert [p.name for p in result.volumes] == [
        f"case-vol{n}.pdf" for n in range(1, len(result.volumes) + 1)
    ]
    assert not (tmp_path / "case.pdf").exists()
    number = 0
    for volume, path in enumerate(result.volumes, start=1):
        assert path.stat().st_size <= limit, f"volume {volume} is too large"
        reader = PdfReader(path)
        labels = reader.page_labels
        assert labels == [str(number + n) for n in range(1, len(reader.pages) + 1)]
        texts = pdf_texts(path)
        for n, text in enumerate(texts, start=number + 1):
            assert f"第 {n} 页 / 共 {result.page_count} 页" in text
        assert "卷" in texts[0] and f"共 {len(result.volumes)} 卷" in texts[0], "own cover"
        number += len(reader.pages)
        assert verify_bundle(path).ok
        assert read_manifest(path)["volume"] == volume
    assert number == result.page_count
    assert {row.volume for row in result.rows} == set(range(1, len(result.volumes) + 1))
    index = re.sub(r"\s+", "", pdf_texts(result.volumes[0])[1])
    assert "卷" in index and "卷二" in index


def test_index_links_reach_exhibits_in_other_volumes(tmp_path, photos, cjk_font):
    options = BundleOptions("证据", on=ON, max_volume_bytes=400_000)
    result = build_bundle(photos, options, tmp_path / "case.pdf", font=cjk_font)
    reader = PdfReader(result.volumes[0])
    annots = [a.get_object() for a in reader.pages[1]["/Annots"]]
    assert len(annots) == len(result.rows)
    for annot, row in zip(annots, result.rows, strict=True):
        if row.volume == 1:
            assert "/Dest" in annot
            continue
        action = annot["/A"]
        assert action["/S"] == "/GoToR"
        assert action["/F"] == result.volumes[row.volume - 1].name
        target = PdfReader(result.volumes[row.volume - 1])
        first = int(target.page_labels[0])
        assert action["/D"][0] == row.first_page - first


def test_an_exhibit_larger_than_a_volume_is_refused(tmp_path, photos, cjk_font):
    options = BundleOptions("证据", on=ON, max_volume_bytes=200_000)
    with pytest.raises(BundleError, match=r"证据1 .*does not fit in a volume of 0.2 MB"):
        build_bundle(photos, options, tmp_path / "case.pdf", font=cjk_font)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> list[ExhibitInput]:
    folder = tmp_path_factory.mktemp("papers")
    return [
        ExhibitInput(
            samples.shapes_pdf(folder / f"d{n}.pdf", n + 1), f"文件{n + 1}", purpose="证明"
        )
        for n in range(6)
    ]


def test_append_keeps_earlier_page_numbers(tmp_path, papers, cjk_font):
    options = BundleOptions("证据", on=ON, prefix="X-")
    first = build_bundle(papers[:3], options, tmp_path / "v1.pdf", font=cjk_font)
    second = build_bundle(
        papers[:5], options, tmp_path / "v2.pdf", font=cjk_font,
        previous=first.volumes[0], append=True,
    )  # fmt: skip
    assert second.rows[:3] == first.rows[:3]
    assert [(c.status, c.label) for c in second.changes] == [("added", "证据4"), ("added", "证据5")]
    assert [row.section for row in second.rows] == [0, 0, 0, 1, 1]
    texts = pdf_texts(second.volumes[0])
    supplement = second.rows[3].first_page - 2  # the page before 证据4 (0-based)
    assert texts[supplement].strip().startswith("补充证据目录")
    assert "证据4" in texts[supplement] and "证据5" in texts[supplement]
    outline = [item.title for item in PdfReader(second.volumes[0]).outline]
    assert "补充证据目录" in outline
    assert verify_bundle(second.volumes[0]).ok
    third = build_bundle(
        papers, options, tmp_path / "v3.pdf", font=cjk_font,
        previous=second.volumes[0], append=True,
    )  # fmt: skip
    assert third.rows[:5] == second.rows
    assert [row.section for row in third.rows] == [0, 0, 0, 1, 1, 2]
    assert "补充证据目录（二）" in [i.title for i in PdfReader(third.volumes[0]).outline]


def test_append_refuses_changed_earlier_exhibits(tmp_path, papers, cjk_font):
    options = BundleOptions("证据", on=ON)
    first = build_bundle(papers[:3], options, tmp_path / "v1.pdf", font=cjk_font)
    reordered = [papers[1], papers[0], papers[2], papers[3]]
    with pytest.raises(BundleError, match="append: exhibit 1 .* is not the previous bundle's"):
        build_bundle(
            reordered, options, tmp_path / "v2.pdf", font=cjk_font,
            previous=first.volumes[0], append=True,
        )  # fmt: skip
    with pytest.raises(BundleError, match="append needs the previous bundle"):
        build_bundle(papers, options, tmp_path / "v3.pdf", font=cjk_font, append=True)
    with pytest.raises(BundleError, match="no new exhibits"):
        build_bundle(
            papers[:3], options, tmp_path / "v4.pdf", font=cjk_font,
            previous=first.volumes[0], append=True,
        )  # fmt: skip


def test_renumber_reports_the_rows_whose_pages_moved(tmp_path, papers, cjk_font):
    options = BundleOptions("证据", on=ON)
    first = build_bundle(papers[:3], options, tmp_path / "v1.pdf", font=cjk_font)
    inserted = [papers[0], papers[4], papers[1], papers[2]]
    second = build_bundle(
        inserted, options, tmp_path / "v2.pdf", font=cjk_font, previous=first.volumes[0]
    )
    changes = {c.name: c for c in second.changes}
    assert set(changes) == {"文件5", "文件2", "文件3"}
    assert changes["文件5"].status == "added"
    moved = changes["文件2"]
    assert (moved.status, moved.old_label, moved.label) == ("moved", "证据2", "证据3")
    assert moved.old_pages == (first.rows[1].first_page, first.rows[1].last_page)
    assert moved.pages == (second.rows[2].first_page, second.rows[2].last_page)


def test_bundle_reads_its_own_output_as_previous(tmp_path, papers, cjk_font):
    """A bundle itself can be an exhibit (stamps of the inner bundle stay intact)."""
    options = BundleOptions("内层", on=ON, prefix="IN-")
    inner = build_bundle(papers[:2], options, tmp_path / "inner.pdf", font=cjk_font)
    outer = build_bundle(
        [ExhibitInput(inner.volumes[0], "前次证据"), papers[2]],
        BundleOptions("外层", on=ON, prefix="OUT-"),
        tmp_path / "outer.pdf",
        font=cjk_font,
    )
    texts = pdf_texts(outer.volumes[0])
    page = texts[outer.rows[0].first_page - 1]
    assert "IN-000001" in page and f"OUT-{outer.rows[0].first_page:06d}" in page
    assert verify_bundle(outer.volumes[0]).ok
    data = BytesIO(outer.volumes[0].read_bytes())
    assert len(PdfReader(data).pages) == outer.page_count
