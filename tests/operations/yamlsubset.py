"""A reader for the small YAML subset compose.yaml is written in (PyYAML is not a
dependency): block mappings and sequences by indentation, `# comments`, double-quoted
and plain scalars, JSON-style flow lists and `{}`. Anything else (anchors, tags, block
scalars, `- key: value` items) is refused, so compose.yaml cannot drift into syntax this
reader would misread."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"^([A-Za-z0-9_.-]+):(?:\s+(.*))?$")


class UnsupportedYaml(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    number: int
    indent: int
    text: str


def _strip_comment(raw: str) -> str:
    quote = None
    for i, ch in enumerate(raw):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or raw[i - 1] in " \t"):
            return raw[:i].rstrip()
    return raw.rstrip()


def _lines(text: str) -> list[Line]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise UnsupportedYaml(f"line {number}: tab indentation")
        body = _strip_comment(raw)
        if body.strip():
            out.append(Line(number, len(body) - len(body.lstrip(" ")), body.strip()))
    return out


def scalar(text: str, number: int) -> Any:
    if text[0] in '[{"':
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnsupportedYaml(f"line {number}: not a JSON-style value: {text}") from exc
    if text[0] in "&*!|>'%@`":
        raise UnsupportedYaml(f"line {number}: unsupported syntax: {text}")
    if ": " in text or text.endswith(":"):
        raise UnsupportedYaml(f"line {number}: nested mapping in a plain value: {text}")
    return text


def _block(lines: list[Line], i: int, indent: int) -> tuple[Any, int]:
    if lines[i].text.startswith("- "):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _mapping(lines: list[Line], i: int, indent: int) -> tuple[dict, int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i].indent == indent:
        line = lines[i]
        m = _KEY.match(line.text)
        if not m:
            raise UnsupportedYaml(f"line {line.number}: expected `key: value`: {line.text}")
        key, rest = m.group(1), m.group(2)
        if key in out:
            raise UnsupportedYaml(f"line {line.number}: duplicate key {key}")
        i += 1
        if rest:
            out[key] = scalar(rest, line.number)
        elif i < len(lines) and lines[i].indent > indent:
            out[key], i = _block(lines, i, lines[i].indent)
        else:
            out[key] = None
    if i < len(lines) and lines[i].indent > indent:
        raise UnsupportedYaml(f"line {lines[i].number}: unexpected indentation")
    return out, i


def _sequence(lines: list[Line], i: int, indent: int) -> tuple[list, int]:
    items = []
    while i < len(lines) and lines[i].indent == indent and lines[i].text.startswith("- "):
        rest = lines[i].text[2:].strip()
        if _KEY.match(rest):
            raise UnsupportedYaml(f"line {lines[i].number}: mapping items are not supported")
        items.append(scalar(rest, lines[i].number))
        i += 1
    return items, i


def load(text: str) -> Any:
    lines = _lines(text)
    if not lines:
        return None
    value, i = _block(lines, 0, lines[0].indent)
    if i != len(lines):
        raise UnsupportedYaml(f"line {lines[i].number}: unexpected content")
    return value
