"""The deadline engine: from a rule, a trigger date and the calendar to a due date
with its explanation (pure: no database, no clock).

Counting (reference §1): the trigger day is not counted; day periods end N days
after it; month and year periods end on the same-numbered day, clamped to the
month's end (`periods.add_period`); only the last day moves off a rest day; a
make-up working weekend is a working day; a last day in a year without a loaded
holiday notice is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from legal_track.calendar.workdays import WorkCalendar
from legal_track.deadlines.periods import Unit, add_period
from legal_track.deadlines.rules import Rule, RuleBook, RuleNotFoundError, default_rules
from legal_track.i18n import t
from legal_track.models import Severity

UNIT_ZH = {Unit.days: "日", Unit.months: "个月", Unit.years: "年"}
UNIT_EN = {Unit.days: "days", Unit.months: "months", Unit.years: "years"}


class DeadlineError(ValueError):
    """A deadline that cannot be computed from the data given (says which rule and why)."""


@dataclass(frozen=True, slots=True)
class ComputedDeadline:
    rule_id: str
    rule_version: str
    trigger: date
    raw_due: date  # the period's last day before moving off a rest day
    due: date
    provisional: bool
    basis: str  # zh: counting rules + the rule's basis, e.g. 民事诉讼法第八十五条、第一百七十一条
    explanation_zh: str
    explanation_en: str
    severity: Severity
    name_zh: str = ""
    name_en: str = ""
    basis_en: str = ""
    party: str | None = None
    kind: str | None = None  # the trigger event kind
    anchor: date | None = None  # the date counted from when not the trigger
    amount: int | None = None
    unit: str | None = None
    skipped: tuple[date, ...] = ()
    reminders: tuple[int, ...] = ()

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The JSON shape of `deadline calc --json` (keys rule, trigger, due, provisional,
        basis, explanation, plus details)."""
        return {
            "rule": self.rule_id,
            "trigger": self.trigger.isoformat(),
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "basis": self.basis if lang == "zh" else self.basis_en,
            "explanation": self.explanation_zh if lang == "zh" else self.explanation_en,
            "rule_version": self.rule_version,
            "raw_due": self.raw_due.isoformat(),
            "severity": self.severity.value,
            "name": self.name_zh if lang == "zh" else self.name_en,
            "amount": self.amount,
            "unit": self.unit,
            "anchor": self.anchor.isoformat() if self.anchor else None,
            "skipped": [d.isoformat() for d in self.skipped],
            "reminders": list(self.reminders),
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
            "basis_zh": self.basis,
            "basis_en": self.basis_en,
        }


@lru_cache(maxsize=1024)
def merge_basis(*texts: str) -> str:
    """Join zh citations, merging articles of the same law:
    民事诉讼法第八十五条 + 民事诉讼法第一百七十一条 -> 民事诉讼法第八十五条、第一百七十一条."""
    groups: dict[str, list[str]] = {}
    for text in texts:
        for part in (p.strip() for p in text.split("；")):
            if not part:
                continue
            i = part.find("第")
            law, rest = (part[:i], part[i:]) if i > 0 else (part, "")
            articles = groups.setdefault(law, [])
            for article in rest.split("、") if rest else []:
                if article not in articles:
                    articles.append(article)
    return "；".join(law + "、".join(arts) for law, arts in groups.items())


@lru_cache(maxsize=1024)
def _join_en(*texts: str) -> str:
    parts: list[str] = []
    for text in texts:
        for part in (p.strip() for p in text.split(";")):
            if part and part not in parts:
                parts.append(part)
    return "; ".join(parts)


def _sentence(name: str) -> str:
    """'Appeal period' -> 'appeal period' inside a sentence (keeps 'PRC' as is)."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _int_param(rule: Rule, params: dict, key: str) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DeadlineError(f"rule {rule.id}: {key} must be a whole number of days, got {value!r}")
    try:
        return int(str(value))
    except ValueError:
        raise DeadlineError(
            f"rule {rule.id}: {key} must be a whole number of days, got {value!r}"
        ) from None


def _date_param(rule: Rule, params: dict, key: str) -> date | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DeadlineError(
            f"rule {rule.id}: {key} must be a date YYYY-MM-DD, got {value!r}"
        ) from None


class DeadlineComputer:
    """Computes deadlines against one calendar and rule book, remembering results
    (a portfolio recompute asks for the same rule and date many times)."""

    def __init__(self, calendar: WorkCalendar, rules: RuleBook | None = None) -> None:
        self.calendar = calendar
        self.rules = rules or default_rules()
        self._cache: dict[tuple, ComputedDeadline] = {}
        self.memo: dict[str, dict] = {}  # callers' memo tables (e.g. per-event plans)

    def compute(
        self,
        rule_id: str,
        trigger: date,
        *,
        kind: str | None = None,
        party: str | None = None,
        params: dict | None = None,
    ) -> ComputedDeadline:
        params = params or {}
        rule = self.rules.version(rule_id, trigger)
        key = (
            rule.id,
            rule.version,
            trigger,
            kind,
            party,
            params.get(rule.period.param) if rule.period and rule.period.param else None,
            params.get(rule.anchor) if rule.anchor else None,
        )
        hit = self._cache.get(key)
        if hit is None:
            hit = self._compute(rule, trigger, kind=kind, party=party, params=params)
            self._cache[key] = hit
        return hit

    # -- the computation ---------------------------------------------------------------
    def _compute(
        self, rule: Rule, trigger: date, *, kind: str | None, party: str | None, params: dict
    ) -> ComputedDeadline:
        head_zh, head_en = self._trigger_text(rule, trigger, kind, party)
        anchor = None
        if rule.offset is not None:
            ref = self.compute(rule.offset.rule, trigger, kind=kind, party=party, params=params)
            raw = ref.due - timedelta(days=rule.offset.days)
            amount, unit = rule.offset.days, Unit.days
            body_zh = (
                f"{rule.name_zh}：{ref.name_zh}届满日 {ref.due} 前{rule.offset.days}日，即 {raw}"
            )
            body_en = (
                f"{_sentence(rule.name_en)}: {rule.offset.days} days before the end of the "
                f"{_sentence(ref.name_en)} ({ref.due}), i.e. {raw}"
            )
            counting = self.rules.counting_for(rule, unit)
            ref_provisional = ref.provisional
        else:
            period = rule.period
            assert period is not None  # checked when the pack is loaded
            amount, unit = period.amount, period.unit
            note_zh, note_en = "", ""
            if period.param:
                given = _int_param(rule, params, period.param)
                if given is not None:
                    amount = given
                    note_zh, note_en = period.source_zh, period.source_en
                low, high = period.min, period.max
                if (low is not None and amount < low) or (high is not None and amount > high):
                    bounds = (
                        f"{low if low is not None else '…'}..{high if high is not None else '…'}"
                    )
                    if period.strict:
                        raise DeadlineError(
                            f"rule {rule.id}: {period.param} = {amount} {unit.value} is outside "
                            f"the allowed {bounds} ({rule.basis_en})"
                        )
                    note_zh += f"；超出通常{bounds}日范围"
                    note_en += f"; outside the usual {bounds} days"
            start = trigger
            if rule.anchor:
                anchor = _date_param(rule, params, rule.anchor)
                if anchor is not None and anchor < trigger:
                    raise DeadlineError(
                        f"rule {rule.id}: {rule.anchor} {anchor} is before the event date {trigger}"
                    )
                if anchor is not None:
                    start = anchor
                    head_zh += f"，{rule.anchor_zh}为 {anchor}"
                    head_en += f", {rule.anchor_en} {anchor}"
                else:
                    head_zh += f"（未载明{rule.anchor_zh}，自该日起算）"
                    head_en += f" (no {rule.anchor_en} recorded; counted from this date)"
            raw = add_period(start, amount, unit)
            src_zh = f"（{note_zh.lstrip('；')}）" if note_zh else ""
            src_en = f" ({note_en.lstrip('; ')})" if note_en else ""
            body_zh = f"{rule.name_zh}{amount}{UNIT_ZH[unit]}{src_zh}，自次日起算，届满日 {raw}"
            body_en = (
                f"{_sentence(rule.name_en)} {amount} {UNIT_EN[unit]}{src_en}, counted from "
                f"the next day, ends on {raw}"
            )
            counting = self.rules.counting_for(rule, unit)
            ref_provisional = False

        due, provisional, skipped, end_zh, end_en = self._roll(rule, raw)
        provisional = provisional or ref_provisional
        basis_zh = merge_basis(counting.zh, rule.basis)
        basis_en = _join_en(counting.en, rule.basis_en)
        zh = f"{head_zh}；{body_zh}{end_zh}（{basis_zh}）"
        en = f"{head_en}; {body_en}{end_en} ({basis_en})"
        if provisional:
            years = sorted({d.year for d in (*skipped, raw, due)} - self.calendar.known_years)
            if years:
                listed = "、".join(map(str, years))
                zh += f"；{listed}年节假日安排尚未载入，日期为暂定"
                en += f"; the {', '.join(map(str, years))} holiday arrangement is not loaded yet: provisional"
            else:
                zh += "；所依据的日期为暂定"
                en += "; depends on a provisional date"
        return ComputedDeadline(
            rule_id=rule.id,
            rule_version=rule.version,
            trigger=trigger,
            raw_due=raw,
            due=due,
            provisional=provisional,
            basis=basis_zh,
            explanation_zh=zh,
            explanation_en=en,
            severity=rule.severity,
            name_zh=rule.name_zh,
            name_en=rule.name_en,
            basis_en=basis_en,
            party=party,
            kind=kind,
            anchor=anchor,
            amount=amount,
            unit=unit.value,
            skipped=tuple(skipped),
            reminders=rule.reminders,
        )

    def _trigger_text(
        self, rule: Rule, trigger: date, kind: str | None, party: str | None
    ) -> tuple[str, str]:
        if kind is None and rule.trigger_zh:
            zh, en = rule.trigger_zh, rule.trigger_en
        else:
            kind = kind or rule.triggers[0]
            zh, en = t(f"deadline.event.{kind}", "zh"), t(f"deadline.event.{kind}", "en")
        if party:
            zh, en = f"{zh}（{party}）", f"{en} ({party})"
        return f"{zh} {trigger}", f"{en} {trigger}"

    def _roll(self, rule: Rule, raw: date):
        cal = self.calendar
        if rule.roll == "none":
            rest = not cal.is_working_day(raw)
            return (
                raw,
                False,
                [],
                "，为休息日，不顺延" if rest else "",
                ", a rest day; not moved" if rest else "",
            )
        roll = cal.roll_forward(raw) if rule.roll == "forward" else cal.roll_backward(raw)
        if roll.skipped:
            info = cal.day_info(roll.skipped[0])
            holiday = info.kind == "holiday"
            reason_zh = "法定休假日" if holiday else "休息日"
            reason_en = "public holiday" if holiday else "rest day (weekend)"
            if rule.roll == "forward":
                return (
                    roll.date,
                    roll.provisional,
                    roll.skipped,
                    f" 为{reason_zh}，顺延至 {roll.date}",
                    f", a {reason_en}, so the period ends on {roll.date}",
                )
            return (
                roll.date,
                roll.provisional,
                roll.skipped,
                f"，该日为{reason_zh}，提前至 {roll.date}",
                f", a {reason_en}, so it moves back to {roll.date}",
            )
        if cal.day_info(raw).kind == "makeup":
            return (
                raw,
                roll.provisional,
                [],
                " 为调休工作日，不顺延",
                ", a make-up working day, so it does not move",
            )
        return raw, roll.provisional, [], "", ""


def plan_event(
    computer: DeadlineComputer,
    *,
    kind: str,
    on: date,
    route: str | None,
    party: str | None,
    data: dict,
    errors: list[str] | None = None,
    where: str = "",
) -> list[ComputedDeadline]:
    """The deadlines one event calls for (used by recompute and by the event preview).

    A rule with no version in force on `on`, or refusing the event's data, is skipped;
    the reason goes to `errors` when given, else it is raised.
    """
    out = []
    for rule_id in computer.rules.for_trigger(kind):
        try:
            rule = computer.rules.version(rule_id, on)
        except RuleNotFoundError as exc:
            if errors is None:
                continue  # no version for this date: the rule did not exist yet
            errors.append(f"{where}{exc}")
            continue
        if not rule.applies(kind=kind, route=route, data=data):
            continue
        try:
            out.append(computer.compute(rule_id, on, kind=kind, party=party, params=data))
        except DeadlineError as exc:
            if errors is None:
                raise
            errors.append(f"{where}{exc}")
    return out


def compute(
    rule_id: str,
    trigger: date,
    *,
    calendar: WorkCalendar,
    party: str | None = None,
    params: dict | None = None,
    kind: str | None = None,
    rules: RuleBook | None = None,
) -> ComputedDeadline:
    """One deadline: rule `rule_id` (version in force on `trigger`) from `trigger`.

    `params` is the trigger event's data (days set by the court, payment days of a
    letter, performance_end, ...); `kind` the trigger event kind for the explanation.
    """
    return DeadlineComputer(calendar, rules).compute(
        rule_id, trigger, kind=kind, party=party, params=params
    )
