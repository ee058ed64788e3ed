"""Batch documents: select cases (filters or references) → preflight report → one ZIP."""

from zoneinfo import ZoneInfo

import streamlit as st

from legal_track.cases.lifecycle import Route, Stage
from legal_track.config import get_settings
from legal_track.documents.batch import CaseFilter, preflight_batch, run_batch, select_cases
from legal_track.documents.convert import find_soffice
from legal_track.documents.errors import DocumentError
from legal_track.documents.registry import ensure_builtin, list_templates
from legal_track.models import Role
from legal_track.ui.context import lang, now, require_role, session, today, tr
from legal_track.ui.widgets import label, page_title, table

K = "documents_batch."
SELECTION = K + "selection"  # {template, ids, cutoff, pdf, ready, blocked}
RESULT = K + "result"  # {zip, ok, failed, rows}
ANY = ""

user = require_role(Role.admin, Role.lead, Role.staff)
page_title(tr("documents.batch.title"), tr("documents.batch.caption"))
settings = get_settings()
with session() as s:
    ensure_builtin(s, now=now(), settings=settings)
    versions = [v for v in list_templates(s, settings=settings) if v.active]
names = {v.id: (v.meta.name_zh if lang() == "zh" else v.meta.name_en) for v in versions}
has_office = find_soffice(settings) is not None

with st.form(K + "form"):
    template_id = st.selectbox(tr("documents.batch.template"), list(names), format_func=names.get,
                               key=K + "template")  # fmt: skip
    c1, c2, c3 = st.columns(3)
    stage = c1.selectbox(tr("documents.batch.stage"), [ANY, *[s.value for s in Stage]], key=K + "stage",
                         format_func=lambda v: tr("documents.batch.any") if v == ANY else label("stage", v))  # fmt: skip
    route = c2.selectbox(tr("documents.batch.route"), [ANY, *[r.value for r in Route]], key=K + "route",
                         format_func=lambda v: tr("documents.batch.any") if v == ANY else label("route", v))  # fmt: skip
    min_dpd = c3.number_input(
        tr("documents.batch.min_dpd"), min_value=0, value=0, step=30, key=K + "min_dpd"
    )
    no_letter = st.checkbox(tr("documents.batch.no_letter"), key=K + "no_letter")
    refs = st.text_area(tr("documents.batch.refs"), key=K + "refs")
    c4, c5 = st.columns(2)
    cutoff = c4.date_input(tr("documents.batch.cutoff"), value=today(), key=K + "cutoff")
    pdf = c5.checkbox(tr("documents.batch.pdf"), key=K + "pdf", disabled=not has_office)
    if not has_office:
        st.caption(tr("documents.generate.no_pdf"))
    submitted = st.form_submit_button(tr("documents.batch.preflight"), type="primary")

if submitted:
    st.session_state.pop(RESULT, None)
    listed = tuple(r.strip() for r in refs.replace("\n", ",").split(",") if r.strip())
    filters = CaseFilter(stage=stage or None, route=route or None, min_dpd=int(min_dpd) or None,
                         no_demand_letter=no_letter, case_refs=listed)  # fmt: skip
    try:
        with session() as s:
            ids = select_cases(s, filters=filters, today=today())
            bar = st.progress(0.0)
            report = preflight_batch(s, template_id=template_id, case_ids=ids, now=now(), cutoff=cutoff,
                                     progress=lambda done, total: bar.progress(done / max(total, 1)))  # fmt: skip
            bar.empty()
    except (DocumentError, LookupError, ValueError) as exc:
        st.error(tr("documents.error", reason=str(exc)))
        st.stop()
    st.session_state[SELECTION] = {
        "template": template_id, "ids": ids, "cutoff": cutoff, "pdf": bool(pdf and has_office),
        "ready": sum(r.ok for r in report),
        "blocked": [(r.case_ref, r.reason()) for r in report if not r.ok],
    }  # fmt: skip

selection = st.session_state.get(SELECTION)
if selection is not None:
    if not selection["ids"]:
        st.info(tr("documents.batch.none"))
    else:
        st.markdown(tr("documents.batch.selected", count=len(selection["ids"]), ready=selection["ready"],
                       blocked=len(selection["blocked"])))  # fmt: skip
        if selection["blocked"]:
            st.markdown(f"**{tr('documents.batch.blocked')}**")
            table([{"documents.batch.case": ref, "documents.batch.reason": reason}
                   for ref, reason in selection["blocked"]], key=K + "blocked")  # fmt: skip
        if selection["ready"] and st.button(tr("documents.batch.generate", count=selection["ready"]),
                                            key=K + "generate", type="primary"):  # fmt: skip
            stamp = now().astimezone(ZoneInfo(settings.timezone)).strftime("%Y%m%d-%H%M%S")
            out = settings.output_dir / "batches" / f"{selection['template']}-{stamp}.zip"
            bar = st.progress(0.0)
            try:
                with session() as s:
                    result = run_batch(s, template_id=selection["template"], case_ids=selection["ids"], out=out,
                                       actor=user.username, now=now(), cutoff=selection["cutoff"],
                                       pdf=selection["pdf"], role=user.role,
                                       progress=lambda done, total: bar.progress(done / max(total, 1)))  # fmt: skip
            except (DocumentError, LookupError, ValueError, OSError) as exc:
                st.error(tr("documents.error", reason=str(exc)))
                st.stop()
            bar.empty()
            st.session_state[RESULT] = {
                "zip": str(result.zip_path), "ok": result.ok, "failed": result.failed,
                "rows": [(r.case_ref, r.reason) for r in result.rows if r.status != "ok"],
            }  # fmt: skip

result = st.session_state.get(RESULT)
if result is not None:
    st.success(tr("documents.batch.done", ok=result["ok"], failed=result["failed"]))
    with open(result["zip"], "rb") as fh:
        st.download_button(tr("documents.batch.download"), fh.read(), file_name=result["zip"].rsplit("/", 1)[-1],
                           mime="application/zip", key=K + "download")  # fmt: skip
    if result["rows"]:
        st.markdown(f"**{tr('documents.batch.failed')}**")
        table([{"documents.batch.case": ref, "documents.batch.reason": reason} for ref, reason in result["rows"]],
              key=K + "failed")  # fmt: skip
