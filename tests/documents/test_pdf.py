"""PDF through LibreOffice: embedded CJK font, real Chinese text (no boxes); clear refusal without it."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from legal_track.documents.batch import run_batch
from legal_track.documents.convert import find_soffice
from legal_track.documents.errors import ConversionUnavailable
from legal_track.documents.render import render_document
from legal_track.models import Borrower, GeneratedDocument
from tests.components import require_binary
from tests.documents.conftest import full_case

pytestmark = pytest.mark.slow


def pdf_checks(pdf: Path) -> tuple[str, str]:
    fonts = subprocess.run([require_binary("pdffonts", "poppler-utils"), str(pdf)], capture_output=True,
                           text=True, check=True).stdout  # fmt: skip
    text = subprocess.run([require_binary("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    return fonts, text


def test_pdf_embeds_the_cjk_font_and_keeps_the_chinese_text(session, now, settings, tmp_path):
    require_binary("soffice", "libreoffice-writer-nogui")
    case = full_case(session)
    doc = render_document(session, template_id="civil_complaint", case_id=case.id, actor="a", now=now,
                          out=tmp_path / "complaint.docx", pdf=True, settings=settings)  # fmt: skip
    pdf = Path(doc.pdf_path)
    assert pdf.exists() and doc.pdf_sha256
    fonts, text = pdf_checks(pdf)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, f"no CJK font in the PDF:\n{fonts}"
    assert all(line.split()[-5] == "yes" for line in cjk), f"CJK font not embedded:\n{fonts}"
    # The Noto CJK collection shares one CFF font (PostScript name ...CJKjp) between its
    # faces; what matters is that the named serif family was used and embedded.
    assert any("NotoSerifCJK" in line for line in cjk), f"not Noto Serif CJK:\n{fonts}"
    flat = "".join(text.split())
    borrower = session.get(Borrower, case.borrower_id)
    for expected in (
        "民事起诉状",
        "诉讼请求",
        "事实与理由",
        "此致",
        "北京市东城区人民法院",
        borrower.name,
    ):
        assert expected in flat, f"{expected!r} missing from the PDF text"
    assert "\ufffd" not in text and "□" not in text, "boxes instead of Chinese glyphs"


def test_batch_pdf_uses_a_profile_per_worker(session, now, settings, tmp_path):
    require_binary("soffice", "libreoffice-writer-nogui")
    cases = [full_case(session) for _ in range(2)]
    out = tmp_path / "letters.zip"
    result = run_batch(session, template_id="demand_letter", case_ids=[c.id for c in cases], out=out, actor="a",
                       now=now, pdf=True, settings=settings, workers=2, chunk_size=1)  # fmt: skip
    assert result.ok == 2, [r.reason for r in result.rows]
    with zipfile.ZipFile(out) as zf:
        pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == 2
        target = tmp_path / "one.pdf"
        target.write_bytes(zf.read(pdfs[0]))
    fonts, text = pdf_checks(target)
    assert "CJK" in fonts and "律师函" in "".join(text.split())
    doc = session.exec(
        select(GeneratedDocument).where(GeneratedDocument.batch_id == result.batch_id)
    ).first()
    assert doc.pdf_member and doc.pdf_sha256


def test_without_libreoffice_the_docx_is_still_offered(session, now, settings, tmp_path):
    settings = settings.model_copy(update={"soffice_path": tmp_path / "no" / "soffice"})
    assert find_soffice(settings) is None
    case = full_case(session)
    out = tmp_path / "c.docx"
    with pytest.raises(
        ConversionUnavailable, match="PDF needs LibreOffice, which is not installed.*docx"
    ):
        render_document(session, template_id="civil_complaint", case_id=case.id, actor="a", now=now, out=out,
                        pdf=True, settings=settings)  # fmt: skip
    assert not out.exists(), "nothing is written when the PDF cannot be made"
    doc = render_document(session, template_id="civil_complaint", case_id=case.id, actor="a", now=now, out=out,
                          settings=settings)  # fmt: skip
    assert out.exists() and doc.pdf_path is None
