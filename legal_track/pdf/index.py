"""Cover, 证据目录 (index), divider sheets and the manifest page, drawn with fpdf2.

All of them go into ONE fpdf2 document so that one embedded subset of the CJK font
serves every generated page and every stamp: the last page of that document
carries the glyphs the stamps need and is never copied into the bundle.

Tables are paginated by :meth:`FrontMatter.table_pages` before any page number is
known (page columns measured with placeholder digits), so the index length can be
fixed first and the page ranges filled in afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from legal_track.pdf.fonts import FontSpec
from legal_track.pdf.model import BundleOptions, IndexRow
from legal_track.pdf.plan import chinese_date, volume_name
from legal_track.pdf.typeset import PAGE_H, PAGE_W, Typesetter

MARGIN = 56.0
TOP = 56.0
BOTTOM = PAGE_H - 60.0
BODY = 10.0
PAD = 4.0
INDEX_TITLE = "证据目录"
SUPPLEMENT_TITLE = "补充证据目录"
MANIFEST_TITLE = "校验清单"


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    size: float = BODY
    center: bool = False


@dataclass(frozen=True)
class RowLink:
    """An index row drawn on a front-matter page, to become a link annotation."""

    page: int  # fpdf2 page index
    rect: tuple[float, float, float, float]  # PDF user space (x0, y0, x1, y1)
    row: int  # position of the row in the rows given to render_index


@dataclass(frozen=True)
class CoverInfo:
    volume: int
    volume_count: int
    first_page: int
    last_page: int
    total_pages: int
    first_label: str | None
    last_label: str | None


def index_columns(with_volume: bool) -> list[Column]:
    widths = (50, 100, 64, 140, 62, 33, 34) if with_volume else (50, 110, 72, 154, 62, 35)
    titles = ("序号", "证据名称", "来源", "证明目的", "页码", "页数", "卷")
    centered = (True, False, False, False, True, True, True)
    return [
        Column(title, float(w), BODY if i < 4 else 9.0, centered[i])
        for i, (title, w) in enumerate(zip(titles, widths, strict=False))
    ]


MANIFEST_COLUMNS = [  # a SHA-256 fits on one line (64 digits at 7.5 pt ≈ 267 pt)
    Column("序号", 46.0, 9.0, True),
    Column("证据名称", 92.0, 9.0),
    Column("SHA-256", 285.0, 7.5),
    Column("页码", 60.0, 9.0, True),
]


def placeholder_pages(digits: int) -> tuple[str, str]:
    """Widest 页码 / 页数 texts for page numbers of ``digits`` digits."""
    return "8" * digits + "-" + "8" * digits, "8" * digits


class FrontMatter:
    """Draws the generated pages of a bundle into one fpdf2 document."""

    def __init__(self, font: FontSpec, options: BundleOptions, *, builder: str) -> None:
        self.ts = Typesetter(font, on=options.on)
        self.options = options
        self.builder = builder

    # cells ---------------------------------------------------------------------

    def index_cells(
        self, rows: Sequence[IndexRow], *, with_volume: bool, digits: int | None = None
    ) -> list[list[str]]:
        cells = []
        for row in rows:
            pages, count = (
                placeholder_pages(digits) if digits else (row.pages_text, str(row.page_count))
            )
            line = [row.label, row.name, row.source, row.purpose_text, pages, count]
            if with_volume:
                line.append(volume_name(row.volume))
            cells.append([self.ts.clean(value) for value in line])
        return cells

    def manifest_cells(self, rows: Sequence[IndexRow], digits: int | None = None):
        return [
            [
                self.ts.clean(row.label),
                self.ts.clean(row.name),
                row.sha256,
                placeholder_pages(digits)[0] if digits else row.pages_text,
            ]
            for row in rows
        ]

    def manifest_notes(self, *, total: str, volume_count: int) -> list[str]:
        o = self.options
        limit = (
            f"{o.max_volume_bytes / 1_000_000:g} MB（共 {volume_count} 卷）"
            if o.max_volume_bytes
            else "不分卷"
        )
        notes = [
            f"生成工具：{self.builder}",
            f"标题：{o.title}",
            f"案号：{o.case_ref or '无'}",
            f"当事人：{'；'.join(o.parties) or '无'}",
            f"受理机构：{o.forum or '无'}",
            f"日期：{chinese_date(o.on)}",
            f"编号前缀：{o.prefix or '无'}",
            f"分隔页：{'有' if o.dividers else '无'}",
            f"分卷上限：{limit}",
            f"总页数：共 {total} 页",
            "说明：下表列出各证据原始文件的 SHA-256 校验值。本文件内嵌机器可读清单 "
            "legal-track-manifest.json，可用命令 legal-track bundle verify 校验本文件。",
        ]
        return [self.ts.clean(n) for n in notes]

    # measuring -----------------------------------------------------------------

    def table_pages(
        self, columns: list[Column], cells: list[list[str]], *, notes: list[str]
    ) -> list[list[tuple[int, float, float, list[list[str]]]]]:
        """Rows per page: ``(row, top, height, lines per cell)``; never draws."""
        pages: list[list] = [[]]
        top = self._first_top(notes)
        for i, row in enumerate(cells):
            lines = [
                self.ts.wrap(text, col.width - 2 * PAD, col.size)
                for text, col in zip(row, columns, strict=True)
            ]
            limit = int((BOTTOM - self._next_top() - 2 * PAD) // (BODY * 1.45))
            lines = [_truncate(cell, limit) for cell in lines]
            height = max(len(cell) for cell in lines) * BODY * 1.45 + 2 * PAD
            if top + height > BOTTOM and pages[-1]:
                pages.append([])
                top = self._next_top()
            pages[-1].append((i, top, height, lines))
            top += height
        return pages

    def _first_top(self, notes: list[str]) -> float:
        top = TOP + 18 * 2.0
        for note in notes:
            top += len(self.ts.wrap(note, PAGE_W - 2 * MARGIN, 10.5)) * 10.5 * 1.55
        return top + 8 + _header_height()

    def _next_top(self) -> float:
        return TOP + 14 * 2.0 + _header_height()

    # drawing -------------------------------------------------------------------

    def render_table(
        self, title: str, columns: list[Column], cells: list[list[str]], *, notes: list[str]
    ) -> tuple[list[int], list[RowLink]]:
        ts = self.ts
        layout = self.table_pages(columns, cells, notes=notes)
        pages, links = [], []
        for number, rows in enumerate(layout):
            page = ts.add_page()
            pages.append(page)
            if number == 0:
                ts.centered(TOP, ts.clean(title), 18)
                top = TOP + 18 * 2.0
                for note in notes:
                    for line in ts.wrap(note, PAGE_W - 2 * MARGIN, 10.5):
                        ts.text(MARGIN, top, line, 10.5)
                        top += 10.5 * 1.55
                top += 8
            else:
                ts.centered(TOP, ts.clean(f"{title}（续）"), 14)
                top = TOP + 14 * 2.0
            self._header(columns, top)
            for i, row_top, height, lines in rows:
                x = MARGIN
                for col, cell in zip(columns, lines, strict=True):
                    ts.rect(x, row_top, col.width, height)
                    for n, line in enumerate(cell):
                        line_top = row_top + PAD + n * BODY * 1.45 + (BODY - col.size) / 2
                        if col.center:
                            ts.centered(line_top, line, col.size, left=x, right=x + col.width)
                        else:
                            ts.text(x + PAD, line_top, line, col.size)
                    x += col.width
                rect = (MARGIN, PAGE_H - row_top - height, x, PAGE_H - row_top)
                links.append(RowLink(page=page, rect=rect, row=i))
        return pages, links

    def _header(self, columns: list[Column], top: float) -> None:
        x = MARGIN
        for col in columns:
            self.ts.rect(x, top, col.width, _header_height(), fill=230)
            self.ts.centered(top + PAD + 1, col.title, 10.5, left=x, right=x + col.width)
            x += col.width

    def render_cover(self, info: CoverInfo) -> int:
        ts, o = self.ts, self.options
        page = ts.add_page()
        top = 150.0
        for line in ts.wrap(ts.clean(o.title), PAGE_W - 2 * 80, 26)[:4]:
            ts.centered(top, line, 26)
            top += 26 * 1.5
        if info.volume_count > 1:
            top += 12
            ts.centered(top, f"{volume_name(info.volume)}（共 {info.volume_count} 卷）", 18)
        ts.line(MARGIN + 40, 300, PAGE_W - MARGIN - 40, 300)
        fields = []
        if o.case_ref:
            fields.append(("案号", o.case_ref))
        for n, party in enumerate(o.parties):
            fields.append(("当事人" if n == 0 else "", party))
        if o.forum:
            fields.append(("受理机构", o.forum))
        if info.volume_count > 1:
            fields.append(("本卷页码", f"第 {info.first_page} 页至第 {info.last_page} 页"))
        fields.append(("总页数", f"共 {info.total_pages} 页"))
        if info.first_label:
            span = info.first_label
            if info.last_label and info.last_label != info.first_label:
                span = f"{info.first_label} 至 {info.last_label}"
            fields.append(("证据", span))
        top, left, label_w = 330.0, 100.0, 80.0
        for label, value in fields:
            lines = ts.wrap(ts.clean(value), PAGE_W - left - label_w - 80, 14)
            if top + len(lines) * 26 > 680:
                break
            if label:
                ts.text(left, top, label + "：", 14)
            for line in lines:
                ts.text(left + label_w, top, line, 14)
                top += 26
        ts.centered(700, chinese_date(o.on), 16)
        return page

    def render_divider(self, row: IndexRow) -> int:
        ts = self.ts
        page = ts.add_page()
        ts.centered(240, ts.clean(row.label), 40)
        top = 320.0
        for line in ts.wrap(ts.clean(row.name), PAGE_W - 2 * 90, 18)[:3]:
            ts.centered(top, line, 18)
            top += 18 * 1.6
        top += 24
        fields = [("来源", row.source), ("证明目的", row.purpose)]
        fields.append(
            ("页码", f"第 {row.first_page} 页至第 {row.last_page} 页（共 {row.page_count} 页）")
        )
        for label, value in fields:
            if not value:
                continue
            ts.text(100, top, label + "：", 12)
            for line in ts.wrap(ts.clean(value), PAGE_W - 200 - 70, 12)[:10]:
                ts.text(170, top, line, 12)
                top += 12 * 1.7
            top += 6
        return page

    def render_glyphs(self, chars: str) -> int:
        """A throw-away page holding every glyph the stamps use."""
        page = self.ts.add_page()
        text = "".join(sorted(set(chars) - {"\n"}))
        for n, start in enumerate(range(0, len(text), 40)):
            self.ts.text(MARGIN, TOP + n * 20, text[start : start + 40], 10)
        return page


def _header_height() -> float:
    return 10.5 * 1.45 + 2 * PAD


def _truncate(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= max(limit, 1):
        return lines
    kept = lines[: max(limit, 1)]
    kept[-1] = kept[-1][:-1] + "…" if len(kept[-1]) > 1 else "…"
    return kept
