"""The report's tables as CSV (UTF-8 with BOM, for Excel) and as one XLSX workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula is written inert (OWASP CSV
    injection: prefix a quote); numbers stay numbers."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_csv(rows: Sequence[Mapping[str, object]]) -> bytes:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def workbook(tables: Mapping[str, Sequence[Mapping[str, object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name[:31])
        if not rows:
            continue
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([_cell(v) if not isinstance(v, dict) else str(v) for v in row.values()])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
