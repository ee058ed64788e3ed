"""Exhibit files for the bundle tests, generated on the fly (PDF, JPEG, PNG, TIFF)."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

A4 = (595.28, 841.89)
FIXED = datetime(2026, 1, 1, tzinfo=UTC)
LONG_PURPOSE = (
    "证明借款人已收到全部借款本金，且双方约定的还款方式、利率和逾期责任均有书面依据，"
    "借款人逾期后原告多次催收未果。"
)


def text_pdf(path: Path, texts: list[str], *, size=A4, sizes=None, rotate: int = 0) -> Path:
    """One page per text (Helvetica, not embedded); ``sizes`` gives each page's size."""
    pdf = FPDF(unit="pt", format=size)
    pdf.set_creation_date(FIXED)
    pdf.set_font("Helvetica", size=14)
    for n, text in enumerate(texts):
        pdf.add_page(format=sizes[n] if sizes else size)
        pdf.text(30, 60, text)
    pdf.output(str(path))
    if rotate:
        writer = PdfWriter(clone_from=PdfReader(path))
        for page in writer.pages:
            page.rotate(rotate)
        writer.write(path)
    return path


def shapes_pdf(path: Path, pages: int, *, size=A4) -> Path:
    """Pages with drawings only: no fonts at all."""
    pdf = FPDF(unit="pt", format=size)
    pdf.set_creation_date(FIXED)
    for n in range(pages):
        pdf.add_page()
        pdf.rect(40, 40, 200 + n, 120)
        pdf.line(40, 200, 400, 300 + n)
    pdf.output(str(path))
    return path


def cjk_pdf(path: Path, font, texts: list[str]) -> Path:
    """Pages of Chinese text in the (embedded) CJK font."""
    pdf = FPDF(unit="pt", format=A4)
    pdf.set_creation_date(FIXED)
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.collection_index)
    pdf.set_font("cjk", size=14)
    for text in texts:
        pdf.add_page()
        pdf.text(40, 80, text)
    pdf.output(str(path))
    return path


def image(path: Path, size: tuple[int, int], *, fmt: str, mode: str = "RGB", exif_orientation=None):
    picture = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.rectangle([10, 10, size[0] - 10, size[1] - 10], outline="black", width=6)
    draw.text((30, 30), path.stem, fill="black")
    kwargs = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    picture.save(path, format=fmt, **kwargs)
    return path


def tiff(path: Path, frames: int, size=(850, 1100)) -> Path:
    pages = [Image.new("1", size, 1) for _ in range(frames)]
    for n, page in enumerate(pages):
        ImageDraw.Draw(page).text((40, 40), f"TIFF {n + 1}", fill=0)
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4")
    return path


def png_bomb(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A tiny PNG whose header claims 1.6 billion pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def encrypted_pdf(path: Path, source: Path, password: str = "secret") -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    writer.write(path)
    return path
