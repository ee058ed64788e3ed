"""The case version a form was filled in against, and what the page does on a conflict.

A Streamlit form is drawn in one run and submitted in the next, which reads the case
afresh: the version to send as `expected_version` is the one remembered from the run
that drew the form. On a conflict (`CaseChangedError`) the form's entries are dropped and
the page reruns with the fresh data, the message on top; the user makes the edit again.

Dropping entries means new widgets: a browser keeps what was typed into a widget whose
key stays the same, whatever the new default. So a form's inputs take their keys from
`widget_prefix(base)`, which changes (a generation) after each conflict.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from legal_track.cases.versions import CaseChangedError
from legal_track.config import get_settings
from legal_track.ui.context import tr

FLASH = "case.version.flash"  # (kind, text) shown once, after a rerun


def form_version(key: str, current: int, *, submitted: bool) -> int:
    """The version to send: on a submit run the one shown when the form was drawn, else
    `current`. Remembers `current` (what this run shows) for the next run."""
    shown = st.session_state.get(key, current) if submitted else current
    st.session_state[key] = current
    return shown


def widget_prefix(base: str) -> str:
    """The key prefix of a form's inputs: `base` until the first conflict, then one per
    conflict (fresh widgets, drawn with the fresh case's values)."""
    generation = st.session_state.get(base + "generation", 0)
    return base if generation == 0 else f"{base}g{generation}."


def conflict(exc: CaseChangedError, *, base: str) -> None:
    """Show the fresh case with the message: new inputs under `base`, then rerun."""
    zone = ZoneInfo(get_settings().timezone)  # the message's own time is in Shanghai time
    at = exc.changed_at.astimezone(zone).strftime("%H:%M") if exc.changed_at else "?"
    text = tr("ui.case.changed", ref=exc.ref, by=exc.changed_by or "?", at=at)
    flash("warning", text)
    st.session_state[base + "generation"] = st.session_state.get(base + "generation", 0) + 1
    st.rerun()


def flash(kind: str, text: str) -> None:
    st.session_state[FLASH] = (kind, text)


def show_flash() -> None:
    """The message left by the previous run (a conflict, a save), once."""
    kind, text = st.session_state.pop(FLASH, (None, None))
    if kind == "warning":
        st.warning(text, icon=":material/sync_problem:")
    elif kind == "success":
        st.success(text)
