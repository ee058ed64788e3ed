"""Real sample files built in memory for the evidence tests (no fixtures on disk)."""

from __future__ import annotations

import base64
import io
import re
import struct
import zipfile
import zlib
from datetime import UTC, datetime

from fpdf import FPDF
from PIL import Image


def pdf_bytes(pages: int = 1, text: str = "loan contract") -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=16)
        pdf.cell(text=f"{text} page {n + 1}")
    return bytes(pdf.output())


def encrypted_pdf(user_password: str, owner_password: str = "owner") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(2, "secret contract"))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    data = pdf_bytes(3)
    return data[: len(data) // 2]


def broken_xref_pdf() -> bytes:
    """A PDF whose startxref points to the wrong offset: damaged but repairable."""
    data = pdf_bytes(2, "repairable")
    return re.sub(
        rb"startxref\n(\d+)", lambda m: b"startxref\n" + str(int(m.group(1)) - 7).encode(), data
    )


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4


def csv_bytes(encoding: str = "utf-8") -> bytes:
    text = "流水号,日期,金额\nLS001,2025-01-10,1000.00\nLS002,2025-02-10,1000.00\n"
    return text.encode(encoding)


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "还款记录"
    ws.append(["流水号", "日期", "金额"])
    ws.append(["LS001", "2025-01-10", "1000.00"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def eml_bytes() -> bytes:
    return (
        "From: legal@lender.example\r\nTo: borrower@example.com\r\nSubject: =?utf-8?b?"
        + base64.b64encode("还款通知".encode()).decode()
        + "?=\r\nDate: Mon, 01 Jun 2026 10:00:00 +0800\r\nMessage-ID: <1@lender.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n您的借款已逾期，请尽快还款。\r\n"
    ).encode("utf-8")


def docx_bytes(text: str = "借款合同补充协议") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", "hello")
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("big.bin", b"\x00" * (20 * 1024 * 1024))
    return out.getvalue()
