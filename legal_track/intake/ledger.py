"""Ledger files: disbursements, repayments, fees and write-offs, keyed (loan, reference)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.store import changed_fields, fetch_tuples, insert_many, update_by_id
from legal_track.models import LedgerEntry, LedgerKind

LEDGER_KINDS = {k.value: k.value for k in LedgerKind} | {
    "放款": LedgerKind.disbursement.value,
    "还款": LedgerKind.repayment.value,
    "费用": LedgerKind.fee.value,
    "核销": LedgerKind.write_off.value,
}

LEDGER_COLUMNS = (
    Column("contract_no", "合同编号", cells.text(64)),
    Column("date", "日期", cells.a_date),
    Column("kind", "类型", cells.choice(LEDGER_KINDS)),
    Column("amount", "金额", cells.amount),
    Column("reference", "流水号", cells.text(64)),
)

_FIELDS = ("kind", "amount", "booked_on")


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One valid row of a ledger file."""

    contract_no: str
    date: date
    kind: str
    amount: Decimal
    reference: str

    @classmethod
    def of(cls, values: dict[str, Any]) -> LedgerRow:
        return cls(**{name: values[name] for name in cls.__slots__})


class LedgerImporter(LoanLinkedImporter):
    kind = "ledger"

    @property
    def columns(self) -> tuple[Column, ...]:
        return LEDGER_COLUMNS

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        for row in rows:
            contract, reference = row.values.get("contract_no"), row.values.get("reference")
            if contract and reference:
                self.repeated(self.seen, (contract, reference), row, "reference", "repeated_entry")

    def write(self, rows: list[ParsedRow]) -> None:
        table = LedgerEntry.__table__
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        for r in map(LedgerRow.of, (row.values for row in rows)):
            key = (self.loan_ids[r.contract_no], r.reference)
            wanted[key] = {"kind": r.kind, "amount": r.amount, "booked_on": r.date}
        columns = [table.c.id, table.c.loan_id, table.c.reference, *(table.c[f] for f in _FIELDS)]
        changed, existing = [], set()
        for found in fetch_tuples(self.conn, columns, [table.c.loan_id, table.c.reference], wanted):
            key = (found.loan_id, found.reference)
            existing.add(key)
            if changed_fields(found, wanted[key], _FIELDS):
                changed.append({"id": found.id, **wanted[key]})
                self.counts.loan_ids.add(found.loan_id)
        new = [
            {"loan_id": loan_id, "reference": reference, **values}
            for (loan_id, reference), values in wanted.items()
            if (loan_id, reference) not in existing
        ]
        insert_many(self.conn, table, new)
        update_by_id(self.conn, table, _FIELDS, changed)
        self.counts.loan_ids.update(n["loan_id"] for n in new)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        self.counts.unchanged += len(existing) - len(changed)
