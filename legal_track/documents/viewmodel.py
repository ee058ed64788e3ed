"""The typed view-model every document template renders from.

A template sees exactly `DocumentContext.model_dump(mode="json")`: plain JSON data.
Amounts come in figures and in Chinese capitals, dates in ISO and in Chinese form,
so templates need no arithmetic. Text that is unknown is the empty string (never
None, which would print as "None"); preflight reports empty required fields.

The schema also tells preflight which field paths exist (`known_paths`), so a
template that reads `claim.totl` is refused before anything is rendered.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict

from legal_track.documents.filters import cn_date, money, rmb_upper
from legal_track.money import ZERO, quantize


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Amount(View):
    value: str  # "12345.67" (exact decimal text)
    figures: str  # "12,345.67"
    capitals: str  # "壹万贰仟叁佰肆拾伍元陆角柒分"

    @classmethod
    def of(cls, amount: Decimal | None) -> Amount:
        amount = quantize(amount if amount is not None else ZERO)
        return cls(value=str(amount), figures=money(amount), capitals=rmb_upper(max(amount, ZERO)))


class CnDate(View):
    iso: str  # "2026-11-29" ("" when unknown)
    cn: str  # "2026年11月29日"

    @classmethod
    def of(cls, day: date | None) -> CnDate:
        return cls(iso="", cn="") if day is None else cls(iso=day.isoformat(), cn=cn_date(day))


class Doc(View):
    date: CnDate  # the date the document carries (today)
    copies: int  # copies for the other side (附：副本 N 份)


class CaseInfo(View):
    ref: str
    route: str  # litigation | arbitration | payment_order
    route_zh: str
    stage: str
    court_case_no: str  # 案号 of the judgment / award / payment order
    enforcement_case_no: str


class CreditorView(View):
    name: str
    uscc: str  # 统一社会信用代码
    legal_rep: str  # 法定代表人
    address: str  # 住所地


class Party(View):
    name: str
    id_number: str
    id_number_masked: str
    gender: str  # 男 / 女 (from the ID number)
    birth_date: CnDate
    address: str  # service address (送达地址)
    phone: str
    role: str  # borrower | co_borrower | guarantor
    role_zh: str  # 借款人 | 共同借款人 | 保证人


class LoanInfo(View):
    contract_no: str
    principal: Amount  # amount lent
    annual_rate: str  # "18%"
    overdue_rate: str
    disbursed_on: CnDate
    maturity_on: CnDate
    outstanding_principal: Amount
    overdue_since: CnDate
    dpd: int  # days past due at the cut-off
    claim_total: Amount  # this loan's part of the claim


class ClaimPart(View):
    key: str  # principal | interest | overdue_interest | fees
    label: str  # 借款本金 | 利息 | 逾期利息 | 费用
    amount: Amount


class Claim(View):
    cutoff: CnDate  # figures are computed to this day (暂计至)
    principal: Amount
    interest: Amount
    overdue_interest: Amount
    fees: Amount
    excess: Amount  # charges above the cap, left out of the claim
    total: Amount
    cap_basis: str
    parts: list[ClaimPart]  # the non-zero heads of claim, in order (诉讼请求 items)


class Fees(View):
    court: Amount  # 案件受理费 (ordinary procedure)
    preservation: Amount  # 申请保全费
    enforcement: Amount  # 申请执行费


class Forum(View):
    name: str  # court or arbitration commission
    kind: str  # court | commission
    kind_zh: str  # 人民法院 | 仲裁委员会


class Counsel(View):
    firm: str  # outside law firm (律师事务所)
    agent: str  # the team member who owns the case (委托代理人)


class Letter(View):
    no: str  # 函号
    payment_days: int
    deadline: CnDate  # date + payment_days (the letter runs from receipt)


class Enforcement(View):
    basis_doc: str  # 民事判决书 | 仲裁裁决书 | 支付令
    basis_no: str  # the title's case number
    issuer: str  # who issued the title
    court: str  # the court asked to enforce ("" when not known, e.g. after an award)


class EvidenceRow(View):
    no: int
    name: str
    source: str
    purpose: str  # 证明目的
    pages: str
    sha256: str


class DocumentContext(View):
    doc: Doc
    case: CaseInfo
    creditor: CreditorView
    borrower: Party
    defendants: list[Party]  # borrower, co-borrowers, guarantors (被告 / 被申请人)
    loans: list[LoanInfo]
    loan: LoanInfo  # the first (usually the only) loan
    claim: Claim
    fees: Fees
    forum: Forum
    counsel: Counsel
    letter: Letter
    enforcement: Enforcement
    evidence: list[EvidenceRow]

    def data(self) -> dict[str, Any]:
        """What a template sees: plain JSON data."""
        return self.model_dump(mode="json")


def canonical_json(data: dict[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the form that is hashed and stored."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def context_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _paths(model: type[BaseModel], prefix: str, out: set[str]) -> None:
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        out.add(path)
        annotation = field.annotation
        if get_origin(annotation) is list:
            out.add(path + "[]")
            (item,) = get_args(annotation)
            if isinstance(item, type) and issubclass(item, BaseModel):
                _paths(item, path + "[]", out)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _paths(annotation, path, out)


@lru_cache(maxsize=1)
def known_paths() -> frozenset[str]:
    """Every field path of the context: "claim", "claim.total.capitals", "defendants[].name"."""
    out: set[str] = set()
    _paths(DocumentContext, "", out)
    return frozenset(out)


def value_at(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path ("claim.total.value"); KeyError when absent."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value
