"""The case page's settlement tab: each agreement with its instalments' state (paid,
partly, due, missed) against the ledger, what it pauses and what it cannot pause, and,
for the team, a form to record a new agreement with its instalment table."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from legal_track.models import Role
from legal_track.settlements import (
    PlanError,
    PlannedInstalment,
    case_settlements,
    read_plan,
    record_agreement,
)
from legal_track.settlements.plans import check_instalments
from legal_track.ui.context import current_user, lang, now, session, today, tr
from legal_track.ui.widgets import day, money, table

K = "case.settlement."
TEAM = (Role.admin, Role.lead, Role.staff)
KINDS = ("pre_litigation", "litigation", "enforcement")
STATE_COLOR = {"paid": "green", "partly": "orange", "due": "gray", "missed": "red"}


def render(case_id: int) -> None:
    user = current_user()
    if user is None:
        return
    with session() as s:
        views = case_settlements(s, case_id=case_id, today=today())
    if not views:
        st.caption(tr("settlement.none"))
    for v in views:
        a = v.agreement
        name = v.rule.name_zh if lang() == "zh" else v.rule.name_en
        with st.container(border=True):
            st.subheader(f"{name} · {day(a.agreed_on)}", anchor=False)
            with st.container(horizontal=True):
                st.badge(tr(f"settlement.status.{a.status}"),
                         color={"kept": "blue", "completed": "green", "missed": "red"}[a.status])  # fmt: skip
                st.badge(tr("settlement.paid_of", paid=money(v.paid), total=money(a.total)),
                         color="gray")  # fmt: skip
            table([{"settlement.col.no": i.no, "settlement.col.due": day(i.due_on),
                    "settlement.col.amount": money(i.amount), "settlement.col.paid": money(i.paid),
                    "settlement.col.state": tr(f"settlement.state.{i.state.value}")}
                   for i in v.instalments], key=f"{K}{a.id}.instalments")  # fmt: skip
            if a.status == "missed":
                st.warning(v.rule.next_zh if lang() == "zh" else v.rule.next_en)
                st.caption(v.rule.basis_zh if lang() == "zh" else v.rule.basis_en)
        if v is views[0]:
            st.markdown(f"**{tr('settlement.effects')}**")
            table([{"settlement.col.deadline": e.name_zh if lang() == "zh" else e.name_en,
                    "settlement.col.due": day(e.due),
                    "settlement.col.status": tr(f"settlement.dl.{e.status}"),
                    "settlement.col.effect": tr(f"settlement.mode.{e.mode}"),
                    "settlement.col.why": e.why_zh if lang() == "zh" else e.why_en}
                   for e in v.effects], key=K + "effects",
                  empty=tr("settlement.no_deadlines"))  # fmt: skip
    if user.role in TEAM:
        _record_form(case_id, user)


def _record_form(case_id: int, user) -> None:
    st.subheader(tr("settlement.add.title"), anchor=False)
    with st.form(K + "add"):
        kind = st.selectbox(tr("settlement.add.kind"), KINDS, key=K + "kind",
                            format_func=lambda k: tr(f"settlement.kind.{k}"))  # fmt: skip
        agreed = st.date_input(tr("settlement.add.agreed_on"), value=today(), key=K + "agreed")
        grace = st.number_input(tr("settlement.add.grace"), min_value=0, max_value=90, value=0,
                                step=1, key=K + "grace")  # fmt: skip
        start = today() + timedelta(days=30)
        rows = st.data_editor(
            [{"due_on": start + timedelta(days=30 * i), "amount": None} for i in range(3)],
            num_rows="dynamic", key=K + "rows",
            column_config={
                "due_on": st.column_config.DateColumn(tr("settlement.col.due"), required=True),
                "amount": st.column_config.NumberColumn(tr("settlement.col.amount"), min_value=0.01,
                                                        format="%.2f", required=True),
            },
        )  # fmt: skip
        pasted = st.text_area(tr("settlement.add.paste"), key=K + "paste",
                              help=tr("settlement.add.paste_help"))  # fmt: skip
        go = st.form_submit_button(tr("settlement.add.submit"))
    if not go:
        return
    try:
        if pasted.strip():
            plan = read_plan("due_on,amount\n" + pasted.strip(), source=tr("settlement.add.paste"))
        else:
            plan = _from_editor(rows)
        with session() as s:
            agreement = record_agreement(s, case_id=case_id, kind=kind, agreed_on=agreed,
                                         instalments=plan, grace_days=int(grace),
                                         actor=user.username, now=now(),
                                         role=user.role)  # fmt: skip
            total = agreement.total
        st.success(tr("settlement.add.done", n=len(plan), total=money(total)))
    except (PlanError, LookupError, ValueError, PermissionError) as exc:
        st.error(str(exc))


def _from_editor(rows) -> list[PlannedInstalment]:
    from decimal import Decimal

    from legal_track.money import parse_amount

    items = []
    for r in rows:
        if r.get("due_on") is None and r.get("amount") in (None, ""):
            continue
        if r.get("due_on") is None or r.get("amount") in (None, ""):
            raise PlanError([tr("settlement.add.incomplete", no=len(items) + 1)])
        items.append(PlannedInstalment(len(items) + 1, r["due_on"],
                                       parse_amount(Decimal(str(r["amount"])))))  # fmt: skip
    check_instalments(items, label=tr("settlement.add.title"))
    return items
