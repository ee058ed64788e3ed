from __future__ import annotations

import pytest

from legal_track.evidence.sniff import EvidenceRefused, RefusalReason, sniff
from legal_track.models import EvidenceKind
from tests.evidence import samples


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        pytest.param(lambda: samples.pdf_bytes(), EvidenceKind.pdf, id="pdf"),
        pytest.param(lambda: samples.image_bytes("PNG"), EvidenceKind.png, id="png"),
        pytest.param(lambda: samples.image_bytes("JPEG"), EvidenceKind.jpeg, id="jpeg"),
        pytest.param(lambda: samples.image_bytes("TIFF"), EvidenceKind.tiff, id="tiff"),
        pytest.param(lambda: samples.csv_bytes(), EvidenceKind.csv, id="csv-utf8"),
        pytest.param(lambda: samples.csv_bytes("gbk"), EvidenceKind.csv, id="csv-gbk"),
        pytest.param(lambda: samples.xlsx_bytes(), EvidenceKind.xlsx, id="xlsx"),
        pytest.param(lambda: samples.docx_bytes(), EvidenceKind.docx, id="docx"),
        pytest.param(lambda: samples.eml_bytes(), EvidenceKind.eml, id="eml"),
    ],
)
def test_kind_comes_from_the_content_not_the_name(make, kind):
    data = make()
    for name in ("evidence.txt", "photo.pdf", "noext", "合同.docx"):
        assert sniff(data, name=name) is kind, f"{name} should be sniffed as {kind}"


def test_tiff_big_endian_header_is_recognised():
    assert sniff(b"MM\x00*" + b"\x00" * 20) is EvidenceKind.tiff


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(samples.exe_bytes(), RefusalReason.unsupported, id="exe"),
        pytest.param(samples.plain_zip(), RefusalReason.unsupported, id="plain-zip"),
        pytest.param(
            b"just one line of text without separators\n", RefusalReason.unsupported, id="text"
        ),
        pytest.param(b"a,b\nc\nd,e,f\n", RefusalReason.unsupported, id="ragged-text"),
        pytest.param(samples.zip_bomb(), RefusalReason.bomb, id="zip-bomb"),
        pytest.param(b"PK\x03\x04 not really a zip", RefusalReason.damaged, id="broken-zip"),
    ],
)
def test_refusals_name_the_reason(data, reason):
    with pytest.raises(EvidenceRefused) as info:
        sniff(data, name="upload.pdf")
    assert info.value.reason is reason
    assert "upload.pdf" in str(info.value), "the message names the file"


def test_a_csv_that_starts_like_a_header_line_is_not_an_email():
    assert sniff(b"Date: 2025-01-01,amount\nx,y\n") is EvidenceKind.csv


def test_email_needs_a_from_header_and_another_mail_header():
    assert sniff(b"From: a@b.c\nSubject: hi\n\nbody") is EvidenceKind.eml
    with pytest.raises(EvidenceRefused):
        sniff(b"From: a@b.c\n\nbody")
