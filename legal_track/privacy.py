"""What each role may do and which personal data it may see, and the masks used everywhere
else.

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


def mask_id_number(value: str | None) -> str:
    """110101********1234: region code and last four stay."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str | None) -> str:
    """张** / 欧阳*: surname stays (for outside parties and digests)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_phone(value)
    local, domain = value.split("@", 1)
    return (local[:1] + "***") + "@" + domain


def mask_target(value: str | None) -> str:
    """A contact target: e-mail address or phone number."""
    if value and "@" in value:
        return mask_email(value)
    return mask_phone(value)


def show_id_number(value: str | None, role: Role | str) -> str:
    return value or "" if can_see_pii(role) else mask_id_number(value)


def show_phone(value: str | None, role: Role | str) -> str:
    return value or "" if can_see_pii(role) else mask_phone(value)
