"""Template registry: shipped versions, upload (checked first), activate, roll back."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
from docx import Document
from sqlmodel import select

from legal_track.documents.errors import DocumentError, MetadataError, TemplateNotFoundError
from legal_track.documents.registry import (
    TemplateCheckFailed,
    activate_version,
    active_template,
    ensure_builtin,
    list_templates,
    rollback,
    upload_template,
)
from legal_track.models import AuditEntry, DocumentTemplate
from tests.documents.conftest import DOC_TEMPLATES, TEMPLATE_IDS


def variant(
    template_id: str, version: str, *, extra: str = "", replace: tuple[str, str] | None = None
):
    """A new version of a shipped template: (docx bytes, meta text, sample text)."""
    doc = Document(str(DOC_TEMPLATES / f"{template_id}.docx"))
    if extra:
        doc.add_paragraph(extra)
    if replace:
        for para in doc.paragraphs:
            for run in para.runs:
                run.text = run.text.replace(*replace)
    buf = io.BytesIO()
    doc.save(buf)
    meta = (DOC_TEMPLATES / f"{template_id}.toml").read_text(encoding="utf-8")
    meta = meta.replace('version = "1"', f'version = "{version}"')
    sample = (DOC_TEMPLATES / f"{template_id}.sample.json").read_text(encoding="utf-8")
    return buf.getvalue(), meta, sample


def test_shipped_templates_are_registered_once(session, now, settings):
    assert ensure_builtin(session, now=now, settings=settings) == len(TEMPLATE_IDS)
    assert ensure_builtin(session, now=now, settings=settings) == 0
    versions = list_templates(session, settings=settings)
    assert sorted(v.id for v in versions) == TEMPLATE_IDS
    assert all(v.active and v.source == "builtin" for v in versions)
    letter = active_template(session, template_id="demand_letter", settings=settings)
    assert letter.path.is_relative_to(settings.templates_dir)
    assert letter.read() == (DOC_TEMPLATES / "demand_letter.docx").read_bytes()


def test_upload_activate_and_roll_back(session, now, settings):
    ensure_builtin(session, now=now, settings=settings)
    data, meta, sample = variant("demand_letter", "2", extra="（本函一式两份。）")
    v2 = upload_template(session, data=data, meta_text=meta, sample_text=sample, actor="alice", now=now,
                         settings=settings)  # fmt: skip
    assert not v2.active, "an upload is not active until activated"
    assert active_template(session, template_id="demand_letter", settings=settings).version == "1"
    activate_version(session, template_id="demand_letter", version="2", actor="alice",
                     now=now + timedelta(minutes=1), settings=settings)  # fmt: skip
    assert active_template(session, template_id="demand_letter", settings=settings).version == "2"
    back = rollback(session, template_id="demand_letter", actor="alice", now=now + timedelta(minutes=2),
                    settings=settings)  # fmt: skip
    assert (
        back.version == "1"
        and active_template(session, template_id="demand_letter", settings=settings).version == "1"
    )
    actives = session.exec(select(DocumentTemplate).where(DocumentTemplate.template_id == "demand_letter",
                                                          DocumentTemplate.active)).all()  # fmt: skip
    assert len(actives) == 1
    actions = [a.action for a in session.exec(select(AuditEntry))]
    assert {"template.upload", "template.activate"} <= set(actions)


def test_upload_with_activate_switches_at_once(session, now, settings):
    ensure_builtin(session, now=now, settings=settings)
    data, meta, sample = variant("power_of_attorney", "1.1", extra="（附：律师执业证复印件）")
    v = upload_template(session, data=data, meta_text=meta, sample_text=sample, actor="a", now=now,
                        activate=True, settings=settings)  # fmt: skip
    assert (
        v.active
        and active_template(session, template_id="power_of_attorney", settings=settings).version
        == "1.1"
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("{{ borrower.name }", r"syntax error in tag \{\{ borrower\.name \}"),
        ("{{ claim.totl.figures }}", r"unknown fields claim\.totl\.figures"),
        ("{{ ''.__class__.__mro__ }}", "refused by the sandbox"),
        ("{{ claim.total.value|rmb_upper }}{{ -1|rmb_upper }}", "negative amount"),
    ],
    ids=["syntax", "unknown field", "sandbox", "filter refuses the sample"],
)
def test_a_bad_upload_is_refused_and_nothing_is_stored(session, now, settings, extra, expected):
    ensure_builtin(session, now=now, settings=settings)
    data, meta, sample = variant("civil_complaint", "2", extra=extra)
    with pytest.raises(TemplateCheckFailed, match=expected) as exc:
        upload_template(session, data=data, meta_text=meta, sample_text=sample, actor="a", now=now,
                        settings=settings)  # fmt: skip
    assert all("civil_complaint@2" in p for p in exc.value.report.problems)
    assert not (settings.templates_dir / "civil_complaint" / "2").exists()
    assert [
        v.version for v in list_templates(session, settings=settings) if v.id == "civil_complaint"
    ] == ["1"]


def test_metadata_and_sample_are_validated(session, now, settings):
    data, meta, sample = variant("demand_letter", "2")
    with pytest.raises(
        MetadataError, match="required fields not in the context: \\['borrower.nickname'\\]"
    ):
        upload_template(session, data=data, meta_text=meta.replace('"borrower.name",', '"borrower.nickname",'),
                        sample_text=sample, actor="a", now=now, settings=settings)  # fmt: skip
    with pytest.raises(MetadataError, match="sample context does not fit the view-model at claim"):
        upload_template(session, data=data, meta_text=meta, sample_text=sample.replace('"claim"', '"claim_x"'),
                        actor="a", now=now, settings=settings)  # fmt: skip
    with pytest.raises(MetadataError, match="unknown routes"):
        upload_template(session, data=data, meta_text=meta.replace("routes = []", 'routes = ["bankruptcy"]'),
                        sample_text=sample, actor="a", now=now, settings=settings)  # fmt: skip


def test_existing_version_cannot_be_replaced(session, now, settings):
    ensure_builtin(session, now=now, settings=settings)
    data, meta, sample = variant("demand_letter", "1", extra="改动")
    with pytest.raises(MetadataError, match="already exists"):
        upload_template(session, data=data, meta_text=meta, sample_text=sample, actor="a", now=now,
                        settings=settings)  # fmt: skip


def test_a_changed_shipped_template_needs_a_new_version(session, now, settings, tmp_path):
    shipped = tmp_path / "shipped"
    shutil.copytree(DOC_TEMPLATES, shipped, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    ensure_builtin(session, now=now, settings=settings, directory=shipped)
    data, _, _ = variant("evidence_list", "1", extra="（另附光盘一张）")
    (shipped / "evidence_list.docx").write_bytes(data)
    with pytest.raises(
        DocumentError, match="evidence_list.docx changed but version 1 is already registered"
    ):
        ensure_builtin(session, now=now, settings=settings, directory=shipped)


def test_a_template_file_changed_on_disk_is_refused(session, now, settings):
    ensure_builtin(session, now=now, settings=settings)
    version = active_template(session, template_id="demand_letter", settings=settings)
    version.path.write_bytes(version.path.read_bytes() + b"x")
    with pytest.raises(DocumentError, match="changed on disk"):
        version.read()


def test_unknown_template_and_version(session, now, settings):
    ensure_builtin(session, now=now, settings=settings)
    with pytest.raises(
        TemplateNotFoundError,
        match="no template 'letter'; known templates: arbitration_application",
    ):
        active_template(session, template_id="letter", settings=settings)
    with pytest.raises(TemplateNotFoundError, match="no version 9"):
        activate_version(
            session, template_id="demand_letter", version="9", actor="a", now=now, settings=settings
        )
    with pytest.raises(TemplateNotFoundError, match="no earlier active version"):
        rollback(session, template_id="demand_letter", actor="a", now=now, settings=settings)
