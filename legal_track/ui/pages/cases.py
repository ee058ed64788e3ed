"""Case list: search, filters, one page of cases from SQL, page controls."""

import streamlit as st

from legal_track.cases.listing import list_cases
from legal_track.ui import case_filters
from legal_track.ui import widgets as w
from legal_track.ui.case_filters import PAGE_NO
from legal_track.ui.context import require_role, session, today, tr
from legal_track.ui.scope import firm_for

PAGE_SIZES = (25, 50, 100)

user = require_role()
case_filters.seed()
st.session_state.setdefault("cases.page_size", PAGE_SIZES[0])

w.page_title(tr("ui.cases.title"))
case_filters.search_box()
case_filters.filter_form()

with session() as s:
    result = list_cases(
        s,
        filters=case_filters.applied(),
        page=st.session_state.get(PAGE_NO, 1),
        page_size=st.session_state["cases.page_size"],
        today=today(),
        role=user.role,
        firm_id=firm_for(s, user),
    )
st.session_state[PAGE_NO] = result.page

rows = [
    {
        "ui.cases.col.ref": r.ref,
        "ui.cases.col.borrower": r.borrower_name,
        "ui.cases.col.contract": (r.first_contract_no or w.DASH)
        + (f" +{r.loan_count - 1}" if r.loan_count > 1 else ""),
        "ui.cases.col.stage": w.label("stage", r.stage),
        "ui.cases.col.route": w.label("route", r.route),
        "ui.cases.col.forum": r.forum or w.DASH,
        "ui.cases.col.owner": r.owner_name or w.DASH,
        "ui.cases.col.claim": w.money(r.claim_total),
        "ui.cases.col.next_due": ("⚠ " if r.overdue else "") + w.day(r.next_due),
        "ui.cases.col.opened": w.day(r.opened_on),
    }
    for r in result.rows
]
st.caption(tr("ui.cases.count", total=result.total, page=result.page, pages=result.pages))
if not rows:
    st.info(tr("ui.cases.none"), icon=":material/search_off:")
else:
    headers = {k: tr(k) for k in rows[0]}
    picked = st.dataframe(
        [{headers[k]: v for k, v in row.items()} for row in rows],
        key="cases.table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=w.table_height(len(rows)),
        column_config={
            headers["ui.cases.col.claim"]: st.column_config.TextColumn(alignment="right")
        },
    )
    if picked.selection.rows:
        ref = result.rows[picked.selection.rows[0]].ref
        st.switch_page("legal_track/ui/pages/case.py", query_params={"ref": ref})

left, right = st.columns([5, 1], vertical_alignment="center")
if st.session_state.get("cases.pager", result.page) != result.page:
    del st.session_state["cases.pager"]  # filters changed or the data shrank: follow the query
left.pagination(
    result.pages,
    default=result.page,
    key="cases.pager",
    on_change=lambda: st.session_state.update({PAGE_NO: st.session_state["cases.pager"]}),
)
right.selectbox(
    tr("ui.cases.page_size"),
    PAGE_SIZES,
    key="cases.page_size",
    on_change=lambda: st.session_state.update({PAGE_NO: 1}),
    format_func=lambda n: tr("ui.cases.per_page", n=n),
    label_visibility="collapsed",
)
st.caption(tr("ui.cases.open_hint"))
