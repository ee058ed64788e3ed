from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from legal_track.evidence.intake import EvidenceRefused, IntakeTools, RefusalReason
from legal_track.evidence.register import (
    add_item,
    custody_log,
    intake,
    items_for_case,
    link_item,
    read_item,
)
from legal_track.evidence.store import EvidenceStore
from legal_track.models import AuditEntry, EvidenceItem, EvidenceLink
from tests.components import require_binary
from tests.evidence import samples
from tests.factories import make_case, make_loan


def _add(session, settings, now, data, *, name="file.pdf", tools=None, **kw):
    values = dict(
        data=data, original_name=name, category="loan_contract", source="出借人留存",
        purpose="证明借贷关系成立", captured_at=None, actor="alice", now=now, settings=settings,
        tools=tools or IntakeTools(qpdf=None, soffice=None),
    )  # fmt: skip
    return intake(session, **(values | kw))


def _nothing_stored(session, settings):
    assert session.exec(select(EvidenceItem)).all() == [], "no register entry for a refused file"
    assert list(EvidenceStore(settings.evidence_dir).iter_blobs()) == [], "no stored bytes"
    assert EvidenceStore(settings.evidence_dir).temp_files() == [], "no temporary files left"


@pytest.mark.parametrize(
    ("make", "reason", "words"),
    [
        pytest.param(lambda: b"", RefusalReason.empty, "empty", id="empty"),
        pytest.param(
            lambda: samples.encrypted_pdf("secret"),
            RefusalReason.encrypted,
            "password",
            id="encrypted",
        ),
        pytest.param(samples.truncated_pdf, RefusalReason.damaged, "repair", id="truncated-pdf"),
        pytest.param(samples.bomb_png, RefusalReason.bomb, "too large", id="bomb-png"),
        pytest.param(samples.exe_bytes, RefusalReason.unsupported, "unsupported", id="exe"),
        pytest.param(
            lambda: samples.image_bytes("PNG")[:60], RefusalReason.damaged, "decoded", id="cut-png"
        ),
    ],
)
def test_refused_inputs_store_nothing(session, settings, now, make, reason, words):
    case = make_case(session)
    with pytest.raises(EvidenceRefused) as info:
        _add(session, settings, now, make(), name="证据.pdf", case_ids=[case.id])
    assert info.value.reason is reason
    assert words in str(info.value) and "证据.pdf" in str(info.value)
    _nothing_stored(session, settings)


def test_truncated_pdf_is_refused_after_qpdf_also_fails(session, settings, now, qpdf_tools):
    with pytest.raises(EvidenceRefused, match="could not fix") as info:
        _add(session, settings, now, samples.truncated_pdf(), tools=qpdf_tools)
    assert info.value.reason is RefusalReason.damaged
    _nothing_stored(session, settings)


def test_over_the_size_limit_is_refused_before_reading(session, settings, now, tmp_path):
    small = settings.model_copy(update={"evidence_max_bytes": 1000})
    path = tmp_path / "big.pdf"
    path.write_bytes(samples.pdf_bytes(pages=5))
    with pytest.raises(EvidenceRefused, match="over the limit of 1,000 bytes") as info:
        _add(session, small, now, path)
    assert info.value.reason is RefusalReason.too_large
    _nothing_stored(session, small)


def test_a_pdf_that_opens_with_an_empty_password_is_kept_with_a_decrypted_copy(
    session, settings, now
):
    original = samples.encrypted_pdf("")
    item = _add(session, settings, now, original).item
    store = EvidenceStore(settings.evidence_dir)
    assert store.read_bytes(item.sha256) == original, "the original bytes are what is stored"
    assert item.rendition_sha256 and item.page_count == 2
    rendition = PdfReader(io.BytesIO(store.read_bytes(item.rendition_sha256)))
    assert not rendition.is_encrypted and len(rendition.pages) == 2
    assert "decrypted" in item.rendition_note


def test_aes_encrypted_pdf_with_empty_password_is_decrypted_by_qpdf(
    session, settings, now, tmp_path, qpdf_tools
):
    import subprocess

    src, dst = tmp_path / "in.pdf", tmp_path / "aes.pdf"
    src.write_bytes(samples.pdf_bytes(1))
    subprocess.run(
        [qpdf_tools.qpdf, "--encrypt", "", "owner", "256", "--", str(src), str(dst)], check=True
    )
    item = _add(session, settings, now, dst.read_bytes(), tools=qpdf_tools).item
    assert item.rendition_sha256 and item.page_count == 1
    with pytest.raises(EvidenceRefused, match="does not open without a password"):
        subprocess.run(
            [qpdf_tools.qpdf, "--encrypt", "pw", "owner", "256", "--", str(src), str(dst)],
            check=True,
        )
        _add(session, settings, now, dst.read_bytes(), tools=qpdf_tools)


@pytest.mark.parametrize("use_qpdf", [False, True], ids=["pypdf", "qpdf"])
def test_a_damaged_pdf_that_can_be_repaired_is_kept_and_flagged(session, settings, now, use_qpdf):
    tools = IntakeTools(qpdf=require_binary("qpdf", "qpdf"), soffice=None) if use_qpdf else None
    damaged = samples.broken_xref_pdf()
    item = _add(session, settings, now, damaged, tools=tools).item
    store = EvidenceStore(settings.evidence_dir)
    assert item.repaired and item.page_count == 2
    assert item.rendition_note.startswith("repaired by " + ("qpdf" if use_qpdf else "pypdf"))
    assert store.read_bytes(item.sha256) == damaged, "the damaged original is kept as evidence"
    repaired = store.read_bytes(item.rendition_sha256)
    assert len(PdfReader(io.BytesIO(repaired), strict=True).pages) == 2
    entry = custody_log(session, item_id=item.id)[0]
    assert entry.detail["repaired"] == item.rendition_note


@pytest.mark.parametrize(
    ("make", "kind", "meta_key"),
    [
        pytest.param(lambda: samples.image_bytes("PNG"), "png", "width", id="png"),
        pytest.param(lambda: samples.image_bytes("JPEG"), "jpeg", "width", id="jpeg"),
        pytest.param(lambda: samples.image_bytes("TIFF"), "tiff", "frames", id="tiff"),
        pytest.param(lambda: samples.csv_bytes("gbk"), "csv", "encoding", id="csv"),
        pytest.param(samples.xlsx_bytes, "xlsx", "sheets", id="xlsx"),
        pytest.param(samples.eml_bytes, "eml", "subject", id="eml"),
    ],
)
def test_accepted_types_are_registered_with_their_facts(
    session, settings, now, make, kind, meta_key
):
    item = _add(session, settings, now, make(), name="whatever.bin").item
    assert str(item.kind) == kind and item.bundleable and meta_key in item.meta
    if kind == "eml":
        assert item.meta["subject"] == "还款通知"
    if kind == "csv":
        assert item.meta["encoding"] == "gb18030" and item.meta["rows"] == 3


def test_docx_without_libreoffice_is_kept_as_an_attachment_with_the_reason(session, settings, now):
    item = _add(session, settings, now, samples.docx_bytes(), name="补充协议.docx").item
    assert str(item.kind) == "docx" and not item.bundleable
    assert "LibreOffice is not installed" in item.not_bundleable_reason
    assert item.rendition_sha256 is None


@pytest.mark.slow
def test_docx_is_converted_to_pdf_by_libreoffice(session, settings, now):
    soffice = require_binary("soffice", "libreoffice-writer-nogui")
    tools = IntakeTools(qpdf=None, soffice=soffice)
    item = _add(
        session, settings, now, samples.docx_bytes(), name="补充协议.docx", tools=tools
    ).item
    assert item.bundleable and item.rendition_note == "converted by LibreOffice"
    pdf = EvidenceStore(settings.evidence_dir).read_bytes(item.rendition_sha256)
    assert "借款合同补充协议" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_same_bytes_twice_are_one_item_linked_to_both_cases(session, settings, now):
    first, second = make_case(session), make_case(session)
    data = samples.pdf_bytes(1, "contract")
    a = _add(session, settings, now, data, case_ids=[first.id])
    b = _add(session, settings, now, data, name="copy.pdf", case_ids=[second.id], category="other")
    assert not a.duplicate and b.duplicate and a.item.id == b.item.id
    assert str(b.item.category) == "loan_contract", "the first registration's facts stay"
    assert len(list(EvidenceStore(settings.evidence_dir).iter_blobs())) == 1, "stored once"
    assert [i.id for i in items_for_case(session, case_id=second.id)] == [a.item.id]
    added = [e for e in custody_log(session, item_id=a.item.id) if e.action == "added"]
    assert [e.detail["duplicate"] for e in added] == [False, True]
    assert added[1].detail["name"] == "copy.pdf"


def test_the_original_name_is_sanitised_and_never_a_path(session, settings, now):
    item = _add(session, settings, now, samples.pdf_bytes(), name="../../etc/\x00pass\nwd.pdf").item
    assert item.original_name == "passwd.pdf"
    stored = EvidenceStore(settings.evidence_dir).path_for(item.sha256)
    assert stored.name == item.sha256 and stored.parent.parent.parent == settings.evidence_dir


def test_store_layout_is_content_addressed_and_read_only(session, settings, now):
    item = _add(session, settings, now, samples.pdf_bytes()).item
    path = settings.evidence_dir / item.sha256[:2] / item.sha256[2:4] / item.sha256
    assert path.is_file() and not (path.stat().st_mode & 0o222), "stored blobs are read-only"
    assert EvidenceStore(settings.evidence_dir).temp_files() == []


def test_custody_log_records_added_linked_viewed_with_who_and_when(session, settings, now):
    loan = make_loan(session)
    case = make_case(session, loans=[loan])
    item = add_item(
        session, data=samples.pdf_bytes(), original_name="合同.pdf", category="loan_contract",
        source="", purpose="", captured_at=now, actor="alice", now=now, loan_ids=[loan.id],
        settings=settings, tools=IntakeTools(),
    )  # fmt: skip
    assert link_item(session, item_id=item.id, case_ids=[case.id], actor="bob", now=now) == 1
    assert link_item(session, item_id=item.id, case_ids=[case.id], actor="bob", now=now) == 0
    data = read_item(session, item_id=item.id, actor="carol", now=now, settings=settings)
    assert data.startswith(b"%PDF")
    log = custody_log(session, item_id=item.id)
    assert [(e.action, e.actor) for e in log] == [
        ("added", "alice"),
        ("linked", "bob"),
        ("linked", "bob"),
        ("viewed", "carol"),
    ]
    assert all(e.at == now for e in log)
    links = session.exec(select(EvidenceLink).where(EvidenceLink.item_id == item.id)).all()
    assert {(lk.case_id, lk.loan_id) for lk in links} == {(None, loan.id), (case.id, None)}
    actions = [a.action for a in session.exec(select(AuditEntry)).all()]
    assert actions == ["evidence.added", "evidence.linked", "evidence.linked", "evidence.viewed"]


def test_links_to_unknown_cases_or_categories_are_refused_before_storing(session, settings, now):
    with pytest.raises(LookupError, match="case id 999"):
        _add(session, settings, now, samples.pdf_bytes(), case_ids=[999])
    with pytest.raises(ValueError, match="unknown evidence category 'contract'"):
        _add(session, settings, now, samples.pdf_bytes(), category="contract")
    _nothing_stored(session, settings)
