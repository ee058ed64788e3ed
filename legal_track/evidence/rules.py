"""Required evidence per route and document, and the default exhibit order.

The rules are data (``rules/evidence_requirements.toml``); this module loads and checks
them, and answers "what is still missing for this case before filing document X".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from legal_track.evidence.data import has_delivered_demand
from legal_track.models import (
    Case,
    CaseLoan,
    EvidenceCategory,
    EvidenceItem,
    EvidenceLink,
    LedgerEntry,
    Loan,
)

RULES_FILE = Path(__file__).parents[1] / "rules" / "evidence_requirements.toml"
DATA_SATISFIERS = ("ledger", "contact_delivered")
DATA_SLOTS = ("@ledger", "@contacts", "@interruptions")


class EvidenceRulesError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    name_zh: str
    name_en: str
    scope: str  # "loan" or "case"
    categories: tuple[str, ...]
    data: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentRule:
    id: str
    name_zh: str
    name_en: str
    route: str  # "" = any route
    stages: tuple[str, ...]  # stages for which this document is the default checklist
    effective_from: date
    basis: str
    requires: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceRules:
    version: str
    requirements: dict[str, Requirement]
    documents: dict[str, DocumentRule]
    order: dict[str, tuple[str, ...]]

    def document(self, document_id: str) -> DocumentRule:
        try:
            return self.documents[document_id]
        except KeyError:
            known = ", ".join(self.documents)
            raise LookupError(f"unknown document {document_id!r}; known: {known}") from None


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    key: str  # requirement key, or "key:CONTRACT_NO" when the case covers several loans
    requirement: Requirement
    contract_no: str | None
    satisfied: bool
    by_items: tuple[int, ...]
    by_data: tuple[str, ...]


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> EvidenceRules:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    categories = {c.value for c in EvidenceCategory}
    reqs: dict[str, Requirement] = {}
    for key, r in raw["requirements"].items():
        bad = [c for c in r["categories"] if c not in categories]
        bad += [d for d in r.get("data", []) if d not in DATA_SATISFIERS]
        if bad or r["scope"] not in ("loan", "case"):
            raise EvidenceRulesError(
                f"{path.name}: requirement {key!r}: unknown {bad or r['scope']}"
            )
        reqs[key] = Requirement(
            key,
            r["name_zh"],
            r["name_en"],
            r["scope"],
            tuple(r["categories"]),
            tuple(r.get("data", [])),
        )
    docs: dict[str, DocumentRule] = {}
    for doc_id, d in raw["documents"].items():
        missing = [k for k in d["requires"] if k not in reqs]
        if missing:
            raise EvidenceRulesError(f"{path.name}: document {doc_id!r} requires unknown {missing}")
        docs[doc_id] = DocumentRule(
            doc_id, d["name_zh"], d["name_en"], d.get("route", ""), tuple(d.get("stages", [])),
            date.fromisoformat(d["effective_from"]), d["basis"], tuple(d["requires"]),
        )  # fmt: skip
    order: dict[str, tuple[str, ...]] = {}
    for name, slots in raw["order"].items():
        bad = [s for s in slots if s not in categories and s not in DATA_SLOTS]
        if bad:
            raise EvidenceRulesError(f"{path.name}: order {name!r}: unknown slots {bad}")
        order[name] = tuple(slots)
    return EvidenceRules(str(raw["version"]), reqs, docs, order)


def default_document(route: str, stage: str, rules: EvidenceRules | None = None) -> str:
    """The document whose checklist the case page shows first for this route and stage."""
    rules = rules or load_rules()
    for doc in rules.documents.values():
        if doc.route in ("", route) and stage in doc.stages:
            return doc.id
    for doc in rules.documents.values():
        if doc.route == route:
            return doc.id
    return next(iter(rules.documents))


def order_slots(route: str, stage: str, rules: EvidenceRules | None = None) -> tuple[str, ...]:
    """The default exhibit order: the enforcement order once the case is in enforcement."""
    rules = rules or load_rules()
    name = "enforcement" if stage.startswith("enf_") else route
    return rules.order.get(name) or next(iter(rules.order.values()))


def case_loans(session: Session, case_id: int) -> list[Loan]:
    return list(
        session.exec(
            select(Loan)
            .join(CaseLoan, col(CaseLoan.loan_id) == Loan.id)
            .where(CaseLoan.case_id == case_id)
            .order_by(col(Loan.id))
        )
    )


def checklist(session: Session, *, case_id: int, document: str) -> list[ChecklistRow]:
    """Each requirement of `document` for this case: met or not, and by what."""
    rules = load_rules()
    doc = rules.document(document)
    case = session.get(Case, case_id)
    if case is None:
        raise LookupError(f"case id {case_id} does not exist")
    loans = case_loans(session, case_id)
    loan_ids = [loan.id for loan in loans]
    links = session.exec(
        select(EvidenceLink, EvidenceItem.category)
        .join(EvidenceItem, col(EvidenceItem.id) == EvidenceLink.item_id)
        .where((EvidenceLink.case_id == case_id) | col(EvidenceLink.loan_id).in_(loan_ids))
    ).all()
    case_items = [(link.item_id, str(cat)) for link, cat in links if link.case_id == case_id]
    per_loan = {
        i: [(link.item_id, str(cat)) for link, cat in links if link.loan_id == i] for i in loan_ids
    }
    rows: list[ChecklistRow] = []
    for key in doc.requires:
        req = rules.requirements[key]
        if req.scope == "case" or not loans:
            pool = case_items + [p for ps in per_loan.values() for p in ps]
            data = tuple(d for d in req.data if any(_data_ok(session, d, i) for i in loan_ids))
            rows.append(_row(key, req, None, pool, data))
            continue
        for loan in loans:
            pool = per_loan[loan.id] + (case_items if len(loans) == 1 else [])
            data = tuple(d for d in req.data if _data_ok(session, d, loan.id))
            row_key = key if len(loans) == 1 else f"{key}:{loan.contract_no}"
            rows.append(_row(row_key, req, loan.contract_no, pool, data))
    return rows


def _row(key, req: Requirement, contract_no, pool, data) -> ChecklistRow:
    items = tuple(sorted({item for item, cat in pool if cat in req.categories}))
    return ChecklistRow(key, req, contract_no, bool(items or data), items, data)


def _data_ok(session: Session, satisfier: str, loan_id: int) -> bool:
    if satisfier == "ledger":
        return (
            session.exec(select(LedgerEntry.id).where(LedgerEntry.loan_id == loan_id)).first()
            is not None
        )
    if satisfier == "contact_delivered":
        return has_delivered_demand(session, loan_id=loan_id)
    raise EvidenceRulesError(f"unknown data satisfier {satisfier!r}")


def missing_for(session: Session, *, case_id: int, document: str) -> list[str]:
    """Keys of the requirements of `document` not yet met for this case."""
    return [
        row.key
        for row in checklist(session, case_id=case_id, document=document)
        if not row.satisfied
    ]
