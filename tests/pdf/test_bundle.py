"""The rich bundle (~50 exhibits of every kind, dividers): pages, stamps, links, fonts."""

from __future__ import annotations

import re
import subprocess

from pypdf import PdfReader

from legal_track import __version__
from legal_track.pdf.manifest import read_manifest
from tests.components import require_binary


def _labels(built) -> list[str]:
    """The exhibit label stamped at the top of each page, read back with pdftotext."""
    return [page.strip().splitlines()[0].strip() for page in built.text_pages()]


def test_index_page_ranges_are_the_real_pages_even_with_a_multi_page_index(rich):
    result, labels = rich.result, _labels(rich)
    index_pages = [n for n, label in enumerate(labels, start=1) if label == "证据目录"]
    assert len(index_pages) >= 3, f"the index should run to several pages, got {index_pages}"
    assert index_pages == list(range(2, 2 + len(index_pages))), "index follows the cover"
    assert labels[0] == "封面" and labels[-1] == "校验清单"
    for row in result.rows:
        pages = labels[row.first_page - 1 : row.last_page]
        assert pages == [row.label] * row.page_count, f"{row.label}: {row.pages_text}"
        assert row.page_count == row.last_page - row.first_page + 1
        assert labels[row.first_page - 2] == row.label, f"{row.label}: divider before it"
        after = labels[row.last_page] if row.last_page < len(labels) else None
        assert after != row.label, f"{row.label} must end at page {row.last_page}"
    first = result.rows[0]
    assert first.first_page == 2 + len(index_pages) + 1  # cover, index, divider


def test_every_page_carries_page_number_bates_and_label(rich):
    total = rich.result.page_count
    for n, text in enumerate(rich.text_pages(), start=1):
        flat = re.sub(r"\s+", " ", text)
        assert f"第 {n} 页 / 共 {total} 页" in flat, f"page {n}: {flat[-120:]!r}"
        assert f"LT-2026-000123-{n:06d}" in flat, f"page {n}: Bates number missing"


def test_index_text_lists_name_source_purpose_and_ranges(rich):
    index_text = "".join(t for t in rich.text_pages() if t.strip().startswith("证据目录"))
    flat = re.sub(r"\s+", "", index_text)
    for row in rich.result.rows:
        assert row.label in flat and row.pages_text in flat
    assert "借款合同" in flat and "原告提供" in flat and "证明借款人已收到全部借款本金" in flat


def test_page_labels_match_the_stamped_numbers(rich):
    reader = PdfReader(rich.pdf)
    assert reader.page_labels == [str(n) for n in range(1, rich.result.page_count + 1)]


def test_one_bookmark_per_exhibit_on_its_first_page(rich):
    reader = PdfReader(rich.pdf)
    marks = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    for row, item in zip(rich.result.rows, rich.exhibits, strict=True):
        title = f"{row.label} {item.name}"
        assert marks[title] == row.first_page - 1, title
    assert marks["封面"] == 0 and marks["证据目录"] == 1
    assert marks["校验清单"] == rich.result.page_count - sum(
        1 for text in rich.text_pages() if text.strip().startswith("校验清单")
    )
    assert len(marks) == len(rich.result.rows) + 3


def test_index_rows_link_to_their_exhibits(rich):
    reader = PdfReader(rich.pdf)
    index = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
    targets = []
    for page in reader.pages[1:8]:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            assert annot["/Subtype"] == "/Link"
            targets.append(index[annot["/Dest"][0].idnum] + 1)
    assert targets == [row.first_page for row in rich.result.rows]


def test_qpdf_check_is_clean(rich):
    qpdf = require_binary("qpdf", "qpdf")
    run = subprocess.run([qpdf, "--check", str(rich.pdf)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No syntax or stream encoding errors" in run.stdout


def test_one_shared_cjk_font_and_a_warning_for_unembedded_exhibit_fonts(rich):
    pdffonts = require_binary("pdffonts", "poppler-utils")
    out = subprocess.run([pdffonts, str(rich.pdf)], capture_output=True, text=True, check=True)
    cjk = [line for line in out.stdout.splitlines() if "CJK" in line]
    assert len(cjk) == 1, out.stdout  # one subset for cover, index, manifest and all stamps
    assert " yes yes yes " in cjk[0]
    warned = [w for w in rich.result.warnings if "not embedded" in w]
    assert warned and all("Helvetica" in w for w in warned)
    assert {w.split(" ")[0] for w in warned} == {"证据1", "证据4", "证据5"}


def test_images_are_fitted_to_a4_in_their_orientation(rich):
    reader = PdfReader(rich.pdf)
    rows = {row.label: row for row in rich.result.rows}

    def size(label, offset=0):
        box = reader.pages[rows[label].first_page - 1 + offset].mediabox
        return round(float(box.width)), round(float(box.height))

    assert size("证据2-1") == (595, 842)  # portrait JPEG
    assert size("证据2-2") == (842, 595)  # landscape PNG with alpha
    assert [size("证据3", n) for n in range(3)] == [(595, 842)] * 3  # 3-frame TIFF
    assert size("证据6") == (595, 842)  # landscape pixels, EXIF says rotate: portrait page
    assert rows["证据3"].page_count == 3


def test_rotated_pages_are_straightened_and_mixed_sizes_kept(rich):
    reader = PdfReader(rich.pdf)
    rows = {row.label: row for row in rich.result.rows}
    rotated = reader.pages[rows["证据4"].first_page - 1]
    assert rotated.get("/Rotate", 0) == 0
    assert (round(float(rotated.mediabox.width)), round(float(rotated.mediabox.height))) == (
        842,
        595,
    ), "the portrait page shown turned by 90° becomes a landscape page"
    assert all(page.get("/Rotate", 0) == 0 for page in reader.pages)
    mixed = [reader.pages[rows["证据5"].first_page - 1 + n].mediabox for n in range(4)]
    assert [(round(float(b.width)), round(float(b.height))) for b in mixed] == [
        (595, 842),
        (842, 595),
        (226, 340),
        (842, 1191),
    ]
    texts = rich.text_pages()
    assert "ROTATED SCAN" in texts[rows["证据4"].first_page - 1]
    receipt = re.sub(r"\s+", " ", texts[rows["证据5"].first_page + 1])
    assert "RECEIPT" in receipt and f"第 {rows['证据5'].first_page + 2} 页" in receipt


def test_manifest_page_and_embedded_manifest(rich):
    manifest_text = "".join(t for t in rich.text_pages() if t.strip().startswith("校验清单"))
    flat = re.sub(r"\s+", "", manifest_text)
    assert f"legal-track{__version__}" in flat
    for row in rich.result.rows:
        assert row.sha256 in flat, f"{row.label}: SHA-256 on the manifest page"
    data = read_manifest(rich.pdf)
    assert data["builder"] == f"legal-track {__version__}"
    assert data["options"]["prefix"] == "LT-2026-000123-" and data["options"]["dividers"]
    assert [r["sha256"] for r in data["rows"]] == [r.sha256 for r in rich.result.rows]
    assert len(data["pages"]) == rich.result.page_count
    assert data["bundle_id"] == rich.result.bundle_id


def test_groups_are_numbered_with_sub_numbers(rich):
    assert [row.label for row in rich.result.rows[:4]] == ["证据1", "证据2-1", "证据2-2", "证据3"]
    assert rich.result.rows[-1].label == f"证据{len(rich.result.rows) - 1}"


def test_progress_ends_at_the_total(rich):
    calls = rich.progress
    assert calls[-1][0] == calls[-1][1] == len(rich.exhibits) + rich.result.page_count
    page_phase = [done for done, total in calls if total == calls[-1][1]]
    assert page_phase == sorted(page_phase)
    assert len(calls) > 10
