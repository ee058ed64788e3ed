"""Exhibits rendered from data: A4 tables with Chinese text (fpdf2, embedded CJK subset).

Used for the loan's transaction record, the contact log, the list of limitation-
interrupting events, and printouts of CSV / XLSX / e-mail evidence. Every row keeps its
source id (first column); every page footer prints the SHA-256 of the data the exhibit
came from (for data exhibits: the canonical JSON of its rows; for printouts: the
original file), the page number and the renderer version. The same data and date give
byte-identical PDFs (fixed creation date, content-derived document ID).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Protocol

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from legal_track.files import write_atomic
from legal_track.pdf.model import ExhibitData

RENDERER_VERSION = "exhibits-1"
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # creation date when no date is printed
_MAX_PRINTOUT_COLUMNS = 30


class FontLike(Protocol):
    path: Path
    collection_index: int
    family: str


class ExhibitRenderError(ValueError):
    """An exhibit that cannot be rendered (names the exhibit and the cause)."""


class _ExhibitPDF(FPDF):
    def __init__(self, *, family: str, fingerprint: str, label: str, landscape: bool) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self._family = family
        self._fingerprint = fingerprint
        self._label = label

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self._family, size=7)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"{self._label} SHA-256：{self._fingerprint}", align="L")
        self.ln(4)
        self.cell(
            0,
            4,
            f"第 {self.page_no()} 页 / 共 {{nb}} 页　　生成程序：legal-track {RENDERER_VERSION}",
        )
        self.set_text_color(0, 0, 0)


def render_exhibit(
    data: ExhibitData,
    *,
    font: FontLike,
    made_on: date | None = None,
    fingerprint: str | None = None,
    fingerprint_label: str = "数据",
    landscape: bool | None = None,
    out: Path | None = None,
) -> bytes:
    """Render `data` as an A4 table PDF; write it atomically to `out` when given.

    `fingerprint` defaults to ``data.data_sha256``; printouts of files pass the file's hash
    and ``fingerprint_label="原始文件"``."""
    wide = len(data.columns) >= 8 if landscape is None else landscape
    pdf = _ExhibitPDF(
        family=font.family,
        fingerprint=fingerprint or data.data_sha256,
        label=fingerprint_label,
        landscape=wide,
    )
    try:
        pdf.add_font(
            font.family, fname=str(font.path), collection_font_number=font.collection_index
        )
    except Exception as exc:  # noqa: BLE001 - fpdf2 raises several types for bad fonts
        raise ExhibitRenderError(
            f"exhibit {data.title!r}: font {font.path} unusable ({exc})"
        ) from exc
    pdf.set_creation_date(
        datetime.combine(made_on, time(0, 0), tzinfo=UTC) if made_on else _FIXED_DATE
    )
    pdf.set_title(data.title)
    pdf.set_creator("legal-track")
    pdf.set_producer(f"legal-track {RENDERER_VERSION}")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font(font.family, size=14)
    pdf.multi_cell(0, 7, data.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font.family, size=9)
    if data.subtitle:
        pdf.multi_cell(0, 5, data.subtitle, new_x="LMARGIN", new_y="NEXT")
    if made_on:
        pdf.cell(0, 5, f"制作日期：{made_on.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, data, size=8 if len(data.columns) > 6 else 9)
    pdf.set_font(font.family, size=9)
    if not data.rows:
        pdf.cell(0, 6, "（无记录）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for note in data.notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        "说明：本表由系统根据所存电子数据直接生成，每行首列为数据来源编号；"
        "页脚所示 SHA-256 为生成本表所用数据的哈希值，可用于核对。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    result = bytes(pdf.output())
    if out is not None:
        write_atomic(out, result)
    return result


def _table(pdf: FPDF, data: ExhibitData, *, size: int) -> None:
    if not data.columns:
        return
    pdf.set_font(size=size)
    widths = data.widths if len(data.widths) == len(data.columns) else None
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        line_height=size * 0.5,
        headings_style=FontFace(fill_color=(225, 225, 225)),
        repeat_headings=1,
        padding=1,
    ) as table:
        head = table.row()
        for name in data.columns:
            head.cell(name)
        for values in data.rows:
            row = table.row()
            for i in range(len(data.columns)):
                row.cell(values[i] if i < len(values) else "")


# --- printouts of stored data files --------------------------------------------------


def table_file_data(rows: Sequence[Sequence[Any]], *, title: str, subtitle: str) -> ExhibitData:
    """A CSV / XLSX sheet as an exhibit table; first row is the header, source id 'row N'."""
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    if not rows:
        return ExhibitData("table", title, subtitle, ("行号",), ())
    width = min(max(len(r) for r in rows), _MAX_PRINTOUT_COLUMNS)
    header = tuple(["行号", *(rows[0] + [""] * width)[:width]])
    body = tuple(
        tuple([f"row {n}", *(r + [""] * width)[:width]]) for n, r in enumerate(rows[1:], start=2)
    )
    notes = ()
    if max(len(r) for r in rows) > width:
        notes = (f"仅列出前 {width} 列，完整内容见原始文件。",)
    return ExhibitData("table", title, subtitle, header, body, notes)


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def xlsx_sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [
            (ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets
        ]
    finally:
        wb.close()


def email_data(data: bytes, *, title: str) -> ExhibitData:
    """An e-mail as an exhibit: its headers, attachment names and plain-text body."""
    msg = BytesParser(policy=policy.default).parsebytes(data)
    rows = [
        (f"header:{key}", key, str(msg.get(key, "")))
        for key in ("From", "To", "Cc", "Date", "Subject", "Message-ID")
        if msg.get(key) is not None
    ]
    for n, part in enumerate(msg.iter_attachments(), start=1):
        rows.append((f"attachment:{n}", "附件", part.get_filename() or "(无文件名)"))
    body = msg.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    for n, line in enumerate(text.splitlines(), start=1):
        rows.append((f"body:{n}", "正文" if n == 1 else "", line))
    return ExhibitData(
        "email", title, "电子邮件打印件", ("来源编号", "项目", "内容"), tuple(rows),
        widths=(1.2, 1.0, 6.0),
    )  # fmt: skip
