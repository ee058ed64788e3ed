"""Rule packs: data that changes by law, province or year, kept in TOML files here.

``load_pack("deadlines")`` reads ``legal_track/rules/deadlines.toml`` and returns the
parsed dict. Errors name the file and, for syntax errors, the line; the typed
accessors of :class:`Table` name the file and the key path (``deadlines.toml:
rule[3] (appeal_judgment).period.amount: expected an integer, got 'x'``) so that a
lawyer editing a pack knows exactly what to fix.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent

_MISSING: Any = object()


class RulePackError(ValueError):
    """A rule pack is missing, unreadable or holds a wrong value (message says where)."""


def pack_path(name: str, *, directory: Path | None = None) -> Path:
    """The file of pack `name` (``name.toml`` in `directory`, default the rules folder)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise RulePackError(f"invalid rule pack name {name!r}")
    return (directory or RULES_DIR) / f"{name}.toml"


def load_toml(path: Path) -> dict:
    """Parse one TOML file; syntax errors become RulePackError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulePackError(f"{path.name}: rule pack file not found at {path}") from None
    except UnicodeDecodeError as exc:
        raise RulePackError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(f"{path.name}: invalid TOML: {exc}") from None


def load_pack(name: str, *, directory: Path | None = None) -> dict:
    """The parsed rule pack `name`. Not cached: callers cache what they build from it."""
    return load_toml(pack_path(name, directory=directory))


def _type_name(value: object) -> str:
    return type(value).__name__


class Table:
    """Typed, path-aware read access to one TOML table of a pack.

    Every getter raises RulePackError naming the file and the full key path.
    """

    def __init__(self, data: dict, *, file: str, path: str = "") -> None:
        if not isinstance(data, dict):
            raise RulePackError(f"{file}: {path or 'top level'}: expected a table")
        self.data = data
        self.file = file
        self.path = path

    # -- errors -------------------------------------------------------------------------
    def where(self, key: str | None = None) -> str:
        parts = [p for p in (self.path, key) if p]
        return f"{self.file}: {'.'.join(parts) or 'top level'}"

    def error(self, key: str | None, message: str) -> RulePackError:
        return RulePackError(f"{self.where(key)}: {message}")

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, "required key is missing")
        return default

    def check_keys(self, allowed: set[str] | frozenset[str]) -> None:
        """Refuse keys that are not in `allowed` (catches typos such as `efective_from`)."""
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise self.error(
                unknown[0], f"unknown key; allowed keys are {', '.join(sorted(allowed))}"
            )

    # -- scalars ------------------------------------------------------------------------
    def str(self, key: str, default: Any = _MISSING, *, choices=None) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty text, got {value!r}")
        if choices is not None and value not in choices:
            raise self.error(key, f"{value!r} is not one of {', '.join(map(str, choices))}")
        return value

    def int(self, key: str, default: Any = _MISSING, *, min: int | None = None) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {value!r}")
        if min is not None and value < min:
            raise self.error(key, f"must be at least {min}, got {value}")
        return value

    def bool(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def date(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.error(key, f"expected a date such as 2026-03-01, got {value!r}")
        return value

    def decimal(self, key: str, default: Any = _MISSING) -> Any:
        """A decimal written as a TOML string ("0.015") so that no float is involved."""
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self.error(key, f"expected a decimal written as text, got {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.error(key, f"not a decimal number: {value!r}") from None

    # -- containers ---------------------------------------------------------------------
    def list(self, key: str, default: Any = _MISSING, *, of: type | None = None) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {_type_name(value)}")
        if of is not None:
            for i, item in enumerate(value):
                bad = not isinstance(item, of) or (of is int and isinstance(item, bool))
                if bad:
                    raise self.error(f"{key}[{i}]", f"expected {of.__name__}, got {item!r}")
        return value

    def table(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default and default is not _MISSING:
            return value
        return Table(value, file=self.file, path=".".join(p for p in (self.path, key) if p))

    def tables(self, key: str, *, label: str | None = "id") -> Iterator[Table]:
        """The tables of an array of tables (``[[rule]]``); paths read ``rule[2] (its id)``."""
        value = self._get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "expected an array of tables")
        for i, item in enumerate(value):
            name = f"{key}[{i}]"
            if label and isinstance(item, dict) and isinstance(item.get(label), str):
                name += f" ({item[label]})"
            yield Table(item, file=self.file, path=".".join(p for p in (self.path, name) if p))


def open_pack(name: str, *, directory: Path | None = None) -> Table:
    """The pack as a :class:`Table` for validated reading."""
    path = pack_path(name, directory=directory)
    return Table(load_toml(path), file=path.name)
