"""Users (admin only): the accounts, a form to add one, and changes to an account
(disable, enable, role, password reset)."""

import streamlit as st

from legal_track.auth import (
    AuthError,
    LoginPolicy,
    account_locked_until,
    change_role,
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
)
from legal_track.config import get_settings
from legal_track.i18n import LANGUAGES
from legal_track.models import Role
from legal_track.ui import lookups
from legal_track.ui import widgets as w
from legal_track.ui.context import now, require_role, session, tr

DONE = "users.done"  # the message of the last change, shown after the rerun
TEMP = "users.temp_password"  # (username, password) of the last reset, shown once


def _error(exc: AuthError) -> None:
    st.error(tr(exc.key, **exc.params) if exc.key else str(exc), icon=":material/error:")


def _status(u, locked: bool) -> str:
    if not u.active:
        return tr("accounts.status.disabled")
    if locked:
        return tr("accounts.status.locked")
    if u.must_change_password:
        return tr("accounts.status.must_change")
    return tr("accounts.status.active")


admin = require_role(Role.admin)
w.page_title(tr("ui.users.title"))
policy = LoginPolicy.of(get_settings())

with session() as s:
    users = list_users(s)
    locked = {u.username for u in users
              if account_locked_until(s, username=u.username, now=now(), policy=policy)}  # fmt: skip
names = {u.id: u.username for u in users}
w.table(
    [
        {
            "ui.users.username": u.username,
            "ui.users.display_name": u.display_name,
            "ui.users.role": w.label("role", u.role),
            "ui.users.email": u.email or w.DASH,
            "ui.users.language": u.language,
            "ui.users.lead": names.get(u.lead_id, w.DASH),
            "ui.users.active": tr("ui.yes") if u.active else tr("ui.no"),
            "accounts.status": _status(u, u.username in locked),
        }
        for u in users
    ],
    key="users.table",
)

st.subheader(tr("accounts.manage"), anchor=False)
picked = st.selectbox(
    tr("accounts.manage.user"), [u.username for u in users], key="users.manage_user"
)
target = next((u for u in users if u.username == picked), None)
if target is not None:
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    new_role = c1.selectbox(tr("ui.users.role"), list(Role), index=list(Role).index(Role(target.role)),
                            format_func=lambda r: w.label("role", r), key="users.manage_role")  # fmt: skip
    do_role = c2.button(tr("accounts.manage.role"), key="users.change_role")
    do_reset = c3.button(tr("accounts.manage.reset"), key="users.reset")
    c1, c2, _ = st.columns([1, 1, 2])
    do_disable = c1.button(
        tr("accounts.manage.disable"), key="users.disable", disabled=not target.active
    )
    do_enable = c2.button(tr("accounts.manage.enable"), key="users.enable",
                          disabled=target.active and target.username not in locked)  # fmt: skip
    try:
        with session() as s:
            args = {
                "username": target.username,
                "actor": admin.username,
                "now": now(),
                "role": admin.role,
            }
            if do_role:
                change_role(s, new_role=new_role, **args)
                st.session_state[DONE] = tr("accounts.done.role", username=target.username,
                                            role=w.label("role", new_role))  # fmt: skip
            elif do_reset:
                st.session_state[TEMP] = (target.username, reset_password(s, **args))
            elif do_disable:
                disable_user(s, **args)
                st.session_state[DONE] = tr("accounts.done.disabled", username=target.username)
            elif do_enable:
                enable_user(s, **args)
                st.session_state[DONE] = tr("accounts.done.enabled", username=target.username)
    except AuthError as exc:
        _error(exc)
    else:
        if do_role or do_reset or do_disable or do_enable:
            lookups.clear()
            st.rerun()
if st.session_state.get(DONE):
    st.success(st.session_state.pop(DONE))
if st.session_state.get(TEMP):
    username, temporary = st.session_state.pop(TEMP)  # shown once: gone at the next run
    st.success(tr("accounts.done.reset", username=username))
    st.code(temporary, language=None)

st.subheader(tr("ui.users.add"), anchor=False)
leads = [u.id for u in users if u.role in (Role.lead, Role.admin)]
with st.form("users.add_form"):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(tr("ui.users.username"), key="users.username")
    display = c2.text_input(tr("ui.users.display_name"), key="users.display_name")
    email = c3.text_input(tr("ui.users.email"), key="users.email")
    c1, c2, c3 = st.columns(3)
    role = c1.selectbox(
        tr("ui.users.role"),
        list(Role),
        index=2,
        format_func=lambda r: w.label("role", r),
        key="users.role",
    )
    language = c2.selectbox(tr("ui.users.language"), LANGUAGES, key="users.language")
    lead = c3.selectbox(
        tr("ui.users.lead"),
        [None, *leads],
        format_func=lambda i: names.get(i, w.DASH),
        key="users.lead",
    )
    password = st.text_input(
        tr("ui.users.password"),
        type="password",
        key="users.password",
        help=tr("ui.users.password_help"),
    )
    submitted = st.form_submit_button(tr("ui.users.create"), key="users.create", type="primary")
if submitted:
    try:
        with session() as s:
            created = create_user(
                s,
                username=username,
                password=password,
                role=role,
                now=now(),
                actor=admin.username,
                display_name=display,
                email=email or None,
                language=language,
                lead_id=lead,
                actor_role=admin.role,
            )
    except AuthError as exc:
        _error(exc)
    else:
        lookups.clear()
        for key in ("users.username", "users.display_name", "users.email", "users.password"):
            del st.session_state[key]  # an empty form for the next user
        st.session_state["users.created"] = created.username
        st.rerun()
if st.session_state.get("users.created"):
    st.success(tr("ui.users.created", username=st.session_state.pop("users.created")))
