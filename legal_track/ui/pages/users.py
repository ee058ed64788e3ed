"""Users (admin only): the accounts, and a form to add one."""

import streamlit as st

from legal_track.auth import AuthError, create_user, list_users
from legal_track.i18n import LANGUAGES
from legal_track.models import Role
from legal_track.ui import lookups
from legal_track.ui import widgets as w
from legal_track.ui.context import now, require_role, session, tr

admin = require_role(Role.admin)
w.page_title(tr("ui.users.title"))

with session() as s:
    users = list_users(s)
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
        }
        for u in users
    ],
    key="users.table",
)

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
            )
    except AuthError as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        lookups.clear()
        for key in ("users.username", "users.display_name", "users.email", "users.password"):
            del st.session_state[key]  # an empty form for the next user
        st.session_state["users.created"] = created.username
        st.rerun()
if st.session_state.get("users.created"):
    st.success(tr("ui.users.created", username=st.session_state.pop("users.created")))
