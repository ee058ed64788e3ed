"""The 证据目录 as an editable Word (.docx) and Excel (.xlsx) file.

Courts often want the index also as a separate document to file or edit. Both
files carry the same rows as the PDF index; both are written atomically. The sheet's
cells go through :mod:`legal_track.sheets`: an exhibit named ``=HYPERLINK(…)`` is
text, never a formula.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from legal_track.pdf.model import IndexRow
from legal_track.pdf.plan import volume_name
from legal_track.sheets import append_row

DEFAULT_FONT = "Noto Serif CJK SC"
HEADERS = ("序号", "证据名称", "来源", "证明目的", "页码", "页数")


def _cells(rows: Sequence[IndexRow]) -> tuple[list[str], list[list[str]]]:
    with_volume = len({row.volume for row in rows}) > 1
    headers = list(HEADERS) + (["卷"] if with_volume else [])
    body = []
    for row in rows:
        line = [
            row.label,
            row.name,
            row.source,
            row.purpose_text,
            row.pages_text,
            str(row.page_count),
        ]
        if with_volume:
            line.append(volume_name(row.volume))
        body.append(line)
    return headers, body


def write_index_docx(
    rows: Sequence[IndexRow],
    path: Path,
    *,
    title: str = "证据目录",
    subtitle: str = "",
    font_name: str = DEFAULT_FONT,
) -> Path:
    """Write the index as an A4 Word table set in ``font_name`` (also for East Asian text)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    headers, body = _cells(rows)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    for style_name in ("Normal", "Title", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = font_name
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), font_name)
    document.styles["Normal"].font.size = Pt(10.5)
    heading = document.add_paragraph(title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.runs[0].font.size = Pt(18)
    heading.runs[0].bold = True
    if subtitle:
        document.add_paragraph(subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    widths = [Cm(w) for w in (1.8, 3.8, 2.4, 5.0, 2.0, 1.2, 1.2)][: len(headers)]
    for line in body:
        cells = table.add_row().cells
        for cell, text in zip(cells, line, strict=True):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    return _atomic(path, document.save)


def write_index_xlsx(
    rows: Sequence[IndexRow],
    path: Path,
    *,
    title: str = "证据目录",
    font_name: str = DEFAULT_FONT,
) -> Path:
    """Write the index as an Excel sheet (A4 print setup, header row frozen)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    headers, body = _cells(rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    append_row(sheet, headers)
    for line in body:  # names and purposes are people's text: never live formulas
        append_row(
            sheet, [int(text) if n == 5 and text.isdigit() else text for n, text in enumerate(line)]
        )
    for row in sheet.iter_rows():
        for cell in row:
            cell.font = Font(name=font_name, bold=cell.row == 1, size=10.5)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = border
    for letter, width in zip("ABCDEFG", (10, 28, 16, 40, 12, 8, 8), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    return _atomic(path, workbook.save)


def _atomic(path: Path, save) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        save(str(temp))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
