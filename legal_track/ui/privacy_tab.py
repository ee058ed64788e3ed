"""The case page's third-party tab: every contact-log row with someone who is not an
obligor, whether a lawful-basis record covers it, whether the bundles show it; a form to
record a basis (the team) and one to mark a row in or out with a reason (lead, admin)."""

from __future__ import annotations

import streamlit as st

from legal_track.config import get_settings
from legal_track.privacy.consents import (
    PrivacyError,
    case_contracts,
    case_review,
    consents_of,
    mark_contact,
    record_consent,
    unmark_contact,
)
from legal_track.privacy.masks import mask_target
from legal_track.privacy.roles import CASE_WORKER_ROLES, DECIDER_ROLES
from legal_track.privacy.rules import load_rules
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.widgets import day, table

K = "case.privacy."


def _why(r) -> str:
    if r.mark is not None:
        return f"{r.mark.marked_by}：{r.mark.reason}"
    if r.consent is not None:
        basis = load_rules().basis[r.consent.basis]
        return f"{basis.name_zh if lang() == 'zh' else basis.name_en}（{r.consent.proof_ref}）"
    return ""


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    with session() as s:
        reviews = case_review(s, case_id=case_id, tz=get_settings().timezone, role=user.role)
        contracts = case_contracts(s, case_id=case_id)
        records = consents_of(s, loan_ids=contracts, role=user.role)
    st.caption(tr("privacy.intro"))
    flagged = sum(r.flagged for r in reviews)
    if flagged:
        st.warning(tr("privacy.flagged", n=flagged), icon=":material/flag:")
    if not reviews:
        st.caption(tr("privacy.none"))
    table([{"privacy.col.id": r.contact_id, "privacy.col.contract": r.contract_no,
            "privacy.col.day": day(r.day), "privacy.col.channel": r.channel,
            "privacy.col.target": r.shown_target(user.role),
            "privacy.col.status": tr(f"privacy.status.{r.status}"),
            "privacy.col.bundle": tr("privacy.yes" if r.in_bundle else "privacy.no"),
            "privacy.col.why": _why(r)} for r in reviews], key=K + "rows")  # fmt: skip
    if records:
        st.markdown(f"**{tr('privacy.consents')}**")
        rules = load_rules()
        table([{"privacy.col.contract": contracts.get(c.loan_id, ""),
                "privacy.col.target": c.target if user.role in CASE_WORKER_ROLES else mask_target(c.target),
                "privacy.consent.name": c.name,
                "privacy.consent.relation": _name(rules.relations[c.relation]),
                "privacy.consent.basis": _name(rules.basis[c.basis]),
                "privacy.consent.since": day(c.since),
                "privacy.consent.until": day(c.until) if c.until else "",
                "privacy.consent.proof": c.proof_ref} for c in records],
              key=K + "records")  # fmt: skip
    if reviews and user.role in DECIDER_ROLES:
        _mark_form(reviews, user)
    if contracts and user.role in CASE_WORKER_ROLES:
        _record_form(contracts, user)


def _name(item) -> str:
    return item.name_zh if lang() == "zh" else item.name_en


def _mark_form(reviews, user) -> None:
    st.subheader(tr("privacy.mark.title"), anchor=False)
    by_id = {r.contact_id: r for r in reviews}
    with st.form(K + "mark"):
        contact = st.selectbox(
            tr("privacy.mark.contact"), list(by_id), key=K + "mark.contact",
            format_func=lambda i: f"#{i} · {day(by_id[i].day)} · {by_id[i].shown_target(user.role)}"
                                  f" · {tr(f'privacy.status.{by_id[i].status}')}",
        )  # fmt: skip
        include = st.radio(tr("privacy.mark.decision"), (True, False), key=K + "mark.include",
                           format_func=lambda v: tr("privacy.mark.include" if v
                                                    else "privacy.mark.exclude"),
                           horizontal=True)  # fmt: skip
        reason = st.text_input(tr("privacy.mark.reason"), key=K + "mark.reason", max_chars=500)
        go = st.form_submit_button(tr("privacy.mark.submit"))
        undo = any(r.mark for r in reviews) and st.form_submit_button(tr("privacy.mark.undo"))
    if not (go or undo):
        return
    try:
        with session() as s:
            if undo:
                if unmark_contact(s, contact_id=contact, actor=user.username, role=user.role,
                                  now=now()):  # fmt: skip
                    st.success(tr("privacy.mark.undone", id=contact))
                else:
                    st.error(tr("privacy.mark.none", id=contact))
                return
            mark_contact(s, contact_id=contact, include=include, reason=reason,
                         actor=user.username, role=user.role, now=now())  # fmt: skip
        decision = tr("privacy.mark.include" if include else "privacy.mark.exclude")
        st.success(tr("privacy.mark.done", id=contact, decision=decision))
    except (PrivacyError, LookupError, PermissionError) as exc:
        st.error(str(exc))


def _record_form(contracts: dict[int, str], user) -> None:
    rules = load_rules()
    st.subheader(tr("privacy.consent.title"), anchor=False)
    with st.form(K + "consent"):
        loan_id = st.selectbox(tr("privacy.consent.loan"), list(contracts), key=K + "c.loan",
                               format_func=contracts.get)  # fmt: skip
        target = st.text_input(tr("privacy.consent.target"), key=K + "c.target", max_chars=254)
        name = st.text_input(tr("privacy.consent.name"), key=K + "c.name", max_chars=100)
        relation = st.selectbox(tr("privacy.consent.relation"), list(rules.relations),
                                key=K + "c.relation",
                                format_func=lambda k: _name(rules.relations[k]))  # fmt: skip
        basis = st.selectbox(tr("privacy.consent.basis"), list(rules.basis), key=K + "c.basis",
                             format_func=lambda k: _name(rules.basis[k]))  # fmt: skip
        since = st.date_input(tr("privacy.consent.since"), value=today(), key=K + "c.since")
        ends = st.checkbox(tr("privacy.consent.has_until"), key=K + "c.ends")
        until = st.date_input(tr("privacy.consent.until"), value=today(), key=K + "c.until")
        proof = st.text_input(tr("privacy.consent.proof"), key=K + "c.proof", max_chars=200)
        go = st.form_submit_button(tr("privacy.consent.submit"))
    if not go:
        return
    try:
        with session() as s:
            saved = record_consent(s, loan_id=loan_id, target=target, name=name,
                                   relation=relation, basis=basis, since=since,
                                   until=until if ends else None, proof_ref=proof,
                                   actor=user.username, role=user.role, now=now())  # fmt: skip
            shown = mask_target(saved.target)
        st.success(tr("privacy.consent.done", target=shown))
    except (PrivacyError, LookupError, PermissionError) as exc:
        st.error(str(exc))
