"""Case page: header, parties, loans, ledger, contact log, events and deadlines, plus
the tabs other areas register in `CASE_TABS`. Reached as /case?ref=LT-2026-000123."""

from decimal import Decimal

import streamlit as st

from legal_track.analytics import case_costs, case_recovery
from legal_track.cases.listing import case_detail, case_id_for_ref
from legal_track.config import get_settings
from legal_track.privacy.consents import REVIEW_ROLES, flagged_count
from legal_track.ui import case_sections as sections
from legal_track.ui import widgets as w
from legal_track.ui.case_tabs import CASE_TABS
from legal_track.ui.context import now, page_entered, require_role, session, tr
from legal_track.ui.scope import firm_for
from legal_track.ui.widgets import page_title

AUDITED = "case.audited_ref"  # one case.view audit entry per visit, not per rerun

user = require_role()
ref = st.query_params.get("ref", "").strip()
if not ref:
    page_title(tr("ui.case.title"))
    st.text_input(tr("ui.case.open_by_ref"), key="case.open_ref", placeholder="LT-2026-000123")
    if st.session_state.get("case.open_ref"):
        st.query_params["ref"] = st.session_state["case.open_ref"].strip()
        st.rerun()
    st.stop()

with session() as s:
    firm = firm_for(s, user)
    case_id = case_id_for_ref(s, ref, role=user.role, firm_id=firm)
    if case_id is None:
        st.page_link(
            "legal_track/ui/pages/cases.py", label=tr("ui.case.back"), icon=":material/arrow_back:"
        )
        st.error(tr("ui.case.not_found", ref=ref))
        st.stop()
    audit = page_entered() or st.session_state.get(AUDITED) != ref
    detail = case_detail(
        s, case_id=case_id, role=user.role, actor=user.username, now=now(), audit=audit,
        firm_id=firm,
    )  # fmt: skip
st.session_state[AUDITED] = ref

sections.case_header(detail)
if user.role in REVIEW_ROLES:
    with session() as s:
        flagged = flagged_count(s, case_id=case_id, tz=get_settings().timezone)
    if flagged:
        st.warning(tr("privacy.header_flag", n=flagged), icon=":material/flag:")
extra = [tab for tab in CASE_TABS if user.role in tab.roles]
labels = [
    tr(k)
    for k in (
        "ui.case.tab.overview",
        "ui.case.tab.ledger",
        "ui.case.tab.contacts",
        "ui.case.tab.events",
    )
]
tabs = st.tabs(labels + [tr(tab.title_key) for tab in extra], key="case.tabs", on_change="rerun")
overview, ledger, contacts, events, *registered = tabs
if overview.open is not False:
    with overview:
        with session() as s:
            rec = case_recovery(s, case_id=case_id)
            costs = case_costs(s, case_id=case_id)
        w.facts([(tr("analytics.case.recovered"), w.money(rec["recovered"])),
                 (tr("analytics.case.outstanding"), w.money(rec["outstanding"])),
                 (tr("analytics.case.written_off"), w.money(rec["written_off"])),
                 (tr("analytics.case.costs"), w.money(sum(costs.values(), Decimal(0))))])  # fmt: skip
        sections.parties(detail.borrower, detail.parties, detail.pii_visible, prefix="case")
        sections.loans(detail.loans, prefix="case")
        sections.creditors(detail.creditors, prefix="case")
        w.section(tr("analytics.case.costs"))
        sections.costs(costs, prefix="case")
if ledger.open:
    with ledger:
        sections.ledger(detail.ledger, prefix="case")
if contacts.open:
    with contacts:
        sections.contacts(detail.contacts, detail.contacts_total, prefix="case")
if events.open:
    with events:
        sections.deadlines(detail.deadlines, prefix="case")
        sections.events(detail.events, prefix="case")
for tab, container in zip(extra, registered, strict=True):
    if container.open:
        with container:
            tab.render(case_id)
