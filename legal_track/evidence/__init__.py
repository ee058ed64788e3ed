"""The evidence register: every file a case relies on, content-addressed by SHA-256, with
its custody log, the checklist per route, and the court bundle built from it.

- `register`: add, link, read and list items (the services the app and CLI call).
- `intake`, `sniff`: what a file really is, refused with a reason when it cannot be kept.
- `store`: the content-addressed blob store; `verify`: the store against the register.
- `items`: which items belong to a case or a loan.
- `rules`: the evidence a route requires (`rules/evidence_requirements.toml`).
- `data`, `exhibits`: data exhibits (ledger, contact log, interruptions) and the exhibit
  files of a bundle; `bundle`: the case bundle (index, stamps, bookmarks, manifest).
- `preview`: thumbnails of stored items.
"""

from legal_track.evidence.register import (
    EvidenceRefused,
    IntakeResult,
    add_item,
    build_case_bundle,
    checklist,
    custody_log,
    exhibit_candidates,
    items_for_case,
    items_for_loan,
    link_item,
    missing_for,
    read_item,
    verify_store,
)

__all__ = [
    "EvidenceRefused",
    "IntakeResult",
    "add_item",
    "build_case_bundle",
    "checklist",
    "custody_log",
    "exhibit_candidates",
    "items_for_case",
    "items_for_loan",
    "link_item",
    "missing_for",
    "read_item",
    "verify_store",
]
