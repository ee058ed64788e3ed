"""Schedule files: the instalment schedule (还款计划表) of existing loans.

The rows of one contract are that loan's whole schedule: the import replaces
`Loan.schedule` with them, sorted by instalment number, in the shape the limitation
clock and the claim figures read:
[{"due_on": "2026-01-05", "principal": "1000.00", "interest": "15.00"}, ...].
A contract's rows need not be next to each other in the file. The check pass keeps the
instalments of every contract (bounded by the file) to check them as a whole once the
last row is read: numbered 1..n without gaps, due dates strictly increasing, principal
adding up to no more than the loan's. The write pass writes a loan's schedule when it
reaches the contract's last row. Counts are per loan: created (the schedule was empty),
updated (changed), unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.store import fetch_in, update_by_id
from legal_track.models import Loan
from legal_track.money import ZERO

MAX_INSTALMENTS = 9_999

SCHEDULE_COLUMNS = (
    Column("contract_no", "合同编号", cells.text(64)),
    Column("instalment_no", "期数", cells.whole_number(1, MAX_INSTALMENTS)),
    Column("due_on", "应还日期", cells.a_date),
    Column("principal", "应还本金", cells.amount),
    Column("interest", "应还利息", cells.amount, cell_required=False),
)


@dataclass(frozen=True, slots=True)
class Instalment:
    """One row of a schedules file as the check pass keeps it (a cell that did not parse
    is None)."""

    row: int
    number: int | None
    due_on: date | None
    principal: Decimal | None


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One valid row of a schedules file."""

    contract_no: str
    instalment_no: int
    due_on: date
    principal: Decimal
    interest: Decimal | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> ScheduleRow:
        return cls(**{name: values.get(name) for name in cls.__slots__})

    def entry(self) -> dict[str, str]:
        """The row in `Loan.schedule` (amounts as decimal strings with two places)."""
        return {
            "due_on": self.due_on.isoformat(),
            "principal": f"{self.principal:.2f}",
            "interest": f"{self.interest or ZERO:.2f}",
        }


class ScheduleImporter(LoanLinkedImporter):
    kind = "schedules"
    loan_fields = ("principal", "disbursed_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instalments: dict[str, list[Instalment]] = {}  # contract -> its rows (check pass)
        self.last_row: dict[str, int] = {}  # contract -> its last row in the file
        self.pending: dict[str, list[ScheduleRow]] = {}  # contract -> rows read (write pass)

    @property
    def columns(self) -> tuple[Column, ...]:
        return SCHEDULE_COLUMNS

    # -- first pass -------------------------------------------------------------------------

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        for row in rows:
            v = row.values
            contract = v.get("contract_no")
            if not contract:
                continue
            number, due = v.get("instalment_no"), v.get("due_on")
            if number is not None:
                self.repeated(self.seen, (contract, number), row, "instalment_no",
                              "repeated_instalment")  # fmt: skip
            facts = self.loan_facts.get(contract)
            if facts and due and due < facts["disbursed_on"]:
                self.problem(row, "due_on", "due_before_disbursement", due=due,
                             disbursed=facts["disbursed_on"])  # fmt: skip
            self.instalments.setdefault(contract, []).append(
                Instalment(row.row, number, due, v.get("principal"))
            )
            self.last_row[contract] = row.row

    def finish_check(self) -> None:
        for contract, instalments in self.instalments.items():
            self._check_schedule(contract, instalments)

    def _check_schedule(self, contract: str, instalments: list[Instalment]) -> None:
        """The checks that need all of a contract's rows (each one skips unparsed cells)."""
        numbered: dict[int, Instalment] = {}
        for i in instalments:
            if i.number is not None:
                numbered.setdefault(i.number, i)  # a repeated number is already a problem
        if all(i.number is not None for i in instalments):  # every number parsed: any gap?
            expected = 1
            for number in sorted(numbered):
                if number != expected:
                    self._add(numbered[number], "instalment_no", "instalment_gap",
                              missing=expected, number=number)  # fmt: skip
                expected = number + 1
        previous: Instalment | None = None
        for number in sorted(numbered):
            current = numbered[number]
            if current.due_on is None:
                continue
            if previous is not None and current.due_on <= previous.due_on:
                self._add(current, "due_on", "schedule_order", due=current.due_on,
                          previous=previous.due_on, number=previous.number)  # fmt: skip
            previous = current
        facts = self.loan_facts.get(contract)
        if facts is None:
            return
        total, over = ZERO, None
        for i in instalments:  # file order: name the row where the sum went over
            if i.number is not None and numbered[i.number] is not i:
                continue  # a repeated instalment (a problem already) counts once
            total += i.principal or ZERO
            if over is None and total > facts["principal"]:
                over = i
        if over is not None:
            self._add(over, "principal", "schedule_exceeds_principal", total=f"{total:.2f}",
                      principal=f"{facts['principal']:.2f}")  # fmt: skip

    def _add(self, instalment: Instalment, key: str, code: str, /, **params: Any) -> None:
        self.log.add(instalment.row, self.column_text(key), code, **params)

    def end_check(self) -> None:
        super().end_check()
        self.instalments = {}

    # -- second pass ------------------------------------------------------------------------

    def write(self, rows: list[ParsedRow]) -> None:
        complete: dict[int, list[dict[str, str]]] = {}  # loan id -> its new schedule
        for row in rows:
            r = ScheduleRow.of(row.values)
            self.pending.setdefault(r.contract_no, []).append(r)
            if row.row == self.last_row[r.contract_no]:
                instalments = sorted(self.pending.pop(r.contract_no), key=lambda i: i.instalment_no)
                complete[self.loan_ids[r.contract_no]] = [i.entry() for i in instalments]
        if not complete:
            return
        table = Loan.__table__
        changed = []
        for found in fetch_in(self.conn, [table.c.id, table.c.schedule], table.c.id, complete):
            wanted = complete[found.id]
            if found.schedule == wanted:
                self.counts.unchanged += 1
                continue
            if found.schedule:
                self.counts.updated += 1
            else:
                self.counts.created += 1
            changed.append({"id": found.id, "schedule": wanted})
            self.counts.loan_ids.add(found.id)
        update_by_id(self.conn, table, ["schedule"], changed)
