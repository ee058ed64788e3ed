"""Open an exhibit file as PDF pages: PDFs as they are, images fitted to A4.

Every exhibit becomes a :class:`pypdf.PdfReader` whose pages go into the bundle.
The type is sniffed from the content, never from the extension. Images (JPEG, PNG,
TIFF including multi-page scans) are placed on A4 pages by img2pdf, portrait or
landscape by their aspect ratio, with the EXIF orientation applied; JPEG and CCITT
data pass through without re-encoding. Pages with a ``/Rotate`` are straightened
by :func:`straighten` once they are in the bundle's writer.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from legal_track.pdf.model import ExhibitError, ExhibitInput

A4 = (595.2756, 841.8898)  # points
IMAGE_MARGIN = 42.0  # keeps the stamps clear of the picture
SUPPORTED = "PDF, JPEG, PNG, TIFF"
_PDF_ERRORS = (
    PdfReadError,
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
    OSError,
)
_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


@dataclass
class Exhibit:
    """An exhibit opened for the bundle."""

    position: int
    input: ExhibitInput
    label: str
    sha256: str
    size: int
    kind: str
    reader: PdfReader
    page_count: int
    est_bytes: int
    warnings: list[str] = field(default_factory=list)
    missing_fonts: list[str] = field(default_factory=list)  # used without being embedded

    @property
    def where(self) -> str:
        return describe(self.label, self.input.path)


def describe(label: str, path: Path) -> str:
    return f"{label} ({path})"


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes: pdf, jpeg, png, tiff or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    return None


def open_exhibit(item: ExhibitInput, *, position: int, label: str) -> Exhibit:
    """Read, hash and open one exhibit; :class:`ExhibitError` says what is wrong."""
    where = describe(label, item.path)
    path = Path(item.path)
    if not path.is_file():
        raise ExhibitError(f"{where}: file not found")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExhibitError(f"{where}: cannot read the file ({exc.strerror or exc})") from None
    if not data:
        raise ExhibitError(f"{where}: the file is empty")
    digest = hashlib.sha256(data).hexdigest()
    if item.sha256 and item.sha256.lower() != digest:
        raise ExhibitError(
            f"{where}: the file has changed since it was registered "
            f"(register SHA-256 {item.sha256[:12]}…, file {digest[:12]}…)"
        )
    kind = sniff(data[:1024])
    if kind is None:
        raise ExhibitError(f"{where}: unsupported file type; a bundle takes {SUPPORTED}")
    pdf_bytes = data if kind == "pdf" else image_to_pdf(data, where=where)
    reader = _read_pdf(pdf_bytes, where=where)
    exhibit = Exhibit(
        position=position,
        input=item,
        label=label,
        sha256=digest,
        size=len(data),
        kind=kind,
        reader=reader,
        page_count=len(reader.pages),
        est_bytes=len(pdf_bytes),
    )
    if kind == "pdf":
        exhibit.missing_fonts = unembedded_fonts(reader)  # the bundle warns and notes them
    return exhibit


def _read_pdf(data: bytes, *, where: str) -> PdfReader:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise ExhibitError(
                    f"{where}: the PDF is AES-encrypted; opening it needs the Python "
                    "package 'cryptography' (or remove the encryption)"
                ) from None
            if not opened:
                raise ExhibitError(f"{where}: the PDF is encrypted and needs a password")
        count = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (reads every page object: damage shows here)
    except ExhibitError:
        raise
    except _PDF_ERRORS as exc:
        raise ExhibitError(f"{where}: damaged PDF that cannot be read ({exc})") from None
    if count == 0:
        raise ExhibitError(f"{where}: the PDF has no pages")
    return reader


def _layout(width_px: float, height_px: float, _dpi) -> tuple[float, float, float, float]:
    """img2pdf layout: A4 in the image's orientation, image fitted inside the margins."""
    page_w, page_h = A4 if height_px >= width_px else (A4[1], A4[0])
    box_w, box_h = page_w - 2 * IMAGE_MARGIN, page_h - 2 * IMAGE_MARGIN
    scale = min(box_w / width_px, box_h / height_px)
    return page_w, page_h, width_px * scale, height_px * scale


def image_to_pdf(data: bytes, *, where: str) -> bytes:
    """One A4 page per image frame. Refuses decompression bombs and unreadable images."""
    import img2pdf
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as image:
                for frame in range(getattr(image, "n_frames", 1)):
                    image.seek(frame)
                    width, height = image.size
                    if width * height > (Image.MAX_IMAGE_PIXELS or width * height):
                        raise ExhibitError(
                            f"{where}: image too large ({width}×{height} pixels, "
                            f"frame {frame + 1}); possible decompression bomb"
                        )
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ExhibitError(f"{where}: image too large ({exc})") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ExhibitError(f"{where}: the image cannot be read ({exc})") from None
        options = dict(
            layout_fun=_layout,
            nodate=True,
            rotation=img2pdf.Rotation.ifvalid,
            engine=img2pdf.Engine.internal,
        )
        with _quiet("img2pdf"):
            try:
                return img2pdf.convert(data, **options)
            except Exception:  # noqa: BLE001  img2pdf raises many types; fall back below
                pass
            try:
                return img2pdf.convert(_flattened_frames(data), **options)
            except Exception as exc:  # noqa: BLE001
                raise ExhibitError(f"{where}: the image cannot be converted ({exc})") from None


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a library's informational log lines (img2pdf logs every alpha channel)."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _flattened_frames(data: bytes) -> list[bytes]:
    """Frames as 8-bit RGB PNGs on white: the fallback for alpha, 16-bit and odd modes."""
    from PIL import Image, ImageOps

    frames = []
    with Image.open(BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = ImageOps.exif_transpose(image.copy())
            if frame.mode in ("I;16", "I;16B", "I;16L", "I"):
                frame = frame.point(lambda v: v / 256).convert("L")
            rgba = frame.convert("RGBA")
            canvas = Image.new("RGB", rgba.size, (255, 255, 255))
            canvas.paste(rgba, mask=rgba.getchannel("A"))
            out = BytesIO()
            canvas.save(out, format="PNG")
            frames.append(out.getvalue())
    return frames


def unembedded_fonts(reader: PdfReader) -> list[str]:
    """Base names of fonts the PDF uses without embedding them (sorted, unique)."""
    missing: set[str] = set()
    seen: set[int] = set()

    def visit_resources(resources) -> None:
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject):
            return
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        if isinstance(fonts, DictionaryObject):
            for ref in fonts.values():
                if isinstance(ref, IndirectObject):
                    if ref.idnum in seen:
                        continue
                    seen.add(ref.idnum)
                font = ref.get_object()
                if isinstance(font, DictionaryObject) and not _font_embedded(font):
                    missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if isinstance(xobjects, DictionaryObject):
            for ref in xobjects.values():
                if isinstance(ref, IndirectObject):
                    if ref.idnum in seen:
                        continue
                    seen.add(ref.idnum)
                xobject = ref.get_object()
                if isinstance(xobject, DictionaryObject) and xobject.get("/Subtype") == "/Form":
                    visit_resources(xobject.get("/Resources"))

    try:
        for page in reader.pages:
            visit_resources(page.get("/Resources"))
            for stream in appearance_streams(page):  # form fields draw with fonts too
                visit_resources(stream.get("/Resources"))
    except _PDF_ERRORS:
        return sorted(missing)
    return sorted(missing)


def appearance_streams(page: DictionaryObject) -> list:
    """The appearance streams (normal, rollover, down; every state) of a page's annotations."""
    found = []
    annots = page.get("/Annots")
    for ref in annots.get_object() if annots is not None else ():
        annot = ref.get_object()
        appearances = annot.get("/AP") if isinstance(annot, DictionaryObject) else None
        appearances = appearances.get_object() if appearances is not None else None
        if not isinstance(appearances, DictionaryObject):
            continue
        for key in ("/N", "/R", "/D"):
            value = appearances.get(key)
            value = value.get_object() if value is not None else None
            if isinstance(value, StreamObject):
                found.append(value)
            elif isinstance(value, DictionaryObject):
                found += [v.get_object() for v in value.values()]
    return [s for s in found if isinstance(s, StreamObject)]


def _font_embedded(font: DictionaryObject) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        descendants = descendants.get_object() if descendants is not None else None
        if not descendants:
            return False
        font = descendants[0].get_object()
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else None
    if not isinstance(descriptor, DictionaryObject):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def straighten(page: DictionaryObject, writer: PdfWriter) -> None:
    """Move a page's ``/Rotate`` into its content so it reads upright with rotation 0.

    Like pypdf's ``transfer_rotation_to_content()`` but the original content streams
    are wrapped (``q <matrix> cm … Q``), never parsed or rewritten: the evidence's
    bytes stay as they were, and it costs nothing on large scans.
    """
    try:
        rotation = int(page.get("/Rotate", 0) or 0) % 360
    except (TypeError, ValueError):
        rotation = 0
    if "/Rotate" in page:
        del page[NameObject("/Rotate")]
    if rotation not in (90, 180, 270):  # 0, or not a multiple of 90: viewers ignore it
        return
    x0, y0, x1, y1 = (float(v) for v in RectangleObject(page["/MediaBox"]))
    matrix = {
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }[rotation]
    opening = DecodedStreamObject()
    opening.set_data(("q {} cm\n".format(" ".join(_num(v) for v in matrix))).encode())
    closing = DecodedStreamObject()
    closing.set_data(b"\nQ\n")
    parts = content_parts(page)
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(opening), *parts, writer._add_object(closing)]
    )
    for box in _BOXES:
        if box in page:
            page[NameObject(box)] = _transform_rect(page[box], matrix)
    annots = page.get("/Annots")
    for ref in annots.get_object() if annots is not None else ():
        annot = ref.get_object()
        if isinstance(annot, DictionaryObject) and "/Rect" in annot:
            annot[NameObject("/Rect")] = _transform_rect(annot["/Rect"], matrix)


def content_parts(page: DictionaryObject) -> list:
    """The page's content streams as a list of references (empty for a blank page)."""
    contents = page.get("/Contents")
    if contents is None:
        return []
    resolved = contents.get_object()
    if isinstance(resolved, ArrayObject):
        return list(resolved)
    return [contents]


def _transform_rect(rect, matrix) -> RectangleObject:
    a, b, c, d, e, f = matrix
    x0, y0, x1, y1 = (float(v) for v in rect)
    xs, ys = [], []
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        xs.append(a * x + c * y + e)
        ys.append(b * x + d * y + f)
    return RectangleObject([FloatObject(round(v, 4)) for v in (min(xs), min(ys), max(xs), max(ys))])


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
