"""Columns of each import file and the mapping of a header row onto them.

A column is found by its English key (`contract_no`) or its Chinese name
(`合同编号`), ignoring case, spaces, '_' and '-' and full-width forms. Columns not
listed here are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from legal_track.intake.cells import Parser, as_text
from legal_track.intake.problems import ProblemLog

_IGNORED = re.compile(r"[\s_\-]+")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file."""

    key: str  # English header, also the field name
    zh: str  # Chinese header
    parse: Parser
    required: bool = True  # the column must be in the file
    cell_required: bool = True  # ... and every row must fill it

    @property
    def names(self) -> str:
        return f"{self.zh} ({self.key})"


def header_key(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which position of a row holds which column, and the header text the file uses."""

    positions: tuple[tuple[int, Column], ...]
    header_text: dict[str, str]  # column key -> header as written in the file

    def has(self, key: str) -> bool:
        return key in self.header_text


def map_header(header: Sequence[Any], columns: Sequence[Column], log: ProblemLog) -> HeaderMap:
    """Match the header row to `columns`; missing required columns make one problem."""
    lookup: dict[str, Column] = {}
    for col in columns:
        lookup[header_key(col.key)] = col
        lookup[header_key(col.zh)] = col
    positions: list[tuple[int, Column]] = []
    header_text: dict[str, str] = {}
    for index, cell in enumerate(header):
        shown = as_text(cell).lstrip("\ufeff")
        col = lookup.get(header_key(shown))
        if col is None:
            continue
        if col.key in header_text:
            log.add(1, shown, "duplicate_column", column=col.names)
            continue
        positions.append((index, col))
        header_text[col.key] = shown
    missing = [col.names for col in columns if col.required and col.key not in header_text]
    if missing:
        log.add(1, None, "missing_columns", columns=", ".join(missing))
    return HeaderMap(tuple(positions), header_text)
