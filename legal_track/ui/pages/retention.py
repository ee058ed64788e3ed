"""Personal data purge (admin): the closed cases due for purge under the retention
setting, what each holds, and the purge with a confirmation."""

import streamlit as st

from legal_track import sheets
from legal_track.config import get_settings
from legal_track.models import Role
from legal_track.retention import RetentionError, candidates, purge
from legal_track.retention.report import PURGED_COLUMNS, purged_rows
from legal_track.ui.context import now, require_role, session, today, tr
from legal_track.ui.widgets import page_title, table

K = "retention."
DONE = K + "done"

admin = require_role(Role.admin)
settings = get_settings()
page_title(tr("retention.page.title"), tr("retention.page.caption", years=settings.retention_years))
st.caption(tr("retention.audit_note"))
day = st.date_input(tr("retention.today"), value=today(), key=K + "today")

done = st.session_state.pop(DONE, None)
if done is not None:
    st.success(tr("retention.done", count=done["count"], files=done["files"]))
    if done["failed"]:
        st.warning(tr("retention.files_failed", files="; ".join(done["failed"])))
    st.download_button(tr("retention.download"), data=done["csv"], file_name="retention-purge.csv",
                       mime="text/csv", key=K + "download")  # fmt: skip

try:
    with session() as s:
        found = candidates(s, today=day)
except RetentionError as exc:
    st.error(tr("retention.error", message=str(exc)))
    st.stop()

if not found:
    st.info(tr("retention.none"))
    st.stop()
st.markdown(tr("retention.count", count=len(found)))
table(
    [
        {
            "retention.col.case": c.ref,
            "retention.col.closed_on": c.closed_on.isoformat(),
            "retention.col.due_on": c.due_on.isoformat(),
            "retention.col.days_due": c.days_due,
            "retention.col.holds": c.holdings.describe(),
        }
        for c in found
    ],
    key=K + "table",
)
by_ref = {c.ref: c for c in found}
with st.form(K + "form"):
    chosen = st.multiselect(tr("retention.select"), list(by_ref), default=list(by_ref),
                            key=K + "selected")  # fmt: skip
    confirmed = st.checkbox(tr("retention.confirm"), key=K + "confirm")
    go = st.form_submit_button(tr("retention.purge"), type="primary")
if go and not confirmed:
    st.warning(tr("retention.need_confirm"))
elif go and chosen:
    try:
        with session() as s:
            bar = st.progress(0.0)
            report = purge(s, case_ids=[by_ref[r].case_id for r in chosen], actor=admin.username,
                           role=admin.role, now=now(), today=day,
                           progress=lambda n, total: bar.progress(n / total))  # fmt: skip
    except RetentionError as exc:
        st.error(tr("retention.error", message=str(exc)))
    else:
        rows = purged_rows(report, timezone=settings.timezone)
        st.session_state[DONE] = {
            "count": len(report.cases), "files": report.files.removed,
            "failed": report.files.failed,
            "csv": sheets.csv_bytes(rows, header=PURGED_COLUMNS),
        }  # fmt: skip
        st.rerun()
