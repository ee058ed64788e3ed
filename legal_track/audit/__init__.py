"""The audit trail: every access to personal data, every output and every change is
recorded, as a hash chain that shows any entry edited, deleted or inserted afterwards.

- `chain`: `AuditEvent` and `record` (the one way to write an entry), the canonical
  content and its SHA-256.
- `verify`: `verify_chain` re-walks the chain and names the first broken entry.
- `query`: the filtered, paged list for the audit page, and the .csv/.xlsx export.
"""

from legal_track.audit.chain import GENESIS, AuditEvent, entry_hash, record
from legal_track.audit.verify import ChainProblem, ChainReport, verify_and_record, verify_chain

__all__ = [
    "GENESIS",
    "AuditEvent",
    "ChainProblem",
    "ChainReport",
    "entry_hash",
    "record",
    "verify_and_record",
    "verify_chain",
]
