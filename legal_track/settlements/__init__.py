"""Settlements and instalment agreements on a case (和解协议, 诉讼中调解, 执行和解).

- :func:`record_agreement` — the agreement, its instalments and its `settlement_agreed`
  event: the case's internal deadlines pause (rules with `settlement = "pause"` in
  ``rules/deadlines.toml``, see `deadlines.pauses`), statutory and court-set periods do
  not (the case page says which and why), limitation restarts (Civil Code art. 195(2)).
- :func:`case_settlements` — each agreement with its instalments' state (paid, partly,
  due, missed) as of a given day and what it does to the case's deadlines.
- :func:`check_settlements` — the daily check (reminders worker, CLI
  ``legal-track settlement check``): records a missed instalment once as
  `instalment_missed` (the paused deadlines resume with the days left), tells the owner
  the next step from ``rules/settlements.toml``; a plan paid in full records
  `settlement_completed`.
- :func:`read_plan` — an instalment plan from CSV, errors naming row and column.

Payments are the case's ledger repayments and unmatched `payment_received` events on or
after the agreement (`analytics.recoveries.case_payments`), allocated in due order
(`tracking.allocate`).
"""

from legal_track.settlements.agreements import (
    CheckReport,
    DeadlineEffect,
    SettlementView,
    case_settlements,
    check_settlements,
    record_agreement,
)
from legal_track.settlements.plans import PlanError, PlannedInstalment, read_plan
from legal_track.settlements.tracking import InstalmentState, InstalmentView, allocate

__all__ = [
    "CheckReport",
    "DeadlineEffect",
    "InstalmentState",
    "InstalmentView",
    "PlanError",
    "PlannedInstalment",
    "SettlementView",
    "allocate",
    "case_settlements",
    "check_settlements",
    "read_plan",
    "record_agreement",
]
