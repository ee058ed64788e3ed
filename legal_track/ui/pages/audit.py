"""Audit trail (admin, lead): filter by user, case or object, action and dates; paged in
SQL; verify the hash chain."""

import json

import streamlit as st

from legal_track.audit import verify_and_record
from legal_track.audit.query import (
    AuditFilters,
    AuditQueryError,
    action_options,
    actor_options,
    search_entries,
)
from legal_track.config import get_settings
from legal_track.models import Role
from legal_track.ui import widgets as w
from legal_track.ui.context import now, require_role, session, tr

K = "audit."
FILTERS = K + "filters"  # the applied AuditFilters
PAGE_NO = K + "page_no"
VERIFIED = K + "verified"  # the last verification's report, for this browser session
PAGE_SIZES = (25, 50, 100)
ANY = ""

user = require_role(Role.admin, Role.lead)
w.page_title(tr("audit.page.title"), tr("audit.page.caption"))
zone = get_settings().timezone
st.session_state.setdefault(K + "page_size", PAGE_SIZES[0])

with session() as s:
    actors, actions = actor_options(s), action_options(s)


def _any(value: str) -> str:
    return tr("ui.any") if value == ANY else value


with st.form(K + "form"):
    c1, c2, c3 = st.columns(3)
    actor = c1.selectbox(
        tr("audit.filter.actor"), [ANY, *actors], key=K + "f_actor", format_func=_any
    )
    action = c2.selectbox(
        tr("audit.filter.action"), [ANY, *actions], key=K + "f_action", format_func=_any
    )
    obj = c3.text_input(
        tr("audit.filter.object"), key=K + "f_object", help=tr("audit.filter.object_help")
    )
    c1, c2, _ = st.columns(3)
    first = c1.date_input(tr("audit.filter.from"), value=None, key=K + "f_from")
    last = c2.date_input(tr("audit.filter.to"), value=None, key=K + "f_to")
    if st.form_submit_button(tr("audit.filter.apply"), key=K + "apply", type="primary"):
        st.session_state[FILTERS] = AuditFilters(actor=actor or "", action=action or "",
                                                 object_id=obj or "", date_from=first,
                                                 date_to=last, timezone=zone)  # fmt: skip
        st.session_state[PAGE_NO] = 1

filters = st.session_state.get(FILTERS) or AuditFilters(timezone=zone)
try:
    with session() as s:
        result = search_entries(s, filters=filters, page=st.session_state.get(PAGE_NO, 1),
                                page_size=st.session_state[K + "page_size"], role=user.role)  # fmt: skip
except AuditQueryError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
st.session_state[PAGE_NO] = result.page

st.caption(tr("audit.count", total=result.total, page=result.page, pages=result.pages))
w.table(
    [
        {
            "audit.col.seq": e.seq,
            "audit.col.at": w.local_time(e.at),
            "audit.col.actor": e.actor,
            "audit.col.action": e.action,
            "audit.col.object": f"{e.object_type}:{e.object_id}"
            if e.object_id
            else e.object_type or w.DASH,
            "audit.col.detail": json.dumps(e.detail, ensure_ascii=False)[:300],
            "audit.col.hash": e.hash[:12],
        }
        for e in result.rows
    ],
    key=K + "table",
    empty=tr("audit.none"),
)
left, right = st.columns([5, 1], vertical_alignment="center")
if st.session_state.get(K + "pager", result.page) != result.page:
    del st.session_state[K + "pager"]
left.pagination(result.pages, default=result.page, key=K + "pager",
                on_change=lambda: st.session_state.update({PAGE_NO: st.session_state[K + "pager"]}))  # fmt: skip
right.selectbox(tr("audit.page_size"), PAGE_SIZES, key=K + "page_size",
                on_change=lambda: st.session_state.update({PAGE_NO: 1}),
                label_visibility="collapsed")  # fmt: skip

st.divider()
if st.button(tr("audit.verify"), key=K + "verify", icon=":material/verified:"):
    with session() as s, st.spinner(tr("audit.verifying")):
        st.session_state[VERIFIED] = verify_and_record(
            s, actor=user.username, now=now(), role=user.role
        )
report = st.session_state.get(VERIFIED)
if report is not None:
    if report.ok:
        st.success(
            tr("audit.verify.ok", n=report.entries, seq=report.head_seq, hash=report.head_hash)
        )
    else:
        p = report.problem
        st.error(tr("audit.verify.broken", kind=tr(f"audit.kind.{p.kind}"),
                    id=p.entry_id if p.entry_id is not None else w.DASH,
                    seq=p.seq if p.seq is not None else w.DASH, message=p.message))  # fmt: skip
