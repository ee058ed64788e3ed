"""The masks used wherever a role may not see personal data in full (digests, outside
counsel, third parties in the contact log)."""

from __future__ import annotations

from legal_track.models.user import Role
from legal_track.privacy.roles import can_see_pii


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
