"""The index as .docx and .xlsx."""

from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import load_workbook

from legal_track.pdf.bundle import IndexRow, write_index_docx, write_index_xlsx

ROWS = [
    IndexRow("证据1", "借款合同", "原告提供", "证明借款关系", 3, 5, 3, 1, "a" * 64),
    IndexRow("证据2-1", "转账记录", "银行", "证明放款", 6, 6, 1, 2, "b" * 64, group="g"),
]


def test_docx_index_is_a4_with_a_cjk_font(tmp_path):
    path = write_index_docx(ROWS, tmp_path / "idx.docx", subtitle="（2026）京0105民初1号")
    document = Document(str(path))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    normal = document.styles["Normal"]
    assert normal.font.name == "Noto Serif CJK SC"
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    table = document.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "证据名称", "来源", "证明目的", "页码", "页数", "卷"]
    assert cells[1] == ["证据1", "借款合同", "原告提供", "证明借款关系", "3-5", "3", "卷一"]
    assert cells[2][4:] == ["6", "1", "卷二"]
    assert document.paragraphs[0].text == "证据目录"
    assert list(tmp_path.iterdir()) == [path]


def test_xlsx_index_has_the_same_rows(tmp_path):
    path = write_index_xlsx(ROWS[:1], tmp_path / "sub" / "idx.xlsx")
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [
        ["序号", "证据名称", "来源", "证明目的", "页码", "页数"],
        ["证据1", "借款合同", "原告提供", "证明借款关系", "3-5", 3],
    ]
    assert sheet.title == "证据目录"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.name == "Noto Serif CJK SC" and sheet["A1"].font.bold
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) == 9
