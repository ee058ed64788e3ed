"""What each role may do and which personal data it may see.

Services that change something or show the audit trail take the signed-in user's `role`
and call `check_role` before writing anything; `role=None` is the operator of the command
line, who has the database and is trusted. Which case a counsel account reaches is
`legal_track.cases.access`. tests/access_matrix.py holds the whole matrix (docs/audit.md,
Roles).
"""

from __future__ import annotations

from legal_track.models.user import Role

# Roles that work cases and need the full ID number and phone (filings, calls).
FULL_PII_ROLES = frozenset({Role.admin, Role.lead, Role.staff})

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


def can_see_pii(role: Role | str) -> bool:
    return Role(role) in FULL_PII_ROLES
