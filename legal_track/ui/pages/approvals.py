"""Approvals (maker-checker): leads and admins approve or reject the requests of others;
everyone sees their own requests and carries out the approved ones."""

from datetime import date

import streamlit as st

from legal_track.approvals import (
    ApprovalError,
    ApprovalNeeded,
    Status,
    approve,
    list_requests,
    reject,
    required_actions,
    withdraw,
)
from legal_track.cases.events import add_event
from legal_track.cases.kinds import EventDataError
from legal_track.cases.lifecycle import TransitionError
from legal_track.config import get_settings
from legal_track.documents.errors import DocumentError
from legal_track.documents.letters import mark_sent
from legal_track.escalation import EscalationError, accept
from legal_track.models import Role
from legal_track.ui import widgets as w
from legal_track.ui.context import now, require_role, session, tr

K = "approvals."
DONE = K + "done"
DECIDERS = (Role.admin, Role.lead)

user = require_role(Role.admin, Role.lead, Role.staff)
zone = get_settings().timezone
w.page_title(tr("approvals.page.title"), tr("approvals.page.caption"))
needed = sorted(required_actions())
st.caption(tr("approvals.configured", actions="、".join(tr(f"approvals.action.{a}") for a in needed))
           if needed else tr("approvals.configured_none"))  # fmt: skip


def _rows(rows) -> list[dict]:
    return [
        {
            "approvals.col.id": f"#{r.request.id}",
            "approvals.col.action": tr(f"approvals.action.{r.request.action}"),
            "approvals.col.case": r.case_ref or w.DASH,
            "approvals.col.subject": r.request.subject,
            "approvals.col.requested_by": r.request.requested_by,
            "approvals.col.requested_at": w.local_time(r.request.requested_at),
            "approvals.col.status": tr(f"approvals.status.{r.request.status}"),
            "approvals.col.decided_by": r.request.decided_by or w.DASH,
            "approvals.col.reason": r.request.reason or w.DASH,
        }
        for r in rows
    ]


def _label(rows):
    by_id = {r.request.id: r for r in rows}
    return lambda i: (
        f"#{i} · {tr(f'approvals.action.{by_id[i].request.action}')} · {by_id[i].request.subject}"
    )


def _carry_out(s, request) -> str:
    """Do the approved action again, from its payload: the gate finds the approval."""
    p = request.payload
    if request.action == "filing":
        add_event(s, case_id=request.case_id, kind=p["kind"], on=date.fromisoformat(p["on"]),
                  actor=user.username, now=now(), party=p.get("party"), data=p.get("data") or {},
                  note=p.get("note", ""), to_stage=p.get("to_stage"), role=user.role)  # fmt: skip
    elif request.action == "demand_letter":
        mark_sent(s, document_id=int(p["document_id"]), on=date.fromisoformat(p["on"]),
                  actor=user.username, now=now(), tracking_no=p.get("tracking_no", ""),
                  timezone=zone, role=user.role)  # fmt: skip
    else:
        report = accept(s, contracts=list(p["contracts"]), today=date.fromisoformat(p["today"]),
                        now=now(), actor=user.username, owner=p.get("owner"), timezone=zone,
                        role=user.role)  # fmt: skip
        return tr("approvals.done.accepted", refs=", ".join(c.ref for c in report.cases))
    return tr("approvals.done.carried_out", id=request.id)


FAILURES = (ApprovalError, ApprovalNeeded, EventDataError, TransitionError, DocumentError,
            EscalationError, LookupError)  # fmt: skip

if user.role in DECIDERS:
    st.subheader(tr("approvals.pending"), anchor=False)
    with session() as s:
        pending = [r for r in list_requests(s, statuses=[Status.pending.value])]
    w.table(_rows(pending), key=K + "pending_table", empty=tr("approvals.none"))
    if pending:
        with st.form(K + "decide"):
            picked = st.selectbox(tr("approvals.pick"), [r.request.id for r in pending],
                                  format_func=_label(pending), key=K + "pick")  # fmt: skip
            reason = st.text_input(tr("approvals.reason"), key=K + "reason")
            c1, c2, _ = st.columns([1, 1, 3])
            do_approve = c1.form_submit_button(
                tr("approvals.approve"), key=K + "approve", type="primary"
            )
            do_reject = c2.form_submit_button(tr("approvals.reject"), key=K + "reject")
        chosen = next(r for r in pending if r.request.id == picked)
        with st.expander(tr("approvals.payload")):
            st.json(chosen.request.payload)
        if do_approve or do_reject:
            try:
                with session() as s:
                    if do_approve:
                        approve(s, request_id=picked, actor=user.username, role=user.role,
                                now=now(), reason=reason)  # fmt: skip
                    else:
                        reject(s, request_id=picked, actor=user.username, role=user.role,
                               now=now(), reason=reason)  # fmt: skip
            except (ApprovalError, LookupError) as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                key = "approvals.done.approved" if do_approve else "approvals.done.rejected"
                st.session_state[DONE] = tr(key, id=picked)
                st.rerun()

st.subheader(tr("approvals.mine"), anchor=False)
with session() as s:
    mine = list_requests(s, requested_by=user.username, limit=50)
w.table(_rows(mine), key=K + "mine_table", empty=tr("approvals.none"))
open_ = [r for r in mine if r.request.status in (Status.pending.value, Status.approved.value)]
if open_:
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    own = c1.selectbox(tr("approvals.pick"), [r.request.id for r in open_], format_func=_label(open_),
                       key=K + "own")  # fmt: skip
    status = next(r.request.status for r in open_ if r.request.id == own)
    do_run = c2.button(tr("approvals.carry_out"), key=K + "run", type="primary",
                       disabled=status != Status.approved.value)  # fmt: skip
    do_withdraw = c3.button(tr("approvals.withdraw"), key=K + "withdraw")
    if do_run or do_withdraw:
        try:
            with session() as s:
                request = next(r.request for r in open_ if r.request.id == own)
                if do_run:
                    message = _carry_out(s, request)
                else:
                    withdraw(s, request_id=own, actor=user.username, now=now())
                    message = tr("approvals.done.withdrawn", id=own)
        except FAILURES as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.session_state[DONE] = message
            st.rerun()

if user.role in DECIDERS:
    st.subheader(tr("approvals.history"), anchor=False)
    with session() as s:
        decided = list_requests(s, statuses=[s_.value for s_ in Status if s_ is not Status.pending],
                                limit=50)  # fmt: skip
    w.table(_rows(decided), key=K + "history_table", empty=tr("approvals.none"))

if st.session_state.get(DONE):
    st.success(st.session_state.pop(DONE))
