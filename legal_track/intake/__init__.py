"""Intake: import loan tapes, ledgers, contact logs, co-borrowers and guarantors, instalment
schedules and repayment plans (CSV in UTF-8/GBK, or XLSX).

All or nothing per file, idempotent on natural keys, streaming. See docs/intake.md.
"""

from legal_track.intake.problems import IntakeError, Problem
from legal_track.intake.service import ImportReport, Kind, import_bytes, import_file

__all__ = ["ImportReport", "IntakeError", "Kind", "Problem", "import_bytes", "import_file"]
