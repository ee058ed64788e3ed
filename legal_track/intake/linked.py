"""Files whose rows belong to an existing loan (ledger, contacts, parties, schedules, plans):
the contract lookup."""

from __future__ import annotations

from typing import Any, ClassVar

from legal_track.intake.rows import Importer, ParsedRow
from legal_track.intake.store import fetch_in
from legal_track.models import Loan


class LoanLinkedImporter(Importer):
    """Resolves contract numbers to loan ids in chunks and reports unknown ones.

    `loan_fields` names further Loan columns the check pass needs (a schedule's
    disbursement date and principal, ...): they are kept per contract in `loan_facts`
    until the check pass ends.
    """

    loan_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loan_ids: dict[str, int] = {}  # contract number -> loan id (kept for the write pass)
        self.loan_facts: dict[str, dict[str, Any]] = {}  # contract -> loan_fields (check pass)
        self.unknown: set[str] = set()
        self.seen: dict[tuple, int] = {}  # natural key in the file -> first row (check pass)

    def end_check(self) -> None:
        self.seen = {}
        self.unknown = set()
        self.loan_facts = {}

    def resolve(self, rows: list[ParsedRow]) -> None:
        """Look up this chunk's new contract numbers; a problem for each row naming an unknown one."""
        contracts = {r.values["contract_no"] for r in rows if r.values.get("contract_no")}
        todo = contracts - self.loan_ids.keys() - self.unknown
        if todo:
            table = Loan.__table__
            extra = [table.c[f] for f in self.loan_fields]
            for found in fetch_in(
                self.conn, [table.c.id, table.c.contract_no, *extra], table.c.contract_no, todo
            ):
                self.loan_ids[found.contract_no] = found.id
                if extra:
                    self.loan_facts[found.contract_no] = {
                        f: found._mapping[f] for f in self.loan_fields
                    }
            self.unknown |= todo - self.loan_ids.keys()
        for row in rows:
            contract = row.values.get("contract_no")
            if contract in self.unknown:
                self.problem(row, "contract_no", "unknown_contract", value=contract)

    def repeated(self, seen: dict, key: tuple, row: ParsedRow, column: str, code: str) -> None:
        """Report `row` when `key` was already on an earlier row of the file."""
        first = seen.setdefault(key, row.row)
        if first != row.row:
            self.problem(row, column, code, first=first)
