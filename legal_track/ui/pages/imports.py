"""Import page: upload a loan tape, ledger, contact log, parties, schedules or repayment plans
(CSV/XLSX); all or nothing."""

import streamlit as st

from legal_track.ui import lookups
from legal_track.ui import widgets as w
from legal_track.ui.context import lang, require_role, tr
from legal_track.ui.nav import CASE_WORKERS
from legal_track.ui.upload import ImportOutcome, progress_text, run_import

KINDS = ("loans", "ledger", "contacts", "parties", "schedules", "plans", "consents")
RESULT = "imports.result"

user = require_role(*CASE_WORKERS)
w.page_title(tr("ui.import.title"), tr("ui.import.caption"))
kind = st.segmented_control(
    tr("ui.import.kind"),
    KINDS,
    format_func=lambda k: tr(f"intake.kind.{k}"),
    default="loans",
    required=True,
    key="imports.kind",
    on_change=lambda: st.session_state.pop(RESULT, None),
)
st.caption(tr(f"ui.import.columns.{kind}"))
upload = st.file_uploader(
    tr("ui.import.file"),
    type=["csv", "xlsx"],
    key="imports.file",
    on_change=lambda: st.session_state.pop(RESULT, None),
)
if st.button(
    tr("ui.import.run"),
    type="primary",
    disabled=upload is None,
    key="imports.run",
    icon=":material/upload:",
):
    bar = st.progress(0.0, text=tr("ui.import.checking", done=0))
    st.session_state[RESULT] = run_import(
        kind=kind,
        filename=upload.name,
        data=upload.getvalue(),
        user=user,
        lang=lang(),
        progress=lambda done, total: bar.progress(*progress_text(done, total, lang())),
    )
    bar.empty()
    lookups.clear()

outcome: ImportOutcome | None = st.session_state.get(RESULT)
if outcome is not None and outcome.report is not None:
    r = outcome.report
    st.success(
        tr(
            "intake.report.summary",
            file=r.file,
            rows=r.rows,
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
        ),
        icon=":material/check_circle:",
    )
    cols = st.columns(4)
    for col, (key, value) in zip(
        cols,
        (
            ("ui.import.rows", r.rows),
            ("ui.import.created", r.created),
            ("ui.import.updated", r.updated),
            ("ui.import.unchanged", r.unchanged),
        ),
        strict=True,
    ):
        col.metric(tr(key), value)
    if outcome.clocks:
        st.caption(tr("ui.import.clocks", n=outcome.clocks))
    if outcome.warning:
        st.warning(tr("ui.import.clocks_failed", reason=outcome.warning), icon=":material/warning:")
elif outcome is not None:
    st.error(
        tr("ui.import.failed", file=outcome.file, count=len(outcome.problems)),
        icon=":material/error:",
    )
    w.table(
        [
            {
                "ui.import.row": p.row,
                "ui.import.column": p.column or w.DASH,
                "ui.import.problem": p.message,
            }
            for p in outcome.problems
        ],
        key="imports.problems",
    )
