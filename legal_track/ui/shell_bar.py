"""The sidebar of the shell: who is signed in, the language switch, sign-out."""

from __future__ import annotations

import streamlit as st

from legal_track.i18n import LANGUAGES
from legal_track.ui.context import LANG_KEY, SWITCH_KEY, UserInfo, lang, sign_out, tr
from legal_track.ui.widgets import label, md

_NAMES = {"zh": "中文", "en": "English"}


def _switched() -> None:
    st.session_state[LANG_KEY] = st.session_state[SWITCH_KEY]


def language_switch() -> None:
    st.segmented_control(
        "语言 / Language",
        LANGUAGES,
        format_func=_NAMES.__getitem__,
        default=lang(),
        required=True,
        key=SWITCH_KEY,
        on_change=_switched,
        label_visibility="collapsed",
    )


def sidebar(user: UserInfo) -> None:
    with st.sidebar:
        st.markdown(f"**{tr('app.title')}**")
        st.caption(f"{md(user.display_name)} · {label('role', user.role)}")
        language_switch()
        st.button(
            tr("ui.shell.logout"),
            key="shell.logout",
            icon=":material/logout:",
            on_click=sign_out,
            width="stretch",
        )
