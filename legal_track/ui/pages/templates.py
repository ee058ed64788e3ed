"""Document templates: every version, upload (checked first), activate, roll back."""

import streamlit as st

from legal_track.config import get_settings
from legal_track.documents.errors import DocumentError
from legal_track.documents.registry import (
    TemplateCheckFailed,
    activate_version,
    ensure_builtin,
    list_templates,
    rollback,
    sample_text,
    upload_template,
)
from legal_track.models import Role
from legal_track.ui.context import lang, now, require_role, session, tr
from legal_track.ui.widgets import local_time, page_title, table

K = "templates."
MANAGERS = (Role.admin, Role.lead)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

user = require_role(Role.admin, Role.lead, Role.staff)
page_title(tr("documents.templates.title"), tr("documents.templates.caption"))
settings = get_settings()
with session() as s:
    ensure_builtin(s, now=now(), settings=settings)
    versions = list_templates(s, settings=settings)


def _name(v) -> str:
    return v.meta.name_zh if lang() == "zh" else v.meta.name_en


table(
    [{"documents.templates.col.id": v.id, "documents.templates.col.name": _name(v),
      "documents.templates.col.version": v.version, "documents.templates.col.active": "✅" if v.active else "",
      "documents.templates.col.routes": ", ".join(v.meta.routes) or tr("documents.templates.any_route"),
      "documents.templates.col.evidence": v.meta.evidence_checklist or "—",
      "documents.templates.col.source": v.source, "documents.templates.col.by": v.created_by,
      "documents.templates.col.at": local_time(v.created_at)} for v in versions],
    key=K + "table",
)  # fmt: skip

by_label = {v.label: v for v in versions}
picked = st.selectbox(tr("documents.templates.manage.version"), list(by_label), key=K + "pick")
chosen = by_label[picked]
c1, c2 = st.columns(2)
try:
    c1.download_button(tr("documents.templates.download_docx"), chosen.read(), file_name=f"{chosen.id}.docx",
                       mime=DOCX, key=K + "download_docx")  # fmt: skip
except DocumentError as exc:
    c1.warning(str(exc))
c2.download_button(tr("documents.templates.download_sample"), sample_text(chosen).encode("utf-8"),
                   file_name=f"{chosen.id}.sample.json", mime="application/json", key=K + "download_sample")  # fmt: skip

if user.role not in MANAGERS:
    st.caption(tr("documents.templates.manage.readonly"))
    st.stop()

st.subheader(tr("documents.templates.manage.header"), anchor=False)
c3, c4 = st.columns(2)
if c3.button(tr("documents.templates.manage.activate"), key=K + "activate", disabled=chosen.active):
    try:
        with session() as s:
            done = activate_version(s, template_id=chosen.id, version=chosen.version, actor=user.username,
                                    now=now(), settings=settings, role=user.role)  # fmt: skip
    except (DocumentError, LookupError) as exc:
        st.error(tr("documents.error", reason=str(exc)))
    else:
        st.success(tr("documents.templates.manage.done", label=done.label))
if c4.button(tr("documents.templates.manage.rollback"), key=K + "rollback"):
    try:
        with session() as s:
            done = rollback(
                s,
                template_id=chosen.id,
                actor=user.username,
                now=now(),
                settings=settings,
                role=user.role,
            )
    except (DocumentError, LookupError) as exc:
        st.error(tr("documents.error", reason=str(exc)))
    else:
        st.success(tr("documents.templates.manage.done", label=done.label))

st.subheader(tr("documents.templates.upload.header"), anchor=False)
docx = st.file_uploader(tr("documents.templates.upload.docx"), type=["docx"], key=K + "docx")
meta = st.file_uploader(tr("documents.templates.upload.meta"), type=["toml"], key=K + "meta")
sample = st.file_uploader(tr("documents.templates.upload.sample"), type=["json"], key=K + "sample")
activate = st.checkbox(tr("documents.templates.upload.activate"), key=K + "activate_upload")
if st.button(tr("documents.templates.upload.submit"), key=K + "upload", type="primary"):
    if not (docx and meta and sample):
        st.warning(tr("documents.templates.upload.missing"))
    else:
        try:
            with session() as s:
                added = upload_template(
                    s, data=docx.getvalue(), meta_text=meta.getvalue().decode("utf-8"),
                    sample_text=sample.getvalue().decode("utf-8"), actor=user.username, now=now(),
                    activate=activate, settings=settings, role=user.role,
                )  # fmt: skip
        except TemplateCheckFailed as exc:
            st.error(
                tr("documents.templates.upload.failed")
                + "\n\n"
                + "\n".join(f"- {p}" for p in exc.report.problems)
            )
        except (DocumentError, UnicodeDecodeError) as exc:
            st.error(tr("documents.error", reason=str(exc)))
        else:
            st.success(tr("documents.templates.upload.done", label=added.label))
