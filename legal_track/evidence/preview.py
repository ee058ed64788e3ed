"""First-page previews of evidence for the app: a small PNG, or None.

PDFs (and the PDF renditions of repaired, decrypted or converted items) are rendered by
poppler's ``pdftoppm`` when it is installed (pypdf cannot rasterise); images are scaled
with Pillow. CSV, XLSX and e-mail files have no preview.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

PREVIEW_PX = 360
_TIMEOUT_S = 30


def first_page_png(data: bytes, kind: str, *, width: int = PREVIEW_PX) -> bytes | None:
    if kind == "pdf":
        return _pdf_preview(data, width)
    if kind in ("png", "jpeg", "tiff"):
        return _image_preview(data, width)
    return None


def _pdf_preview(data: bytes, width: int) -> bytes | None:
    exe = shutil.which("pdftoppm")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="lt-preview-") as tmp:
        src, prefix = Path(tmp) / "in.pdf", Path(tmp) / "page"
        src.write_bytes(data)
        cmd = [exe, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(width),
               "-scale-to-y", "-1", str(src), str(prefix)]  # fmt: skip
        try:
            subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        out = prefix.with_suffix(".png")
        return out.read_bytes() if out.is_file() else None


def _image_preview(data: bytes, width: int) -> bytes | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.seek(0)
            frame = im.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    frame.thumbnail((width, width * 2))
    out = io.BytesIO()
    frame.save(out, format="PNG")
    return out.getvalue()
