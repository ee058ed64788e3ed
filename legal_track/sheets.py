"""Spreadsheet output (CSV and XLSX) whose cells never run as formulas.

Every CSV and XLSX file the system writes goes through this module. Exhibit names,
purposes, case references and error messages are typed by people or come from
imported files; a spreadsheet program would run a cell such as
``=HYPERLINK("http://x","y")`` or ``+cmd|' /C calc'!A0`` (CSV/formula injection).
Following the OWASP rule, text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is neutralised:

- CSV: prefixed with a single quote (``'=HYPERLINK(…)``), which every spreadsheet
  program shows as text;
- XLSX: stored as a plain string cell with the ``quotePrefix`` style, so Excel and
  LibreOffice show it unchanged, as text, and keep it text when it is edited.

Numbers, dates and booleans stay typed values; only text is ever neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a UTF-8 CSV as UTF-8 (Chinese text intact) only with it


def formula_like(value: object) -> bool:
    """Whether a spreadsheet program could take ``value`` for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """A value as a CSV cell: formula-like text gets a leading single quote."""
    return "'" + value if formula_like(value) else value  # type: ignore[operator]


def csv_bytes(
    rows: Iterable[Sequence[object]], *, header: Sequence[str] | None = None, bom: bool = True
) -> bytes:
    """Rows (and an optional header row) as UTF-8 CSV bytes, every cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    if header is not None:
        writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ((BOM if bom else "") + buf.getvalue()).encode("utf-8")


def records_csv(records: Sequence[Mapping[str, object]], *, bom: bool = True) -> bytes:
    """Dictionaries as CSV, the header from the first one's keys (empty input: no rows)."""
    if not records:
        return csv_bytes([], bom=bom)
    header = list(records[0])
    return csv_bytes(([r.get(k) for k in header] for r in records), header=header, bom=bom)


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append one row to an openpyxl sheet; text is always stored as text.

    openpyxl turns any string starting with ``=`` into a formula cell; here every
    string becomes a string cell, formula-like ones also get ``quotePrefix``. Characters
    XML cannot hold (control characters) become U+FFFD instead of failing the export.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cleaned = [ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in values]
    sheet.append(cleaned)
    if not cleaned:
        return
    (row,) = sheet.iter_rows(min_row=sheet.max_row, max_row=sheet.max_row, max_col=len(cleaned))
    for cell in row:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def workbook_bytes(book) -> bytes:
    """An openpyxl workbook as XLSX bytes."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
