"""The report's tables as CSV (UTF-8 with BOM, for Excel) and as one XLSX workbook.

Cells go through :mod:`legal_track.sheets`: text a spreadsheet would run as a formula
is written inert (OWASP CSV injection); numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from legal_track.sheets import append_row, records_csv, workbook_bytes


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return str(value)
    return value


def table_csv(rows: Sequence[Mapping[str, object]]) -> bytes:
    return records_csv([{k: _cell(v) for k, v in row.items()} for row in rows])


def workbook(tables: Mapping[str, Sequence[Mapping[str, object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name[:31])
        if not rows:
            continue
        append_row(sheet, list(rows[0]))
        for row in rows:
            append_row(sheet, [_cell(v) for v in row.values()])
    return workbook_bytes(book)
