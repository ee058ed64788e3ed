"""Escalation queue: the loans the rules propose for the legal route; a lead accepts
(one, a selection or all filtered) or rejects them with a reason."""

import streamlit as st

from legal_track.approvals import ApprovalNeeded
from legal_track.auth import list_users
from legal_track.cases.lifecycle import Route
from legal_track.config import get_settings
from legal_track.escalation import EscalationError, accept, propose, reject, rules_on
from legal_track.models import Role
from legal_track.ui.context import lang, now, require_role, session, today, tr
from legal_track.ui.widgets import label, money, page_title, table

K = "escalation."
ANY = ""
RESULT = K + "result"

user = require_role(Role.admin, Role.lead, Role.staff)
page_title(tr("escalation.page.title"), tr("escalation.page.caption"))
day = today()
zone = get_settings().timezone
rules = rules_on(day)


with session() as s:
    proposals = propose(s, today=day, timezone=zone)
    owners = [u.username for u in list_users(s) if u.active and u.role in (Role.staff, Role.lead)]

c1, c2, c3, c4 = st.columns(4)
route = c1.selectbox(tr("escalation.filter.route"), [ANY, *[r.value for r in Route]], key=K + "route",
                     format_func=lambda v: tr("escalation.filter.any") if v == ANY else label("route", v))  # fmt: skip
names = {t.id: (t.name_zh if lang() == "zh" else t.name_en) for t in rules.triggers}
rule = c2.selectbox(tr("escalation.filter.rule"), [ANY, *names], key=K + "rule",
                    format_func=lambda v: tr("escalation.filter.any") if v == ANY else names[v])  # fmt: skip
min_dpd = c3.number_input(tr("escalation.filter.min_dpd"), min_value=0, value=0, step=30,
                          key=K + "min_dpd")  # fmt: skip
search = c4.text_input(tr("escalation.filter.search"), key=K + "search").strip()

shown = [
    p for p in proposals
    if (not route or p.route == route)
    and (not rule or any(r.rule == rule for r in p.reasons))
    and p.dpd >= min_dpd
    and (not search or search in p.contract_no or search in p.borrower_name)
]  # fmt: skip
st.caption(tr("escalation.count", n=len(shown), version=rules.version))


def _reason_text(p) -> str:
    parts = []
    for r in p.reasons:
        figures = ", ".join(f"{k}={v}" for k, v in r.figures.items() if not k.endswith("_rule"))
        parts.append(tr("escalation.reason_detail", name=r.name_zh if lang() == "zh" else r.name_en,
                        figures=figures))  # fmt: skip
    return "；".join(parts)


table(
    [
        {
            "escalation.col.contract": p.contract_no,
            "escalation.col.borrower": p.borrower_name,
            "escalation.col.dpd": p.dpd,
            "escalation.col.claim": money(p.claim),
            "escalation.col.route": label("route", p.route),
            "escalation.col.forum": p.forum,
            "escalation.col.cost": money(p.cost.total),
            "escalation.col.ratio": f"{p.cost_ratio:.1%}",
            "escalation.col.expiry": p.days_to_expiry if p.days_to_expiry is not None else "—",
            "escalation.col.reasons": _reason_text(p),
        }
        for p in shown[:500]
    ],
    key=K + "table",
)

if user.role not in (Role.admin, Role.lead):
    st.info(tr("escalation.readonly"))
    st.stop()

with st.form(K + "decide"):
    selected = st.multiselect(
        tr("escalation.select"), [p.contract_no for p in shown], key=K + "selected"
    )
    owner = st.selectbox(tr("escalation.owner"), [ANY, *owners], key=K + "owner")
    reason = st.text_input(tr("escalation.reject_reason"), key=K + "reason")
    b1, b2, b3 = st.columns(3)
    do_accept = b1.form_submit_button(tr("escalation.accept_selected"), type="primary")
    do_all = b2.form_submit_button(tr("escalation.accept_all", n=len(shown)))
    do_reject = b3.form_submit_button(tr("escalation.reject_selected"))

try:
    if do_accept or do_all:
        contracts = [p.contract_no for p in shown] if do_all else selected
        if not contracts:
            st.warning(tr("escalation.nothing_selected"))
        else:
            with session() as s:
                bar = st.progress(0.0)
                report = accept(s, contracts=contracts, today=day, now=now(), actor=user.username,
                                owner=owner or None, timezone=zone, role=user.role,
                                progress=lambda done, total: bar.progress(done / max(total, 1)))  # fmt: skip
            st.session_state[RESULT] = tr("escalation.accepted", n=len(report.cases),
                                          refs=", ".join(c.ref for c in report.cases))  # fmt: skip
            st.rerun()
    if do_reject:
        if not selected:
            st.warning(tr("escalation.nothing_selected"))
        else:
            with session() as s:
                n = reject(s, contracts=selected, reason=reason, today=day, now=now(),
                           actor=user.username, timezone=zone, role=user.role)  # fmt: skip
            st.session_state[RESULT] = tr("escalation.rejected", n=n)
            st.rerun()
except EscalationError as exc:
    st.error(str(exc))
except ApprovalNeeded as exc:  # maker-checker: another lead or admin approves first
    st.info(tr("approvals.needed", id=exc.request_id), icon=":material/approval:")
if RESULT in st.session_state:
    st.success(st.session_state.pop(RESULT))
