"""What each role may do, checked in the services (the app hides the controls as well).

Services that change something or show the audit trail take the signed-in user's `role`;
`role=None` is the operator of the command line, who has the database and is trusted.
Which case a counsel account reaches is `legal_track.cases.access`; which personal data a
role sees is `legal_track.privacy`. tests/test_access_matrix.py holds the whole matrix.
"""

from __future__ import annotations

from legal_track.models.user import Role

# Roles inside the lender that work cases: import, events, evidence, documents.
CASE_WORKER_ROLES = frozenset({Role.admin.value, Role.lead.value, Role.staff.value})
# Roles that decide and oversee: approvals, escalations, templates, the audit trail.
DECIDER_ROLES = frozenset({Role.admin.value, Role.lead.value})
ADMIN_ROLES = frozenset({Role.admin.value})


class RoleRefused(PermissionError):
    """The signed-in user's role may not do this; raised before anything is written."""


def check_role(role: Role | str | None, allowed: frozenset[str], what: str) -> None:
    """`role` None: the command line (trusted). Otherwise `role` must be in `allowed`."""
    if role is not None and str(role) not in allowed:
        raise RoleRefused(f"a {role} account may not {what}")
