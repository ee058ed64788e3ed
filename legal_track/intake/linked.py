"""Files whose rows belong to an existing loan (ledger, contacts): the contract lookup."""

from __future__ import annotations

from legal_track.intake.rows import Importer, ParsedRow
from legal_track.intake.store import fetch_in
from legal_track.models import Loan


class LoanLinkedImporter(Importer):
    """Resolves contract numbers to loan ids in chunks and reports unknown ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loan_ids: dict[str, int] = {}  # contract number -> loan id (kept for the write pass)
        self.unknown: set[str] = set()
        self.seen: dict[tuple, int] = {}  # natural key in the file -> first row (check pass)

    def end_check(self) -> None:
        self.seen = {}
        self.unknown = set()

    def resolve(self, rows: list[ParsedRow]) -> None:
        """Look up this chunk's new contract numbers; a problem for each row naming an unknown one."""
        contracts = {r.values["contract_no"] for r in rows if r.values.get("contract_no")}
        todo = contracts - self.loan_ids.keys() - self.unknown
        if todo:
            table = Loan.__table__
            for found in fetch_in(
                self.conn, [table.c.id, table.c.contract_no], table.c.contract_no, todo
            ):
                self.loan_ids[found.contract_no] = found.id
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
