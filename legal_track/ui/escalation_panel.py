"""The loan page's "open a case" panel and the case page's settings tab (owner, route,
forum, outside counsel). Both call the escalation services, which check the role."""

from __future__ import annotations

import streamlit as st

from legal_track.auth import list_users
from legal_track.cases.lifecycle import Route, Stage
from legal_track.cases.versions import CaseChangedError
from legal_track.config import get_settings
from legal_track.escalation import EscalationError, change_case, open_case, propose
from legal_track.models import Case, Loan, Role
from legal_track.ui.case_version import conflict, flash, form_version, show_flash, widget_prefix
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.widgets import label

DECIDERS = (Role.admin, Role.lead)


def render_loan(loan_id: int) -> None:
    user = current_user()
    if user is None:
        return
    K = "loan.open."
    with session() as s:
        loan = s.get(Loan, loan_id)
        in_case = loan.status == "legal"
        found = [] if in_case else propose(s, today=today(), timezone=get_settings().timezone,
                                           loan_ids=[loan_id])  # fmt: skip
        owners = [
            u.username for u in list_users(s) if u.active and u.role in (Role.staff, Role.lead)
        ]
        contract, clause = loan.contract_no, loan.arbitration_commission
    if in_case:
        st.caption(tr("escalation.panel.in_case"))
        return
    if found:
        names = "、".join(r.name_zh if lang() == "zh" else r.name_en for r in found[0].reasons)
        st.info(tr("escalation.panel.proposed", reasons=names))
    else:
        st.caption(tr("escalation.panel.not_proposed"))
    routes = (
        [Route.arbitration.value] if clause else [Route.litigation.value, Route.payment_order.value]
    )
    if found and found[0].route in routes:
        routes.remove(found[0].route)
        routes.insert(0, found[0].route)
    with st.form(K + "form"):
        route = st.selectbox(tr("escalation.panel.route"), routes, key=K + "route",
                             format_func=lambda v: label("route", v))  # fmt: skip
        forum = st.text_input(tr("escalation.panel.forum"), key=K + "forum",
                              value=found[0].forum if found else (clause or ""))  # fmt: skip
        owner = st.selectbox(tr("escalation.owner"), ["", *owners], key=K + "owner")
        submitted = st.form_submit_button(tr("escalation.panel.open"), type="primary")
    if submitted:
        try:
            with session() as s:
                opened = open_case(s, contracts=[contract], route=route, forum=forum or None,
                                   owner=owner or None, today=today(), now=now(),
                                   actor=user.username, role=user.role)  # fmt: skip
            st.success(tr("escalation.panel.opened", ref=opened.ref))
        except EscalationError as exc:
            st.error(str(exc))


def render_case(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    K = "case.settings."
    with session() as s:
        case = s.get(Case, case_id)
        users = [u for u in list_users(s) if u.active and u.role in (Role.staff, Role.lead)]
        owner_now = next((u.username for u in users if u.id == case.owner_id), "")
        route_now, stage, forum_now, counsel_now, version = (
            case.route,
            case.stage,
            case.forum,
            case.counsel_firm,
            case.version,
        )
    show_flash()
    decider = user.role in DECIDERS
    W = widget_prefix(K)
    with st.form(K + "form"):
        names = ["", *[u.username for u in users]]
        owner = st.selectbox(tr("escalation.settings.owner"), names, key=W + "owner",
                             index=names.index(owner_now) if owner_now in names else 0,
                             format_func=lambda v: v or tr("escalation.settings.unassigned"),
                             disabled=not decider)  # fmt: skip
        routes = [r.value for r in Route]
        route = st.selectbox(tr("escalation.settings.route"), routes, index=routes.index(route_now),
                             format_func=lambda v: label("route", v), key=W + "route",
                             disabled=not decider or stage != Stage.demand_letter.value)  # fmt: skip
        forum = st.text_input(
            tr("escalation.settings.forum"), value=forum_now or "", key=W + "forum"
        )
        counsel = st.text_input(tr("escalation.settings.counsel"), value=counsel_now or "",
                                key=W + "counsel")  # fmt: skip
        saved = st.form_submit_button(tr("escalation.settings.save"))
    shown = form_version(f"{K}version.{case_id}", version, submitted=saved)
    if saved:
        changes: dict = {"forum": forum, "counsel_firm": counsel}
        if decider:
            changes["owner"] = owner or None
            changes["route"] = route
        try:
            with session() as s:
                done = change_case(s, case_id=case_id, now=now(), actor=user.username,
                                   role=user.role, expected_version=shown, **changes)  # fmt: skip
        except CaseChangedError as exc:  # someone saved first: show theirs, keep nothing stale
            conflict(exc, base=K)
        except EscalationError as exc:
            st.error(str(exc))
        else:
            if done:
                flash("success", tr("escalation.settings.saved", changes=", ".join(
                    f"{k}: {a or '—'} → {b or '—'}" for k, (a, b) in done.items())))  # fmt: skip
                st.rerun()  # draw the form with the new version
            st.caption(tr("escalation.settings.unchanged"))
