"""The typed, dated events of a case: their kinds, the data each kind carries, and the
stage each kind implies. Pure data and validation; the services are in `events.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from legal_track.cases.lifecycle import CloseReason, Stage


class EventKind(StrEnum):
    demand_letter_sent = "demand_letter_sent"
    demand_letter_delivered = "demand_letter_delivered"
    complaint_filed = "complaint_filed"
    case_accepted = "case_accepted"
    complaint_served = "complaint_served"
    evidence_notice = "evidence_notice"
    public_notice_issued = "public_notice_issued"
    hearing_scheduled = "hearing_scheduled"
    judgment_served = "judgment_served"
    ruling_served = "ruling_served"
    appeal_filed = "appeal_filed"
    judgment_effective = "judgment_effective"
    arbitration_applied = "arbitration_applied"
    arbitration_accepted = "arbitration_accepted"
    arbitration_hearing = "arbitration_hearing"
    award_received = "award_received"
    award_effective = "award_effective"
    payment_order_applied = "payment_order_applied"
    payment_order_accepted = "payment_order_accepted"
    payment_order_issued = "payment_order_issued"
    payment_order_served = "payment_order_served"
    payment_order_objection = "payment_order_objection"
    payment_order_effective = "payment_order_effective"
    preservation_applied = "preservation_applied"
    preservation_taken = "preservation_taken"
    enforcement_applied = "enforcement_applied"
    enforcement_accepted = "enforcement_accepted"
    enforcement_notice_served = "enforcement_notice_served"
    asset_frozen = "asset_frozen"
    payment_received = "payment_received"
    enforcement_terminated = "enforcement_terminated"
    settlement = "settlement"
    cost_paid = "cost_paid"
    cost_refunded = "cost_refunded"
    # pre-litigation mediation (诉前调解)
    mediation_applied = "mediation_applied"
    mediation_agreement = "mediation_agreement"
    confirmation_applied = "confirmation_applied"
    mediation_confirmed = "mediation_confirmed"
    mediation_failed = "mediation_failed"
    # settlement / instalment agreements (recorded by legal_track.settlements)
    settlement_agreed = "settlement_agreed"
    instalment_missed = "instalment_missed"
    settlement_completed = "settlement_completed"
    settlement_breached = "settlement_breached"
    enforcement_resume_applied = "enforcement_resume_applied"
    case_closed = "case_closed"


class CostCategory(StrEnum):
    """What a cost paid on a case was for (the dashboard's cost per case sums them)."""

    court_fee = "court_fee"  # 案件受理费 / 支付令申请费
    arbitration_fee = "arbitration_fee"  # 仲裁费
    preservation_fee = "preservation_fee"  # 保全申请费
    enforcement_fee = "enforcement_fee"  # 执行申请费
    notice_fee = "notice_fee"  # 公告费
    counsel_fee = "counsel_fee"  # 律师费
    service_fee = "service_fee"  # 送达、邮寄、公证、鉴定等
    other = "other"


class PartyRole(StrEnum):
    plaintiff = "plaintiff"
    defendant = "defendant"
    applicant = "applicant"
    respondent = "respondent"
    creditor = "creditor"
    debtor = "debtor"
    third_party = "third_party"


class EventDataError(ValueError):
    """Event data that does not fit its kind (message names the kind and the field)."""


@dataclass(frozen=True, slots=True)
class DataField:
    """One key of an event's data. `type`: int, date, bool, text, amount or choice."""

    name: str
    type: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None


K = EventKind
_PROCEDURES = ("ordinary", "summary", "small_claims")
_ROLE = DataField("party_role", "choice", choices=tuple(PartyRole))
_FOREIGN = DataField("foreign", "bool", default=False)
_PERFORMANCE = DataField("performance_end", "date")
_AGREEMENT = DataField("agreement_id", "int", min=1)
# 和解协议 before suit, 调解 in litigation (调解书), 执行和解 in enforcement
SETTLEMENT_KINDS = ("pre_litigation", "litigation", "enforcement")

FIELDS: dict[EventKind, tuple[DataField, ...]] = {
    K.demand_letter_sent: (DataField("tracking_no", "text"),),
    K.demand_letter_delivered: (
        DataField("payment_days", "int", default=7, min=1, max=365),
        DataField("tracking_no", "text"),
        DataField("signed_on", "date"),
    ),
    K.case_accepted: (
        DataField("procedure", "choice", default="ordinary", choices=_PROCEDURES),
        DataField("court_case_no", "text"),
    ),
    K.complaint_served: (_ROLE, _FOREIGN),
    K.evidence_notice: (
        DataField("days", "int", min=1, max=365),
        DataField("procedure", "choice", default="ordinary", choices=_PROCEDURES),
    ),
    K.hearing_scheduled: (DataField("hearing_on", "date"),),
    K.judgment_served: (_ROLE, _FOREIGN),
    K.ruling_served: (_ROLE, _FOREIGN),
    K.judgment_effective: (_PERFORMANCE,),
    K.award_received: (_ROLE,),
    K.award_effective: (_PERFORMANCE,),
    K.payment_order_served: (_ROLE,),
    K.payment_order_effective: (_PERFORMANCE,),
    K.preservation_applied: (DataField("presuit", "bool", default=False),),
    K.preservation_taken: (
        DataField("presuit", "bool", default=False),
        DataField("asset_kind", "choice", choices=("deposit", "movable", "realty")),
        DataField("amount", "amount"),
    ),
    K.enforcement_notice_served: (_ROLE,),
    K.asset_frozen: (
        DataField("asset_kind", "choice", required=True, choices=("deposit", "movable", "realty")),
        DataField("amount", "amount"),
    ),
    K.payment_received: (DataField("amount", "amount", required=True),),
    K.settlement: (DataField("amount", "amount"),),
    K.cost_paid: (
        DataField("category", "choice", required=True, choices=tuple(CostCategory)),
        DataField("amount", "amount", required=True),
        DataField("payee", "text"),
    ),
    K.cost_refunded: (
        DataField("category", "choice", required=True, choices=tuple(CostCategory)),
        DataField("amount", "amount", required=True),
    ),
    K.mediation_applied: (
        DataField("mediator", "text"),
        # 委派调解 generally 30 days; longer when the parties agree (recorded here)
        DataField("period_days", "int", default=30, min=1, max=365),
    ),
    K.mediation_agreement: (DataField("amount", "amount"), DataField("effective_on", "date")),
    K.mediation_confirmed: (DataField("court_case_no", "text"), _PERFORMANCE),
    K.settlement_agreed: (
        _AGREEMENT,
        DataField("settlement_kind", "choice", default="pre_litigation", choices=SETTLEMENT_KINDS),
        DataField("total", "amount"),
        DataField("instalments", "int", min=1, max=600),
        DataField("last_due", "date"),
    ),  # fmt: skip
    K.instalment_missed: (
        _AGREEMENT,
        DataField("instalment_no", "int", min=1),
        DataField("due_on", "date"),
        DataField("unpaid", "amount"),
    ),
    K.settlement_completed: (_AGREEMENT, DataField("amount", "amount")),
    K.settlement_breached: (_AGREEMENT,),
    K.case_closed: (DataField("reason", "choice", required=True, choices=tuple(CloseReason)),),
}

# Kinds recorded by the settlement service together with the agreement and its
# instalments (legal_track.settlements): the event form and counsel updates leave them out.
SERVICE_KINDS = frozenset({K.settlement_agreed, K.instalment_missed, K.settlement_completed})

S = Stage
# The stage a case reaches when the event is recorded (offered as the default move).
IMPLIED_STAGE: dict[EventKind, Stage] = {
    K.demand_letter_sent: S.demand_letter,
    K.demand_letter_delivered: S.demand_letter,
    K.complaint_filed: S.lit_filed,
    K.case_accepted: S.lit_accepted,
    K.complaint_served: S.lit_served,
    K.hearing_scheduled: S.lit_hearing,
    K.judgment_served: S.lit_judgment,
    K.appeal_filed: S.lit_appeal,
    K.judgment_effective: S.lit_effective,
    K.arbitration_applied: S.arb_applied,
    K.arbitration_accepted: S.arb_accepted,
    K.arbitration_hearing: S.arb_hearing,
    K.award_received: S.arb_award,
    K.award_effective: S.arb_award,
    K.payment_order_applied: S.po_applied,
    K.payment_order_accepted: S.po_applied,
    K.payment_order_issued: S.po_issued,
    K.payment_order_served: S.po_served,
    K.payment_order_objection: S.lit_filed,
    K.payment_order_effective: S.po_effective,
    K.enforcement_applied: S.enf_applied,
    K.enforcement_accepted: S.enf_accepted,
    K.asset_frozen: S.enf_measures,
    K.enforcement_terminated: S.enf_terminated,
    K.mediation_applied: S.med_applied,
    K.mediation_agreement: S.med_agreement,
    K.confirmation_applied: S.med_agreement,
    K.mediation_confirmed: S.med_confirmed,
    # 诉前调解不成: the court registers the case as litigation (立案)
    K.mediation_failed: S.lit_filed,
    K.settlement_completed: S.closed,
    K.case_closed: S.closed,
}

# Kinds whose stage move is not optional: an objection ends the payment order and the
# case continues as litigation (CPL art. 228); a closing event closes the case.
FORCED_STAGE: dict[EventKind, Stage] = {
    K.payment_order_objection: S.lit_filed,
    K.case_closed: S.closed,
}


def fields_for(kind: EventKind | str) -> tuple[DataField, ...]:
    return FIELDS.get(EventKind(kind), ())


def defaults_for(kind: EventKind | str) -> dict[str, Any]:
    """The values rules see for data keys an event does not carry."""
    return dict(_DEFAULTS.get(kind, {}))


def default_value(kind: str, key: str) -> Any:
    """The default of one data key of `kind` (None when it has none)."""
    return _DEFAULTS.get(kind, {}).get(key)


_DEFAULTS: dict[str, dict[str, Any]] = {
    k.value: {f.name: f.default for f in fields if f.default is not None}
    for k, fields in FIELDS.items()
}


def parse_kind(kind: EventKind | str) -> EventKind:
    try:
        return EventKind(kind)
    except ValueError:
        raise EventDataError(
            f"unknown event kind {kind!r}; known kinds: {', '.join(k.value for k in EventKind)}"
        ) from None


def _convert(kind: EventKind, f: DataField, value: Any) -> Any:
    where = f"event {kind.value}, data field {f.name!r}"
    if f.type == "int":
        if isinstance(value, bool):
            raise EventDataError(f"{where}: expected a whole number, got {value!r}")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise EventDataError(f"{where}: expected a whole number, got {value!r}") from None
        if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
            raise EventDataError(f"{where}: {number} is outside {f.min}..{f.max}")
        return number
    if f.type == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise EventDataError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None
    if f.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "y"):
            return True
        if text in ("false", "0", "no", "n"):
            return False
        raise EventDataError(f"{where}: expected true or false, got {value!r}")
    if f.type == "amount":
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise EventDataError(f"{where}: expected an amount in yuan, got {value!r}") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise EventDataError(f"{where}: {value!r} is not an amount with at most 2 decimals")
        return str(amount.quantize(Decimal("0.01")))
    if f.type == "choice":
        text = str(value).strip()
        if text not in f.choices:
            raise EventDataError(f"{where}: {value!r} is not one of {', '.join(f.choices)}")
        return text
    text = str(value).strip()
    if len(text) > 200:
        raise EventDataError(f"{where}: longer than 200 characters")
    return text


def normalize_data(kind: EventKind | str, data: dict | None) -> dict[str, Any]:
    """Validate `data` for `kind`; return it JSON-ready (dates and amounts as text).

    Empty values are dropped, so that a kind's default applies. Unknown keys are refused.
    """
    kind = parse_kind(kind)
    fields = {f.name: f for f in fields_for(kind)}
    out: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if key not in fields:
            allowed = ", ".join(fields) or "none"
            raise EventDataError(
                f"event {kind.value}: unknown data field {key!r}; allowed fields: {allowed}"
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[key] = _convert(kind, fields[key], value)
    for f in fields.values():
        if f.required and f.name not in out:
            raise EventDataError(f"event {kind.value}: data field {f.name!r} is required")
    return out
