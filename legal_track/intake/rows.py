"""Row parsing and the shape every importer (loans, ledger, contacts, ...) shares.

An importer sees the file twice, in chunks of parsed rows: `check` (first pass,
keeps only keys, reports problems; then `finish_check` for problems that need the
whole file) and `write` (second pass, inside the transaction, counts created /
updated / unchanged).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from sqlalchemy.engine import Connection

from legal_track.intake.cells import FORMULA_START, check_formula
from legal_track.intake.columns import Column, HeaderMap
from legal_track.intake.problems import CellError, ProblemLog


@dataclass(slots=True)
class ParsedRow:
    """One data row: its spreadsheet row number and the values that parsed.

    `values` holds every mapped column whose cell parsed (None for an empty
    optional cell); a cell that failed is absent and `ok` is False.
    """

    row: int
    values: dict[str, Any]
    ok: bool


def parse_row(header: HeaderMap, raw: list[Any], row: int, log: ProblemLog) -> ParsedRow:
    values: dict[str, Any] = {}
    ok = True
    width = len(raw)
    for index, col in header.positions:
        value = raw[index] if index < width else None
        if isinstance(value, str):
            value = value.strip()
        try:
            if value is None or value == "":
                if col.cell_required:
                    raise CellError("required")
                values[col.key] = None
                continue
            if isinstance(value, str) and (value[0] in FORMULA_START or "\0" in value):
                check_formula(value)
            values[col.key] = col.parse(value)
        except CellError as exc:
            ok = False
            log.add_cell_error(row, header.header_text[col.key], exc)
    return ParsedRow(row, values, ok)


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    loan_ids: set[int] = field(default_factory=set)  # loans whose data changed
    details: dict[str, int] = field(default_factory=dict)

    def bump(self, key: str, by: int = 1) -> None:
        self.details[key] = self.details.get(key, 0) + by


class Importer(ABC):
    """One kind of import file. Subclasses declare `kind` and `columns`."""

    kind: ClassVar[str]
    # who imports and when (set by the service before the passes; records that keep them)
    actor: str = ""
    now: datetime | None = None

    def __init__(self, conn: Connection, *, log: ProblemLog, zone: tzinfo):
        self.conn = conn
        self.log = log
        self.zone = zone
        self.header: HeaderMap | None = None
        self.counts = Counts()

    @property
    @abstractmethod
    def columns(self) -> tuple[Column, ...]: ...

    def begin(self, header: HeaderMap, log: ProblemLog) -> None:
        """Start a pass over the file (the same header both times)."""
        self.header = header
        self.log = log

    def column_text(self, key: str) -> str:
        assert self.header is not None
        return self.header.header_text[key]

    def problem(self, row: ParsedRow, key: str, code: str, /, **params: Any) -> None:
        self.log.add(row.row, self.column_text(key), code, **params)

    @abstractmethod
    def check(self, rows: list[ParsedRow]) -> None:
        """First pass: find problems that need more than one cell (repeats, unknown keys)."""

    def finish_check(self) -> None:
        """The last row was checked: problems that need the whole file (a schedule's gaps)."""
        return None

    def end_check(self) -> None:
        """The check pass is over: drop what only it needed (keeps the write pass's peak low)."""
        return None

    @abstractmethod
    def write(self, rows: list[ParsedRow]) -> None:
        """Second pass: create or update the rows' objects (all rows are valid)."""
