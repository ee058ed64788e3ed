"""The limitation clock (诉讼时效) of every loan.

- `clock`: the rules (Civil Code arts. 188, 189, 195, 203) and the pure arithmetic.
- `loans`: one loan's interrupting events from the database, its clock and explanation.
- `text`: the explanation of a clock in Chinese and English.
- `portfolio`: every loan's clock computed and stored (table `limitationclock`).
"""

from legal_track.limitation.clock import (
    Clock,
    InterruptEvent,
    InterruptKind,
    LimitationResult,
    Risk,
    Source,
    compute_clock,
    risk_for,
    risk_label,
)
from legal_track.limitation.loans import clock_for_contract, clock_for_loan, clocks_for_case
from legal_track.limitation.portfolio import recompute_portfolio, refresh_loans

__all__ = [
    "Clock",
    "InterruptEvent",
    "InterruptKind",
    "LimitationResult",
    "Risk",
    "Source",
    "clock_for_contract",
    "clock_for_loan",
    "clocks_for_case",
    "compute_clock",
    "recompute_portfolio",
    "refresh_loans",
    "risk_for",
    "risk_label",
]
