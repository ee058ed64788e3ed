"""Template metadata (`<id>.toml`) and sample contexts (`<id>.sample.json`).

id = "civil_complaint"
version = "1"
name_zh = "民事起诉状"
name_en = "Civil complaint"
routes = ["litigation"]            # case routes it is filed in; [] = any route
required = ["forum.name", ...]     # context fields that must not be empty
[required_evidence]
checklist = "complaint"            # rules/evidence_requirements.toml document; "route" =
                                   # the filing document of the case's route; "" = none
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

from pydantic import ValidationError

from legal_track.cases.lifecycle import Route
from legal_track.documents.errors import MetadataError
from legal_track.documents.viewmodel import DocumentContext, known_paths
from legal_track.evidence.rules import load_rules

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,31}$")
ROUTE_CHECKLIST = {
    "litigation": "complaint",
    "arbitration": "arbitration_application",
    "payment_order": "payment_order_application",
}


@dataclass(frozen=True, slots=True)
class TemplateMeta:
    id: str
    version: str
    name_zh: str
    name_en: str
    routes: tuple[str, ...]
    required: tuple[str, ...]
    evidence_checklist: str  # "" | "route" | a document id of the evidence rules
    description: str = ""

    def checklist_for(self, route: str) -> str:
        if self.evidence_checklist == "route":
            return ROUTE_CHECKLIST.get(route, "")
        return self.evidence_checklist

    def as_dict(self) -> dict:
        return {
            "id": self.id, "version": self.version, "name_zh": self.name_zh,
            "name_en": self.name_en, "routes": list(self.routes), "required": list(self.required),
            "required_evidence": {"checklist": self.evidence_checklist},
            "description": self.description,
        }  # fmt: skip


def parse_meta(data: dict, *, where: str) -> TemplateMeta:
    """Validate metadata read from TOML (or stored in the database)."""
    unknown = set(data) - {"id", "version", "name_zh", "name_en", "routes", "required",
                           "required_evidence", "description"}  # fmt: skip
    if unknown:
        raise MetadataError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "version", "name_zh", "name_en"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise MetadataError(f"{where}: `{key}` is required (text)")
    if not ID_RE.match(data["id"]):
        raise MetadataError(f"{where}: id {data['id']!r} must be lower-case letters, digits, _")
    if not VERSION_RE.match(data["version"]):
        raise MetadataError(f"{where}: version {data['version']!r} must be like 1, 2.1 or 2026-03")
    routes = data.get("routes", [])
    bad = [r for r in routes if r not in {x.value for x in Route}]
    if not isinstance(routes, list) or bad:
        raise MetadataError(f"{where}: unknown routes {bad}; known: {[r.value for r in Route]}")
    required = data.get("required", [])
    if not isinstance(required, list) or not all(isinstance(p, str) for p in required):
        raise MetadataError(f"{where}: `required` must be a list of field paths")
    unknown_fields = [p for p in required if p not in known_paths()]
    if unknown_fields:
        raise MetadataError(f"{where}: required fields not in the context: {unknown_fields}")
    evidence = data.get("required_evidence", {})
    checklist = evidence.get("checklist", "") if isinstance(evidence, dict) else None
    if not isinstance(checklist, str):
        raise MetadataError(f"{where}: [required_evidence] checklist must be text")
    if checklist and checklist != "route" and checklist not in load_rules().documents:
        known = ", ".join(load_rules().documents)
        raise MetadataError(f"{where}: unknown evidence checklist {checklist!r}; known: {known}")
    return TemplateMeta(
        id=data["id"], version=data["version"], name_zh=data["name_zh"], name_en=data["name_en"],
        routes=tuple(routes), required=tuple(required), evidence_checklist=checklist,
        description=str(data.get("description", "")),
    )  # fmt: skip


def read_meta(text: str, *, where: str) -> TemplateMeta:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MetadataError(f"{where}: not valid TOML ({exc})") from None
    return parse_meta(data, where=where)


def read_sample(text: str, *, where: str) -> dict:
    """A sample context: JSON that must fit the view-model exactly."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(f"{where}: not valid JSON ({exc})") from None
    try:
        sample = DocumentContext.model_validate(data).data()
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise MetadataError(
            f"{where}: sample context does not fit the view-model at {path}: {first['msg']} "
            f"({exc.error_count()} problem(s))"
        ) from None
    problems = sample_problems(sample)
    if problems:
        raise MetadataError(f"{where}: {'; '.join(problems[:5])} ({len(problems)} problem(s))")
    return sample


def sample_problems(sample: dict) -> list[str]:
    """Where a sample context breaks the rules real data is imported under
    (legal_track.intake.cells): ID numbers with their GB 11643 checksum and their mask,
    amounts and dates with their spelled-out forms, e-mail addresses and phone numbers,
    and no text a spreadsheet would run as a formula. A sample is fictional, but it is
    rendered, shown and downloaded like real data: it must look like valid data."""
    from legal_track.documents.viewmodel import Amount, CnDate
    from legal_track.intake import cells
    from legal_track.intake.problems import CellError
    from legal_track.privacy import mask_id_number

    problems: list[str] = []

    def check(path: str, parse, value) -> object | None:
        try:
            return parse(value)
        except CellError as exc:
            problems.append(f"sample field {path}: {exc}")
            return None

    def walk(value, path: str) -> None:
        if isinstance(value, list):
            for n, item in enumerate(value):
                walk(item, f"{path}[{n}]")
            return
        if not isinstance(value, dict):
            if isinstance(value, str):
                check(path, cells.check_formula, value)
            return
        if set(value) == {"value", "figures", "capitals"}:  # an Amount
            parsed = check(path, cells.amount, value["value"])
            if parsed is not None and Amount.of(parsed).model_dump() != value:
                problems.append(f"sample field {path}: figures or capitals do not match {parsed}")
            return
        if set(value) == {"iso", "cn"}:  # a CnDate ("" and "" when unknown)
            if value == {"iso": "", "cn": ""}:
                return
            day = check(path, cells.a_date, value["iso"])
            if day is not None and CnDate.of(day).model_dump() != value:
                problems.append(f"sample field {path}: {value['cn']!r} is not {value['iso']}")
            return
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if not item or not isinstance(item, str):
                walk(item, where)
            elif key == "id_number":
                number = check(where, cells.id_number, item)
                masked = value.get("id_number_masked")
                if number and masked is not None and masked != mask_id_number(number):
                    problems.append(f"sample field {where}_masked: {masked!r} is not its mask")
            elif key == "email":
                check(where, cells.email, item)
            elif key == "phone":
                check(where, cells.text(32), item)
                check(where, cells.check_formula, item)
            else:
                walk(item, where)

    walk(sample, "")
    return problems
