"""Checks on the spreadsheets the system writes: no cell may run as a formula."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from legal_track.sheets import formula_like

HOSTILE_NAME = '=HYPERLINK("http://x","y")'
HOSTILE_PURPOSE = "+cmd|' /C calc'!A0"


def assert_inert_xlsx(source: Path | bytes) -> list[list[object]]:
    """Every cell's values, after checking that none is a formula: not in openpyxl's view,
    not in the sheet XML, and formula-like text carries quotePrefix."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, f"a formula in {name}"
    values = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if formula_like(cell.value):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} lacks quotePrefix"
            values.append([c.value for c in row])
    return values
