"""The loan tape: creditors (by name), borrowers (by ID number) and loans (by contract number)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.rows import Importer, ParsedRow
from legal_track.intake.store import (
    changed_fields,
    fetch_in,
    insert_returning,
    update_by_id,
)
from legal_track.models import Borrower, Creditor, Loan, LoanStatus
from legal_track.models.party import LenderType

LOAN_COLUMNS = (
    Column("contract_no", "合同编号", cells.text(64)),
    Column("borrower_name", "借款人姓名", cells.text(100)),
    Column("id_number", "身份证号", cells.id_number),
    Column("phone", "手机号", cells.text(32), cell_required=False),
    Column("address", "地址", cells.text(500), cell_required=False),
    Column("email", "邮箱", cells.email, required=False, cell_required=False),
    Column("creditor", "出借人", cells.text(200)),
    Column("principal", "借款本金", cells.amount),
    Column("annual_rate", "年利率", cells.rate),
    Column("overdue_rate", "逾期利率", cells.rate, required=False, cell_required=False),
    Column("disbursed_on", "放款日期", cells.a_date),
    Column("maturity_on", "到期日期", cells.a_date),
    Column("outstanding_principal", "剩余本金", cells.amount),
    Column("overdue_since", "逾期起始日", cells.a_date, cell_required=False),
    Column(
        "arbitration_commission", "仲裁机构", cells.text(200), required=False, cell_required=False
    ),
    Column("agreed_court", "约定管辖法院", cells.text(200), required=False, cell_required=False),
)

_BORROWER_FIELDS = ("borrower_name", "phone", "address", "email")
_LOAN_FIELDS = (
    "creditor_id",
    "borrower_id",
    "principal",
    "annual_rate",
    "overdue_rate",
    "disbursed_on",
    "maturity_on",
    "outstanding_principal",
    "overdue_since",
    "arbitration_commission",
    "agreed_court",
)
_OPTIONAL_LOAN_FIELDS = ("overdue_rate", "arbitration_commission", "agreed_court")


@dataclass(frozen=True, slots=True)
class LoanRow:
    """One valid row of a loans file."""

    contract_no: str
    borrower_name: str
    id_number: str
    phone: str | None
    address: str | None
    email: str | None
    creditor: str
    principal: Decimal
    annual_rate: Decimal
    overdue_rate: Decimal | None
    disbursed_on: date
    maturity_on: date
    outstanding_principal: Decimal
    overdue_since: date | None
    arbitration_commission: str | None
    agreed_court: str | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> LoanRow:
        return cls(**{name: values.get(name) for name in cls.__slots__})


class LoanImporter(Importer):
    kind = "loans"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_row: dict[str, int] = {}  # contract number -> first row (check pass)
        self.borrower_seen: dict[str, tuple[int, int]] = {}  # ID -> (first row, details hash)
        self.creditor_ids: dict[str, int] = {}

    @property
    def columns(self) -> tuple[Column, ...]:
        return LOAN_COLUMNS

    # -- first pass -------------------------------------------------------------------------

    def check(self, rows: list[ParsedRow]) -> None:
        assert self.header is not None
        borrower_keys = [k for k in _BORROWER_FIELDS if self.header.has(k)]
        for row in rows:
            values = row.values
            contract = values.get("contract_no")
            if contract:
                first = self.first_row.setdefault(contract, row.row)
                if first != row.row:
                    self.problem(row, "contract_no", "repeated_contract", first=first)
            id_number = values.get("id_number")
            if id_number and all(k in values for k in borrower_keys):
                details = hash(tuple(values[k] for k in borrower_keys))
                first, seen = self.borrower_seen.setdefault(id_number, (row.row, details))
                if seen != details:
                    self.problem(row, "id_number", "borrower_conflict", first=first)
            disbursed, maturity = values.get("disbursed_on"), values.get("maturity_on")
            if disbursed and maturity and maturity < disbursed:
                self.problem(
                    row, "maturity_on", "maturity_before", maturity=maturity, disbursed=disbursed
                )

    def end_check(self) -> None:
        self.first_row = {}
        self.borrower_seen = {}

    # -- second pass ------------------------------------------------------------------------

    def write(self, rows: list[ParsedRow]) -> None:
        records = [LoanRow.of(r.values) for r in rows]
        self._creditors({r.creditor for r in records})
        borrower_ids = self._borrowers(records)
        self._loans(records, borrower_ids)

    def _creditors(self, names: set[str]) -> None:
        table = Creditor.__table__
        wanted = names - self.creditor_ids.keys()
        if not wanted:
            return
        for found in fetch_in(self.conn, [table.c.id, table.c.name], table.c.name, wanted):
            self.creditor_ids[found.name] = found.id
        new = [
            {
                "name": n,
                "lender_type": LenderType.licensed.value,
                "uscc": None,
                "legal_rep": None,
                "address": None,
            }
            for n in sorted(wanted - self.creditor_ids.keys())
        ]
        for made in insert_returning(self.conn, table, new, [table.c.id, table.c.name]):
            self.creditor_ids[made.name] = made.id
        self.counts.bump("creditors_created", len(new))

    def _borrowers(self, records: list[LoanRow]) -> dict[str, int]:
        assert self.header is not None
        table = Borrower.__table__
        fields = ["name", "phone", "address"] + (["email"] if self.header.has("email") else [])
        wanted: dict[str, dict[str, Any]] = {}
        for r in records:
            values = {
                "name": r.borrower_name,
                "phone": r.phone,
                "address": r.address,
                "email": r.email,
            }
            wanted.setdefault(r.id_number, {f: values[f] for f in fields})
        ids: dict[str, int] = {}
        changed = []
        columns = [table.c.id, table.c.id_number, *(table.c[f] for f in fields)]
        for found in fetch_in(self.conn, columns, table.c.id_number, wanted):
            ids[found.id_number] = found.id
            if changed_fields(found, wanted[found.id_number], fields):
                changed.append({"id": found.id, **wanted[found.id_number]})
        new = [
            {
                "id_number": n,
                "is_demo": False,
                "name": v["name"],
                "phone": v["phone"],
                "address": v["address"],
                "email": v.get("email"),
            }
            for n, v in wanted.items()
            if n not in ids
        ]
        for made in insert_returning(self.conn, table, new, [table.c.id, table.c.id_number]):
            ids[made.id_number] = made.id
        update_by_id(self.conn, table, fields, changed)
        self.counts.bump("borrowers_created", len(new))
        self.counts.bump("borrowers_updated", len(changed))
        return ids

    def _loans(self, records: list[LoanRow], borrower_ids: dict[str, int]) -> None:
        assert self.header is not None
        table = Loan.__table__
        fields = [f for f in _LOAN_FIELDS if f not in _OPTIONAL_LOAN_FIELDS or self.header.has(f)]
        wanted = {
            r.contract_no: {
                "creditor_id": self.creditor_ids[r.creditor],
                "borrower_id": borrower_ids[r.id_number],
                **{f: getattr(r, f) for f in fields if f not in ("creditor_id", "borrower_id")},
            }
            for r in records
        }
        changed = []
        columns = [table.c.id, table.c.contract_no, *(table.c[f] for f in fields)]
        existing: set[str] = set()
        for found in fetch_in(self.conn, columns, table.c.contract_no, wanted):
            existing.add(found.contract_no)
            if changed_fields(found, wanted[found.contract_no], fields):
                changed.append({"id": found.id, **wanted[found.contract_no]})
                self.counts.loan_ids.add(found.id)
        new = []
        for r in records:
            if r.contract_no in existing:
                continue
            status = LoanStatus.overdue if r.overdue_since else LoanStatus.current
            new.append(
                {f: getattr(r, f) for f in _LOAN_FIELDS if f not in ("creditor_id", "borrower_id")}
                | wanted[r.contract_no]
                | {"contract_no": r.contract_no, "schedule": [], "status": status.value}
            )
        for made in insert_returning(self.conn, table, new, [table.c.id]):
            self.counts.loan_ids.add(made.id)
        update_by_id(self.conn, table, fields, changed)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        self.counts.unchanged += len(existing) - len(changed)
