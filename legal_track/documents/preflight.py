"""Preflight: everything that would make a document wrong, checked before it is generated.

Per template: every field it reads exists in the context. Per case: the template's
required fields are filled, the template fits the case's route, the claim figures
add up and agree with the ledger, the required evidence is in the register, and
the borrower (every debtor) has a service address. Errors block the case; warnings
are shown and the document is still generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from legal_track.config import Settings, get_settings
from legal_track.documents.context import CaseData, build_case_data
from legal_track.documents.fields import unknown_paths
from legal_track.documents.metadata import TemplateMeta
from legal_track.documents.registry import load_active, local_today
from legal_track.documents.viewmodel import known_paths
from legal_track.evidence.data import has_delivered_demand
from legal_track.evidence.rules import load_rules
from legal_track.models import LedgerEntry
from legal_track.money import ZERO, format_yuan

ERROR, WARNING = "error", "warning"
CLAIM_PREFIXES = ("claim", "fees", "loans", "loan.")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # unknown_fields, missing_field, route, claim, ledger, evidence, service_address
    message: str
    severity: str = ERROR
    field: str = ""


@dataclass
class PreflightResult:
    template: str  # "id@version"
    case_id: int
    case_ref: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def reason(self) -> str:
        return "; ".join(p.message for p in self.errors)


def template_problems(label: str, paths: set[str]) -> list[Problem]:
    """Fields the template reads that the context does not define (the same for every case)."""
    unknown = unknown_paths(paths, set(known_paths()))
    if not unknown:
        return []
    return [
        Problem("unknown_fields", f"template {label} reads unknown fields: {', '.join(unknown)}")
    ]


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value == "0.00"
    if isinstance(value, list | dict):
        return not value
    return False


def _values(data: Any, path: str) -> list[tuple[str, Any]]:
    """(concrete path, value) for a path that may go through lists (`defendants[].address`)."""
    head, _, rest = path.partition(".")
    is_list = head.endswith("[]")
    key = head[:-2] if is_list else head
    if not isinstance(data, dict) or key not in data:
        return [(path, None)]
    value = data[key]
    if is_list:
        items = value if isinstance(value, list) else []
        out = []
        for i, item in enumerate(items):
            for sub, v in _values(item, rest) if rest else [("", item)]:
                out.append((f"{key}[{i}]" + (f".{sub}" if sub else ""), v))
        return out
    if not rest:
        return [(key, value)]
    return [(f"{key}.{sub}", v) for sub, v in _values(value, rest)]


def missing_fields(data: dict, required: tuple[str, ...]) -> list[str]:
    out = []
    for path in required:
        for concrete, value in _values(data, path):
            if _empty(value):
                out.append(concrete)
    return out


def ledger_sums(entries: list[LedgerEntry], cutoff: date) -> dict[tuple[int, str, bool], Decimal]:
    """{(loan_id, kind, booked after the cut-off): amount} from the ledger rows."""
    sums: dict[tuple[int, str, bool], Decimal] = {}
    for e in entries:
        key = (e.loan_id, str(e.kind), e.booked_on > cutoff)
        sums[key] = sums.get(key, ZERO) + e.amount
    return sums


def claim_problems(data: CaseData, sums: dict[tuple[int, str, bool], Decimal]) -> list[Problem]:
    """The claim figures must add up and agree with the ledger."""
    if data.claim_error:
        return [Problem("claim", f"claim figures cannot be computed: {data.claim_error}")]
    figures = data.figures
    out: list[Problem] = []
    parts = figures.principal + figures.interest + figures.overdue_interest + figures.fees
    if parts != figures.total:
        out.append(Problem("claim", f"claim heads add up to {format_yuan(parts)} but the total is "
                                    f"{format_yuan(figures.total)}"))  # fmt: skip
    for loan in data.loans:

        def s(kind: str, after: bool = False, loan_id: int = loan.id) -> Decimal:
            return sums.get((loan_id, kind, after), ZERO)

        where = f"loan {loan.contract_no}"
        if loan.outstanding_principal > loan.principal:
            out.append(Problem("ledger", f"{where}: outstanding principal {format_yuan(loan.outstanding_principal)} "
                                         f"exceeds the amount lent {format_yuan(loan.principal)}"))  # fmt: skip
        reduced = loan.principal - loan.outstanding_principal
        backed = s("repayment") + s("write_off")
        if reduced > backed:
            out.append(Problem("ledger", f"{where}: outstanding principal is {format_yuan(reduced)} below the "
                                         f"amount lent but the ledger shows only {format_yuan(backed)} repaid or "
                                         "written off by the cut-off"))  # fmt: skip
        disbursed = s("disbursement") + s("disbursement", True)
        if disbursed and disbursed != loan.principal:
            out.append(Problem("ledger", f"{where}: ledger disbursements {format_yuan(disbursed)} differ from the "
                                         f"amount lent {format_yuan(loan.principal)}", WARNING))  # fmt: skip
        if s("repayment", True):
            out.append(Problem("ledger", f"{where}: {format_yuan(s('repayment', True))} repaid after the cut-off "
                                         f"{figures.cutoff}; the figures may overstate the claim", WARNING))  # fmt: skip
    return out


def case_problems(data: CaseData, meta: TemplateMeta, paths: set[str], *,
                  sums: dict | None = None, missing_evidence: list[str] | None = None) -> list[Problem]:  # fmt: skip
    """Everything about one case (no database access: the caller gathers sums and evidence)."""
    label = f"{meta.id}@{meta.version}"
    ref = data.case.ref
    ctx = data.context.data()
    out: list[Problem] = []
    route = str(data.case.route)
    if meta.routes and route not in meta.routes:
        out.append(
            Problem(
                "route", f"template {label} is for {', '.join(meta.routes)}; case {ref} is {route}"
            )
        )
    for path in missing_fields(ctx, meta.required):
        out.append(
            Problem(
                "missing_field",
                f"template {label} needs field {path}, empty for case {ref}",
                field=path,
            )
        )
    for i, party in enumerate(data.context.defendants):
        if not party.address:
            who = "borrower" if i == 0 else party.role
            out.append(Problem("service_address", f"case {ref}: no service address for {who} {party.name}",
                               field=f"defendants[{i}].address"))  # fmt: skip
    if any(p.startswith(CLAIM_PREFIXES) for p in paths):
        out.extend(claim_problems(data, sums or {}))
    if missing_evidence:
        out.append(
            Problem(
                "evidence",
                f"case {ref}: evidence missing for {label}: {', '.join(missing_evidence)}",
            )
        )
    return out


def evidence_missing(session: Session, data: CaseData, meta: TemplateMeta) -> list[str]:
    """Names (Chinese) of the required evidence not yet in the register for this case.

    The same rules and the same result as `evidence.rules.missing_for` (a test holds them
    equal), evaluated on the rows already loaded for the case: batches check thousands of
    cases, and the register's own checklist costs several queries per case. Only the
    "delivered demand in the contact log" satisfier still asks the database, and only
    when no evidence item meets the requirement."""
    checklist = meta.checklist_for(str(data.case.route))
    if not checklist:
        return []
    rules = load_rules()
    doc = rules.document(checklist)
    loans = sorted(data.loans, key=lambda x: x.id)
    case_id = data.case.id
    case_items = [cat for c, _, cat in data.evidence_links if c == case_id]
    per_loan = {x.id: [cat for _, lid, cat in data.evidence_links if lid == x.id] for x in loans}
    with_ledger = {e.loan_id for e in data.ledger}

    def data_ok(satisfier: str, loan_id: int) -> bool:
        if satisfier == "ledger":
            return loan_id in with_ledger
        return has_delivered_demand(session, loan_id=loan_id)

    missing = []
    for key in doc.requires:
        req = rules.requirements[key]
        if req.scope == "case" or not loans:
            pool = case_items + [cat for cats in per_loan.values() for cat in cats]
            targets = [(None, [x.id for x in loans])]
        else:
            targets = [(x, [x.id]) for x in loans]
        for loan, ids in targets:
            if loan is not None:
                pool = per_loan[loan.id] + (case_items if len(loans) == 1 else [])
            met = any(cat in req.categories for cat in pool) or any(
                data_ok(d, i) for d in req.data for i in ids
            )
            if not met:
                suffix = f"（{loan.contract_no}）" if loan is not None and len(loans) > 1 else ""
                missing.append(req.name_zh + suffix)
    return missing


def preflight_case(
    session: Session, data: CaseData, meta: TemplateMeta, paths: set[str]
) -> PreflightResult:
    """All problems of one case for one template (reads the ledger and the evidence register)."""
    label = f"{meta.id}@{meta.version}"
    cutoff = (
        data.figures.cutoff if data.figures else date.fromisoformat(data.context.claim.cutoff.iso)
    )
    sums = ledger_sums(data.ledger, cutoff)
    problems = template_problems(label, paths) + case_problems(
        data, meta, paths, sums=sums, missing_evidence=evidence_missing(session, data, meta)
    )
    return PreflightResult(
        template=label, case_id=data.case.id, case_ref=data.case.ref, problems=problems
    )


def preflight(session: Session, *, template_id: str, case_id: int, now: datetime, cutoff: date | None = None,
              settings: Settings | None = None) -> PreflightResult:  # fmt: skip
    """The preflight report of one case for the active version of `template_id` (nothing
    is written except the first registration of the shipped templates)."""
    settings = settings or get_settings()
    template, _, paths = load_active(session, template_id=template_id, now=now, settings=settings)
    data = build_case_data(
        session, case_id=case_id, today=local_today(now, settings), cutoff=cutoff
    )
    return preflight_case(session, data, template.meta, paths)
