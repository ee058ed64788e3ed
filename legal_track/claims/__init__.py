"""What a case claims and what it costs to claim it.

- `figures`: principal, interest, penalty and fees per loan and per case at a cut-off
  date, with the interest caps (LPR multiples) and their legal basis.
- `fees`: court acceptance, preservation and enforcement fees, the small-claims track
  and delayed-performance interest (rules in `legal_track/rules/fees.toml`).
"""

from legal_track.claims.fees import (
    Fee,
    FeeError,
    FeeKind,
    court_fee,
    enforcement_fee,
    fee,
    preservation_fee,
    small_claims,
)
from legal_track.claims.figures import (
    ClaimError,
    ClaimFigures,
    LoanClaim,
    claim_for_case,
    claim_for_contract,
    claim_for_loan,
)

__all__ = [
    "ClaimError",
    "ClaimFigures",
    "Fee",
    "FeeError",
    "FeeKind",
    "LoanClaim",
    "claim_for_case",
    "claim_for_contract",
    "claim_for_loan",
    "court_fee",
    "enforcement_fee",
    "fee",
    "preservation_fee",
    "small_claims",
]
