"""Third-party consent files: the lawful basis for contacting a loan's third parties
(relatives, employers, emergency contacts), keyed (loan, phone/address).

The bases and relations are those of rules/privacy.toml (its id, Chinese or English name
in the cell). A later file replaces the record of the same loan and target
(legal_track.privacy.consents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from legal_track.intake import cells
from legal_track.intake.columns import Column
from legal_track.intake.linked import LoanLinkedImporter
from legal_track.intake.rows import ParsedRow
from legal_track.intake.store import changed_fields, fetch_tuples, insert_many, update_by_id
from legal_track.models import ThirdPartyConsent
from legal_track.privacy.consents import normalise, obligor_targets
from legal_track.privacy.rules import load_rules

_FIELDS = ("name", "relation", "basis", "since", "until", "proof_ref")


@dataclass(frozen=True, slots=True)
class ConsentRow:
    contract_no: str
    target: str
    name: str | None
    relation: str
    basis: str
    since: date
    until: date | None
    proof_ref: str | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> ConsentRow:
        return cls(**{name: values.get(name) for name in cls.__slots__})


class ConsentImporter(LoanLinkedImporter):
    kind = "consents"

    @property
    def columns(self) -> tuple[Column, ...]:
        rules = load_rules()
        return (
            Column("contract_no", "合同编号", cells.text(64)),
            Column("target", "号码/地址", cells.text(254)),
            Column("name", "姓名", cells.text(100), required=False, cell_required=False),
            Column("relation", "关系", cells.choice(rules.relation_choices())),
            Column("basis", "合法性基础", cells.choice(rules.basis_choices())),
            Column("since", "起始日期", cells.a_date),
            Column("until", "截止日期", cells.a_date, required=False, cell_required=False),
            Column("proof_ref", "凭证", cells.text(200), required=False, cell_required=False),
        )

    def check(self, rows: list[ParsedRow]) -> None:
        self.resolve(rows)
        rules = load_rules()
        known = [self.loan_ids[c] for c in {r.values.get("contract_no") for r in rows}
                 if c in self.loan_ids]  # fmt: skip
        obligors = obligor_targets(self.conn, known) if known else {}
        for row in rows:
            v = row.values
            contract, target = v.get("contract_no"), v.get("target")
            if contract and target:
                key = normalise(target)
                self.repeated(self.seen, (contract, key), row, "target", "repeated_consent")
                if key in obligors.get(self.loan_ids.get(contract, -1), set()):
                    self.problem(row, "target", "consent_for_obligor")
            basis = v.get("basis")
            if basis and rules.basis[basis].needs_proof and not v.get("proof_ref"):
                assert self.header is not None
                where = "proof_ref" if self.header.has("proof_ref") else "basis"
                self.problem(row, where, "consent_needs_proof", basis=rules.basis[basis].name_zh)
            since, until = v.get("since"), v.get("until")
            if since and until and until <= since:
                self.problem(row, "until", "until_not_after_since", until=until, since=since)

    def write(self, rows: list[ParsedRow]) -> None:
        table = ThirdPartyConsent.__table__
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        for r in map(ConsentRow.of, (row.values for row in rows)):
            wanted[(self.loan_ids[r.contract_no], normalise(r.target))] = {
                "name": r.name or "", "relation": r.relation, "basis": r.basis,
                "since": r.since, "until": r.until, "proof_ref": r.proof_ref or "",
            }  # fmt: skip
        key_columns = [table.c.loan_id, table.c.target]
        columns = [table.c.id, *key_columns, *(table.c[f] for f in _FIELDS)]
        stamp = {"recorded_by": self.actor, "recorded_at": self.now}
        changed, existing = [], set()
        for found in fetch_tuples(self.conn, columns, key_columns, wanted):
            key = (found.loan_id, found.target)
            existing.add(key)
            if changed_fields(found, wanted[key], _FIELDS):
                changed.append({"id": found.id, **wanted[key], **stamp})
        new = [
            {"loan_id": loan_id, "target": target, **values, **stamp}
            for (loan_id, target), values in wanted.items()
            if (loan_id, target) not in existing
        ]
        insert_many(self.conn, table, new)
        update_by_id(self.conn, table, (*_FIELDS, *stamp), changed)
        self.counts.created += len(new)
        self.counts.updated += len(changed)
        self.counts.unchanged += len(existing) - len(changed)
