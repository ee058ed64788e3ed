"""The documents tab of the case page: preflight and generate, the generated documents
with their hashes, what changed since the previous one, and a demand letter's sending
and delivery."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from legal_track.approvals import ApprovalNeeded
from legal_track.config import get_settings
from legal_track.documents.convert import find_soffice
from legal_track.documents.errors import DocumentError, PreflightFailed
from legal_track.documents.history import diff_with_previous, documents_for_case, read_document
from legal_track.documents.letters import mark_sent, record_delivery
from legal_track.documents.preflight import preflight
from legal_track.documents.registry import ensure_builtin, list_templates
from legal_track.documents.render import render_document
from legal_track.models import Case, GeneratedDocument, Role
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.scope import firm_for
from legal_track.ui.widgets import DASH, local_time, table

K = "documents."
WRITERS = frozenset({Role.admin, Role.lead, Role.staff})
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LAST = K + "last"  # {case_id, id}: the document generated in this session, for its downloads


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    with session() as s:
        case = s.get(Case, case_id)
    if user.role in WRITERS:
        _generate(case, user.username)
    else:
        st.caption(tr("documents.generate.readonly"))
    _documents(case, user.username, user.role in WRITERS)


def _templates(route: str) -> list[tuple[str, str]]:
    """(id, label) of the active templates that apply to `route`."""
    settings = get_settings()
    with session() as s:
        ensure_builtin(s, now=now(), settings=settings)
        versions = [v for v in list_templates(s, settings=settings) if v.active]
    name = (lambda v: v.meta.name_zh) if lang() == "zh" else (lambda v: v.meta.name_en)
    return [
        (v.id, f"{name(v)} · v{v.version}")
        for v in versions
        if not v.meta.routes or route in v.meta.routes
    ]


def _generate(case: Case, actor: str) -> None:
    st.subheader(tr("documents.generate.header"), anchor=False)
    choices = _templates(case.route)
    if not choices:
        st.info(tr("documents.generate.none"))
        return
    labels = dict(choices)
    c1, c2, c3 = st.columns([2, 1, 1])
    template_id = c1.selectbox(tr("documents.generate.template"), list(labels), format_func=labels.get,
                               key=K + "template")  # fmt: skip
    cutoff = c2.date_input(tr("documents.generate.cutoff"), value=today(), key=K + "cutoff")
    days = c3.number_input(tr("documents.generate.payment_days"), min_value=1, max_value=365, value=7,
                           key=K + "payment_days", disabled=template_id != "demand_letter")  # fmt: skip
    has_office = find_soffice(get_settings()) is not None
    pdf = st.checkbox(tr("documents.generate.pdf"), key=K + "pdf", disabled=not has_office)
    if not has_office:
        st.caption(tr("documents.generate.no_pdf"))

    with session() as s:
        report = preflight(s, template_id=template_id, case_id=case.id, now=now(), cutoff=cutoff)
    if report.ok:
        st.success(tr("documents.preflight.ok"), icon=":material/check_circle:")
    else:
        st.error(
            tr("documents.preflight.blocked")
            + "\n\n"
            + "\n".join(f"- {p.message}" for p in report.errors)
        )
    for warning in report.warnings:
        st.warning(tr("documents.preflight.warning", message=warning.message))

    if st.button(
        tr("documents.generate.submit"), key=K + "submit", type="primary", disabled=not report.ok
    ):
        try:
            with session() as s:
                doc = render_document(s, template_id=template_id, case_id=case.id, actor=actor, now=now(),
                                      pdf=pdf and has_office, cutoff=cutoff, payment_days=int(days),
                                      role=_role())  # fmt: skip
        except (PreflightFailed, DocumentError, OSError) as exc:
            st.error(tr("documents.error", reason=str(exc)))
            return
        st.session_state[LAST] = {"case_id": case.id, "id": doc.id}
        st.success(tr("documents.generate.done", id=doc.id, template=f"{doc.template_id}@{doc.template_version}",
                      sha=doc.sha256[:16] + "…"))  # fmt: skip
    last = st.session_state.get(LAST)
    if last and last["case_id"] == case.id:
        _downloads(last["id"], K + "last")


def _role() -> str | None:
    user = current_user()
    return user.role if user else None


def _downloads(document_id: int, key: str) -> None:
    with session() as s:
        doc = s.get(GeneratedDocument, document_id)
    try:
        data = read_document(doc, role=_role())
    except DocumentError as exc:
        st.warning(tr("documents.detail.missing", reason=str(exc)))
        return
    name = Path(doc.zip_member or doc.path).name
    cols = st.columns(2)
    cols[0].download_button(tr("documents.generate.download_docx"), data, file_name=name, mime=DOCX,
                            key=f"{key}.docx")  # fmt: skip
    if doc.pdf_path:
        cols[1].download_button(tr("documents.generate.download_pdf"), read_document(doc, pdf=True, role=_role()),
                                file_name=Path(name).with_suffix(".pdf").name, mime="application/pdf",
                                key=f"{key}.pdf")  # fmt: skip


def _status(doc) -> str:
    parts = []
    if doc.sent_on:
        parts.append(tr("documents.status.sent", on=doc.sent_on.isoformat()))
    if doc.delivered_on:
        parts.append(tr("documents.status.delivered", on=doc.delivered_on.isoformat()))
    return "；".join(parts) or DASH


def _documents(case: Case, actor: str, can_write: bool) -> None:
    st.subheader(tr("documents.list.header"), anchor=False)
    with session() as s:
        viewer = current_user()
        docs = documents_for_case(s, case_id=case.id, role=viewer.role if viewer else None,
                                  firm_id=firm_for(s, viewer) if viewer else None)  # fmt: skip
    table(
        [{"documents.col.id": d.id, "documents.col.template": d.template_id,
          "documents.col.version": d.template_version, "documents.col.created": local_time(d.created_at),
          "documents.col.actor": d.actor, "documents.col.cutoff": d.cutoff.isoformat(),
          "documents.col.sha": d.sha256, "documents.col.context": d.context_sha256,
          "documents.col.status": _status(d)} for d in docs],
        key=K + "table", empty=tr("documents.list.empty"),
    )  # fmt: skip
    if not docs:
        return
    by_id = {d.id: d for d in docs}
    picked = st.selectbox(tr("documents.detail.pick"), list(by_id), key=K + "pick",
                          format_func=lambda i: f"#{i} {by_id[i].template_id} · {local_time(by_id[i].created_at)}")  # fmt: skip
    doc = by_id[picked]
    if can_write:
        _downloads(doc.id, K + "pick")
    _diff(doc.id)
    if can_write and doc.template_id == "demand_letter":
        _letter(doc, actor)


def _diff(document_id: int) -> None:
    st.markdown(f"**{tr('documents.diff.header')}**")
    with session() as s:
        before, changes = diff_with_previous(s, document_id=document_id, role=_role())
    if before is None:
        st.caption(tr("documents.diff.first"))
    elif not changes:
        st.caption(tr("documents.diff.same", id=before.id))
    else:
        table([{"documents.diff.path": c.path, "documents.diff.old": DASH if c.old is None else str(c.old),
                "documents.diff.new": DASH if c.new is None else str(c.new)} for c in changes],
              key=K + "diff")  # fmt: skip


def _letter(doc, actor: str) -> None:
    if doc.sent_on is None:
        with st.form(K + "sent_form"):
            st.markdown(f"**{tr('documents.letter.sent_header')}**")
            on = st.date_input(tr("documents.letter.sent_on"), value=today(), key=K + "sent_on")
            tracking = st.text_input(tr("documents.letter.tracking"), key=K + "sent_tracking")
            if st.form_submit_button(tr("documents.letter.sent_submit")):
                try:
                    with session() as s:
                        event = mark_sent(s, document_id=doc.id, on=on, actor=actor, now=now(), tracking_no=tracking,
                                          timezone=get_settings().timezone, role=_role())  # fmt: skip
                except ApprovalNeeded as exc:  # maker-checker: a lead or admin approves the sending
                    st.info(tr("approvals.needed", id=exc.request_id), icon=":material/approval:")
                except (DocumentError, ValueError, LookupError) as exc:
                    st.error(tr("documents.error", reason=str(exc)))
                else:
                    st.success(tr("documents.letter.sent_done", id=event.id))
        return
    if doc.delivered_on is None:
        with st.form(K + "delivered_form"):
            st.markdown(f"**{tr('documents.letter.delivered_header')}**")
            c1, c2, c3 = st.columns(3)
            signed = c1.date_input(
                tr("documents.letter.signed_on"), value=today(), key=K + "signed_on"
            )
            tracking = c2.text_input(tr("documents.letter.tracking"), value=doc.tracking_no or "",
                                     key=K + "delivered_tracking")  # fmt: skip
            days = c3.number_input(tr("documents.generate.payment_days"), min_value=1, max_value=365,
                                   value=int(doc.context.get("letter", {}).get("payment_days", 7)),
                                   key=K + "delivered_days")  # fmt: skip
            if st.form_submit_button(tr("documents.letter.delivered_submit")):
                try:
                    with session() as s:
                        event = record_delivery(s, case_id=doc.case_id, signed_on=signed, actor=actor, now=now(),
                                                tracking_no=tracking, payment_days=int(days), document_id=doc.id,
                                                timezone=get_settings().timezone, role=_role())  # fmt: skip
                except (DocumentError, ValueError, LookupError) as exc:
                    st.error(tr("documents.error", reason=str(exc)))
                else:
                    st.success(tr("documents.letter.delivered_done", id=event.id))
