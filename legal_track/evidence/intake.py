"""Evidence intake checks: what a file is (from its bytes) and whether it may be stored.

A pipeline of small steps: size -> sniff -> type check (PDF opens or is repaired,
image decodes and is not a decompression bomb, spreadsheet / e-mail / DOCX parse)
-> optional rendition (repaired or decrypted PDF, DOCX converted by LibreOffice).
Every refusal is an :class:`EvidenceRefused` naming the file and the reason; nothing
is stored for a refused file. The original bytes are always what the register keeps;
a rendition is an extra PDF used only for bundling.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path

from PIL import Image

from legal_track.evidence.sniff import (
    EvidenceRefused,
    RefusalReason,
    csv_dialect,
    decode_text,
    sniff,
)
from legal_track.models.evidence import EvidenceKind

CONVERT_TIMEOUT_S = 180
REPAIR_TIMEOUT_S = 120
_PIL_FORMATS = {EvidenceKind.png: "PNG", EvidenceKind.jpeg: "JPEG", EvidenceKind.tiff: "TIFF"}


@dataclass(frozen=True, slots=True)
class IntakeTools:
    """External programs used at intake; None when not installed."""

    qpdf: str | None = None
    soffice: str | None = None

    @classmethod
    def discover(cls) -> IntakeTools:
        return cls(
            qpdf=shutil.which("qpdf"),
            soffice=shutil.which("soffice") or shutil.which("libreoffice"),
        )


@dataclass(frozen=True, slots=True)
class Inspection:
    kind: EvidenceKind
    page_count: int | None = None
    meta: dict = field(default_factory=dict)
    rendition: bytes | None = None  # a PDF for bundling when the original cannot be used as is
    rendition_note: str = ""
    repaired: bool = False
    bundleable: bool = True
    not_bundleable_reason: str = ""


def check_size(size: int, *, name: str, max_bytes: int) -> None:
    if size == 0:
        raise EvidenceRefused(RefusalReason.empty, f"{name}: the file is empty (0 bytes)")
    if size > max_bytes:
        raise EvidenceRefused(
            RefusalReason.too_large,
            f"{name}: {size:,} bytes is over the limit of {max_bytes:,} bytes "
            "(setting LEGAL_TRACK_EVIDENCE_MAX_BYTES)",
        )


def inspect(data: bytes, *, name: str, max_bytes: int, tools: IntakeTools) -> Inspection:
    """Check a candidate file; raise EvidenceRefused or say what it is."""
    check_size(len(data), name=name, max_bytes=max_bytes)
    kind = sniff(data, name=name)
    if kind is EvidenceKind.pdf:
        return _inspect_pdf(data, name=name, tools=tools)
    if kind in _PIL_FORMATS:
        return _inspect_image(data, kind, name=name)
    if kind is EvidenceKind.csv:
        return _inspect_csv(data)
    if kind is EvidenceKind.xlsx:
        return _inspect_xlsx(data, name=name)
    if kind is EvidenceKind.eml:
        return _inspect_eml(data)
    return _inspect_docx(data, name=name, tools=tools)


# --- PDF ----------------------------------------------------------------------------


def pdf_page_count(data: bytes, *, password: str | None = None, strict: bool = True) -> int:
    """Pages of a readable PDF, reading every page's content; raises on any damage.

    `strict` refuses any deviation from the PDF syntax (first look at an upload);
    a repaired copy is checked with strict=False, as viewers and the bundle read it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=strict)
    if reader.is_encrypted and (password is None or not reader.decrypt(password)):
        raise EvidenceRefused(RefusalReason.encrypted, "the PDF is encrypted")
    pages = reader.pages
    if len(pages) == 0:
        raise ValueError("the PDF has no pages")
    for page in pages:
        _ = page.mediabox
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    return len(pages)


def _inspect_pdf(data: bytes, *, name: str, tools: IntakeTools) -> Inspection:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    try:
        encrypted = PdfReader(io.BytesIO(data), strict=True).is_encrypted
    except DependencyError:  # AES encryption and no crypto library: still encrypted
        encrypted = True
    except Exception:  # noqa: BLE001 - any parser failure means "try to repair"
        encrypted = False
    if encrypted:
        return _open_encrypted(data, name=name, tools=tools)
    try:
        pages = pdf_page_count(data)
    except Exception:  # noqa: BLE001
        return _repair(data, name=name, tools=tools)
    return Inspection(EvidenceKind.pdf, page_count=pages)


def _open_encrypted(data: bytes, *, name: str, tools: IntakeTools) -> Inspection:
    from pypdf import PdfReader

    try:
        opens = bool(PdfReader(io.BytesIO(data), strict=True).decrypt(""))
    except Exception:  # noqa: BLE001 - e.g. AES without a crypto library
        opens = tools.qpdf is not None and _qpdf(tools.qpdf, data, ["--password=", "--decrypt"])[0]
    if not opens:
        raise EvidenceRefused(
            RefusalReason.encrypted,
            f"{name}: the PDF is encrypted and does not open without a password; "
            "remove the protection and upload it again",
        )
    rendition = None
    if tools.qpdf:
        ok, out = _qpdf(tools.qpdf, data, ["--password=", "--decrypt"])
        rendition = out if ok else None
    if rendition is None:
        rendition = _pypdf_rewrite(data, password="")
    if rendition is None:
        raise EvidenceRefused(
            RefusalReason.encrypted,
            f"{name}: the PDF opens with an empty password but cannot be decrypted here "
            "(install qpdf)",
        )
    pages = _validated(rendition, name=name)
    return Inspection(
        EvidenceKind.pdf,
        page_count=pages,
        rendition=rendition,
        rendition_note="decrypted (opened with an empty password)",
        meta={"encrypted": True},
    )


def _repair(data: bytes, *, name: str, tools: IntakeTools) -> Inspection:
    attempts: list[tuple[str, bytes | None]] = []
    if tools.qpdf:
        ok, out = _qpdf(tools.qpdf, data, [])
        attempts.append(("repaired by qpdf", out if ok else None))
    attempts.append(("repaired by pypdf", _pypdf_rewrite(data, password=None)))
    for note, candidate in attempts:
        if candidate is None:
            continue
        try:
            pages = pdf_page_count(candidate, strict=False)
        except Exception:  # noqa: BLE001
            continue
        return Inspection(
            EvidenceKind.pdf, page_count=pages, rendition=candidate, rendition_note=note,
            repaired=True,
        )  # fmt: skip
    raise EvidenceRefused(
        RefusalReason.damaged,
        f"{name}: the PDF is damaged and a repair pass could not fix it "
        "(truncated or corrupt); ask the source for a new copy",
    )


def _validated(data: bytes, *, name: str) -> int:
    try:
        return pdf_page_count(data, strict=False)
    except Exception as exc:  # noqa: BLE001
        raise EvidenceRefused(RefusalReason.damaged, f"{name}: the PDF is damaged ({exc})") from exc


def _qpdf(qpdf: str, data: bytes, args: list[str]) -> tuple[bool, bytes]:
    """Run qpdf on `data`; exit 0 or 3 (warnings) with an output file counts as success."""
    with tempfile.TemporaryDirectory(prefix="lt-qpdf-") as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(data)
        cmd = [qpdf, "--deterministic-id", *args, str(src), str(dst)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=REPAIR_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False, b""
        if proc.returncode in (0, 3) and dst.is_file():
            return True, dst.read_bytes()
        return False, b""


def _pypdf_rewrite(data: bytes, *, password: str | None) -> bytes | None:
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and (password is None or not reader.decrypt(password)):
            return None
        writer = PdfWriter(clone_from=reader)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # noqa: BLE001
        return None


# --- images -------------------------------------------------------------------------


def _inspect_image(data: bytes, kind: EvidenceKind, *, name: str) -> Inspection:
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt, size, mode, frames = im.format, im.size, im.mode, getattr(im, "n_frames", 1)
            if limit and size[0] * size[1] > limit:
                raise Image.DecompressionBombError(f"{size[0]} x {size[1]} pixels")
            for frame in range(frames):
                im.seek(frame)
                if limit and im.size[0] * im.size[1] > limit:
                    raise Image.DecompressionBombError(f"{im.size[0]} x {im.size[1]} pixels")
                im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EvidenceRefused(
            RefusalReason.bomb,
            f"{name}: the image is too large to decode safely ({exc}); "
            f"the limit is {limit:,} pixels",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise EvidenceRefused(
            RefusalReason.damaged, f"{name}: the image cannot be decoded ({exc})"
        ) from exc
    if fmt != _PIL_FORMATS[kind]:
        raise EvidenceRefused(RefusalReason.damaged, f"{name}: the image is not a valid {kind}")
    meta = {"width": size[0], "height": size[1], "mode": mode, "frames": frames}
    return Inspection(kind, page_count=frames, meta=meta)


# --- data files -----------------------------------------------------------------------


def _inspect_csv(data: bytes) -> Inspection:
    text, encoding = decode_text(data)
    delimiter = csv_dialect(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    meta = {
        "encoding": encoding,
        "delimiter": delimiter,
        "rows": len(rows),
        "columns": max((len(r) for r in rows), default=0),
    }
    return Inspection(EvidenceKind.csv, meta=meta)


def _inspect_xlsx(data: bytes, *, name: str) -> Inspection:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on bad input
        raise EvidenceRefused(
            RefusalReason.damaged, f"{name}: the spreadsheet cannot be opened ({exc})"
        ) from exc
    try:
        sheets = [{"name": ws.title, "rows": ws.max_row or 0} for ws in wb.worksheets]
    finally:
        wb.close()
    return Inspection(EvidenceKind.xlsx, meta={"sheets": sheets})


def _inspect_eml(data: bytes) -> Inspection:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    meta = {key: str(msg.get(key, "")) for key in ("from", "to", "date", "subject", "message-id")}
    meta["attachments"] = [part.get_filename() or "" for part in msg.iter_attachments()]
    return Inspection(EvidenceKind.eml, meta=meta)


# --- DOCX ---------------------------------------------------------------------------


def _inspect_docx(data: bytes, *, name: str, tools: IntakeTools) -> Inspection:
    import docx

    try:
        docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise EvidenceRefused(
            RefusalReason.damaged, f"{name}: the Word document cannot be opened ({exc})"
        ) from exc
    if tools.soffice is None:
        return Inspection(
            EvidenceKind.docx,
            bundleable=False,
            not_bundleable_reason="LibreOffice is not installed, so the Word file cannot be "
            "converted to PDF; it is kept as an attachment. Upload a PDF of it for the bundle.",
        )
    pdf = convert_docx_to_pdf(data, soffice=tools.soffice)
    if pdf is None:
        return Inspection(
            EvidenceKind.docx,
            bundleable=False,
            not_bundleable_reason="LibreOffice could not convert the Word file to PDF; it is "
            "kept as an attachment. Upload a PDF of it for the bundle.",
        )
    pages = _validated(pdf, name=name)
    return Inspection(
        EvidenceKind.docx,
        page_count=pages,
        rendition=pdf,
        rendition_note="converted by LibreOffice",
    )


def convert_docx_to_pdf(data: bytes, *, soffice: str) -> bytes | None:
    """DOCX -> PDF with a private LibreOffice profile (parallel conversions sharing a
    profile fail silently); None when the conversion fails."""
    with tempfile.TemporaryDirectory(prefix="lt-soffice-") as tmp:
        root = Path(tmp)
        src, outdir = root / "input.docx", root / "out"
        src.write_bytes(data)
        cmd = [
            soffice,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        out = outdir / "input.pdf"
        return out.read_bytes() if out.is_file() and out.stat().st_size else None


__all__ = [
    "EvidenceRefused",
    "Inspection",
    "IntakeTools",
    "RefusalReason",
    "check_size",
    "convert_docx_to_pdf",
    "inspect",
    "pdf_page_count",
]
