from __future__ import annotations

import io

from PIL import Image

from legal_track.evidence.preview import first_page_png
from tests.components import require_binary
from tests.evidence import samples


def test_pdf_first_page_is_rendered_by_pdftoppm():
    require_binary("pdftoppm", "poppler-utils")
    png = first_page_png(samples.pdf_bytes(3), "pdf", width=200)
    assert png is not None
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size[0] == 200


def test_images_are_scaled_and_data_files_have_no_preview():
    png = first_page_png(samples.image_bytes("TIFF", (1200, 800)), "tiff", width=300)
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (300, 200)
    assert first_page_png(samples.csv_bytes(), "csv") is None
    assert first_page_png(b"not an image", "png") is None
