"""The deterministic demo portfolio: creditors, borrowers, loans with ledgers and contact
logs, cases at every stage of every route, and sample evidence files.

- `portfolio`: `generate` (any size, seeded) and `is_empty`.
- `script`: the event chains the demo cases follow.
- `samples`: sample import files; `evidence`: sample evidence (contracts, ID scans).
"""

from legal_track.demo.portfolio import DemoExistsError, DemoReport, generate, is_empty

__all__ = ["DemoExistsError", "DemoReport", "generate", "is_empty"]
