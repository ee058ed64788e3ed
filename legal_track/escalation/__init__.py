"""Escalation: from collections to the legal route.

- `rules`: the rule pack (`rules/escalation.toml`): gates, triggers, route policy, costs,
  owner strategy, with effective dates.
- `facts`: the figures per loan (days past due, outstanding, broken promises, limitation,
  last contact, dispute, reachability), read set-wise.
- `proposals`: the queue: every loan that meets the rules, with reasons, route, forum,
  claim and expected cost.
- `decisions`: accept (opens cases), reject, open a case by hand, change a case's owner,
  route, forum or counsel.
"""

from legal_track.escalation.decisions import (
    AcceptReport,
    EscalationError,
    OpenedCase,
    accept,
    change_case,
    open_case,
    reject,
)
from legal_track.escalation.proposals import Proposal, Reason, propose
from legal_track.escalation.rules import EscalationRules, rules_on

__all__ = [
    "AcceptReport",
    "EscalationError",
    "EscalationRules",
    "OpenedCase",
    "Proposal",
    "Reason",
    "accept",
    "change_case",
    "open_case",
    "propose",
    "reject",
    "rules_on",
]
