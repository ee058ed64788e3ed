"""Maker-checker approvals: sending a demand letter, filing (complaint, arbitration,
payment order, enforcement) and accepting escalation proposals can need a second
person's approval (setting `approval_actions`; default: filing and escalation_accept).

- `requests`: the request (who asked, what, which case, payload), the gate every such
  action calls first, approve / reject with a reason by another lead or admin, withdraw.
- `gates`: the gate of each action, building its payload.
"""

from legal_track.approvals.gates import (
    FILING_KINDS,
    require_escalation,
    require_filing,
    require_letter,
)
from legal_track.approvals.requests import (
    APPROVERS,
    Action,
    ApprovalError,
    ApprovalNeeded,
    RequestRow,
    Status,
    approve,
    gate,
    list_requests,
    reject,
    required_actions,
    withdraw,
)

__all__ = [
    "APPROVERS",
    "FILING_KINDS",
    "Action",
    "ApprovalError",
    "ApprovalNeeded",
    "RequestRow",
    "Status",
    "approve",
    "gate",
    "list_requests",
    "reject",
    "require_escalation",
    "require_filing",
    "require_letter",
    "required_actions",
    "withdraw",
]
