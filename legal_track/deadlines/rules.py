"""Deadline rules as data: reading and checking ``rules/deadlines.toml``, and choosing
the rule version in force on a trigger date.

A rule id may have several versions with non-overlapping effective ranges (the
Arbitration Law change of 2026-03-01); the version is chosen by the trigger date and
recorded with every computed deadline.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from legal_track.cases.kinds import EventKind, default_value
from legal_track.cases.lifecycle import Route
from legal_track.deadlines.periods import Unit
from legal_track.models import Severity
from legal_track.rules import RulePackError, Table, open_pack, pack_path

ROLLS = ("forward", "backward", "none")
COUNTINGS = ("cpl", "civil", "none")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_RULE_KEYS = frozenset(
    {
        "id", "version", "name_zh", "name_en", "trigger", "trigger_zh", "trigger_en", "period",
        "offset", "anchor", "anchor_zh", "anchor_en", "when", "routes", "parties",
        "effective_from", "effective_to", "basis", "basis_en", "counting", "roll", "severity",
        "reminders", "closed_by", "settlement", "settlement_zh", "settlement_en",
    }
)  # fmt: skip
SETTLEMENT_MODES = ("none", "pause", "interrupt")
_PERIOD_KEYS = frozenset(
    {"amount", "unit", "param", "min", "max", "strict", "source_zh", "source_en"}
)


class RuleNotFoundError(LookupError):
    """No rule with this id, or no version in force on the trigger date."""


@dataclass(frozen=True, slots=True)
class Period:
    amount: int  # the fixed amount, or the default when `param` is given
    unit: Unit
    param: str | None = None  # event-data key holding a court-set / per-letter amount
    min: int | None = None
    max: int | None = None
    strict: bool = True
    source_zh: str = ""
    source_en: str = ""


@dataclass(frozen=True, slots=True)
class Offset:
    rule: str  # the rule whose date this one counts back from
    days: int


@dataclass(frozen=True, slots=True)
class Counting:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    version: str
    name_zh: str
    name_en: str
    triggers: tuple[str, ...]
    period: Period | None
    offset: Offset | None
    anchor: str | None
    anchor_zh: str
    anchor_en: str
    trigger_zh: str
    trigger_en: str
    when: tuple[tuple[str, tuple[Any, ...]], ...]
    routes: frozenset[str]
    parties: frozenset[str]
    effective_from: date | None
    effective_to: date | None
    basis: str
    basis_en: str
    counting: str
    roll: str
    severity: Severity
    reminders: tuple[int, ...]
    closed_by: frozenset[str]
    settlement: str = "none"  # SETTLEMENT_MODES: what a settlement agreement does to it
    settlement_zh: str = ""  # why (empty: the pack's text for the mode)
    settlement_en: str = ""

    def in_force(self, on: date) -> bool:
        return (self.effective_from is None or on >= self.effective_from) and (
            self.effective_to is None or on <= self.effective_to
        )

    def applies(self, *, kind: str, route: str | None, data: dict) -> bool:
        """Whether an event of `kind` with `data` in a case on `route` triggers this rule."""
        if kind not in self.triggers:
            return False
        if self.routes and route is not None and route not in self.routes:
            return False
        role = data.get("party_role")
        if self.parties and role and role not in self.parties:
            return False
        for key, allowed in self.when:
            value = data.get(key)
            if value is None:
                value = default_value(kind, key)
            if value not in allowed:
                return False
        return True

    @property
    def effective_text(self) -> str:
        start = self.effective_from.isoformat() if self.effective_from else "…"
        end = self.effective_to.isoformat() if self.effective_to else "…"
        return f"{start} – {end}"


@dataclass(frozen=True, slots=True)
class SettlementPolicy:
    """The pack's `[settlement]` table: which event kinds pause the `pause` rules and
    which resume them, and the default text of each mode."""

    agreed: frozenset[str] = frozenset()
    resumed_by: frozenset[str] = frozenset()
    texts: dict[str, Counting] = field(default_factory=dict)  # mode -> (zh, en)

    def kinds(self) -> frozenset[str]:
        return self.agreed | self.resumed_by

    def text(self, rule: Rule) -> Counting:
        """Why a settlement does what it does to `rule` (zh, en)."""
        default = self.texts.get(rule.settlement, Counting("", ""))
        return Counting(rule.settlement_zh or default.zh, rule.settlement_en or default.en)


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every rule version of a pack, with the lookups the engine needs."""

    versions: dict[str, tuple[Rule, ...]]  # by id, ordered by effective_from
    counting: dict[tuple[str, str], Counting]  # (counting, "days" | "months")
    closes_all: frozenset[str]
    review: str
    digest: str = ""  # of the pack's source text: part of every case's deadline digest
    settlement: SettlementPolicy = field(default_factory=SettlementPolicy)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def ids(self) -> list[str]:
        return list(self.versions)

    def all_versions(self) -> list[Rule]:
        return [r for versions in self.versions.values() for r in versions]

    def version(self, rule_id: str, on: date) -> Rule:
        hit = self._memo.get((rule_id, on))
        if hit is not None:
            return hit
        versions = self.versions.get(rule_id)
        if versions is None:
            raise RuleNotFoundError(
                f"unknown deadline rule {rule_id!r}; known rules: {', '.join(self.versions)}"
            )
        for rule in versions:
            if rule.in_force(on):
                self._memo[(rule_id, on)] = rule
                return rule
        ranges = "; ".join(r.effective_text for r in versions)
        raise RuleNotFoundError(
            f"rule {rule_id} has no version in force on {on} (versions: {ranges})"
        )

    def latest(self, rule_id: str) -> Rule:
        if rule_id not in self.versions:
            self.version(rule_id, date.max)  # raises with the list of ids
        return self.versions[rule_id][-1]

    def for_trigger(self, kind: str) -> tuple[str, ...]:
        """Ids of the rules an event kind can trigger, in pack order."""
        key = ("trigger", kind)
        hit = self._memo.get(key)
        if hit is None:
            hit = tuple(i for i, vs in self.versions.items() if any(kind in v.triggers for v in vs))
            self._memo[key] = hit
        return hit

    def data_keys(self, kind: str) -> tuple[str, ...]:
        """The event-data keys the rules an event kind triggers can read (period
        parameters, anchors, `when` conditions, party roles, also through offsets), sorted.
        Two events of a kind whose data agree on these keys give the same deadlines."""
        key = ("data_keys", kind)
        hit = self._memo.get(key)
        if hit is None:
            found: set[str] = set()
            todo, seen = list(self.for_trigger(kind)), set()
            while todo:
                rule_id = todo.pop()
                if rule_id in seen:
                    continue
                seen.add(rule_id)
                for rule in self.versions.get(rule_id, ()):
                    found.update(k for k, _ in rule.when)
                    if rule.period and rule.period.param:
                        found.add(rule.period.param)
                    if rule.anchor:
                        found.add(rule.anchor)
                    if rule.parties:
                        found.add("party_role")
                    if rule.offset:
                        todo.append(rule.offset.rule)
            hit = self._memo[key] = tuple(sorted(found))
        return hit

    def trigger_kinds(self) -> frozenset[str]:
        return frozenset(k for r in self.all_versions() for k in r.triggers)

    def closing_kinds(self) -> frozenset[str]:
        return self.closes_all | frozenset(k for r in self.all_versions() for k in r.closed_by)

    def counting_for(self, rule: Rule, unit: Unit) -> Counting:
        if rule.counting == "none":
            return Counting("", "")
        key = "days" if unit is Unit.days else "months"
        return self.counting[(rule.counting, key)]


def _strings(t: Table, key: str, *, choices=None) -> tuple[str, ...]:
    value = t.data.get(key, [])
    if isinstance(value, str):
        value = [value]
    items = Table({key: value}, file=t.file, path=t.path).list(key, of=str)
    for i, item in enumerate(items):
        if choices is not None and item not in choices:
            raise t.error(f"{key}[{i}]", f"{item!r} is not one of {', '.join(map(str, choices))}")
    return tuple(items)


def _period(t: Table) -> Period:
    t.check_keys(_PERIOD_KEYS)
    return Period(
        amount=t.int("amount", min=1),
        unit=Unit(t.str("unit", choices=tuple(Unit))),
        param=t.str("param", None),
        min=t.int("min", None, min=0),
        max=t.int("max", None, min=1),
        strict=t.bool("strict", True),
        source_zh=t.str("source_zh", ""),
        source_en=t.str("source_en", ""),
    )


def _rule(t: Table) -> Rule:
    t.check_keys(_RULE_KEYS)
    rule_id = t.str("id")
    if not _ID.match(rule_id):
        raise t.error("id", f"{rule_id!r}: use lower-case letters, digits and _")
    kinds = tuple(EventKind)
    period = _period(t.table("period")) if "period" in t.data else None
    offset = None
    if "offset" in t.data:
        o = t.table("offset")
        o.check_keys({"rule", "days"})
        offset = Offset(o.str("rule"), o.int("days", min=0))
    if (period is None) == (offset is None):
        raise t.error("period", "give exactly one of `period` and `offset`")
    when: list[tuple[str, tuple[Any, ...]]] = []
    if "when" in t.data:
        w = t.table("when")
        for key, value in w.data.items():
            values = tuple(value) if isinstance(value, list) else (value,)
            when.append((key, values))
    start, end = t.date("effective_from", None), t.date("effective_to", None)
    if start and end and end < start:
        raise t.error("effective_to", f"{end} is before effective_from {start}")
    version = t.str("version", start.isoformat() if start else "1")
    if len(version) > 32:
        raise t.error("version", "at most 32 characters")
    reminders = tuple(t.list("reminders", [], of=int))
    if any(r < 0 for r in reminders):
        raise t.error("reminders", "offsets are days before the due date (0 or more)")
    rule = Rule(
        id=rule_id,
        version=version,
        name_zh=t.str("name_zh"),
        name_en=t.str("name_en"),
        triggers=_strings(t, "trigger", choices=kinds),
        period=period,
        offset=offset,
        anchor=t.str("anchor", None),
        anchor_zh=t.str("anchor_zh", ""),
        anchor_en=t.str("anchor_en", ""),
        trigger_zh=t.str("trigger_zh", ""),
        trigger_en=t.str("trigger_en", ""),
        when=tuple(when),
        routes=frozenset(_strings(t, "routes", choices=tuple(Route))),
        parties=frozenset(_strings(t, "parties")),
        effective_from=start,
        effective_to=end,
        basis=t.str("basis"),
        basis_en=t.str("basis_en"),
        counting=t.str("counting", "cpl", choices=COUNTINGS),
        roll=t.str("roll", "forward", choices=ROLLS),
        severity=Severity(t.str("severity", choices=tuple(Severity))),
        reminders=tuple(sorted(set(reminders), reverse=True)),
        closed_by=frozenset(_strings(t, "closed_by", choices=kinds)),
        settlement=t.str("settlement", "none", choices=SETTLEMENT_MODES),
        settlement_zh=t.str("settlement_zh", ""),
        settlement_en=t.str("settlement_en", ""),
    )
    if rule.anchor and not (rule.anchor_zh and rule.anchor_en):
        raise t.error("anchor_zh", "a rule with `anchor` needs anchor_zh and anchor_en")
    if not rule.triggers and not (rule.trigger_zh and rule.trigger_en):
        raise t.error("trigger_zh", "a rule without trigger events needs trigger_zh/trigger_en")
    return rule


def _check_versions(file: str, versions: list[Rule]) -> None:
    versions.sort(key=lambda r: r.effective_from or date.min)
    for before, after in zip(versions, versions[1:], strict=False):
        end = before.effective_to or date.max
        start = after.effective_from or date.min
        if start <= end:
            raise RulePackError(
                f"{file}: rule {after.id}: versions {before.version} and {after.version} "
                "overlap; give the earlier one an effective_to before the later effective_from"
            )
    if len({v.version for v in versions}) != len(versions):
        raise RulePackError(f"{file}: rule {versions[0].id}: two versions share a version label")


def load_rules(name: str = "deadlines", *, directory: Path | None = None) -> RuleBook:
    """Read and check a deadline rule pack (errors name the file and the key)."""
    pack = open_pack(name, directory=directory)
    source = pack_path(name, directory=directory).read_bytes()
    pack.check_keys({"pack", "closes_all", "counting", "rule", "settlement"})
    header = pack.table("pack")
    header.check_keys({"name", "review"})
    review = header.str("review")
    counting: dict[tuple[str, str], Counting] = {}
    ct = pack.table("counting")
    for family in ("cpl", "civil"):
        fam = ct.table(family)
        for unit in ("days", "months"):
            entry = fam.table(unit)
            entry.check_keys({"zh", "en"})
            counting[(family, unit)] = Counting(entry.str("zh"), entry.str("en"))
    grouped: dict[str, list[Rule]] = {}
    for t in pack.tables("rule"):
        rule = _rule(t)
        grouped.setdefault(rule.id, []).append(rule)
    for versions in grouped.values():
        _check_versions(pack.file, versions)
    for versions in grouped.values():
        for rule in versions:
            if rule.offset is not None:
                target = grouped.get(rule.offset.rule)
                if target is None:
                    raise RulePackError(
                        f"{pack.file}: rule {rule.id}: offset.rule {rule.offset.rule!r} "
                        "is not a rule of this pack"
                    )
                if any(v.offset is not None for v in target):
                    raise RulePackError(
                        f"{pack.file}: rule {rule.id}: offset.rule {rule.offset.rule!r} "
                        "is itself an offset rule; chains are not supported"
                    )
    closes_all = frozenset(_strings(pack, "closes_all", choices=tuple(EventKind)))
    settlement = _settlement(pack)
    return RuleBook(
        versions={k: tuple(v) for k, v in grouped.items()},
        counting=counting,
        closes_all=closes_all,
        review=review,
        digest=hashlib.sha256(source).hexdigest(),
        settlement=settlement,
    )


def _settlement(pack: Table) -> SettlementPolicy:
    if "settlement" not in pack.data:
        return SettlementPolicy()
    st = pack.table("settlement")
    st.check_keys({"agreed", "resumed_by", *SETTLEMENT_MODES})
    kinds = tuple(EventKind)
    texts = {}
    for mode in SETTLEMENT_MODES:
        if mode in st.data:
            entry = st.table(mode)
            entry.check_keys({"zh", "en"})
            texts[mode] = Counting(entry.str("zh"), entry.str("en"))
    return SettlementPolicy(
        agreed=frozenset(_strings(st, "agreed", choices=kinds)),
        resumed_by=frozenset(_strings(st, "resumed_by", choices=kinds)),
        texts=texts,
    )


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The shipped rule pack (read once per process)."""
    return load_rules()
