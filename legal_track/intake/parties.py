"""Party files: co-borrowers and guarantors of existing loans, keyed (loan, ID number, role).

The person is a Borrower matched by ID number (created, or its name, phone and address
updated, as the loans file does); the link is a LoanParty row, inserted when missing.
A row's count is about its link: created (new link), updated (the link was there but the
file changed the person's details) or unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.store import (
    changed_fields,
    fetch_in,
    fetch_tuples,
    insert_many,
    insert_returning,
    update_by_id,
)
from legal_track.models import Borrower, LoanParty, PartyRole

ROLES = {r.value: r.value for r in PartyRole} | {
    "共同借款人": PartyRole.co_borrower.value,
    "担保人": PartyRole.guarantor.value,
    "保证人": PartyRole.guarantor.value,
}

PARTY_COLUMNS = (
    Column("contract_no", "合同编号", cells.text(64)),
    Column("role", "角色", cells.choice(ROLES)),
    Column("name", "姓名", cells.text(100)),
    Column("id_number", "身份证号", cells.id_number),
    Column("phone", "手机号", cells.text(32), cell_required=False),
    Column("address", "地址", cells.text(500), cell_required=False),
)

_PERSON_FIELDS = ("name", "phone", "address")


@dataclass(frozen=True, slots=True)
class PartyRow:
    """One valid row of a parties file."""

    contract_no: str
    role: str
    name: str
    id_number: str
    phone: str | None
    address: str | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> PartyRow:
        return cls(**{name: values.get(name) for name in cls.__slots__})


class PartyImporter(LoanLinkedImporter):
    kind = "parties"
    loan_fields = ("borrower_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person_seen: dict[str, tuple[int, int]] = {}  # ID -> (first row, details hash)
        self.updated_people: set[str] = set()  # ID numbers whose details this file changed

    @property
    def columns(self) -> tuple[Column, ...]:
        return PARTY_COLUMNS

    # -- first pass -------------------------------------------------------------------------

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        for row in rows:
            v = row.values
            contract, id_number, role = v.get("contract_no"), v.get("id_number"), v.get("role")
            if contract and id_number and role:
                self.repeated(self.seen, (contract, id_number, role), row, "id_number",
                              "repeated_party")  # fmt: skip
            if id_number and all(k in v for k in _PERSON_FIELDS):
                details = hash(tuple(v[k] for k in _PERSON_FIELDS))
                first, seen = self.person_seen.setdefault(id_number, (row.row, details))
                if seen != details:
                    self.problem(row, "id_number", "party_conflict", first=first)
        self._not_the_borrower(rows)

    def _not_the_borrower(self, rows: list[ParsedRow]) -> None:
        """A loan's own borrower cannot also be its co-borrower or guarantor."""
        linked = [
            r
            for r in rows
            if r.values.get("id_number") and r.values.get("contract_no") in self.loan_facts
        ]
        if not linked:
            return
        table = Borrower.__table__
        ids = {
            found.id_number: found.id
            for found in fetch_in(
                self.conn,
                [table.c.id, table.c.id_number],
                table.c.id_number,
                {r.values["id_number"] for r in linked},
            )
        }
        for row in linked:
            contract = row.values["contract_no"]
            if ids.get(row.values["id_number"]) == self.loan_facts[contract]["borrower_id"]:
                self.problem(row, "id_number", "party_is_borrower", contract=contract)

    def end_check(self) -> None:
        super().end_check()
        self.person_seen = {}

    # -- second pass ------------------------------------------------------------------------

    def write(self, rows: list[ParsedRow]) -> None:
        records = [PartyRow.of(r.values) for r in rows]
        person_ids = self._people(records)
        table = LoanParty.__table__
        wanted: dict[tuple[int, int, str], str] = {}  # (loan, person, role) -> ID number
        for r in records:
            wanted[(self.loan_ids[r.contract_no], person_ids[r.id_number], r.role)] = r.id_number
        key_columns = [table.c.loan_id, table.c.borrower_id, table.c.role]
        existing = {
            (found.loan_id, found.borrower_id, found.role)
            for found in fetch_tuples(self.conn, key_columns, key_columns, wanted)
        }
        new = [
            {"loan_id": loan_id, "borrower_id": person_id, "role": role}
            for (loan_id, person_id, role) in wanted
            if (loan_id, person_id, role) not in existing
        ]
        insert_many(self.conn, table, new)
        self.counts.loan_ids.update(n["loan_id"] for n in new)
        updated = [key for key in existing if wanted[key] in self.updated_people]
        self.counts.loan_ids.update(loan_id for loan_id, _p, _r in updated)
        self.counts.created += len(new)
        self.counts.updated += len(updated)
        self.counts.unchanged += len(existing) - len(updated)

    def _people(self, records: list[PartyRow]) -> dict[str, int]:
        """Create or update the chunk's people (by ID number); their ids."""
        table = Borrower.__table__
        fields = list(_PERSON_FIELDS)
        wanted: dict[str, dict[str, Any]] = {}
        for r in records:
            wanted.setdefault(r.id_number, {"name": r.name, "phone": r.phone, "address": r.address})
        ids: dict[str, int] = {}
        changed = []
        columns = [table.c.id, table.c.id_number, *(table.c[f] for f in fields)]
        for found in fetch_in(self.conn, columns, table.c.id_number, wanted):
            ids[found.id_number] = found.id
            if changed_fields(found, wanted[found.id_number], fields):
                changed.append({"id": found.id, **wanted[found.id_number]})
                self.updated_people.add(found.id_number)
        new = [
            {"id_number": n, "is_demo": False, "email": None, **v}
            for n, v in wanted.items()
            if n not in ids
        ]
        for made in insert_returning(self.conn, table, new, [table.c.id, table.c.id_number]):
            ids[made.id_number] = made.id
        update_by_id(self.conn, table, fields, changed)
        self.counts.bump("borrowers_created", len(new))
        self.counts.bump("borrowers_updated", len(changed))
        return ids
