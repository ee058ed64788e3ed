"""The index as .docx and .xlsx."""

from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import load_workbook

from legal_track.pdf.bundle import IndexRow, write_index_docx, write_index_xlsx
from tests.spreadsheets import HOSTILE_NAME, HOSTILE_PURPOSE, assert_inert_xlsx

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


def test_exhibit_texts_that_look_like_formulas_stay_text(tmp_path):
    rows = [
        IndexRow("证据1", HOSTILE_NAME, "@SUM(A1)", HOSTILE_PURPOSE, 3, 3, 1, 1, "a" * 64),
        IndexRow("证据2", "-1+1", "\t=1", "普通目的", 4, 4, 1, 1, "b" * 64),
    ]
    values = assert_inert_xlsx(write_index_xlsx(rows, tmp_path / "idx.xlsx"))
    assert values[1][1:4] == [HOSTILE_NAME, "@SUM(A1)", HOSTILE_PURPOSE]
    assert values[2][1:3] == ["-1+1", "\t=1"]


def test_the_font_note_goes_into_both_index_files(tmp_path):
    row = IndexRow("证据1", "借款合同", "", "证明借款", 3, 3, 1, 1, "a" * 64,
                   fonts_missing=("Helvetica", "Symbol"), fonts_substituted=("Helvetica",))  # fmt: skip
    note = "注：原件未嵌入字体 Helvetica、Symbol；已为 Helvetica 嵌入度量相同的替代字体；Symbol 的显示效果取决于阅读软件"
    assert row.font_note == note and row.purpose_text == f"证明借款\n{note}"
    sheet = load_workbook(write_index_xlsx([row], tmp_path / "idx.xlsx")).active
    assert sheet["D2"].value == f"证明借款\n{note}"
    table = Document(str(write_index_docx([row], tmp_path / "idx.docx"))).tables[0]
    assert table.rows[1].cells[3].text == f"证明借款\n{note}"
