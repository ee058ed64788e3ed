"""An fpdf2 document set in the CJK font, with measuring and line breaking.

Line breaking is done here, not by fpdf2's ``multi_cell``, so that measuring a
table (to know how many pages the index takes before the page numbers exist) and
drawing it use exactly the same breaks. Chinese text breaks between any two
characters; Latin words and numbers stay whole unless they are wider than the
line; closing punctuation never starts a line.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from legal_track.pdf.fonts import FontSpec

FAMILY = "cjk"
PAGE_W, PAGE_H = 595.28, 841.89  # fpdf2's A4 in points
REPLACEMENT = "□"
_TOKEN = re.compile(r"[A-Za-z0-9\u00C0-\u024F'’._@:/\\%+#&=()\[\]-]+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’,.;:?!)]%")


class Typesetter:
    """One fpdf2 document (points, A4, no automatic page breaks) with the CJK font."""

    def __init__(self, font: FontSpec, *, on: date) -> None:
        from fpdf import FPDF

        _forget_import_frames()
        pdf = FPDF(unit="pt", format="A4")
        pdf.set_creation_date(datetime(on.year, on.month, on.day, tzinfo=UTC))
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.add_font(FAMILY, fname=str(font.path), collection_font_number=font.collection_index)
        pdf.set_font(FAMILY, size=10)
        ttfont = getattr(pdf.current_font, "ttfont", None)
        if ttfont is not None:
            # Keep the font's own bounding boxes in the subset instead of recomputing
            # them by drawing every glyph: halves fpdf2's output time for CJK fonts.
            ttfont.recalcBBoxes = False
        self.pdf = pdf
        self.family = font.family
        self._cmap = pdf.current_font.cmap
        self._widths: dict[str, float] = {}
        self.replaced: set[str] = set()

    def clean(self, text: str) -> str:
        """Text the font can draw: control characters become spaces, characters the
        font lacks become □ (and are remembered in ``replaced`` for a warning)."""
        out = []
        for ch in text:
            if ch in "\r\t\v\f":
                out.append(" ")
            elif ch == "\n" or ord(ch) in self._cmap:
                out.append(ch)
            elif ch.isspace():
                out.append(" ")
            else:
                self.replaced.add(ch)
                out.append(REPLACEMENT)
        return "".join(out)

    def char_width(self, ch: str) -> float:
        """Advance width of one character at font size 1 (points)."""
        width = self._widths.get(ch)
        if width is None:
            size = self.pdf.font_size_pt
            width = self.pdf.get_string_width(ch) / size
            self._widths[ch] = width
        return width

    def width(self, text: str, size: float) -> float:
        return sum(self.char_width(ch) for ch in text) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break cleaned ``text`` into lines no wider than ``width`` at ``size``."""
        limit = width / size
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for token in _TOKEN.findall(paragraph):
                if token.isspace():
                    if line:
                        line, used = line + " ", used + self.char_width(" ")
                    continue
                token_w = self.width(token, 1.0)
                if used + token_w <= limit or (token in _NO_LINE_START and line):
                    line, used = line + token, used + token_w  # closing punctuation stays
                    continue
                if line.strip():
                    lines.append(line.rstrip())
                line, used = "", 0.0
                while len(token) > 1 and token_w > limit:
                    cut, cut_w = 1, self.char_width(token[0])
                    while cut < len(token) and cut_w + self.char_width(token[cut]) <= limit:
                        cut_w += self.char_width(token[cut])
                        cut += 1
                    lines.append(token[:cut])
                    token = token[cut:]
                    token_w = self.width(token, 1.0)
                line, used = token, token_w
            lines.append(line.rstrip())
        return lines or [""]

    # drawing -----------------------------------------------------------------

    def add_page(self) -> int:
        """Start a new page; returns its 0-based index."""
        self.pdf.add_page()
        return self.pdf.page - 1

    def text(self, x: float, top: float, value: str, size: float) -> None:
        """Draw one line whose box starts ``top`` points below the page top."""
        self.pdf.set_font(FAMILY, size=size)
        self.pdf.text(x, top + size * 0.88, value)

    def centered(self, top: float, value: str, size: float, *, left=0.0, right=PAGE_W) -> None:
        self.text(left + (right - left - self.width(value, size)) / 2, top, value, size)

    def rect(self, x: float, top: float, w: float, h: float, *, fill: int | None = None) -> None:
        self.pdf.set_line_width(0.6)
        self.pdf.set_draw_color(60)
        if fill is None:
            self.pdf.rect(x, top, w, h, style="D")
        else:
            self.pdf.set_fill_color(fill)
            self.pdf.rect(x, top, w, h, style="DF")

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.pdf.set_line_width(0.8)
        self.pdf.set_draw_color(60)
        self.pdf.line(x1, y1, x2, y2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _forget_import_frames() -> None:
    """Let go of the frames pinned by fpdf2's first import.

    fpdf2 keeps the ImportError of its optional ``cryptography`` import
    (``fpdf.encryption.import_error``). Its traceback pins every frame that was running
    when fpdf2 was first imported, with their local variables: when that was inside a
    bundle build, the whole first bundle (readers, font, pages: 100+ MB) stayed in
    memory for the life of the process. The error itself is kept; only its traceback
    is dropped.
    """
    import fpdf.encryption

    error = getattr(fpdf.encryption, "import_error", None)
    if isinstance(error, BaseException):
        error.__traceback__ = None
