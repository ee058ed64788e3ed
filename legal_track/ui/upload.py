"""The import page's handler: run one uploaded file through intake with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from legal_track.i18n import t
from legal_track.intake import ImportReport, IntakeError, Problem, import_bytes
from legal_track.intake.problems import message
from legal_track.limitation.portfolio import refresh_loans
from legal_track.ui.context import UserInfo, now, session

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ProblemRow:
    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """Either a report (imported) or the problems (nothing imported)."""

    file: str
    report: ImportReport | None = None
    problems: list[ProblemRow] = field(default_factory=list)
    clocks: int = 0  # limitation clocks recomputed for the loans the file changed
    warning: str | None = None  # the import stands, but the recomputation failed


def _row(p: Problem, lang: str) -> ProblemRow:
    text = message(p.code, lang, **p.params) if p.code else p.message
    return ProblemRow(p.row, p.column, text)


def run_import(
    *, kind: str, filename: str, data: bytes, user: UserInfo, lang: str, progress: Progress
) -> ImportOutcome:
    """Import `data` as `kind`; every problem comes back (in `lang`), nothing half-written.
    Then the limitation clocks of the loans the file changed are recomputed."""
    changed: list[int] = []

    def remember(_session, loan_ids: list[int]) -> None:
        changed.extend(loan_ids)

    try:
        with session() as s:
            report = import_bytes(
                s,
                kind=kind,  # type: ignore[arg-type]
                data=data,
                filename=filename,
                actor=user.username,
                now=now(),
                progress=progress,
                after_import=remember,
                role=user.role,
            )
    except IntakeError as exc:
        return ImportOutcome(filename, problems=[_row(p, lang) for p in exc.problems])
    if not changed:
        return ImportOutcome(filename, report=report)
    try:
        with session() as s:
            clocks = refresh_loans(s, loan_ids=changed, now=now(), actor=user.username)
    except (ValueError, LookupError) as exc:
        return ImportOutcome(filename, report=report, warning=str(exc))
    return ImportOutcome(filename, report=report, clocks=clocks)


def progress_text(done: int, total: int, lang: str) -> tuple[float, str]:
    """The bar's fraction and label: the check pass does not know the total yet."""
    if total <= 0:
        return 0.0, t("ui.import.checking", lang, done=done)
    return min(1.0, done / total), t("ui.import.writing", lang, done=done, total=total)
