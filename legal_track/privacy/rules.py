"""The privacy rule pack (rules/privacy.toml): the lawful bases a third-party record may
name, the relations, and which contact-log rows need a record."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from legal_track.rules import RulePackError, open_pack


@dataclass(frozen=True, slots=True)
class Basis:
    id: str
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str
    needs_proof: bool


@dataclass(frozen=True, slots=True)
class Relation:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class PrivacyRules:
    version: str
    flagged_directions: frozenset[str]
    flag_basis: str
    withdrawal_basis: str
    basis: dict[str, Basis]
    relations: dict[str, Relation]

    def basis_choices(self) -> dict[str, str]:
        """Cell text -> basis id: the id, the Chinese and the English name all read."""
        return _choices(self.basis.values())

    def relation_choices(self) -> dict[str, str]:
        return _choices(self.relations.values())


def _choices(items) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        for text in (item.id, item.name_zh, item.name_en, item.name_en.lower()):
            out[text] = item.id
    return out


@lru_cache(maxsize=1)
def load_rules() -> PrivacyRules:
    pack = open_pack("privacy")
    check = pack.table("check")
    basis = {
        t.str("id"): Basis(t.str("id"), t.str("name_zh"), t.str("name_en"), t.str("text_zh"),
                           t.str("text_en"), t.bool("needs_proof"))
        for t in pack.tables("basis")
    }  # fmt: skip
    relations = {
        t.str("id"): Relation(t.str("id"), t.str("name_zh"), t.str("name_en"))
        for t in pack.tables("relation")
    }
    if not basis or not relations:
        raise RulePackError("privacy.toml: needs at least one [[basis]] and one [[relation]]")
    directions = frozenset(check.list("directions", of=str))
    if not directions <= {"outbound", "inbound"}:
        raise RulePackError("privacy.toml: check.directions takes outbound and/or inbound")
    return PrivacyRules(
        version=pack.table("pack").str("version"),
        flagged_directions=directions,
        flag_basis=check.str("flag_basis"),
        withdrawal_basis=check.str("basis_withdrawal"),
        basis=basis,
        relations=relations,
    )
