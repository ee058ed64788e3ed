"""Files: the deterministic .docx writer, stored documents checked by hash, profile slots."""

from __future__ import annotations

import io
import zipfile

import pytest

from legal_track.documents.convert import profile_slot
from legal_track.documents.errors import DocumentError
from legal_track.documents.history import context_diff, read_document
from legal_track.documents.render import render_document
from legal_track.documents.zipwriter import deflate, write_zip
from tests.documents.conftest import full_case


def test_zip_writer_output_is_a_valid_deterministic_zip():
    members = [("[Content_Types].xml", b"<Types/>" * 50), ("word/document.xml", "正文".encode() * 1000),
               ("word/media/image1.png", bytes(range(256)) * 20)]  # fmt: skip
    data = write_zip(members)
    assert data == write_zip([(n, deflate(d)) for n, d in members]), (
        "pre-deflated members give the same bytes"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert [(i.filename, zf.read(i)) for i in zf.infolist()] == members
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_stored_document_is_checked_against_its_hash(session, now, settings, tmp_path):
    case = full_case(session)
    out = tmp_path / "poa.docx"
    doc = render_document(session, template_id="power_of_attorney", case_id=case.id, actor="a", now=now, out=out,
                          settings=settings)  # fmt: skip
    assert read_document(doc) == out.read_bytes()
    out.write_bytes(out.read_bytes() + b"\0")
    with pytest.raises(DocumentError, match="no longer matches its recorded SHA-256"):
        read_document(doc)
    out.unlink()
    with pytest.raises(DocumentError, match="is missing"):
        read_document(doc)
    with pytest.raises(DocumentError, match="has no PDF"):
        read_document(doc, pdf=True)


def test_context_diff_compares_amounts_and_dates_as_values():
    old = {"claim": {"total": {"value": "1.00", "figures": "1.00", "capitals": "壹元整"}},
           "doc": {"date": {"iso": "2026-11-29", "cn": "2026年11月29日"}}, "evidence": [{"no": 1}]}  # fmt: skip
    new = {"claim": {"total": {"value": "2.00", "figures": "2.00", "capitals": "贰元整"}},
           "doc": {"date": {"iso": "2026-11-29", "cn": "2026年11月29日"}}, "evidence": [{"no": 1}, {"no": 2}]}  # fmt: skip
    changes = context_diff(old, new)
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("claim.total", "1.00", "2.00"),
        ("evidence[1].no", None, 2),
    ]


def test_each_libreoffice_user_gets_its_own_profile(tmp_path):
    with profile_slot(tmp_path) as first, profile_slot(tmp_path) as second:
        assert first != second, "a locked profile is never shared"
    with profile_slot(tmp_path) as again:
        assert again == first, "a released profile is reused"
