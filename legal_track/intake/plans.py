"""Repayment-plan files: instalments of plans agreed in collections (还款计划/分期协议),
keyed (loan, plan number, instalment number)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.schedules import MAX_INSTALMENTS
from legal_track.intake.store import changed_fields, fetch_tuples, insert_many, update_by_id
from legal_track.models import RepaymentPlan

PLAN_COLUMNS = (
    Column("contract_no", "合同编号", cells.text(64)),
    Column("plan_no", "方案编号", cells.text(64)),
    Column("agreed_on", "签订日期", cells.a_date),
    Column("instalment_no", "期数", cells.whole_number(1, MAX_INSTALMENTS)),
    Column("due_on", "应还日期", cells.a_date),
    Column("amount", "应还金额", cells.positive_amount),
)

_FIELDS = ("agreed_on", "due_on", "amount")


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One valid row of a plans file."""

    contract_no: str
    plan_no: str
    agreed_on: date
    instalment_no: int
    due_on: date
    amount: Decimal

    @classmethod
    def of(cls, values: dict[str, Any]) -> PlanRow:
        return cls(**{name: values[name] for name in cls.__slots__})


class PlanImporter(LoanLinkedImporter):
    kind = "plans"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreed: dict[tuple[str, str], tuple[int, date]] = {}  # plan -> (first row, date)

    @property
    def columns(self) -> tuple[Column, ...]:
        return PLAN_COLUMNS

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        for row in rows:
            v = row.values
            contract, plan, number = v.get("contract_no"), v.get("plan_no"), v.get("instalment_no")
            agreed, due = v.get("agreed_on"), v.get("due_on")
            if contract and plan and number is not None:
                self.repeated(self.seen, (contract, plan, number), row, "instalment_no",
                              "repeated_plan_instalment")  # fmt: skip
            if contract and plan and agreed:
                first, on = self.agreed.setdefault((contract, plan), (row.row, agreed))
                if on != agreed:
                    self.problem(row, "agreed_on", "plan_agreed_conflict", agreed=on, first=first)
            if agreed and due and due < agreed:
                self.problem(row, "due_on", "due_before_agreed", due=due, agreed=agreed)

    def end_check(self) -> None:
        super().end_check()
        self.agreed = {}

    def write(self, rows: list[ParsedRow]) -> None:
        table = RepaymentPlan.__table__
        wanted: dict[tuple[int, str, int], dict[str, Any]] = {}
        for r in map(PlanRow.of, (row.values for row in rows)):
            key = (self.loan_ids[r.contract_no], r.plan_no, r.instalment_no)
            wanted[key] = {"agreed_on": r.agreed_on, "due_on": r.due_on, "amount": r.amount}
        key_columns = [table.c.loan_id, table.c.plan_no, table.c.instalment_no]
        columns = [table.c.id, *key_columns, *(table.c[f] for f in _FIELDS)]
        changed, existing = [], set()
        for found in fetch_tuples(self.conn, columns, key_columns, wanted):
            key = (found.loan_id, found.plan_no, found.instalment_no)
            existing.add(key)
            if changed_fields(found, wanted[key], _FIELDS):
                changed.append({"id": found.id, **wanted[key]})
                self.counts.loan_ids.add(found.loan_id)
        new = [
            {"loan_id": loan_id, "plan_no": plan_no, "instalment_no": number, **values}
            for (loan_id, plan_no, number), values in wanted.items()
            if (loan_id, plan_no, number) not in existing
        ]
        insert_many(self.conn, table, new)
        update_by_id(self.conn, table, _FIELDS, changed)
        self.counts.loan_ids.update(n["loan_id"] for n in new)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        self.counts.unchanged += len(existing) - len(changed)
