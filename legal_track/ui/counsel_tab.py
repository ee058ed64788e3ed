"""The case page's outside-counsel tab: the assignment history; for the lender's team the
assignment form and the counsel package; for the firm's own counsel account a form and
an upload to report progress (applied as case events, all or nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from legal_track.cases.kinds import EventKind
from legal_track.cases.versions import CaseChangedError
from legal_track.counsel import CounselError, assign_case, assignments_of, list_firms
from legal_track.counsel.updates import UpdateError, import_updates
from legal_track.models import Case, Role
from legal_track.ui.case_version import conflict, form_version, show_flash, widget_prefix
from legal_track.ui.context import current_user, now, session, today, tr
from legal_track.ui.scope import firm_for
from legal_track.ui.widgets import label, table

TEAM = (Role.admin, Role.lead, Role.staff)
MANAGERS = (Role.admin, Role.lead)


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    K = "case.counsel."
    with session() as s:
        case = s.get(Case, case_id)
        ref, version = case.ref, case.version
        history = assignments_of(s, case_id=case_id)
        firms = {f.id: f.name for f in list_firms(s) if f.active}
        own_firm = firm_for(s, user)
    st.subheader(tr("counsel.tab.history"), anchor=False)
    table([{"counsel.col.firm": h.firm, "counsel.col.from": h.assigned_on,
            "counsel.col.to": h.ended_on or "—", "counsel.col.filing": "✓" if h.includes_filing else ""}
           for h in history], key=K + "history", empty=tr("counsel.tab.none"))  # fmt: skip
    if user.role in MANAGERS:
        show_flash()
        W = widget_prefix(K)
        with st.form(K + "assign"):
            options = [0, *firms]
            firm_id = st.selectbox(tr("counsel.tab.firm"), options, key=W + "firm",
                                   format_func=lambda i: firms.get(i, tr("counsel.tab.take_back")))  # fmt: skip
            filing = st.checkbox(tr("counsel.tab.filing"), value=True, key=W + "filing")
            go = st.form_submit_button(tr("counsel.tab.assign"))
        shown = form_version(f"{K}version.{case_id}", version, submitted=go)
        if go:
            try:
                with session() as s:
                    assign_case(s, case_id=case_id, firm_id=firm_id or None, on=today(),
                                includes_filing=filing, actor=user.username, now=now(),
                                role=user.role, expected_version=shown)  # fmt: skip
                st.success(tr("counsel.tab.assigned", firm=firms.get(firm_id, "—")))
                with session() as s:  # the next save is against our own change
                    st.session_state[f"{K}version.{case_id}"] = s.get(Case, case_id).version
            except CaseChangedError as exc:
                conflict(exc, base=K)
            except CounselError as exc:
                st.error(str(exc))
    if user.role in TEAM and history and history[-1].ended_on is None:
        if st.button(tr("counsel.tab.export"), key=K + "export"):
            from legal_track.config import get_settings
            from legal_track.counsel.package import PackageError, export_packages

            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            out = get_settings().output_dir / "counsel" / f"{ref}-{stamp}.zip"
            try:
                with session() as s:
                    report = export_packages(s, case_refs=[ref], out=out, actor=user.username,
                                             now=now(), cutoff=today(), role=user.role)  # fmt: skip
                st.session_state[K + "package"] = str(report.path)
                st.success(tr("counsel.tab.exported", sha=report.sha256[:16]))
            except PackageError as exc:
                st.error(str(exc))
        made = st.session_state.get(K + "package")
        if made:
            from pathlib import Path

            path = Path(made)
            if path.is_file():
                st.download_button(tr("counsel.tab.download"), path.read_bytes(), file_name=path.name,
                                   mime="application/zip", key=K + "download", on_click="ignore")  # fmt: skip
    if user.role == Role.counsel:
        st.subheader(tr("counsel.tab.report"), anchor=False)
        with st.form(K + "report"):
            kind = st.selectbox(tr("counsel.tab.kind"), [k.value for k in EventKind], key=K + "kind",
                                format_func=lambda v: label("deadline.event", v))  # fmt: skip
            on = st.date_input(tr("counsel.tab.date"), value=today(), key=K + "date")
            details = st.text_input(tr("counsel.tab.details"), key=K + "details")
            sent = st.form_submit_button(tr("counsel.tab.submit"))
        upload = st.file_uploader(tr("counsel.tab.upload"), type=["csv", "xlsx"], key=K + "upload")
        payload = None
        if sent:
            row = f'案件编号,事件,日期,详情\n{ref},{kind},{on.isoformat()},"{details}"\n'
            payload = (row.encode("utf-8"), "progress.csv")
        elif upload is not None and st.button(tr("counsel.tab.submit"), key=K + "apply"):
            payload = (upload.getvalue(), upload.name)
        if payload is not None:
            try:
                with session() as s:
                    report = import_updates(s, data=payload[0], filename=payload[1],
                                            actor=user.username, now=now(), today=today(),
                                            firm_id=own_firm, role=user.role)  # fmt: skip
                st.success(tr("counsel.tab.reported", n=report.events))
            except UpdateError as exc:
                for problem in exc.problems:
                    st.error(problem)
