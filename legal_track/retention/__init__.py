"""Retention: purging the personal data of closed cases once the retention period ends
(PIPL art. 19 and 47; the period and its basis in docs/retention.md).

- `rules`: the rule pack (rules/retention.toml: the floor of the period, its legal basis,
  what a purge removes) and the period arithmetic (`due_on`).
- `candidates`: the closed cases due for purge whose borrower is not needed elsewhere,
  with counts of the personal data each still holds (by SQL).
- `purge`: the purge itself (admin only, one transaction, one audit entry per case, files
  deleted after the commit) and `remove_purged_files` for leftovers.
- `report`: the dry-run and purge reports as .csv/.xlsx tables (no personal data).

The audit trail is never rewritten: its entries are kept as they are (what they hold is
listed in docs/retention.md), so `legal-track audit verify` still passes after a purge.
"""

from legal_track.retention.candidates import Candidate, Holdings, candidates
from legal_track.retention.purge import (
    PurgedCase,
    PurgeReport,
    RetentionDenied,
    purge,
    remove_purged_files,
)
from legal_track.retention.rules import RetentionError, due_on, load_rules

__all__ = [
    "Candidate",
    "Holdings",
    "PurgeReport",
    "PurgedCase",
    "RetentionDenied",
    "RetentionError",
    "candidates",
    "due_on",
    "load_rules",
    "purge",
    "remove_purged_files",
]
