"""Cached read models that are safe to share between users: filter options.

Keyed by the database URL (tests and instances may point at different databases);
a short TTL so that a new court or user shows up within a minute. Personal data and
case details are never cached here.
"""

from __future__ import annotations

import streamlit as st

from legal_track.cases.listing import Owner, forum_options, owner_options
from legal_track.config import get_settings
from legal_track.ui.context import session


@st.cache_data(ttl=60, show_spinner=False)
def _forums(url: str) -> list[str]:
    with session() as s:
        return forum_options(s)


@st.cache_data(ttl=60, show_spinner=False)
def _owners(url: str) -> list[Owner]:
    with session() as s:
        return owner_options(s)


def forums() -> list[str]:
    return _forums(get_settings().database_url)


def owners() -> list[Owner]:
    return _owners(get_settings().database_url)


def clear() -> None:
    """After an import or a user change, show the new options at once."""
    _forums.clear()
    _owners.clear()
