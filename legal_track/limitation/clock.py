"""The limitation clock (诉讼时效) of a loan, computed from its ledger, contact log and cases.

Three years from the due date of the last instalment (Civil Code arts. 188, 189). Each
interrupting event found in the data restarts the full three years (art. 195): a demand that
reached the debtor, a repayment, a promise to pay, a filing, a delivered demand letter. An
event after the clock has run out revives nothing. Failed or unconfirmed deliveries never
count. Connected calls are evidence-dependent: `expiry` counts them, `conservative_expiry`
does not, and the risk level is measured against the conservative date. The 20-year longstop
from the start is never interrupted. A last day on a rest day rolls to the next working day
(art. 203). Rules and their legal basis: `legal_track/rules/limitation.toml`.

This module is the pure arithmetic and the rule data; `loans` reads one loan's events and
explains its clock (`text`), `portfolio` stores every loan's clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from legal_track.calendar.workdays import load_calendar
from legal_track.config import get_settings
from legal_track.deadlines.periods import add_period
from legal_track.i18n import t
from legal_track.privacy import mask_target
from legal_track.rules import load_pack


class Risk(StrEnum):
    expired = "expired"
    lt90 = "lt90"
    lt180 = "lt180"
    ok = "ok"


class InterruptKind(StrEnum):
    demand = "demand"  # a delivered demand (SMS, e-mail, app message, letter, signed visit)
    call = "call"  # a connected call: evidence-dependent
    promise = "promise"  # the debtor promised to pay
    repayment = "repayment"  # a (part) payment in the ledger
    filing = "filing"  # complaint, arbitration, payment order, preservation, enforcement
    demand_letter = "demand_letter"  # a delivered demand letter recorded on a case


class Source(StrEnum):
    contact_log = "contact_log"
    ledger = "ledger"
    case_event = "case_event"


@dataclass(frozen=True, slots=True)
class InterruptEvent:
    kind: str  # InterruptKind
    on: date
    source: str  # Source
    source_id: str  # contact-log id, ledger reference, case-event id
    proof: str  # what to show a judge: row, masked target, recording / tracking reference
    certain: bool  # False for evidence-dependent events (connected calls)
    basis: str = ""
    basis_zh: str = ""
    detail: str = ""  # channel or case-event kind


@dataclass(frozen=True, slots=True)
class LimitationResult:
    loan_id: int
    contract_no: str
    start: date
    start_from_schedule: bool
    expiry: date
    conservative_expiry: date
    longstop: date
    provisional: bool
    risk: Risk
    days_left: int  # to the conservative expiry; negative once expired
    last_event: InterruptEvent | None
    conservative_last_event: InterruptEvent | None
    events: list[InterruptEvent]
    late_events: list[InterruptEvent]  # after the clock ran out: revive nothing
    ignored: dict[str, int]  # failed / unknown deliveries not counted
    explanation_zh: str
    explanation_en: str
    rule_version: str = ""


class Calendar(Protocol):
    def roll_forward(self, d: date) -> Any: ...


Roller = Callable[[date], tuple[date, bool]]


@dataclass(slots=True)
class Clock:
    """The pure result of walking the events from the start date."""

    start: date
    raw_expiry: date
    expiry: date
    last_event: InterruptEvent | None
    conservative_raw: date
    conservative_expiry: date
    conservative_last: InterruptEvent | None
    longstop: date
    provisional: bool
    late: list[InterruptEvent] = field(default_factory=list)


@lru_cache(maxsize=1)
def rules() -> dict:
    """The limitation rule pack (`rules/limitation.toml`)."""
    return load_pack("limitation")


def make_roller(calendar: Calendar) -> Roller:
    """A memoised `date -> (working day, provisional)` built on the calendar's roll_forward."""
    cache: dict[date, tuple[date, bool]] = {}

    def roll(d: date) -> tuple[date, bool]:
        hit = cache.get(d)
        if hit is None:
            r = calendar.roll_forward(d)
            hit = cache[d] = (r.date, bool(r.provisional))
        return hit

    return roll


@lru_cache(maxsize=200_000)
def plus_years(day: date, years: int) -> date:
    """`add_period(day, years, "years")`, memoised: a portfolio repeats the same dates."""
    return add_period(day, years, "years")


def _walk(start: date, events: list[InterruptEvent], years: int, roll: Roller, certain_only: bool):
    """Follow the chain of interruptions. Accepted events form a prefix of the sorted list:
    once the clock has run out nothing restarts it. The new end date is computed lazily, only
    for the last event before a gap (a 100,000-loan portfolio has millions of events)."""
    raw = plus_years(start, years)
    due, prov = roll(raw)
    last: InterruptEvent | None = None
    pending: InterruptEvent | None = None
    late: list[InterruptEvent] = []
    for i, ev in enumerate(events):
        if certain_only and not ev.certain:
            continue
        if ev.on <= due:
            pending = ev
            continue
        if pending is not None:
            candidate = plus_years(pending.on, years)
            if candidate >= raw:
                raw, last = candidate, pending
                due, prov = roll(raw)
            pending = None
            if ev.on <= due:
                pending = ev
                continue
        # the clock had run out: this and every later event restart nothing
        late = [e for e in events[i:] if not (certain_only and not e.certain)]
        break
    if pending is not None:
        candidate = plus_years(pending.on, years)
        if candidate >= raw:
            raw, last = candidate, pending
            due, prov = roll(raw)
    return raw, due, prov, last, late


def compute_clock(start: date, events: Iterable[InterruptEvent], roll: Roller) -> Clock:
    """Walk the interrupting events in date order; both the full and the conservative chain."""
    period = rules()["period"]
    ordered = sorted(events, key=lambda e: e.on)
    years = int(period["years"])
    raw, due, prov, last, late = _walk(start, ordered, years, roll, certain_only=False)
    if all(e.certain for e in ordered):  # nothing evidence-dependent: the same chain
        c_raw, c_due, c_prov, c_last = raw, due, prov, last
    else:
        c_raw, c_due, c_prov, c_last, _ = _walk(start, ordered, years, roll, certain_only=True)
    longstop, l_prov = roll(plus_years(start, int(period["longstop_years"])))
    if due > longstop:
        due, prov = longstop, l_prov
    if c_due > longstop:
        c_due, c_prov = longstop, l_prov
    return Clock(start, raw, due, last, c_raw, c_due, c_last, longstop, prov or c_prov, late)


def risk_for(conservative_expiry: date, today: date) -> tuple[Risk, int]:
    days = (conservative_expiry - today).days
    limits = rules()["risk"]
    if days < 0:
        return Risk.expired, days
    if days < int(limits["lt90"]):
        return Risk.lt90, days
    if days < int(limits["lt180"]):
        return Risk.lt180, days
    return Risk.ok, days


# --- classifying rows -----------------------------------------------------------------------


def classify_contact(channel: str, direction: str, status: str, has_promise: bool) -> str | None:
    """The InterruptKind of a contact-log row, or the reason it does not count.

    Returns "demand", "call", "promise", or "failed" / "unknown" / "" (does not count).
    """
    contact = rules()["contact"]
    if status == "failed":
        return "failed"
    if has_promise:
        return InterruptKind.promise.value
    if direction != "outbound":
        return ""
    if status != "delivered":
        return "unknown"
    if channel in contact["demand_channels"]:
        return InterruptKind.demand.value
    if channel in contact["evidence_dependent_channels"]:
        return InterruptKind.call.value
    return ""


def contact_event(
    row_id: int, kind: str, on: date, channel: str, target: str = "", proof_ref: str | None = None
) -> InterruptEvent:
    contact = rules()["contact"]
    basis = {
        "demand": (contact["demand_basis"], contact["demand_basis_zh"]),
        "call": (contact["call_basis"], contact["call_basis_zh"]),
        "promise": (contact["promise_basis"], contact["promise_basis_zh"]),
    }[kind]
    proof = f"contact #{row_id} {channel} {mask_target(target)}".rstrip()
    if proof_ref:
        proof += f" ({proof_ref})"
    return InterruptEvent(kind, on, Source.contact_log.value, str(row_id), proof,
                          kind != InterruptKind.call, basis[0], basis[1], channel)  # fmt: skip


def ledger_event(reference: str, on: date, amount: Any = None) -> InterruptEvent:
    led = rules()["ledger"]
    proof = f"ledger {reference}" + (f" {amount}" if amount is not None else "")
    return InterruptEvent(InterruptKind.repayment.value, on, Source.ledger.value, reference,
                          proof, True, led["basis"], led["basis_zh"], "repayment")  # fmt: skip


def case_event(event_id: int, kind: str, on: date, case_ref: str = "") -> InterruptEvent | None:
    rule = rules()["case_events"].get(kind)
    if rule is None:
        return None
    proof = f"case {case_ref} event #{event_id} {kind}".replace("case  ", "case ")
    return InterruptEvent(rule["kind"], on, Source.case_event.value, str(event_id), proof, True,
                          rule["basis"], rule["basis_zh"], kind)  # fmt: skip


def last_due_date(schedule: list | str | None, maturity_on: date) -> tuple[date, bool]:
    """The due date of the last instalment (art. 189): the `due_on` of the schedule's last row
    (schedules are kept in due-date order), or maturity when there is no schedule. The
    portfolio recompute reads the same value inside the database."""
    if isinstance(schedule, str):
        schedule = json.loads(schedule)
    last = schedule[-1] if schedule else None
    due = last.get("due_on") if isinstance(last, dict) else None
    if not due:
        return maturity_on, False
    return (due if isinstance(due, date) else date.fromisoformat(str(due))), True


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def timezone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def resolve_calendar(session: Session, calendar: Calendar | None) -> Calendar:
    if calendar is not None:
        return calendar
    return load_calendar(session)


def risk_label(risk: Risk | str, lang: str = "zh") -> str:
    return t(f"claims.risk.{Risk(risk).value}", lang)


__all__ = [
    "Clock",
    "InterruptEvent",
    "InterruptKind",
    "LimitationResult",
    "Risk",
    "Source",
    "compute_clock",
    "risk_for",
    "risk_label",
]
