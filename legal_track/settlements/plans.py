"""Reading an instalment plan (CSV): one row per instalment, columns `due_on` and
`amount` (Chinese headers 应付日 / 金额 work too), optional `no`. Errors name the file,
the row and the column; nothing is recorded from a plan with an error."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from legal_track.money import MoneyError, parse_amount

HEADERS = {"no": "no", "期次": "no", "due_on": "due_on", "应付日": "due_on",
           "amount": "amount", "金额": "amount"}  # fmt: skip


class PlanError(ValueError):
    """A plan that cannot be recorded (every problem, each naming where it is)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class PlannedInstalment:
    no: int
    due_on: date
    amount: Decimal


def check_instalments(items: list[PlannedInstalment], *, label: str = "plan") -> None:
    """Due dates strictly increasing, amounts positive, numbers 1..n."""
    problems = []
    if not items:
        problems.append(f"{label}: no instalments")
    for i, item in enumerate(items):
        if item.amount <= 0:
            problems.append(f"{label} instalment {item.no}: amount must be more than 0")
        if item.no != i + 1:
            problems.append(f"{label} instalment {item.no}: expected number {i + 1}")
        if i and item.due_on <= items[i - 1].due_on:
            problems.append(
                f"{label} instalment {item.no}: due {item.due_on} is not after "
                f"instalment {items[i - 1].no} ({items[i - 1].due_on})"
            )
    if problems:
        raise PlanError(problems)


def read_plan(text: str, *, source: str = "plan.csv") -> list[PlannedInstalment]:
    """The instalments of a CSV plan, checked (PlanError lists every problem)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [r for r in reader if any(cell.strip() for cell in r)]
    if not rows:
        raise PlanError([f"{source}: empty file; expected columns due_on, amount"])
    names = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in rows[0]]
    missing = [c for c in ("due_on", "amount") if c not in names]
    if missing:
        raise PlanError([f"{source} row 1: missing column {', '.join(missing)} "
                         f"(columns: no (optional), due_on, amount)"])  # fmt: skip
    problems: list[str] = []
    items: list[PlannedInstalment] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i].strip() if i < len(row) else "")
                 for i, name in enumerate(names) if name}  # fmt: skip
        where = f"{source} row {n}"
        try:
            due = date.fromisoformat(cells["due_on"])
        except ValueError:
            problems.append(f"{where}, column due_on: {cells['due_on']!r} is not a date YYYY-MM-DD")
            continue
        try:
            amount = parse_amount(cells["amount"])
        except MoneyError as exc:
            problems.append(f"{where}, column amount: {exc}")
            continue
        no = len(items) + 1
        if cells.get("no"):
            try:
                no = int(cells["no"])
            except ValueError:
                problems.append(f"{where}, column no: {cells['no']!r} is not a whole number")
                continue
        items.append(PlannedInstalment(no, due, amount))
    if problems:
        raise PlanError(problems)
    check_instalments(items, label=source)
    return items
