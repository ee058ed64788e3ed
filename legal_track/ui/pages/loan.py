"""Loan page: loan facts, parties, ledger, contact log, the cases covering it, plus the
panels other areas register in `LOAN_PANELS`. Reached as /loan?contract=HT000123."""

import streamlit as st

from legal_track.cases.detail import NotFoundError
from legal_track.cases.listing import loan_detail, loan_id_for_contract
from legal_track.ui import case_sections as sections
from legal_track.ui import widgets as w
from legal_track.ui.case_tabs import LOAN_PANELS
from legal_track.ui.context import now, page_entered, require_role, session, tr
from legal_track.ui.scope import firm_for

AUDITED = "loan.audited_contract"

user = require_role()
contract = st.query_params.get("contract", "").strip()
with session() as s:
    loan_id = loan_id_for_contract(s, contract) if contract else None
    if loan_id is None:
        st.page_link(
            "legal_track/ui/pages/cases.py", label=tr("ui.case.back"), icon=":material/arrow_back:"
        )
        st.error(tr("ui.loan.not_found", contract=contract or w.DASH))
        st.stop()
    audit = page_entered() or st.session_state.get(AUDITED) != contract
    try:
        d = loan_detail(s, loan_id=loan_id, role=user.role, actor=user.username, now=now(),
                        audit=audit, firm_id=firm_for(s, user))  # fmt: skip
    except NotFoundError:
        st.error(tr("ui.loan.not_found", contract=contract))
        st.stop()
st.session_state[AUDITED] = contract

st.page_link(
    "legal_track/ui/pages/cases.py", label=tr("ui.case.back"), icon=":material/arrow_back:"
)
w.page_title(f"{d.loan.contract_no} · {d.borrower.name}", d.creditor.name)
with st.container(horizontal=True):
    st.badge(w.label("ui.loan.status", d.loan.status), color="blue")
    for c in d.cases:
        st.page_link(
            sections.CASE_PAGE,
            label=f"{c.ref} · {w.label('stage', c.stage)}",
            icon=":material/folder_open:",
            query_params={"ref": c.ref},
        )
ln = d.loan
with st.container(border=True):
    w.facts(
        [
            (tr("ui.loan.principal"), w.money(ln.principal)),
            (tr("ui.loan.outstanding"), w.money(ln.outstanding_principal)),
            (tr("ui.loan.annual_rate"), w.rate(ln.annual_rate)),
            (tr("ui.loan.overdue_rate"), w.rate(ln.overdue_rate)),
            (tr("ui.loan.disbursed_on"), w.day(ln.disbursed_on)),
            (tr("ui.loan.maturity_on"), w.day(ln.maturity_on)),
            (tr("ui.loan.overdue_since"), w.day(ln.overdue_since)),
            (tr("ui.loan.instalments"), ln.instalments),
            (tr("ui.loan.arbitration"), ln.arbitration_commission),
            (tr("ui.loan.agreed_court"), ln.agreed_court),
        ]
    )
panels = [p for p in LOAN_PANELS if user.role in p.roles]
labels = [tr(k) for k in ("ui.case.tab.overview", "ui.case.tab.ledger", "ui.case.tab.contacts")]
overview, ledger, contacts, *registered = st.tabs(
    labels + [tr(p.title_key) for p in panels], key="loan.tabs", on_change="rerun"
)
if overview.open is not False:
    with overview:
        sections.parties(d.borrower, d.parties, d.pii_visible, prefix="loan")
        sections.creditors([d.creditor], prefix="loan")
if ledger.open:
    with ledger:
        sections.ledger(d.ledger, prefix="loan")
if contacts.open:
    with contacts:
        sections.contacts(d.contacts, d.contacts_total, prefix="loan")
for panel, container in zip(panels, registered, strict=True):
    if container.open:
        with container:
            panel.render(loan_id)
