"""The signed-in user's reach: the firm of a counsel account (None for everyone else).
Pages pass it, with the role, to the services, which apply the rule."""

from __future__ import annotations

from legal_track.cases.access import firm_of, is_counsel


def firm_for(session, user) -> int | None:
    return firm_of(session, user.id) if is_counsel(user.role) else None
