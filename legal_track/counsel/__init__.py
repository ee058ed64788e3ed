"""Outside counsel: law firms, lawyers and counsel accounts, case assignments, case
packages out, status updates back.

- `firms`: firms, lawyers, accounts, `assign_case` (dated, audited, history kept).
- `package`: `export_packages` (zip + manifest.json) and `verify_package`.
- `updates`: `import_updates` (CSV/XLSX, all or nothing, row-named problems).
- `performance`: cases, stage times, recovery and fees due per firm.

Who sees what is `legal_track.cases.access` (a counsel account: its firm's cases only).
"""

from legal_track.counsel.firms import (
    Assignment,
    CounselError,
    add_firm,
    add_lawyer,
    assign_case,
    assignments_of,
    firm_named,
    link_account,
    list_firms,
)

__all__ = [
    "Assignment",
    "CounselError",
    "add_firm",
    "add_lawyer",
    "assign_case",
    "assignments_of",
    "firm_named",
    "link_account",
    "list_firms",
]
