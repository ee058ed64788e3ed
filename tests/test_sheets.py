"""Every CSV and XLSX the system writes keeps formula-like text inert (legal_track.sheets)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from legal_track.analytics.export import table_csv, workbook
from legal_track.sheets import append_row, csv_bytes, formula_like, records_csv, workbook_bytes
from tests.spreadsheets import assert_inert_xlsx

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
HARMLESS = ["借款合同", "LT-2026-000123", "5-9", "a=b", " =x", ""]


@pytest.mark.parametrize("text", HOSTILE, ids=repr)
def test_formula_like_text_is_recognised(text):
    assert formula_like(text)


@pytest.mark.parametrize("text", HARMLESS, ids=repr)
def test_ordinary_text_is_left_alone(text):
    assert not formula_like(text)
    assert csv.reader(io.StringIO(csv_bytes([[text]], bom=False).decode())).__next__() == [text]


def test_csv_prefixes_formula_like_cells_with_a_quote_and_keeps_the_rest():
    data = csv_bytes([[*HOSTILE, 42, Decimal("1.50"), None]], header=["=head", "ok"])
    assert data.startswith("\ufeff".encode())
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert header == ["'=head", "ok"]
    assert row == ["'" + t for t in HOSTILE] + ["42", "1.50", ""]


def test_records_csv_takes_the_header_from_the_first_record():
    data = records_csv([{"name": "=1+1", "n": 1}, {"name": "ok", "n": 2}], bom=False)
    assert list(csv.reader(io.StringIO(data.decode()))) == [
        ["name", "n"],
        ["'=1+1", "1"],
        ["ok", "2"],
    ]
    assert records_csv([]) == "\ufeff".encode()


def test_xlsx_rows_store_formula_like_text_as_text():
    book = Workbook()
    append_row(book.active, ["名称", "页数", "日期"])
    append_row(book.active, [HOSTILE[0], 3, date(2026, 1, 5)])
    append_row(book.active, [HOSTILE[1], "bad\x01char", None])
    values = assert_inert_xlsx(workbook_bytes(book))
    assert (
        values[1][0] == HOSTILE[0] and values[1][1] == 3 and values[1][2].date() == date(2026, 1, 5)
    )
    assert values[2][:2] == [HOSTILE[1], "bad\ufffdchar"]


def test_the_dashboard_exports_are_inert():
    rows = [{"firm": HOSTILE[0], "cases": 2, "amount": Decimal("10.00")},
            {"firm": HOSTILE[1], "cases": 1, "amount": Decimal("2.50")}]  # fmt: skip
    lines = list(csv.reader(io.StringIO(table_csv(rows).decode("utf-8-sig"))))
    assert lines == [["firm", "cases", "amount"], ["'" + HOSTILE[0], "2", "10.00"],
                     ["'" + HOSTILE[1], "1", "2.50"]]  # fmt: skip
    values = assert_inert_xlsx(workbook({"recovery_by_firm": rows}))
    assert values == [
        ["firm", "cases", "amount"],
        [HOSTILE[0], 2, "10.00"],
        [HOSTILE[1], 1, "2.50"],
    ]
