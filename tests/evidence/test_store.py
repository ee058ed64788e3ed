from __future__ import annotations

import os
import stat

import pytest
from sqlmodel import select

from legal_track.evidence.intake import IntakeTools
from legal_track.evidence.register import intake, verify_store
from legal_track.evidence.store import BlobState, EvidenceStore, StoreError, sanitize_name
from legal_track.models import AuditEntry
from tests.evidence import samples


def test_put_is_idempotent_and_leaves_no_temporary_files(tmp_path):
    store = EvidenceStore(tmp_path / "store")
    first = store.put(b"same bytes")
    second = store.put(b"same bytes")
    assert first.created and not second.created and first.path == second.path
    assert store.temp_files() == [] and list(store.iter_blobs()) == [first.path]
    assert first.path.relative_to(store.root).parts == (
        first.sha256[:2],
        first.sha256[2:4],
        first.sha256,
    )


def test_a_stored_blob_is_never_overwritten(tmp_path):
    store = EvidenceStore(tmp_path / "store")
    blob = store.put(b"original")
    os.chmod(blob.path, stat.S_IWUSR | stat.S_IRUSR)
    blob.path.write_bytes(b"tampered")
    again = store.put(b"original")
    assert not again.created and blob.path.read_bytes() == b"tampered", (
        "put must not rewrite a blob"
    )
    assert store.check(blob.sha256) is BlobState.mismatch
    with pytest.raises(StoreError, match="has been altered"):
        store.read_bytes(blob.sha256)
    with pytest.raises(StoreError, match="has been altered"):
        store.export_to(blob.sha256, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists() and EvidenceStore(tmp_path).temp_files() == []


def test_path_for_refuses_anything_but_a_sha256(tmp_path):
    with pytest.raises(StoreError):
        EvidenceStore(tmp_path).path_for("../../etc/passwd")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("合同.pdf", "合同.pdf"),
        ("C:\\Users\\x\\scan.jpg", "scan.jpg"),
        ("../../.bashrc", "bashrc"),
        ("\x00\x1f", "unnamed"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_sanitize_name(raw, clean):
    assert sanitize_name(raw) == clean


def _register(session, settings, now, data, name):
    return intake(
        session, data=data, original_name=name, category="other", source="", purpose="",
        captured_at=None, actor="alice", now=now, settings=settings, tools=IntakeTools(),
    ).item  # fmt: skip


def test_verify_catches_a_flipped_byte_and_a_missing_file(session, settings, now):
    flipped = _register(session, settings, now, samples.pdf_bytes(1, "one"), "one.pdf")
    missing = _register(session, settings, now, samples.pdf_bytes(1, "two"), "two.pdf")
    fine = _register(session, settings, now, samples.image_bytes("PNG"), "three.png")
    store = EvidenceStore(settings.evidence_dir)
    report = verify_store(session, actor="alice", now=now, settings=settings)
    assert report.ok and report.checked == 3

    path = store.path_for(flipped.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    os.chmod(path, 0o644)
    path.write_bytes(bytes(data))
    store.path_for(missing.sha256).unlink()
    seen = []
    report = verify_store(
        session,
        actor="alice",
        now=now,
        settings=settings,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert not report.ok
    assert {(p.item_id, p.state) for p in report.problems} == {
        (flipped.id, BlobState.mismatch),
        (missing.id, BlobState.missing),
    }
    assert fine.id not in {p.item_id for p in report.problems}
    assert seen[-1] == (3, 3)
    audit = [a for a in session.exec(select(AuditEntry)).all() if a.action == "evidence.verified"]
    assert len(audit) == 2 and len(audit[1].detail["problems"]) == 2


def test_re_adding_the_same_bytes_restores_a_missing_blob(session, settings, now):
    data = samples.pdf_bytes(1, "restore")
    item = _register(session, settings, now, data, "a.pdf")
    store = EvidenceStore(settings.evidence_dir)
    store.path_for(item.sha256).unlink()
    _register(session, settings, now, data, "a.pdf")
    assert store.check(item.sha256) is BlobState.ok
