"""Cases: what the legal team works on, from opening through judgment and enforcement.

- `lifecycle`: routes, stages and the transitions allowed between them.
- `kinds`: the typed case events (filed, hearing, judgment served, ...) and their fields.
- `events`: add, change and delete a case event; its deadlines follow (audited).
- `listing`: the case list (filters, sort, paging in SQL) and finding a case or a loan
  by its reference.
- `detail`: the case and loan read models, masked for the viewer's role.

`events` is not re-exported here: it sits above the deadline engine, which itself needs
`kinds` and `lifecycle`.
"""

from legal_track.cases.detail import CaseDetail, LoanDetail, NotFoundError, case_detail, loan_detail
from legal_track.cases.kinds import EventKind, PartyRole
from legal_track.cases.lifecycle import CloseReason, Route, Stage, TransitionError
from legal_track.cases.listing import (
    CaseFilters,
    CasePage,
    CaseQueryError,
    CaseSort,
    case_id_for_ref,
    list_cases,
    loan_id_for_contract,
)

__all__ = [
    "CaseDetail",
    "CaseFilters",
    "CasePage",
    "CaseQueryError",
    "CaseSort",
    "CloseReason",
    "EventKind",
    "LoanDetail",
    "NotFoundError",
    "PartyRole",
    "Route",
    "Stage",
    "TransitionError",
    "case_detail",
    "case_id_for_ref",
    "list_cases",
    "loan_detail",
    "loan_id_for_contract",
]
