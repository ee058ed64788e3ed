"""Numbering, page plan, volume packing and row diffs: pure functions, no PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from legal_track.pdf.bundle import diff_rows
from legal_track.pdf.model import BundleError, ExhibitInput, IndexRow
from legal_track.pdf.plan import (
    assign_labels,
    chinese_date,
    chinese_numeral,
    lay_out,
    pack_volumes,
    volume_name,
)


def _items(*groups, labels=None):
    labels = labels or [None] * len(groups)
    return [
        ExhibitInput(Path(f"e{n}.pdf"), f"e{n}", group=g, label=label)
        for n, (g, label) in enumerate(zip(groups, labels, strict=True))
    ]


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (2, "二"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九")],
)
def test_chinese_numerals(n, text):
    assert chinese_numeral(n) == text


def test_volume_name_and_date():
    assert volume_name(2) == "卷二"
    assert chinese_date(date(2026, 11, 9)) == "2026年11月9日"


def test_labels_with_groups_and_explicit_labels():
    items = _items(None, "a", "a", "a", None, "b", "b", None, labels=[None] * 7 + ["证据甲"])
    assert assign_labels(items) == [
        "证据1",
        "证据2-1",
        "证据2-2",
        "证据2-3",
        "证据3",
        "证据4-1",
        "证据4-2",
        "证据甲",
    ]


def test_a_split_group_and_a_repeated_label_are_refused():
    with pytest.raises(BundleError, match="group 'a' is split"):
        assign_labels(_items("a", None, "a"))
    with pytest.raises(BundleError, match="'证据1' is already used by exhibit 1"):
        assign_labels(_items(None, None, labels=[None, "证据1"]))


def test_layout_numbers_pages_across_sections_volumes_and_dividers():
    layout = lay_out(
        page_counts=[2, 3, 1, 4],
        sections=[3, 1],
        volume_of=[1, 1, 2, 2],
        index_pages=[2, 1],
        manifest_pages=1,
        dividers=True,
    )
    kinds = [(s.number, s.volume, s.kind) for s in layout.slots]
    assert [k for _, _, k in kinds] == (
        ["cover", "index", "index"]
        + ["divider", "exhibit", "exhibit"]
        + ["divider", "exhibit", "exhibit", "exhibit"]
        + ["cover", "divider", "exhibit"]
        + ["index", "divider", "exhibit", "exhibit", "exhibit", "exhibit", "manifest"]
    )
    assert layout.first_pages == [5, 8, 13, 16]
    assert layout.volume_ranges == [(1, 10), (11, 20)]
    assert [s.number for s in layout.slots] == list(range(1, 21))


def test_pack_volumes_in_order_and_refuse_an_oversized_exhibit():
    where = [f"e{n}" for n in range(5)]
    assert pack_volumes([10] * 5, limit=None, overhead=0, where=where) == [1] * 5
    assert pack_volumes([40, 40, 30, 70, 10], limit=100, overhead=20, where=where) == [
        1,
        1,
        2,
        3,
        3,
    ]
    with pytest.raises(BundleError, match="e1: .* does not fit in a volume"):
        pack_volumes([10, 90], limit=100, overhead=20, where=where[:2])


def _row(label, sha, first, last):
    return IndexRow(label, "n" + sha, "", "", first, last, last - first + 1, 1, sha)


def test_diff_rows_reports_moved_relabelled_added_and_removed():
    old = [_row("证据1", "a", 3, 4), _row("证据2", "b", 5, 9), _row("证据3", "c", 10, 10)]
    new = [
        _row("证据1", "a", 3, 4),
        _row("证据2", "x", 5, 6),
        _row("证据3", "b", 7, 11),
        _row("证据5", "c", 12, 12),
    ]
    changes = {(c.status, c.sha256) for c in diff_rows(old, new)}
    assert changes == {("added", "x"), ("moved", "b"), ("moved", "c")}
    relabel = diff_rows([_row("证据1", "a", 3, 4)], [_row("证据9", "a", 3, 4)])
    assert [(c.status, c.old_label, c.label) for c in relabel] == [("relabelled", "证据1", "证据9")]
    removed = diff_rows(old, old[:1])
    assert sorted((c.status, c.old_label, c.old_pages) for c in removed) == [
        ("removed", "证据2", (5, 9)),
        ("removed", "证据3", (10, 10)),
    ]
