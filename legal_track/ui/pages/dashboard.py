"""Dashboard: the portfolio at a glance (the landing page of leads and admins). Every
figure is a SQL aggregate (legal_track.analytics); each chart exports its data."""

import altair as alt
import streamlit as st

from legal_track.analytics import Filters, dwell_times, funnel, kpis, monthly_trend, recovery
from legal_track.analytics.export import table_csv, workbook
from legal_track.cases.lifecycle import Route
from legal_track.models import Role
from legal_track.ui.context import require_role, session, today, tr
from legal_track.ui.widgets import label, money, page_title

K = "dashboard."
ANY = ""

user = require_role(Role.admin, Role.lead, Role.viewer)
page_title(tr("analytics.page.title"), tr("analytics.page.caption"))

with st.form(K + "filters"):
    c1, c2, c3, c4, c5, c6 = st.columns(6)
    route = c1.selectbox(tr("analytics.filter.route"), [ANY, *[r.value for r in Route]], key=K + "route",
                         format_func=lambda v: "—" if v == ANY else label("route", v))  # fmt: skip
    forum = c2.text_input(tr("analytics.filter.forum"), key=K + "forum")
    firm = c3.text_input(tr("analytics.filter.firm"), key=K + "firm")
    owner = c4.text_input(tr("analytics.filter.owner"), key=K + "owner")
    opened_from = c5.date_input(tr("analytics.filter.from"), value=None, key=K + "from")
    opened_to = c6.date_input(tr("analytics.filter.to"), value=None, key=K + "to")
    st.form_submit_button(tr("analytics.filter.apply"))
filters = Filters(route=route or None, forum=forum.strip() or None, firm=firm.strip() or None,
                  owner=owner.strip() or None, opened_from=opened_from, opened_to=opened_to)  # fmt: skip
day = today()

with session() as s:
    k = kpis(s, today=day, filters=filters)
    stages = funnel(s, filters=filters)
    dwell = dwell_times(s, today=day, filters=filters)
    by_route = recovery(s, by="route", filters=filters)
    by_firm = recovery(s, by="firm", filters=filters)
    trend = monthly_trend(s, filters=filters)

cols = st.columns(4)
cols[0].metric(tr("analytics.kpi.open_cases"), k.open_cases)
cols[1].metric(tr("analytics.kpi.claim"), money(k.claim_in_legal))
cols[2].metric(tr("analytics.kpi.recovered_month"), money(k.recovered_month))
cols[3].metric(tr("analytics.kpi.recovered_year"), money(k.recovered_year))
cols = st.columns(4)
cols[0].metric(tr("analytics.kpi.overdue"), k.deadlines_overdue)
cols[1].metric(tr("analytics.kpi.week"), k.deadlines_this_week)
cols[2].metric(tr("analytics.kpi.clocks"), k.clocks_at_risk)


@st.cache_data(ttl=600, show_spinner=False)
def _waiting(day_iso: str) -> int:
    """Proposals waiting: the escalation rules run over the loans (not one aggregate, so
    cached for ten minutes; the queue page itself is always fresh)."""
    from legal_track.config import get_settings
    from legal_track.escalation import propose

    with session() as s:
        return len(propose(s, today=day, timezone=get_settings().timezone))


cols[3].metric(tr("analytics.kpi.proposals"), _waiting(day.isoformat()))


def _exports(name: str, rows: list[dict]) -> None:
    a, b = st.columns(2)
    a.download_button(tr("analytics.export.csv"), table_csv(rows), file_name=f"{name}.csv",
                      mime="text/csv", key=K + name + ".csv", on_click="ignore")  # fmt: skip
    b.download_button(tr("analytics.export.xlsx"), workbook({name: rows}), file_name=f"{name}.xlsx",
                      key=K + name + ".xlsx", on_click="ignore")  # fmt: skip


def _chart(title: str, name: str, rows: list[dict], chart) -> None:
    st.subheader(title, anchor=False)
    if not rows:
        st.caption(tr("analytics.empty"))
        return
    st.altair_chart(chart, use_container_width=True, key=K + name + ".chart")
    _exports(name, rows)


def _labelled(rows: list[dict]) -> list[dict]:
    return [{**r, "route_label": label("route", r["route"]),
             **({"stage_label": label("stage", r["stage"])} if "stage" in r else {})} for r in rows]  # fmt: skip


left, right = st.columns(2)
with left:
    data = _labelled(stages)
    _chart(tr("analytics.chart.funnel"), "funnel", stages, alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("cases:Q"), y=alt.Y("stage_label:N", sort=None, title=None), color="route_label:N"))  # fmt: skip
with right:
    data = _labelled(dwell)
    _chart(tr("analytics.chart.dwell"), "dwell", dwell, alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("median_days:Q"), x2="p90_days:Q", y=alt.Y("stage_label:N", sort=None, title=None),
        color="route_label:N", tooltip=["route_label:N", "stage_label:N", "median_days:Q", "p90_days:Q", "visits:Q"]))  # fmt: skip
left, right = st.columns(2)
with left:
    data = [
        {**r, "route_label": label("route", r["route"]), "rate": float(r["recovery_rate"])}
        for r in by_route
    ]
    _chart(tr("analytics.chart.route"), "recovery_by_route", by_route, alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("route_label:N", title=None), y=alt.Y("rate:Q", axis=alt.Axis(format="%"))))  # fmt: skip
with right:
    data = [
        {"firm": r["firm"] or tr("analytics.no_firm"), "recovered": float(r["recovered"])}
        for r in by_firm
    ]
    _chart(tr("analytics.chart.firm"), "recovery_by_firm", by_firm, alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("recovered:Q"), y=alt.Y("firm:N", title=None)))  # fmt: skip
left, right = st.columns(2)
with left:
    # recorded costs (cost events) beside the estimate made when the cases were opened
    data = [
        {"route_label": label("route", r["route"]), "series": tr(f"analytics.cost.{key}"),
         "cost": float(r[key])}
        for r in by_route for key in ("cost_per_case", "expected_cost_per_case")
        if r.get(key) is not None
    ]  # fmt: skip
    _chart(tr("analytics.chart.cost"), "cost_by_route", by_route, alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("cost:Q"), y=alt.Y("route_label:N", title=None), yOffset="series:N", color="series:N",
        tooltip=["route_label:N", "series:N", "cost:Q"]))  # fmt: skip
with right:
    data = [{"month": t["month"], "series": name, "value": float(t[key])}
            for t in trend for name, key in (("opened", "opened"), ("closed", "closed"))]  # fmt: skip
    _chart(tr("analytics.chart.trend"), "trend", trend, alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("month:O", title=None), y="value:Q", color="series:N"))  # fmt: skip
