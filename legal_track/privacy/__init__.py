"""Privacy: who may see which personal data, the masks, and the lawful basis for contacting
third parties (PIPL; docs/privacy.md).

- `roles`: what each role may do (`check_role`, the role sets, `can_see_pii`).
- `masks`: the masks used wherever a role or a reader may not see personal data in full.
- `rules`: the rule pack rules/privacy.toml (the lawful bases, relations, their basis).
- `consents`: consent and lawful-basis records for third parties (relatives, employers)
  reached from the contact log, the flags on contact-log rows that reached a third party
  without one, and the marks (include/exclude with a reason) that decide what a bundle
  shows. Imported as `legal_track.privacy.consents` (it reads the database).

Which case a counsel account reaches is `legal_track.cases.access`.
"""

from legal_track.privacy.masks import (
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_target,
    show_id_number,
    show_phone,
)
from legal_track.privacy.roles import (
    ADMIN_ROLES,
    CASE_WORKER_ROLES,
    DECIDER_ROLES,
    FULL_PII_ROLES,
    RoleRefused,
    can_see_pii,
    check_role,
)

__all__ = [
    "ADMIN_ROLES",
    "CASE_WORKER_ROLES",
    "DECIDER_ROLES",
    "FULL_PII_ROLES",
    "RoleRefused",
    "can_see_pii",
    "check_role",
    "mask_email",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_target",
    "show_id_number",
    "show_phone",
]
