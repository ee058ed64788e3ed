"""What can be wrong with an import file, said so that the user can fix it.

Every problem names the file, the row as the user sees it in a spreadsheet
(header = row 1, first data row = row 2), the column by its header text in the
file, and a reason. The English text is the exact message (tested); the same
problem renders in Chinese through the catalog (`Problem.text("zh")`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from legal_track.i18n import t

#: Problems kept per file; beyond this only the count is kept (one last line says how many).
MAX_PROBLEMS = 10_000


def message(code: str, lang: str = "en", **params: Any) -> str:
    """The text of problem `code` in `lang`."""
    return t(f"intake.problem.{code}", lang, **params)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an import file."""

    file: str
    row: int | None
    column: str | None
    message: str
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def where(self, lang: str = "en") -> str:
        if self.row is None:
            return t("intake.where.file", lang, file=self.file)
        if self.column is None:
            return t("intake.where.row", lang, file=self.file, row=self.row)
        return t("intake.where.cell", lang, file=self.file, row=self.row, column=self.column)

    def text(self, lang: str = "en") -> str:
        """The whole line (place and reason) in `lang`."""
        reason = message(self.code, lang, **self.params) if self.code else self.message
        sep = "：" if lang == "zh" else ": "
        return f"{self.where(lang)}{sep}{reason}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class IntakeError(ValueError):
    """An import file that cannot be imported; nothing was written. Carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._summary())

    def _summary(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        if len(self.problems) == 1:
            return lines[0]
        return "\n".join([f"{len(self.problems)} problems; nothing was imported", *lines])


class CellError(ValueError):
    """A cell value that cannot be used; `code` and `params` select the catalog message."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(message(code, **params))


class ProblemLog:
    """Collects the problems of one file (up to MAX_PROBLEMS, then only counts)."""

    def __init__(self, file: str, *, limit: int | None = None):
        self.file = file
        self.limit = limit or MAX_PROBLEMS
        self.problems: list[Problem] = []
        self.dropped = 0

    def add(self, row: int | None, column: str | None, code: str, /, **params: Any) -> None:
        if len(self.problems) >= self.limit:
            self.dropped += 1
            return
        self.problems.append(
            Problem(self.file, row, column, message(code, **params), code, dict(params))
        )

    def add_cell_error(self, row: int, column: str, error: CellError) -> None:
        self.add(row, column, error.code, **error.params)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        # rows in file order; within a row, cells left to right, then cross-row checks
        problems = sorted(self.problems, key=lambda p: p.row or 0)
        if self.dropped:
            problems.append(
                Problem(
                    self.file,
                    None,
                    None,
                    message("more", count=self.dropped),
                    "more",
                    {"count": self.dropped},
                )
            )
        raise IntakeError(problems)
