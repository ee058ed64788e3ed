"""Change my password; after an admin's reset the only page until it is done."""

import streamlit as st

from legal_track.auth import MIN_PASSWORD_LENGTH, AuthError, change_own_password
from legal_track.ui import widgets as w
from legal_track.ui.context import MUST_CHANGE_KEY, SIGNED_IN_KEY, now, require_role, session, tr

K = "password."
DONE = K + "done"

user = require_role()
forced = bool(st.session_state.get(MUST_CHANGE_KEY))
w.page_title(tr("accounts.password.title"))
if forced:
    st.warning(tr("accounts.password.forced"), icon=":material/lock_reset:")

with st.form(K + "form"):
    current = st.text_input(tr("accounts.password.current"), type="password", key=K + "current",
                            autocomplete="current-password")  # fmt: skip
    new = st.text_input(tr("accounts.password.new"), type="password", key=K + "new",
                        autocomplete="new-password",
                        help=tr("accounts.password.help", n=MIN_PASSWORD_LENGTH))  # fmt: skip
    again = st.text_input(tr("accounts.password.again"), type="password", key=K + "again",
                          autocomplete="new-password")  # fmt: skip
    submitted = st.form_submit_button(tr("accounts.password.submit"), key=K + "submit",
                                      type="primary")  # fmt: skip
if submitted:
    try:
        if new != again:
            raise AuthError("the two new passwords differ", "accounts.error.mismatch")
        moment = now()
        with session() as s:
            change_own_password(s, user_id=user.id, current=current, new=new, now=moment)
    except AuthError as exc:
        st.error(tr(exc.key, **exc.params) if exc.key else str(exc), icon=":material/error:")
    else:
        for key in (K + "current", K + "new", K + "again"):
            del st.session_state[key]  # never keep passwords in session state
        st.session_state[SIGNED_IN_KEY] = moment  # this session stays signed in
        st.session_state[MUST_CHANGE_KEY] = False
        st.session_state[DONE] = True
        st.rerun()
if st.session_state.pop(DONE, False):
    st.success(tr("accounts.password.changed"))
